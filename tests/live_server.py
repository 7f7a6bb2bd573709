"""Start the real ``xltools serve`` on 127.0.0.1 for a test module, and stop it.

The same way test_server.py does it: a free local port, XLWINGS_LICENSE_KEY
set for non-commercial use, folders from the environment.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_server(cwd: Path, **env: str) -> Iterator[str]:
    """The base URL of a running server; terminated (by its own pid) on exit."""
    port = free_port()
    environ = dict(os.environ, XLWINGS_LICENSE_KEY="noncommercial", **env)
    proc = subprocess.Popen([sys.executable, "-m", "xltools", "serve", "--port", str(port),
                             "--log-level", "warning"], env=environ, cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(base + "/", timeout=2).json() == {"status": "ok"}:
                break
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"xltools serve did not start:\n{proc.stdout.read()}")
        time.sleep(0.3)
    try:
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def call_script(base: str, script: str, payload: dict) -> list[dict]:
    """POST a script call as the task pane does; the actions Excel would apply."""
    response = httpx.post(f"{base}/xlwings/custom-scripts-call/{script}", json=payload,
                          timeout=120)
    assert response.status_code == 200, response.text
    return response.json()["actions"]
