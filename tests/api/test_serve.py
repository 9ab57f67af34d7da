"""`mnemo serve` as a user runs it: a real process answering on loopback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_answers_api_and_ui(database_url: str) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "MNEMO_API_TOKEN"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "mnemo", "serve", "--port", str(port), "--database-url", database_url,
         "--log-level", "warning"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                health = httpx.get(f"{base}/api/health", timeout=2)
                break
            except httpx.TransportError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"mnemo serve did not start: {proc.stdout.read() if proc.stdout else ''}")
                time.sleep(0.2)
        assert health.status_code == 200
        assert health.json()["loopback_only"] is True
        assert httpx.get(f"{base}/api/repositories").json()["repositories"] == []
        assert 'id="repo-select"' in httpx.get(f"{base}/").text
        assert httpx.get(f"{base}/api/docs").status_code == 200
    finally:
        proc.terminate()
        proc.wait(20)
    assert f"http://127.0.0.1:{port}/" in (proc.stdout.read() if proc.stdout else "")
