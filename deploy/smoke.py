#!/usr/bin/env python3
"""What deploy/test-image.sh asks of a running muxd, with the standard library only.

  smoke.py probe BASE PATH...   each PATH answers 200 (waits up to 60 s for the first)
  smoke.py upload BASE FILE     one upload through muxd's API to READY, as the README shows it
  smoke.py token SUB            prints a bearer token for user SUB

`upload` and `token` read MUXD_JWT_HS256_SECRET, MUXD_JWT_ISSUER and MUXD_JWT_AUDIENCE from the environment
and signs its own HS256 bearer token with them. Exits non-zero, saying why, on any failure.
"""

import base64
import hashlib
import hmac
import json
import os
import sys
import time
import urllib.error
import urllib.request


def fail(message):
    sys.exit(f"smoke: FAIL: {message}")


def request(method, url, body=None, headers=None, timeout=10):
    """(status, body bytes); an HTTP error status is an answer, not an exception."""
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def token(sub):
    """An HS256 JWT with sub, exp, iss and aud, as `muxd serve` requires."""
    secret = os.environ["MUXD_JWT_HS256_SECRET"].encode()
    header = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    claims = {
        "sub": sub,
        "exp": int(time.time()) + 3600,
        "iss": os.environ["MUXD_JWT_ISSUER"],
        "aud": os.environ["MUXD_JWT_AUDIENCE"],
    }
    payload = b64url(json.dumps(claims).encode())
    signature = hmac.new(secret, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{b64url(signature)}"


def probe(base, paths):
    deadline = time.monotonic() + 60
    for path in paths:
        while True:
            try:
                status, body = request("GET", base + path, timeout=3)
            except OSError as error:  # not listening yet
                status, body = None, str(error).encode()
            if status == 200:
                print(f"smoke: GET {path} -> 200")
                break
            if time.monotonic() > deadline:
                fail(f"GET {path} -> {status}: {body[:200]!r}")
            time.sleep(0.5)


def upload(base, path):
    started = time.monotonic()
    auth = {"Authorization": f"Bearer {token('user_image_test')}"}
    with open(path, "rb") as f:
        media = f.read()
    body = json.dumps(
        {"name": os.path.basename(path), "fileSize": len(media), "fileType": "video/mp4"}
    ).encode()
    status, created = request(
        "POST",
        f"{base}/api/mux/create-video-upload",
        body,
        {**auth, "Content-Type": "application/json"},
    )
    if status != 201:
        fail(f"create-video-upload -> {status}: {created[:300]!r}")
    created = json.loads(created)
    asset_id, url = created["id"], created["url"]
    print(f"smoke: created asset {asset_id}, upload URL {url}")
    status, answer = request("PUT", url, media, {"Content-Type": "video/mp4"}, timeout=60)
    if status not in (200, 201, 204):
        fail(f"PUT to the upload URL -> {status}: {answer[:300]!r}")
    print(f"smoke: sent {len(media)} bytes")
    deadline = time.monotonic() + 90
    last = None
    while time.monotonic() < deadline:
        status, answer = request("GET", f"{base}/api/creative-assets/{asset_id}", headers=auth)
        if status != 200:
            fail(f"GET /api/creative-assets/{asset_id} -> {status}: {answer[:300]!r}")
        asset = json.loads(answer)
        if asset["status"] != last:
            last = asset["status"]
            print(f"smoke: {asset_id} is {last}")
        if last == "READY":
            took = time.monotonic() - started
            print(f"smoke: READY in {took:.1f} s, playbackUrl {asset.get('playbackUrl')}")
            return
        if last in ("ERROR", "CANCELLED", "TIMED_OUT", "DELETED"):
            fail(f"asset ended {last}: {asset}")
        time.sleep(0.5)
    fail(f"asset not READY after 90 s (last status {last})")


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == "probe":
        probe(sys.argv[2].rstrip("/"), sys.argv[3:])
    elif len(sys.argv) == 3 and sys.argv[1] == "token":
        print(token(sys.argv[2]))
    elif len(sys.argv) == 4 and sys.argv[1] == "upload":
        upload(sys.argv[2].rstrip("/"), sys.argv[3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
