#!/usr/bin/env python3
"""Checks of compose.yaml that `docker compose config` cannot make (needs PyYAML): secrets only
in the env file, the emulator only under the `dev` profile and wired both ways (muxd's
MUX_BASE_URL in muxd.env.example names it; its webhook URL names muxd's port), and muxd.env
git-ignored."""

import pathlib
import re
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
SECRET = re.compile(r"SECRET|PASSWORD|TOKEN|DATABASE_URL|PRIVATE_KEY")


def fail(message):
    sys.exit(f"check_compose: FAIL: {message}")


compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
example = dict(
    line.split("=", 1)
    for line in (ROOT / "muxd.env.example").read_text().splitlines()
    if line and not line.startswith("#")
)
services = compose["services"]

for name, service in services.items():
    for key in service.get("environment", {}) or {}:
        if SECRET.search(key):
            fail(f"service {name} sets {key} in compose.yaml; secrets belong in muxd.env")
    if service.get("env_file") != "muxd.env":
        fail(f"service {name} does not read muxd.env")
for name in ("muxd", "postgres"):
    if services[name].get("profiles"):
        fail(f"{name} must run without a profile")
emulator = services["emulator"]
if emulator.get("profiles") != ["dev"]:
    fail("the emulator must be under the dev profile alone")
flags = dict(arg.split("=", 1) for arg in emulator["command"][1:])
muxd_port = services["muxd"]["environment"]["MUXD_LISTEN"].rsplit(":", 1)[1]
if flags["--webhook-url"] != f"http://muxd:{muxd_port}/api/webhooks/mux":
    fail(f"the emulator's webhooks go to {flags['--webhook-url']}, not muxd")
if example["MUX_BASE_URL"] != f"http://emulator:{flags['--port']}":
    fail(f"muxd.env.example's MUX_BASE_URL {example['MUX_BASE_URL']} is not the emulator")
published = [p for p in emulator["ports"] if p.endswith(f":{flags['--port']}")]
if not published or not example["MUXD_STREAM_BASE_URL"].startswith(
    f"http://127.0.0.1:{flags['--port']}/"
):
    fail("the emulator's URLs (127.0.0.1:PORT) are not where it is published")
if len(example["MUXD_JWT_HS256_SECRET"]) < 32:
    fail("muxd.env.example's MUXD_JWT_HS256_SECRET is shorter than serve accepts (32 bytes)")
ignored = (ROOT / ".gitignore").read_text().split()
if "/muxd.env" not in ignored and "muxd.env" not in ignored:
    fail("muxd.env is not git-ignored")
print(f"check_compose: services {', '.join(services)}; emulator under dev, wired to muxd:{muxd_port}; secrets only in muxd.env")
