"""The add-in server as an attacker meets it: the real ``xltools serve`` (uvicorn,
real sockets on 127.0.0.1) and real HTTP, including raw request paths that a
normal client would tidy up (``http.client`` sends them byte for byte, like
``curl --path-as-is``). Every hostile request must fail closed.
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from excel_books import write_master, write_returns
from officejs_payload import book_payload, function_payload

SENTINEL = "xltools-sentinel-7f3a9c"
SCRIPTS = "/xlwings/custom-scripts-call/"
FUNCS = "/xlwings/custom-functions-call"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(root: Path, *args: str, env: dict | None = None, argv: list[str] | None = None):
    """``xltools serve`` on a free loopback port; (base URL, process) once it answers."""
    port = free_port()
    full_env = dict(os.environ, XLWINGS_LICENSE_KEY="noncommercial",
                    XLTOOLS_RETURNS_DIR=str(root / "returns"),
                    XLTOOLS_OUTPUT_DIR=str(root / "out"), **(env or {}))
    command = argv or [sys.executable, "-m", "xltools", "serve"]
    proc = subprocess.Popen([*command, "--port", str(port), "--log-level", "warning", *args],
                            env=full_env, cwd=root, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
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


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    from conftest import SAMPLE_PLAN

    from xltools.plan import Plan

    root = tmp_path_factory.mktemp("security")
    master = write_master(root / "Master.xlsx", Plan.load(SAMPLE_PLAN))
    write_returns(master, root / "returns")
    (root / "secret.txt").write_text(SENTINEL, encoding="utf-8")
    (root / "returns" / "secret.txt").write_text(SENTINEL, encoding="utf-8")
    return {"root": root, "master": master}


@pytest.fixture(scope="module")
def default_server(folders):
    base, proc = start(folders["root"])
    yield base
    stop(proc)


def raw_get(base: str, path: str, method: str = "GET") -> tuple[int, bytes]:
    """Send ``path`` exactly as written (no normalisation, no re-encoding)."""
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


# -- static files cannot escape ------------------------------------------------------

UP = 24  # more "..": than any static folder is deep


def traversal_paths(target: Path) -> list[str]:
    """``target`` (absolute) reached from /static in every encoding we could think of."""
    rel = str(target).lstrip("/")
    enc_rel = rel.replace("/", "%2f")
    back_rel = rel.replace("/", "\\")
    paths = []
    for prefix in ("/static/", "/static/js/"):
        paths += [
            prefix + "../" * UP + rel,
            prefix + "%2e%2e/" * UP + rel,
            prefix + "%2e%2e%2f" * UP + enc_rel,
            prefix + "..%2f" * UP + rel,
            prefix + ".%2e/" * UP + rel,
            prefix + "%2E%2E/" * UP + rel,
            prefix + "%252e%252e%252f" * UP + rel,
            prefix + "..%252f" * UP + rel,
            prefix + "..%5c" * UP + rel.replace("/", "%5c"),
            prefix + "..\\" * UP + back_rel,
            prefix + "%2e%2e%5c" * UP + back_rel,
            prefix + "%c0%ae%c0%ae/" * UP + rel,
            prefix + "%c0%ae%c0%ae%c0%af" * UP + rel,
            prefix + "..;/" * UP + rel,
            prefix + "....//" * UP + rel,
            prefix + "/" + rel,
            prefix + "%2f" + enc_rel,
            prefix + "%2f" + rel,
            prefix + "%5c" + back_rel,
            prefix + "file:///" + rel,
        ]
    return paths + ["/static/C:%5cWindows%5cwin.ini", "/static/C:/Windows/win.ini",
                    "/static/js/%2e%2e/%2e%2e/custom_scripts/__init__.py",
                    "/static/%2e%2e/custom_scripts/__init__.py",
                    "/static/..%2fcustom_functions%2f__init__.py"]


def assert_refused(base: str, path: str, method: str = "GET") -> None:
    status, body = raw_get(base, path, method)
    assert status != 200, path
    assert SENTINEL.encode() not in body and b"root:" not in body, path
    assert b"import " not in body, path  # no Python source either


@pytest.mark.parametrize("where", ["root", "returns", "passwd"])
def test_static_route_never_leaves_the_static_folder(default_server, folders, where):
    target = {"root": folders["root"] / "secret.txt",
              "returns": folders["root"] / "returns" / "secret.txt",
              "passwd": Path("/etc/passwd")}[where]
    for path in traversal_paths(target):
        assert_refused(default_server, path)
    for path in traversal_paths(target)[:4]:
        assert_refused(default_server, path, "HEAD")


def test_task_pane_files_are_still_served(default_server):
    pane = httpx.get(default_server + "/taskpane.html", timeout=30)
    assert pane.status_code == 200
    urls = sorted(set(re.findall(r'(?:src|href)="(/static/[^"?#]+)', pane.text)))
    assert len(urls) >= 5, urls
    for url in [*urls, "/static/js/main.js", "/static/js/ribbon.js",
                "/static/js/auth.js", "/static/js/utils.js"]:
        response = httpx.get(default_server + url, timeout=30)
        assert response.status_code == 200, url
    # the project's own file wins over the package's file of the same name
    assert "xltoolsUnprotect" in httpx.get(default_server + "/static/js/main.js").text


# -- scripts run side by side, each answering its own caller ----------------------

# ``xltools serve`` with consolidation held until the test releases it: the
# wrapper says "started" and then waits for a "release" file (bounded).
SLOW_SERVE = """
import sys, time
from pathlib import Path
import xltools.excel.actions as actions
real = actions.consolidate
def held(book):
    Path("started").write_text("1")
    deadline = time.monotonic() + 60
    while not Path("release").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return real(book)
actions.consolidate = held
from xltools.cli import main
sys.exit(main(sys.argv[1:]))
"""


def post_script(base: str, script: str, payload: dict, headers: dict | None = None,
                timeout: float = 120) -> httpx.Response:
    return httpx.post(f"{base}{SCRIPTS}{script}", json=payload, headers=headers or {},
                      timeout=timeout)


def post_function(base: str, name: str, args: list, headers: dict | None = None,
                  timeout: float = 30) -> httpx.Response:
    return httpx.post(base + FUNCS, json=function_payload(name, args), headers=headers or {},
                      timeout=timeout)


def test_a_long_consolidation_does_not_stall_a_cell_function(folders, tmp_path):
    root = folders["root"]
    for marker in ("started", "release"):
        (root / marker).unlink(missing_ok=True)
    base, proc = start(root, env={}, argv=[sys.executable, "-c", SLOW_SERVE, "serve"])
    try:
        result = {}
        consolidation = threading.Thread(target=lambda: result.update(
            response=post_script(base, "consolidate", book_payload(folders["master"]))))
        consolidation.start()
        deadline = time.monotonic() + 60
        while not (root / "started").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert (root / "started").exists()
        # the consolidation is now running (held); a cell function still answers
        answer = post_function(base, "next_period", [[["Q4 2019/20"]], [[None]]], timeout=20)
        assert answer.json() == {"result": [["Q1 2020/21"]]}
        assert consolidation.is_alive() and "response" not in result
        (root / "release").write_text("1")
        consolidation.join(timeout=120)
        assert result["response"].status_code == 200
        assert any(a["func"] == "alert" for a in result["response"].json()["actions"])
    finally:
        (root / "release").write_text("1")
        stop(proc)
        for marker in ("started", "release"):
            (root / marker).unlink(missing_ok=True)


def test_concurrent_scripts_get_only_their_own_alerts(default_server, folders):
    def one(n: int) -> list[dict]:
        payload = book_payload(folders["master"])
        payload["book"]["name"] = f"Master {n}.xlsx"
        response = post_script(default_server, "flag_stale", payload)
        assert response.status_code == 200, response.text
        return response.json()["actions"]

    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(one, range(32)))
    for actions in answers:
        funcs = [a["func"] for a in actions]
        assert funcs.count("alert") == 1
        assert [a["args"] for a in actions if a["func"] == "runMacro"] == [
            ["xltoolsUnprotect", "Actions"], ["xltoolsProtect", "Actions"]]
