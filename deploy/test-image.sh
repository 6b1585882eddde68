#!/usr/bin/env bash
# Builds muxd's container image from the Containerfile and proves it: an upload through the
# running container reaches READY, every probe path of the Kubernetes Deployment answers 200,
# SIGTERM ends it within MUXD_SHUTDOWN_GRACE_SECS; then validates the Kubernetes manifests and
# the compose file. Leaves the image tagged localhost/muxd:test. Run as root; `.ci/run` calls it.
#
# No container registry is assumed: the base image is made from Debian's archive with
# debootstrap (cached under target/deploy/), and the runtime stage is built from a muxd binary
# built here (MUXD_BIN=path to use one already built, else `cargo build --release -p muxd`).
#
# Environment: MUXD_BIN (above); DEBIAN_MIRROR (default http://deb.debian.org/debian);
# MUXD_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres, trust auth);
# MUXD_TEST_PROBE_PATHS, space-separated paths to probe instead of the Deployment's (only for
# trying an older muxd without /livez and /readyz; refused under CI=true).
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)

WORK=target/deploy
IMAGE=localhost/muxd:test
BASE_IMAGE=localhost/debian-base:bookworm
BASE_TAR=$WORK/debian-bookworm-minbase.tar
DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
K8S_VERSION=1.34.0            # a current Kubernetes release kubernetes-validate has schemas for
VALIDATOR=kubernetes-validate==1.37.0
FIXTURE=fixtures/media/tiny-2s-320x240.mp4
PG_URL=${MUXD_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
mkdir -p "$WORK"

say() { printf '== test-image: %s\n' "$*"; }
die() { printf 'test-image: FAIL: %s\n' "$*" >&2; exit 1; }
elapsed() { echo "$(($(date +%s) - started)) s"; }

# ---- tools: installed only when missing, so a re-run costs nothing here ----
missing=()
for pair in podman:podman runc:runc debootstrap:debootstrap psql:postgresql-client \
  curl:curl python3:python3 docker-compose:docker-compose; do
  command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}")
done
if [ "${#missing[@]}" -gt 0 ]; then
  say "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# A venv of our own: Debian's python refuses system-wide pip installs (PEP 668).
if ! [ -x "$WORK/venv/bin/kubernetes-validate" ]; then
  python3 -m venv "$WORK/venv" 2>/dev/null || {
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
    rm -rf "$WORK/venv"
    python3 -m venv "$WORK/venv"
  }
  "$WORK/venv/bin/pip" install --quiet --disable-pip-version-check "$VALIDATOR" pyyaml
fi
PY=$WORK/venv/bin/python

# crun (podman's default) fails on some cgroup layouts; runc works on all we run on. Limits
# are set explicitly at or below the current ones, since podman's defaults may exceed a hard
# limit it may not raise. nproc is capped lower still: on a machine with a nproc limit of
# 96368 runc failed to apply that same value ("setting rlimit type 6: operation not
# permitted"), while 4096 (plenty for muxd's threads) worked.
podman() { command podman --runtime runc "$@"; }
nofile=$(ulimit -n) nproc=$(ulimit -u)
[ "$nofile" = unlimited ] && nofile=65536
{ [ "$nproc" = unlimited ] || [ "$nproc" -gt 4096 ]; } && nproc=4096
limits=(--ulimit "nofile=$nofile:$nofile" --ulimit "nproc=$nproc:$nproc")

# ---- the manifests first: seconds, and the probe paths and grace come from them ----
say "checking deploy/kubernetes and compose.yaml"
"$PY" deploy/check_manifests.py
"$PY" deploy/check_compose.py
mapfile -t manifests < <(find deploy/kubernetes -name '*.yaml' ! -name kustomization.yaml | sort)
# --strict rejects unknown fields. ServiceMonitor and PrometheusRule are CRDs the tool has no
# schema for: it warns and skips them (check_manifests.py checks the rule's content instead).
"$WORK/venv/bin/kubernetes-validate" --strict -k "$K8S_VERSION" "${manifests[@]}"
# The gate must be able to fail: a Deployment with a wrong-typed field is refused.
sed 's/replicas: 3/replicas: "three"/' deploy/kubernetes/deployment.yaml >"$WORK/broken.yaml"
if "$WORK/venv/bin/kubernetes-validate" --quiet --strict -k "$K8S_VERSION" "$WORK/broken.yaml" >/dev/null 2>&1; then
  die "kubernetes-validate accepted a broken Deployment"
fi
if command -v kubectl >/dev/null; then
  kubectl kustomize deploy/kubernetes >"$WORK/rendered.yaml"
  kubectl kustomize deploy/kubernetes/monitoring >"$WORK/rendered-monitoring.yaml"
  "$WORK/venv/bin/kubernetes-validate" --quiet --strict -k "$K8S_VERSION" "$WORK/rendered.yaml"
  say "kustomize output valid ($(grep -c '^kind:' "$WORK/rendered.yaml") objects)"
else
  say "kubectl absent: kustomize render skipped (check_manifests.py checked every resource exists)"
fi
# compose.yaml against the compose schema of Debian's docker-compose (1.29; it needs no engine).
mkdir -p "$WORK/compose"
cp compose.yaml "$WORK/compose/" && cp muxd.env.example "$WORK/compose/muxd.env"
(cd "$WORK/compose" && docker-compose --profile dev config -q) || die "compose.yaml is invalid"
say "compose.yaml valid (docker-compose $(docker-compose version --short))"
mapfile -t probe_paths < <("$PY" deploy/check_manifests.py probe-paths)
grace=$("$PY" deploy/check_manifests.py grace)
if [ -n "${MUXD_TEST_PROBE_PATHS:-}" ]; then
  [ "${CI:-}" = true ] && die "MUXD_TEST_PROBE_PATHS is for local trials, not CI"
  read -r -a probe_paths <<<"$MUXD_TEST_PROBE_PATHS"
  say "WARNING: probing ${probe_paths[*]} instead of the Deployment's paths"
fi

# ---- the base image: Debian's minbase from the archive, trimmed like debian:*-slim ----
if ! podman image exists "$BASE_IMAGE"; then
  if ! [ -s "$BASE_TAR" ]; then
    say "debootstrap bookworm from $DEBIAN_MIRROR (cached as $BASE_TAR; delete it to refresh)"
    rootfs=$(mktemp -d)
    debootstrap --variant=minbase bookworm "$rootfs" "$DEBIAN_MIRROR" >"$WORK/debootstrap.log" ||
      { tail -20 "$WORK/debootstrap.log"; die "debootstrap failed"; }
    rm -rf "$rootfs"/var/cache/apt/* "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/man/* \
      "$rootfs"/usr/share/info/* "$rootfs"/usr/share/locale/*
    find "$rootfs/usr/share/doc" -type f ! -name copyright -delete
    # As the slim images do: later apt installs leave out documentation too.
    printf '%s\n' 'path-exclude /usr/share/doc/*' 'path-include /usr/share/doc/*/copyright' \
      'path-exclude /usr/share/man/*' 'path-exclude /usr/share/info/*' \
      'path-exclude /usr/share/locale/*' >"$rootfs/etc/dpkg/dpkg.cfg.d/slim"
    tar -C "$rootfs" -cf "$BASE_TAR.part" . && mv "$BASE_TAR.part" "$BASE_TAR"
    rm -rf "$rootfs"
  fi
  podman import --change 'CMD ["/bin/bash"]' "$BASE_TAR" "$BASE_IMAGE" >/dev/null
fi
say "base image $BASE_IMAGE: $(podman image inspect --format '{{.Size}}' "$BASE_IMAGE" | numfmt --to=iec) ($(elapsed))"

# ---- the binary, then the image from the Containerfile's runtime-prebuilt target ----
if [ -n "${MUXD_BIN:-}" ]; then
  bin=$MUXD_BIN
else
  # A no-op when target/release/muxd is up to date.
  cargo build --release -p muxd
  bin=target/release/muxd
fi
[ -x "$bin" ] || die "no muxd binary at $bin"
rm -rf "$WORK/context" && mkdir -p "$WORK/context" && cp "$bin" "$WORK/context/muxd"
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)
created=$(date -u +%Y-%m-%dT%H:%M:%SZ)
previous=$(podman image inspect --format '{{.Id}}' "$IMAGE" 2>/dev/null || true)
say "building $IMAGE"
build_started=$(date +%s)
# --format docker: the OCI format has no HEALTHCHECK field and podman would drop it.
# --no-cache: podman 4.3 reuses a cached LABEL step whose ARG values changed (and ignores
# --label then), which left a stale revision and date on the image; a fresh build costs ~10 s.
# --layers=false: with no cache to keep, no intermediate images are left behind either.
podman build --format docker --network host "${limits[@]}" --pull=never --no-cache --layers=false \
  --target runtime-prebuilt --build-arg RUNTIME_IMAGE="$BASE_IMAGE" \
  --build-arg VERSION="$version" --build-arg REVISION="$revision" --build-arg CREATED="$created" \
  -f Containerfile -t "$IMAGE" "$WORK/context" >"$WORK/build.log" 2>&1 ||
  { tail -30 "$WORK/build.log"; die "podman build failed"; }
# The previous build of the tag, now untagged, is ours to remove (and only that one).
if [ -n "$previous" ] && [ "$previous" != "$(podman image inspect --format '{{.Id}}' "$IMAGE")" ]; then
  podman rmi "$previous" >/dev/null 2>&1 || true
fi
size=$(podman image inspect --format '{{.Size}}' "$IMAGE")
say "image $IMAGE: $(numfmt --to=iec "$size") ($size bytes; muxd binary $(stat -c %s "$bin" | numfmt --to=iec)), built in $(($(date +%s) - build_started)) s"

podman image inspect "$IMAGE" | "$PY" deploy/check_image.py "$revision"
podman run --rm "${limits[@]}" --network none --no-healthcheck "$IMAGE" --version

# ---- run it: the machine's PostgreSQL, `muxd emulator` and `muxd serve`, both from the image ----
if ! pg_isready -q -d "$PG_URL" 2>/dev/null && [ -d /etc/postgresql ]; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start || true
fi
run_id=$$
db=muxd_image_test_$run_id
muxd_name=muxd-image-test-$run_id
emulator_name=muxd-image-test-emulator-$run_id
env_file=$WORK/test-$run_id.env
live_pid=
cleanup() {
  status=$?
  [ -n "$live_pid" ] && kill "$live_pid" 2>/dev/null || true
  if [ "$status" -ne 0 ]; then
    for name in "$muxd_name" "$emulator_name"; do
      echo "---- last log lines of $name" >&2
      podman logs --tail 40 "$name" >&2 2>&1 || true
    done
  fi
  podman rm -f -t 0 "$muxd_name" "$emulator_name" >/dev/null 2>&1 || true
  psql -q -d "$PG_URL" -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
  rm -f "$env_file"
  exit "$status"
}
trap cleanup EXIT
psql -q -d "$PG_URL" -c "CREATE DATABASE $db" || die "cannot create a database at $PG_URL"
ports=($("$PY" -c '
import socket
socks = [socket.socket() for _ in range(2)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))'))
muxd_port=${ports[0]} emulator_port=${ports[1]}
emulator=http://127.0.0.1:$emulator_port
muxd=http://127.0.0.1:$muxd_port

# One env file for both, as compose.yaml does: the emulator reads the same MUX_* variables.
# Secrets go through the file, never the command line.
jwt_secret=$(head -c 30 /dev/urandom | base64 | tr -d '+/=' | head -c 40)
umask 077
cat >"$env_file" <<EOF
DATABASE_URL=${PG_URL%/*}/$db
MUX_TOKEN_ID=image-test
MUX_TOKEN_SECRET=image-test-secret-$run_id
MUX_WEBHOOK_SIGNING_SECRET=image-test-signing-$run_id
MUX_BASE_URL=$emulator
MUXD_STREAM_BASE_URL=$emulator/stream
MUXD_IMAGE_BASE_URL=$emulator/image
MUXD_LISTEN=127.0.0.1:$muxd_port
MUXD_JWT_HS256_SECRET=$jwt_secret
MUXD_JWT_ISSUER=muxd-image-test
MUXD_JWT_AUDIENCE=muxd
MUXD_SHUTDOWN_GRACE_SECS=$grace
RUST_LOG=info
EOF
umask 022
# Host networking: no bridge or port mapping needed, and PostgreSQL is on the host's loopback.
podman run -d --name "$emulator_name" --network host "${limits[@]}" --no-healthcheck \
  --env-file "$env_file" "$IMAGE" emulator --host 127.0.0.1 --port "$emulator_port" \
  --webhook-url "$muxd/api/webhooks/mux" --processing-delay-ms 300 >/dev/null
run_started=$(date +%s)
# No health timer: podman runs it through systemd, which a CI container may lack (podman
# then logs errors). The image's HEALTHCHECK command is run by hand below instead.
podman run -d --name "$muxd_name" --network host "${limits[@]}" --env-file "$env_file" \
  --no-healthcheck "$IMAGE" >/dev/null
"$PY" deploy/smoke.py probe "$emulator" /_emulator/health
"$PY" deploy/smoke.py probe "$muxd" "${probe_paths[@]}"
say "muxd in the container answered its probes $(($(date +%s) - run_started)) s after start"
# The image's own HEALTHCHECK command (`muxd healthcheck`, on /readyz), run in the container.
mapfile -t health_cmd < <(podman image inspect "$IMAGE" |
  "$PY" -c 'import json, sys; print(*json.load(sys.stdin)[0]["Healthcheck"]["Test"][1:], sep="\n")')
if podman exec "$muxd_name" "${health_cmd[@]}"; then
  say "HEALTHCHECK: healthy"
elif [ -n "${MUXD_TEST_PROBE_PATHS:-}" ]; then
  say "WARNING: HEALTHCHECK unhealthy (expected: this muxd has no /readyz)"
else
  die "the image's HEALTHCHECK reports unhealthy"
fi

set -a && . "$env_file" && set +a
"$PY" deploy/smoke.py upload "$muxd" "$FIXTURE"

# ---- SIGTERM with a live stream open: a clean exit within the grace ----
curl -sN -H "Authorization: Bearer $("$PY" deploy/smoke.py token user_image_test)" \
  "$muxd/api/live" >/dev/null 2>&1 &
live_pid=$!
sleep 1
term_started=$(date +%s%N)
podman kill --signal TERM "$muxd_name" >/dev/null
# Waits a little past the grace, so a muxd that never exits fails the run instead of hanging it.
exit_code=$(timeout $((grace + 5)) podman wait "$muxd_name") ||
  die "muxd still running $((grace + 5)) s after SIGTERM (grace ${grace} s)"
took_ms=$((($(date +%s%N) - term_started) / 1000000))
say "SIGTERM: exit code $exit_code after $took_ms ms (grace ${grace} s)"
[ "$exit_code" = 0 ] || die "muxd exited $exit_code on SIGTERM"
[ "$took_ms" -le $((grace * 1000)) ] || die "muxd took $took_ms ms to stop, over the ${grace} s grace"

say "passed in $(elapsed); image $IMAGE, $(numfmt --to=iec "$size")"
