#!/usr/bin/env python3
"""Checks of deploy/kubernetes that a schema cannot make (needs PyYAML).

  check_manifests.py              every check below; prints what it found
  check_manifests.py probe-paths  the Deployment's probe paths, one a line (for test-image.sh)
  check_manifests.py grace        MUXD_SHUTDOWN_GRACE_SECS as the Deployment sets it
  check_manifests.py write-rule   regenerates monitoring/prometheusrule.yaml from ops/

The checks: each kustomization's resources exist, and every YAML file is listed by one (or is
a *.example.yaml); the Deployment has readiness, liveness and startup probes over HTTP; its
terminationGracePeriodSeconds covers the preStop pause plus MUXD_SHUTDOWN_GRACE_SECS; the
PrometheusRule holds exactly the groups of ops/prometheus/muxd-alerts.yml.
"""

import pathlib
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
KUBE = ROOT / "deploy" / "kubernetes"
ALERTS = ROOT / "ops" / "prometheus" / "muxd-alerts.yml"
RULE = KUBE / "monitoring" / "prometheusrule.yaml"
DEFAULT_GRACE = 10  # muxd's default MUXD_SHUTDOWN_GRACE_SECS


def fail(message):
    sys.exit(f"check_manifests: FAIL: {message}")


def load(path):
    return yaml.safe_load(path.read_text())


def deployment():
    doc = load(KUBE / "deployment.yaml")
    if doc.get("kind") != "Deployment":
        fail("deployment.yaml is not a Deployment")
    return doc["spec"]["template"]["spec"]


def container():
    containers = deployment()["containers"]
    muxd = [c for c in containers if c["name"] == "muxd"]
    if len(muxd) != 1:
        fail("the Deployment has no container named muxd")
    return muxd[0]


def probe_paths():
    c = container()
    paths = []
    for kind in ("startupProbe", "livenessProbe", "readinessProbe"):
        probe = c.get(kind)
        if not probe or "httpGet" not in probe:
            fail(f"the muxd container has no HTTP {kind}")
        if probe["httpGet"].get("port") not in ("http", 3000):
            fail(f"{kind} is not on the http port (3000)")
        if probe["httpGet"]["path"] not in paths:
            paths.append(probe["httpGet"]["path"])
    return paths


def grace():
    env = {e["name"]: e.get("value") for e in container().get("env", [])}
    return int(env.get("MUXD_SHUTDOWN_GRACE_SECS") or DEFAULT_GRACE)


def pre_stop_seconds():
    pre_stop = container().get("lifecycle", {}).get("preStop")
    if not pre_stop:
        return 0
    if "sleep" in pre_stop:  # Kubernetes' own sleep action
        return int(pre_stop["sleep"]["seconds"])
    command = pre_stop.get("exec", {}).get("command", [])
    if len(command) == 2 and command[0] == "sleep":
        return int(command[1])
    fail(f"cannot tell how long the preStop hook {pre_stop} takes")


def check_grace():
    total = deployment().get("terminationGracePeriodSeconds", 30)
    needed = pre_stop_seconds() + grace()
    if total < needed:
        fail(f"terminationGracePeriodSeconds {total} < preStop + MUXD_SHUTDOWN_GRACE_SECS = {needed}")
    return f"terminationGracePeriodSeconds {total} covers preStop {pre_stop_seconds()} s + grace {grace()} s"


def check_kustomizations():
    listed = set()
    for kustomization in KUBE.rglob("kustomization.yaml"):
        listed.add(kustomization)
        for resource in load(kustomization).get("resources", []):
            path = (kustomization.parent / resource).resolve()
            if not path.exists():
                fail(f"{kustomization.relative_to(ROOT)} lists {resource}, which does not exist")
            listed.add(path)
    for path in KUBE.rglob("*.yaml"):
        if path.resolve() not in listed and not path.name.endswith(".example.yaml"):
            fail(f"{path.relative_to(ROOT)} is in no kustomization (name it *.example.yaml if on purpose)")
    return f"{len(listed)} files listed by kustomizations"


class _Literal(yaml.SafeDumper):
    """Multi-line strings (the alert expressions) as `|` blocks, as they are in ops/."""


_Literal.add_representer(
    str,
    lambda dumper, s: dumper.represent_scalar(
        "tag:yaml.org,2002:str", s, style="|" if "\n" in s else None
    ),
)


def rule_document():
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": {"name": "muxd", "labels": {"app.kubernetes.io/name": "muxd"}},
        "spec": {"groups": load(ALERTS)["groups"]},
    }


def write_rule():
    header = (
        "# Generated from ops/prometheus/muxd-alerts.yml by `deploy/check_manifests.py write-rule`;\n"
        "# edit that file and run it again (the check fails while the two differ).\n"
    )
    body = yaml.dump(rule_document(), Dumper=_Literal, sort_keys=False, width=100)
    RULE.write_text(header + body)


def check_rule():
    if load(RULE) != rule_document():
        fail(f"{RULE.relative_to(ROOT)} differs from {ALERTS.relative_to(ROOT)}: run `deploy/check_manifests.py write-rule`")
    return f"PrometheusRule holds the {len(rule_document()['spec']['groups'])} groups of ops/"


def main():
    command = sys.argv[1] if len(sys.argv) > 1 else "check"
    if command == "probe-paths":
        print("\n".join(probe_paths()))
    elif command == "grace":
        print(grace())
    elif command == "write-rule":
        write_rule()
    elif command == "check":
        for line in (
            check_kustomizations(),
            f"probes: {', '.join(probe_paths())}",
            check_grace(),
            check_rule(),
        ):
            print(f"check_manifests: {line}")
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
