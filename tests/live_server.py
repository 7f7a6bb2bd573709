"""Start the real ``xltools serve`` on 127.0.0.1 for a test, and stop it: the one
way every server test does it — a free local port, XLWINGS_LICENSE_KEY set for
non-commercial use, folders from the environment."""

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


def start(cwd: Path, *args: str, env: dict | None = None, argv: list[str] | None = None,
          poll_host: str = "127.0.0.1") -> tuple[str, subprocess.Popen]:
    """``xltools serve`` (or ``argv``) on a free loopback port, with ``args`` after the
    port; (base URL, process) once it answers."""
    port = free_port()
    environ = {**os.environ, "XLWINGS_LICENSE_KEY": "noncommercial", **(env or {})}
    command = argv or [sys.executable, "-m", "xltools", "serve"]
    proc = subprocess.Popen([*command, "--port", str(port), "--log-level", "warning", *args],
                            env=environ, cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    base = f"http://{poll_host}:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(base + "/", timeout=2).json() == {"status": "ok"}:
                return base, proc
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"xltools serve did not start:\n{proc.stdout.read()}")
        time.sleep(0.3)


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=20)


@contextmanager
def running_server(cwd: Path, **env: str) -> Iterator[str]:
    """The base URL of a running server; stopped on exit."""
    base, proc = start(cwd, env=env)
    try:
        yield base
    finally:
        stop(proc)


def call_script(base: str, script: str, payload: dict) -> list[dict]:
    """POST a script call as the task pane does; the actions Excel would apply."""
    response = httpx.post(f"{base}/xlwings/custom-scripts-call/{script}", json=payload,
                          timeout=120)
    assert response.status_code == 200, response.text
    return response.json()["actions"]
