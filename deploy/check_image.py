#!/usr/bin/env python3
"""Reads `podman image inspect IMAGE` on stdin and fails unless the image is what the
Containerfile promises: a non-root user, `serve` as the default command, port 3000 exposed, a
HEALTHCHECK running `muxd healthcheck`, and the OCI labels (the revision equal to argv[1] if
given).""" 

import json
import sys

image = json.load(sys.stdin)[0]
config = image["Config"]
user = config.get("User") or ""
# podman reports the HEALTHCHECK beside Config; docker inside it.
test = (image.get("Healthcheck") or config.get("Healthcheck") or {}).get("Test") or []
labels = config.get("Labels") or {}
problems = []
if user in ("", "0", "root") or user.startswith(("0:", "root:")):
    problems.append(f"runs as {user!r}")
if config.get("Cmd") != ["serve"]:
    problems.append(f"default command {config.get('Cmd')}")
if "3000/tcp" not in (config.get("ExposedPorts") or {}):
    problems.append("port 3000 not exposed")
if "healthcheck" not in " ".join(test):
    problems.append(f"HEALTHCHECK {test}")
for key in ("title", "description", "version", "revision", "created", "licenses", "base.name"):
    if not labels.get(f"org.opencontainers.image.{key}"):
        problems.append(f"no label org.opencontainers.image.{key}")
if len(sys.argv) == 2 and labels.get("org.opencontainers.image.revision") != sys.argv[1]:
    problems.append(f"revision label {labels.get('org.opencontainers.image.revision')}, not {sys.argv[1]}")
if problems:
    sys.exit("check_image: FAIL: " + "; ".join(problems))
oci = {k: v for k, v in labels.items() if k.startswith("org.opencontainers.image.")}
print(f"check_image: user {user}, entrypoint {config.get('Entrypoint')} cmd {config['Cmd']}, "
      f"HEALTHCHECK {test}, labels {json.dumps(oci)}")
