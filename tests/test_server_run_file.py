"""The file-making buttons by file through the real server: the master's .xlsx in
(``POST /xltools/run-file/{script}``, what the task pane and ribbon send where Office.js
can read the workbook file), the same files the command line writes out as downloads.

The real ``xltools serve`` on 127.0.0.1, signed in with real tokens; the JSON body limit
is below the master's size, so a success also shows these routes take the file limit.
TMPDIR is the test's, so "nothing left on disk" is checked where the server would leave it.
"""

from __future__ import annotations

import email
import io
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook
from test_server_by_file import FILES_JS, HERE, XLSX, content, file_server, leftovers, take
from test_server_security import bearer

from xltools.cycle.check import check_workbook
from xltools.excel import by_file
from xltools.excel.answers import refused_title
from xltools.workbook.reader import read_book

RUN = "/xltools/run-file/"
JOBS = ("issue_returns", "issue_savings_returns", "next_quarter", "chase_officers",
        "reconcile_savings")
FINANCE_TOO = ("issue_savings_returns", "reconcile_savings")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    yield from file_server(tmp_path_factory.mktemp("runfile"), {
        "pmo": ("Pat PMO", "pmo"), "finance": ("Fran Finance", "finance"),
        "officer": ("Olly Officer", "officer")})


def send(server, script: str, data: bytes, token: str, *, content_type: str = XLSX,
         name: str = "Master.xlsx", **options: str) -> httpx.Response:
    return httpx.post(server["base"] + RUN + script, params={"name": name, **options},
                      content=data,
                      headers={"Content-Type": content_type, **bearer(token)}, timeout=300)


def cli(*args: str) -> None:
    done = subprocess.run([sys.executable, "-m", "xltools", *args], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr


def unzip(data: bytes, folder: Path) -> list[Path]:
    folder.mkdir(parents=True)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        zf.extractall(folder)
    return sorted(folder.iterdir())


def returns_content(files: list[Path]) -> dict:
    """Each return's parsed content by file name."""
    return {p.name: {k: v for k, v in content(p).items() if k != "log"} | {
        "officer": read_book(p).officer} for p in files}


def eml_content(files: list[Path]) -> dict:
    """Each draft's addressing, subject, text and attachment names (not its Date)."""
    drafts = {}
    for path in files:
        msg = email.message_from_bytes(path.read_bytes())
        parts = [(p.get_content_type(), p.get_filename()) for p in msg.walk()]
        text = next(p.get_payload(decode=True) for p in msg.walk()
                    if p.get_content_type() == "text/plain")
        drafts[path.name] = (msg["To"], msg["Subject"], text, parts)
    return drafts


def cells(path: Path) -> dict:
    book = load_workbook(path)
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in book}


def expected(script: str, server, out: Path):
    """What the command line writes for the same master (and returns folder), parsed."""
    master, returns = str(server["master"]), str(server["root"] / "returns")
    if script in ("issue_returns", "issue_savings_returns"):
        cli("issue", master, "-o", str(out), *(["--savings"] if "savings" in script else []))
        return returns_content(sorted(out.iterdir()))
    if script == "next_quarter":
        cli("next-quarter", master, "-o", str(out.with_suffix(".xlsx")), "--unconsolidated")
        return content(out.with_suffix(".xlsx"))
    if script == "chase_officers":
        cli("chase", master, "-o", str(out))
        return eml_content(sorted(out.iterdir()))
    cli("savings", master, returns, "-o", str(out.with_suffix(".xlsx")))
    return cells(out.with_suffix(".xlsx"))


def got(script: str, data: bytes, out: Path):
    if script in ("issue_returns", "issue_savings_returns"):
        return returns_content(unzip(data, out))
    if script == "chase_officers":
        return eml_content(unzip(data, out))
    out.with_suffix(".xlsx").write_bytes(data)
    if script == "next_quarter":
        return content(out.with_suffix(".xlsx"))
    return cells(out.with_suffix(".xlsx"))


@pytest.mark.parametrize("script", JOBS)
def test_the_master_as_a_file_gives_what_the_command_line_writes(server, script, tmp_path):
    who = server["finance"] if script in FINANCE_TOO else server["pmo"]
    # the sample master was never consolidated: Next quarter as the command line's
    # --unconsolidated, the Next quarter card's "No returns this quarter"
    options = {"unconsolidated": "1"} if script == "next_quarter" else {}
    response = send(server, script, server["master"].read_bytes(), who, **options)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["title"].startswith("xltools: ") and "could not" not in answer["title"]
    assert str(server["root"]) not in response.text and "/tmp" not in response.text
    (link,) = answer["links"]
    last = httpx.get(server["base"] + "/xltools/last-run", headers=bearer(who), timeout=30)
    assert last.json()["links"] == answer["links"]
    download = take(server, link["url"], who)
    assert download.status_code == 200
    assert got(script, download.content, tmp_path / "got") == \
        expected(script, server, tmp_path / "cli")
    if script == "reconcile_savings":
        assert "has not changed" in answer["message"]
        assert "no Reconciliation sheet" in answer["message"]
    if script == "next_quarter":
        assert link["name"].startswith("Master ")  # named after the workbook sent
    assert leftovers(server) == []


def test_issue_returns_by_file_is_one_valid_return_per_officer(server, tmp_path):
    response = send(server, "issue_returns", server["master"].read_bytes(), server["pmo"])
    (link,) = response.json()["links"]
    files = unzip(take(server, link["url"], server["pmo"]).content, tmp_path / "zip")
    officers = []
    for path in files:
        report = check_workbook(path)
        assert report.book.kind == "return" and report.ok, path.name
        officers.append(report.book.officer)
    assert sorted(officers) == sorted(server["filled"])


@pytest.mark.parametrize("script", JOBS)
def test_roles_are_the_buttons(server, script):
    data = server["master"].read_bytes()
    refused = send(server, script, data, server["officer"])
    assert refused.status_code == 403
    assert "Olly Officer" in refused.json()["detail"]
    finance = send(server, script, data, server["finance"])
    assert finance.status_code == (200 if script in FINANCE_TOO else 403), finance.text
    stranger = httpx.post(server["base"] + RUN + script, content=data, timeout=60,
                          headers={"Content-Type": XLSX})
    assert stranger.status_code == 401
    assert leftovers(server) == []


@pytest.mark.parametrize("script", JOBS)
def test_a_return_sent_to_a_master_button_is_refused_with_a_sentence(server, script):
    lucy = server["filled"]["Lucy Peel"]
    who = server["finance"] if script in FINANCE_TOO else server["pmo"]
    response = send(server, script, lucy.read_bytes(), who, name=lucy.name)
    assert response.status_code == 400, response.text
    detail = response.json()["detail"]
    assert f"{lucy.name} is a return for Lucy Peel, not the master" in detail
    assert response.json()["title"] == refused_title(script)
    assert "Traceback" not in response.text and str(server["root"]) not in response.text
    assert leftovers(server) == []


def test_unknown_scripts_wrong_types_and_big_bodies_are_refused(server):
    data = server["master"].read_bytes()
    for script in ("nope", "flag_stale", "..%2F..%2Fupload", "check_return"):
        assert send(server, script, data, server["pmo"]).status_code == 404, script
    wrong = send(server, "next_quarter", data, server["pmo"], content_type="application/json")
    assert wrong.status_code == 415 and "xlsx" in wrong.json()["detail"]
    big = send(server, "issue_returns", b"PK" + b"\0" * (2 * 2**20), server["pmo"])
    assert big.status_code == 413 and "XLTOOLS_FILE_MAX_MB" in big.json()["detail"]
    assert leftovers(server) == []


def test_reconcile_without_a_returns_folder_says_so(server):
    moved = server["root"] / "returns-away"
    shutil.move(server["root"] / "returns", moved)
    try:
        response = send(server, "reconcile_savings", server["master"].read_bytes(),
                        server["finance"])
    finally:
        shutil.move(moved, server["root"] / "returns")
    assert response.status_code == 503
    assert "XLTOOLS_RETURNS_DIR" in response.json()["detail"]


def test_a_savings_free_master_is_refused_by_issue_savings_returns(server, tmp_path):
    book = read_book(server["master"])
    book.savings = []
    from xltools.workbook.writer import write_book

    bare = write_book(book, tmp_path / "Bare.xlsx", backup=False)
    response = send(server, "issue_savings_returns", bare.read_bytes(), server["finance"])
    assert response.status_code == 400
    assert "no savings rows to issue" in response.json()["detail"]


def run_js(server, script: str, ticked: str = "") -> dict:
    """files.js's xltoolsRunByFile in node (tests/js/consolidate_by_file.js), with the
    task pane's boxes ``ticked`` (their ids, comma-separated)."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    done = subprocess.run([node, str(HERE / "js" / "consolidate_by_file.js"), server["base"],
                           server["pmo"], str(server["master"]), str(FILES_JS), "ok", script,
                           ticked],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_task_pane_sends_the_file_for_next_quarter_and_the_lists_agree(server):
    refused = run_js(server, "next_quarter")  # the sample master was never consolidated
    assert refused["handled"] and refused["title"] == "Next quarter was not built"
    assert "tick 'No returns this quarter'" in refused["message"]
    shown = run_js(server, "next_quarter", "xlt-unconsolidated")
    assert shown["handled"] and shown["closed"] == 1 and shown["links"] == 1
    assert shown["title"] == "xltools: next quarter"
    assert shown["urls"][-1].endswith("&unconsolidated=1")
    assert shown["byFile"] == list(by_file.SCRIPTS)  # the JS list is the server's
    assert run_js(server, "flag_stale")["handled"] is False  # values, in the book
    ribbon = httpx.get(server["base"] + "/static/js/ribbon.js", timeout=30).text
    assert "xltoolsRunByFile(scriptName)" in ribbon
    assert leftovers(server) == []


def test_next_quarter_by_file_stops_on_an_unconsolidated_master_as_the_command_line(server,
                                                                                 tmp_path):
    """The command line's rule (next-quarter needs --unconsolidated on a master no returns
    were consolidated into), in its words, with the card's box as the way out; a
    consolidated master rolls on with no box ticked."""
    data = server["master"].read_bytes()
    refused = send(server, "next_quarter", data, server["pmo"])
    assert refused.status_code == 400, refused.text
    detail = refused.json()["detail"]
    done = subprocess.run([sys.executable, "-m", "xltools", "next-quarter",
                           str(server["master"]), "-o", str(tmp_path / "q3.xlsx")],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 2 and not (tmp_path / "q3.xlsx").exists()
    rule = ("Master.xlsx: no returns have been consolidated into this master for Q2 2019/20, "
            "so next quarter would roll on without this quarter's updates.")
    assert rule in detail and rule in done.stderr  # the same words
    assert "tick 'No returns this quarter' on the Next quarter card" in detail
    assert "--unconsolidated" not in detail and "xltools consolidate" not in detail
    assert refused.json()["title"] == "Next quarter was not built"
    rolled = send(server, "next_quarter", data, server["pmo"], unconsolidated="1")
    assert rolled.status_code == 200, rolled.text
    assert "rolled on as asked ('No returns this quarter' was ticked)" in \
        rolled.json()["message"]
    consolidated = tmp_path / "Consolidated.xlsx"
    cli("consolidate", str(server["master"]), str(server["root"] / "returns"), "-o",
        str(consolidated))
    answer = send(server, "next_quarter", consolidated.read_bytes(), server["pmo"],
                  name=consolidated.name)
    assert answer.status_code == 200, answer.text
    assert "rolled on as asked" not in answer.json()["message"]
    assert leftovers(server) == []
