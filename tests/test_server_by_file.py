"""Consolidate by file through the real server (``/xltools/consolidate-file``, its first
route, kept; the task pane now posts to ``/xltools/run-file/consolidate``, the same):
the master's .xlsx in (what Office.js's getFileAsync reads), the consolidated master
and the backup out as downloads.

The real ``xltools serve`` on 127.0.0.1, signed in with real tokens. The JSON body
limit is set below the master's size, so a success here also shows the route has
its own limit ($XLTOOLS_FILE_MAX_MB, 1 MB here); TMPDIR is a folder of the test's,
so "nothing left on disk" is checked where the server would leave it.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import httpx
import pytest
from conftest import convert
from excel_books import write_master, write_returns
from live_server import stop
from test_server_security import SCRIPTS, bearer, make_token, serve_exits, start

from xltools.workbook.reader import read_book

ROUTE = "/xltools/consolidate-file"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LINK = "/xltools/download/"


def file_server(root: Path, people: dict[str, tuple[str, str]]):
    """Start the real server for the by-file routes over the sample master, its returns
    (Lucy Peel's filled in) and ``people`` (key: (name, role)); yields what tests use.
    The JSON limit is below the master's size, the file limit 1 MB."""
    from conftest import SAMPLE_PLAN

    from xltools.plan import Plan

    master = write_master(root / "Master.xlsx", Plan.load(SAMPLE_PLAN))
    filled = write_returns(master, root / "returns")  # issued, Lucy Peel's filled in
    (root / "tmp").mkdir()
    tokens = root / "tokens.json"
    made = {key: make_token(tokens, name, role) for key, (name, role) in people.items()}
    assert master.stat().st_size > 0.02 * 2**20  # over the JSON limit below
    base, proc = start(root, "--tokens", str(tokens),
                       env={"XLTOOLS_OUTPUT_DIR": "", "TMPDIR": str(root / "tmp"),
                            "XLTOOLS_MAX_BODY_MB": "0.02", "XLTOOLS_FILE_MAX_MB": "1"})
    yield {"base": base, "root": root, "master": master, "filled": filled, **made}
    stop(proc)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    yield from file_server(tmp_path_factory.mktemp("byfile"), {
        "pmo": ("Pat PMO", "pmo"), "pmo2": ("Other PMO", "pmo"),
        "officer": ("Olly Officer", "officer")})


def send(server, data: bytes, token: str | None = None, *, name: str = "Master.xlsx",
         content_type: str = XLSX, **headers: str) -> httpx.Response:
    auth = bearer(server["pmo"] if token is None else token) if token != "" else {}
    return httpx.post(server["base"] + ROUTE, params={"name": name}, content=data,
                      headers={"Content-Type": content_type, **auth, **headers}, timeout=180)


def cli_consolidated(master: Path, returns: Path, out: Path) -> Path:
    """What ``xltools consolidate`` writes for the same inputs."""
    done = subprocess.run([sys.executable, "-m", "xltools", "consolidate", str(master),
                           str(returns), "-o", str(out)], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    return out


def content(path: Path, data: bytes | None = None) -> dict:
    """A master's parsed content (``data``: written to ``path`` first); the Log without
    its clock columns."""
    if data is not None:
        path.write_bytes(data)
    book = read_book(path)
    log = [{k: v for k, v in row.items() if k not in ("when", "seconds")} for row in book.log]
    return {"actions": book.actions, "savings": book.savings, "kpis": book.kpis, "log": log,
            "period": book.plan.period}


def leftovers(server) -> list[Path]:
    return list((server["root"] / "tmp").iterdir())


def take(server, url: str, token: str) -> httpx.Response:
    assert url.startswith(server["base"] + LINK)
    return httpx.get(url, headers=bearer(token), timeout=60)


def test_pmo_sends_the_master_and_gets_the_consolidated_master_and_the_backup(server, tmp_path):
    sent = server["master"].read_bytes()
    response = send(server, sent)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["title"] == "xltools: consolidate"
    assert "master from now on" in answer["message"] and "not changed" in answer["message"]
    assert answer["counts"]["returns merged"] == len(server["filled"])
    assert answer["counts"]["rows updated"] > 0
    merged_link, backup_link = answer["links"]
    assert merged_link["name"].startswith("Master consolidated ")
    assert backup_link["name"].startswith("Master before consolidation ")
    assert str(server["root"]) not in response.text
    # the task pane's Last run shows the same
    last = httpx.get(server["base"] + "/xltools/last-run", headers=bearer(server["pmo"]),
                     timeout=30).json()
    assert last["links"] == answer["links"] and last["message"] == answer["message"]
    # another user cannot take them, and trying does not spend them
    for url in (merged_link["url"], backup_link["url"]):
        assert take(server, url, server["pmo2"]).status_code == 404
    merged = take(server, merged_link["url"], server["pmo"])
    backup = take(server, backup_link["url"], server["pmo"])
    assert merged.status_code == backup.status_code == 200
    assert backup.content == sent
    expected = cli_consolidated(server["master"], server["root"] / "returns",
                                tmp_path / "cli.xlsx")
    got = content(tmp_path / "merged.xlsx", merged.content)
    assert got == content(expected)
    assert any("Agency spend down 12% since July" in str(r) for r in got["actions"])
    assert take(server, merged_link["url"], server["pmo"]).status_code == 404  # once
    assert leftovers(server) == []


def test_a_master_resaved_by_libreoffice_consolidates_the_same(server, tmp_path, soffice):
    resaved = convert(soffice, server["master"], "xlsx", tmp_path / "lo")
    response = send(server, resaved.read_bytes())
    assert response.status_code == 200, response.text
    merged = take(server, response.json()["links"][0]["url"], server["pmo"])
    expected = cli_consolidated(resaved, server["root"] / "returns", tmp_path / "cli.xlsx")
    got = content(tmp_path / "merged.xlsx", merged.content)
    assert got == content(expected)
    ours = cli_consolidated(server["master"], server["root"] / "returns", tmp_path / "ours.xlsx")
    assert got["actions"] == content(ours)["actions"]
    assert leftovers(server) == []


def test_an_officer_may_not_and_strangers_are_asked_to_sign_in(server):
    data = server["master"].read_bytes()
    assert send(server, data, server["officer"]).status_code == 403
    assert send(server, data, "").status_code == 401
    assert send(server, data, "not-a-token").status_code == 401
    assert leftovers(server) == []


def test_only_an_xlsx_body_is_taken(server):
    data = server["master"].read_bytes()
    for kind in ("application/json", "multipart/form-data; boundary=x", "text/plain",
                 "application/octet-stream"):
        response = send(server, data, content_type=kind)
        assert response.status_code == 415, kind
        assert "xlsx" in response.json()["detail"]


def test_everything_else_keeps_the_small_json_limit(server):
    body = b'{"pad": "' + b"x" * 30_000 + b'"}'  # over 0.02 MB, far under the file limit
    for path in (SCRIPTS + "check_return", "/xltools/upload"):
        response = httpx.post(server["base"] + path, content=body, timeout=60,
                              headers={"Content-Type": "application/json",
                                       **bearer(server["pmo"])})
        assert response.status_code == 413, path
        assert "XLTOOLS_MAX_BODY_MB" in response.json()["detail"]


@pytest.mark.parametrize("value", ["lots", "0", "-5"])
def test_serve_refuses_a_bad_file_limit_with_one_line(tmp_path, value):
    done = serve_exits(tmp_path, env={"XLTOOLS_FILE_MAX_MB": value})
    assert done.returncode == 2
    assert "XLTOOLS_FILE_MAX_MB" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_a_body_over_the_file_limit_is_413_also_chunked(server):
    big = b"PK" + b"\0" * (2 * 2**20)
    response = send(server, big)
    assert response.status_code == 413
    assert "XLTOOLS_FILE_MAX_MB" in response.json()["detail"]

    def chunks():
        for _ in range(3):  # 3 x 1 MB, no Content-Length
            yield b"\0" * 2**20

    chunked = httpx.post(server["base"] + ROUTE, content=chunks(), timeout=60,
                         headers={"Content-Type": XLSX, **bearer(server["pmo"])})
    assert chunked.status_code == 413
    assert leftovers(server) == []


def zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * 50_000_000)
    return buffer.getvalue()


@pytest.mark.parametrize(("what", "expect"), [
    ("garbage", "not an .xlsx"), ("return", "return for"), ("zip bomb", "zip bomb"),
    ("encrypted", "password"), ("plain zip", "not an Excel workbook")])
def test_what_is_not_a_master_is_refused_with_a_sentence(server, what, expect):
    data = {"garbage": b"\x00\x01 this is not a workbook" * 100,
            "return": next(iter(server["filled"].values())).read_bytes(),
            "zip bomb": zip_bomb(),
            "encrypted": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode(
                "utf-16-le") + b"\0" * 600,
            "plain zip": _plain_zip()}[what]
    response = send(server, data)
    assert response.status_code == 400, response.text
    detail = response.json()["detail"]
    assert expect in detail and "Master.xlsx" in detail
    assert "Traceback" not in response.text and str(server["root"]) not in response.text
    assert "/tmp" not in response.text and "xltools-consolidate" not in response.text
    assert leftovers(server) == []


def _plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("readme.txt", "hello")
    return buffer.getvalue()


def test_other_sites_are_refused(server):
    response = send(server, server["master"].read_bytes(), Origin="https://evil.example")
    assert response.status_code == 403
    assert "access-control-allow-origin" not in response.headers


def test_the_name_sent_cannot_reach_outside_the_temporary_folder(server):
    response = send(server, server["master"].read_bytes(), name="../../../evil.xlsx")
    assert response.status_code == 200, response.text
    assert response.json()["links"][0]["name"].startswith("evil consolidated ")
    assert not list(server["root"].rglob("*evil*"))
    assert leftovers(server) == []


def test_run_file_consolidate_is_the_same_route(server):
    response = httpx.post(server["base"] + "/xltools/run-file/consolidate",
                          params={"name": "Master.xlsx"}, timeout=180,
                          content=server["master"].read_bytes(),
                          headers={"Content-Type": XLSX, **bearer(server["pmo"])})
    assert response.status_code == 200, response.text
    assert response.json()["title"] == "xltools: consolidate"
    officer = httpx.post(server["base"] + "/xltools/run-file/consolidate", timeout=60,
                         content=server["master"].read_bytes(),
                         headers={"Content-Type": XLSX, **bearer(server["officer"])})
    assert officer.status_code == 403
    assert leftovers(server) == []


def test_without_a_returns_folder_the_server_says_so(server):
    moved = server["root"] / "returns-away"
    shutil.move(server["root"] / "returns", moved)
    try:
        response = send(server, server["master"].read_bytes())
    finally:
        shutil.move(moved, server["root"] / "returns")
    assert response.status_code == 503
    assert "XLTOOLS_RETURNS_DIR" in response.json()["detail"]


HERE = Path(__file__).resolve().parent
FILES_JS = HERE.parent / "xltools/excel/server_project/static/js/files.js"


def run_js(server, mode: str) -> dict:
    """The task pane's consolidate-by-file in node (tests/js/consolidate_by_file.js)."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    done = subprocess.run([node, str(HERE / "js" / "consolidate_by_file.js"), server["base"],
                           server["pmo"], str(server["master"]), str(FILES_JS), mode],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_task_pane_sends_the_file_in_slices_and_shows_the_answer(server):
    shown = run_js(server, "ok")
    assert shown["handled"] and shown["closed"] == 1
    assert shown["type"] == "compressed" and shown["sliceSize"] == 4 * 2**20
    assert shown["title"] == "xltools: consolidate" and shown["links"] == 2
    assert "master from now on" in shown["message"]
    last = httpx.get(server["base"] + "/xltools/last-run", headers=bearer(server["pmo"]),
                     timeout=30).json()
    merged, backup = last["links"]
    assert merged["name"].startswith("Master Q2 consolidated ")  # the workbook's own name
    # the slices were joined back into exactly the file
    assert take(server, backup["url"], server["pmo"]).content == server["master"].read_bytes()
    assert leftovers(server) == []


def test_the_task_pane_says_when_excel_cannot_give_the_file(server):
    shown = run_js(server, "fails")
    # no page around files.js here, so no button's own title: the fallback, in words
    assert shown["handled"] and shown["title"] == "Consolidate did not run"
    assert "The file is too large." in shown["message"]
    assert run_js(server, "none")["handled"] is False  # the in-book script runs instead


def test_the_ribbon_and_task_pane_send_the_file_where_office_can(server):
    files = httpx.get(server["base"] + "/static/js/files.js", timeout=30).text
    ribbon = httpx.get(server["base"] + "/static/js/ribbon.js", timeout=30).text
    assert "getFileAsync" in files and "getSliceAsync" in files and "closeAsync" in files
    assert "/xltools/run-file/" in files  # consolidate's: run-file/consolidate
    assert "xltoolsRunByFile" in ribbon


def test_a_killed_servers_temporary_folders_are_removed_when_the_next_starts(tmp_path):
    """A SIGKILL mid-request leaves its private folder (officers' words) in $TMPDIR; the
    next start removes this user's xltools folders over an hour old, and only those."""
    tmp = tmp_path / "tmp"
    old_byfile = tmp / "xltools-byfile-k1ll3d"
    old_upload = tmp / "xltools-upload-k1ll3d"
    fresh = tmp / "xltools-byfile-running"  # another worker's request, now
    someone_elses = tmp / "pytest-of-someone"
    for folder in (old_byfile, old_upload, fresh, someone_elses):
        folder.mkdir(parents=True)
        (folder / "Master.xlsx").write_bytes(b"an officer's words")
    for folder in (old_byfile, old_upload, someone_elses):
        os.utime(folder, (0, 0))
    (tmp_path / "returns").mkdir()
    base, proc = start(tmp_path, env={"TMPDIR": str(tmp)})
    try:
        assert httpx.get(base + "/xltools/whoami", timeout=30).status_code in (200, 401)
        assert sorted(p.name for p in tmp.iterdir()) == sorted([fresh.name, someone_elses.name])
    finally:
        stop(proc)


@pytest.fixture
def rebuilt(server, tmp_path):
    """The returns in the server's folder were issued from Master A (Lucy Peel's filled
    in); the PMO then rebuilt the master (a re-import: same plan, a new plan ID) as
    Master.xlsx. The server's own returns are put back afterwards."""
    from dataclasses import replace

    from xltools.plan import mint_plan_id
    from xltools.workbook.writer import write_book

    book = read_book(server["master"])
    first = write_book(replace(book, plan=replace(book.plan, plan_id=mint_plan_id())),
                       tmp_path / "Master A.xlsx")
    again = write_book(replace(book, plan=replace(book.plan, plan_id=mint_plan_id())),
                       tmp_path / "Master.xlsx")
    returns = server["root"] / "returns"
    kept = tmp_path / "kept"
    shutil.move(returns, kept)
    write_returns(first, returns)
    yield again, returns
    shutil.rmtree(returns)
    shutil.move(kept, returns)


def test_consolidate_by_file_adopts_returns_from_a_rebuilt_master_when_ticked(server, rebuilt,
                                                                            tmp_path):
    """The command line's --adopt-returns as the Consolidate card's box: without it the
    returns are named not merged, with the box as the way out; with it they are merged
    exactly as ``xltools consolidate --adopt-returns`` merges them, and said so."""
    master, returns = rebuilt
    files = len(list(returns.iterdir()))
    plain = send(server, master.read_bytes())
    assert plain.status_code == 200, plain.text
    said = plain.json()["message"]
    assert plain.json()["counts"]["wrong plan"] == files and "returns merged" not in \
        plain.json()["counts"]
    assert "tick 'Adopt returns from a rebuilt master' beside Consolidate" in said
    assert "--adopt-returns" not in said
    adopted = httpx.post(server["base"] + "/xltools/run-file/consolidate",
                         content=master.read_bytes(),
                         params={"name": "Master.xlsx", "adopt_returns": "1"},
                         headers={"Content-Type": XLSX, **bearer(server["pmo"])}, timeout=180)
    assert adopted.status_code == 200, adopted.text
    answer = adopted.json()
    assert answer["counts"]["adopted"] == files and answer["counts"]["returns merged"] == files
    assert f"{files} returns from an earlier master of this plan adopted, as asked" in \
        answer["message"]
    merged = take(server, answer["links"][0]["url"], server["pmo"])
    done = subprocess.run([sys.executable, "-m", "xltools", "consolidate", str(master),
                           str(returns), "-o", str(tmp_path / "cli.xlsx"), "--adopt-returns"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    got = content(tmp_path / "merged.xlsx", merged.content)
    assert got == content(tmp_path / "cli.xlsx")
    assert any("Agency spend down 12% since July" in str(r) for r in got["actions"])
    assert sum("ADOPTED" in str(r) for r in got["log"]) == files
    # in the workbook (no file to send): the box is the script's second argument
    from officejs_payload import book_payload

    for ticked in (False, True):
        in_book = httpx.post(server["base"] + "/xlwings/custom-scripts-call/consolidate",
                             json=book_payload(master, args=["", ticked]),
                             headers=bearer(server["pmo"]), timeout=180)
        assert in_book.status_code == 200, in_book.text
        (alert,) = [a["args"][0] for a in in_book.json()["actions"] if a["func"] == "alert"]
        assert (f"{files} returns from an earlier master of this plan adopted" in alert) \
            == ticked
        assert ("tick 'Adopt returns from a rebuilt master'" in alert) == (not ticked)
    assert leftovers(server) == []


def test_a_savings_return_in_the_returns_folder_is_named_not_merged_as_the_command_line(
        server, tmp_path):
    """Finance's savings return saved by hand into the returns folder: Consolidate on the
    server (by file, and in the workbook) refuses it as the command line does, says where
    it belongs in the task pane's words, and merges the other returns."""
    from officejs_payload import book_payload

    from xltools.cycle.returns import issue_returns

    finance = issue_returns(server["master"], tmp_path / "savings issued", workers=1,
                            savings_only=True)
    first = finance.returns[0]
    stray = server["root"] / "returns" / first.path.name
    stray.write_bytes(first.path.read_bytes())
    try:
        response = send(server, server["master"].read_bytes())
        assert response.status_code == 200, response.text
        answer = response.json()
        assert answer["counts"]["savings returns"] == 1
        assert answer["counts"]["returns merged"] == len(server["filled"])
        line = next(x for x in answer["message"].splitlines() if stray.name in x)
        assert f"{first.officer}'s savings return" in line and "belongs with finance" in line
        assert "upload it with Upload returns: it is kept apart for Reconcile savings" in line
        merged = take(server, answer["links"][0]["url"], server["pmo"])
        expected = cli_consolidated(server["master"], server["root"] / "returns",
                                    tmp_path / "cli.xlsx")
        assert content(tmp_path / "merged.xlsx", merged.content) == content(expected)
        in_book = httpx.post(server["base"] + "/xlwings/custom-scripts-call/consolidate",
                             json=book_payload(server["master"]),
                             headers=bearer(server["pmo"]), timeout=180)
        assert in_book.status_code == 200, in_book.text
        (alert,) = [a["args"][0] for a in in_book.json()["actions"] if a["func"] == "alert"]
        assert f"• {stray.name}: nothing in it is merged: this is {first.officer}'s savings " \
            "return" in alert
    finally:
        stray.unlink()
    assert leftovers(server) == []
