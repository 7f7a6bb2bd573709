"""Files in and out through the add-in server: the real ``xltools serve`` over HTTP on
127.0.0.1, signed in with real tokens (``xltools token add``).

Files out: a button that makes files answers with single-use links for the person
who pressed it. Files in: the PMO uploads officers' returns from the task pane.
The server is started without an output folder, so the downloads are the only
copy (the server's disk keeps nothing).
"""

from __future__ import annotations

import io
import json
import time
import zipfile
from pathlib import Path

import httpx
import pytest
from excel_books import write_master, write_returns
from live_server import stop
from officejs_payload import book_payload
from openpyxl import load_workbook
from test_server_security import SCRIPTS, bearer, make_token, start

from xltools.addin.buttons import by_script
from xltools.cycle.check import check_workbook

LINK = "/xltools/download/"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from conftest import SAMPLE_PLAN

    from xltools.plan import Plan

    root = tmp_path_factory.mktemp("files")
    master = write_master(root / "Master.xlsx", Plan.load(SAMPLE_PLAN))
    filled = write_returns(master, root / "filled")  # issued and one filled, by the CLI
    (root / "returns").mkdir()
    tokens = root / "tokens.json"
    people = {"pmo": make_token(tokens, "Pat PMO", "pmo"),
              "pmo2": make_token(tokens, "Other PMO", "pmo"),
              "officer": make_token(tokens, "Olly Officer", "officer")}
    base, proc = start(root, "--tokens", str(tokens),
                       env={"XLTOOLS_OUTPUT_DIR": "", "XLTOOLS_DOWNLOAD_MINUTES": "0.05"})
    yield {"base": base, "root": root, "master": master, "filled": filled, **people}
    stop(proc)


@pytest.fixture(scope="module")
def long_server(server):
    """The same folders with the default 15-minute expiry (for links used later)."""
    base, proc = start(server["root"], "--tokens", str(server["root"] / "tokens.json"),
                       env={"XLTOOLS_OUTPUT_DIR": ""})
    yield base
    stop(proc)


def press(base: str, script: str, master: Path, token: str) -> list[dict]:
    """Press ``script``'s button in ``master`` (Next quarter with "No returns this quarter"
    ticked: these masters were never consolidated)."""
    include = ",".join(__import__("xltools.excel.sheets_needed",
                                  fromlist=["SHEETS"]).SHEETS[script])
    response = httpx.post(base + SCRIPTS + script, timeout=120, headers=bearer(token),
                          json=book_payload(master, include=include,
                                            args=[False, True] if script == "next_quarter"
                                            else None))
    assert response.status_code == 200, response.text
    return response.json()["actions"]


def links(actions: list[dict]) -> list[str]:
    (alert,) = [a["args"][0] for a in actions if a["func"] == "alert"]
    return [word for word in alert.split() if LINK in word]


def fetch(base: str, url: str, token: str) -> httpx.Response:
    assert url.startswith(base + LINK)
    return httpx.get(url, headers=bearer(token), timeout=60)


def test_issue_returns_gives_a_zip_of_one_valid_return_per_officer(server, long_server):
    actions = press(long_server, "issue_returns", server["master"], server["pmo"])
    (url,) = links(actions)
    response = fetch(long_server, url, server["pmo"])
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["content-disposition"].startswith('attachment; filename="returns ')
    with zipfile.ZipFile(io.BytesIO(response.content)) as zf:
        names = zf.namelist()
        assert len(names) == len(server["filled"])  # one per officer, as the CLI issues
        for name in names:
            path = server["root"] / "unzipped" / name
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(zf.read(name))
            report = check_workbook(path)
            assert report.book.kind == "return" and report.ok, name
    assert sorted(check_workbook(server["root"] / "unzipped" / n).book.officer
                  for n in names) == sorted(server["filled"])
    # the task pane's "Last run" shows the same answer and link
    last = httpx.get(long_server + "/xltools/last-run", headers=bearer(server["pmo"]),
                     timeout=30).json()
    assert last["title"] == "xltools: issue returns" and last["links"][0]["url"] == url
    assert last["counts"]["returns"] == len(names)
    # nothing kept on the server's disk: no output folder was configured
    assert not (server["root"] / "xltools-output").exists()


def test_a_link_works_once_and_only_for_its_owner(server, long_server):
    (url,) = links(press(long_server, "next_quarter", server["master"], server["pmo"]))
    assert fetch(long_server, url, server["officer"]).status_code == 404
    assert fetch(long_server, url, server["pmo2"]).status_code == 404
    assert httpx.get(url, timeout=30).status_code == 401  # no sign-in at all
    first = fetch(long_server, url, server["pmo"])  # strangers did not spend it
    assert first.status_code == 200
    assert load_workbook(io.BytesIO(first.content))["Actions"].max_row > 1
    again = fetch(long_server, url, server["pmo"])
    assert again.status_code == 404 and "press the button again" in again.json()["detail"]
    assert fetch(long_server, long_server + LINK + "not-a-token", server["pmo"]).status_code == 404
    # another person's Last run never shows this person's links
    theirs = httpx.get(long_server + "/xltools/last-run", headers=bearer(server["pmo2"]),
                       timeout=30).json()
    assert url not in str(theirs)


def test_a_link_expires(server):
    (url,) = links(press(server["base"], "next_quarter", server["master"], server["pmo"]))
    time.sleep(4)  # XLTOOLS_DOWNLOAD_MINUTES=0.05: three seconds
    assert fetch(server["base"], url, server["pmo"]).status_code == 404


def open_workbook_sheets(master: Path) -> str:
    """The ``master`` field the task pane sends: the Settings and Lists values of the
    workbook open in Excel (here read with openpyxl, as Excel hands them over)."""
    wb = load_workbook(master, data_only=True)
    return json.dumps({name: [["" if v is None else v for v in row]
                              for row in wb[name].iter_rows(values_only=True)]
                       for name in ("Settings", "Lists") if name in wb.sheetnames})


def upload(base: str, token: str, files: list[tuple[str, bytes]], master: Path | None = None,
           **kw) -> httpx.Response:
    """POST files as the task pane's upload box does, with the open ``master``'s plan."""
    data = {"master": open_workbook_sheets(master)} if master else None
    return httpx.post(base + "/xltools/upload", headers=bearer(token) if token else {},
                      timeout=120, data=data,
                      files=[("files", (name, data, "application/octet-stream"))
                             for name, data in files], **kw)


def test_upload_then_consolidate_gives_the_master_and_its_backup(server, long_server):
    returns = server["root"] / "returns"
    files = [(p.name, p.read_bytes()) for p in server["filled"].values()]
    response = upload(long_server, server["pmo"], files + [("notes.txt", b"hello"),
                                                           ("fake.xlsx", b"PK not a zip")],
                      master=server["master"])
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["accepted"] == len(files) and answer["refused"] == 2
    refused = {f["file"]: f["reason"] for f in answer["files"] if not f["accepted"]}
    assert "not an .xlsx" in refused["notes.txt"] and "corrupt" in refused["fake.xlsx"]
    assert sorted(p.name for p in returns.iterdir()) == sorted(n for n, _ in files)

    actions = press(long_server, "consolidate", server["master"], server["pmo"])
    last = httpx.get(long_server + "/xltools/last-run", headers=bearer(server["pmo"]),
                     timeout=30).json()
    backup_url, merged_url = links(actions)
    assert [(x["name"], x["url"]) for x in last["links"]] == [
        ("Master before consolidation " + last["links"][0]["name"][28:], backup_url),
        ("Master consolidated " + last["links"][1]["name"][20:], merged_url)]
    assert "merged" in last["message"] and "undo" in last["message"]
    assert last["counts"]["returns merged"] == len(files) and last["counts"]["rows updated"] > 0
    backup = fetch(long_server, backup_url, server["pmo"])
    merged = fetch(long_server, merged_url, server["pmo"])
    assert backup.status_code == merged.status_code == 200
    rows = {r[0]: r for r in load_workbook(io.BytesIO(merged.content))["Actions"].iter_rows(
        values_only=True)}
    before = {r[0]: r for r in load_workbook(io.BytesIO(backup.content))["Actions"].iter_rows(
        values_only=True)}
    assert "Agency spend down 12% since July" in rows["A-0002"]
    assert "Agency spend down 12% since July" not in before["A-0002"]


def test_uploading_twice_never_overwrites(server, long_server):
    name, path = next(iter(server["filled"].items()))
    data = path.read_bytes()
    first = upload(long_server, server["pmo"], [(path.name, data)],
                   master=server["master"]).json()["files"][0]
    second = upload(long_server, server["pmo"], [(path.name, data)],
                    master=server["master"]).json()["files"][0]
    assert first["accepted"] and second["accepted"]
    assert first["saved_as"] != second["saved_as"] and " (" in second["saved_as"]
    assert first["officer"] == name


def test_an_upload_without_the_open_master_is_refused_in_words(server):
    """Each return is checked against the master's plan and quarter: without it, none is
    kept (fail closed), and the answer says what to do."""
    path = next(iter(server["filled"].values()))
    before = sorted((server["root"] / "returns").iterdir())
    response = upload(server["base"], server["pmo"], [(path.name, path.read_bytes())])
    assert response.status_code == 400
    assert response.json()["detail"].startswith("Open the PMO's master")
    returned = upload(server["base"], server["pmo"], [(path.name, path.read_bytes())],
                      master=path)  # an officer's return open in Excel, not the master
    assert returned.status_code == 400 and "is an officer's return, not the master" in \
        returned.json()["detail"]
    assert sorted((server["root"] / "returns").iterdir()) == before


def test_an_officer_may_not_upload(server):
    path = next(iter(server["filled"].values()))
    before = sorted((server["root"] / "returns").iterdir())
    response = upload(server["base"], server["officer"], [("x.xlsx", path.read_bytes())])
    assert response.status_code == 403
    assert upload(server["base"], "", [("x.xlsx", path.read_bytes())]).status_code == 401
    assert sorted((server["root"] / "returns").iterdir()) == before


@pytest.mark.parametrize("name", ["../../evil.xlsx", "..\\..\\evil.xlsx", "/etc/evil.xlsx",
                                  "C:\\Windows\\evil.xlsx", ".hidden.xlsx", "e\x00vil.xlsx"])
def test_traversal_in_upload_names_is_neutralised(server, name):
    path = next(iter(server["filled"].values()))
    response = upload(server["base"], server["pmo"], [(name, path.read_bytes())],
                      master=server["master"])
    assert response.status_code == 200, response.text
    (result,) = response.json()["files"]
    assert result["accepted"]
    saved = server["root"] / "returns" / result["saved_as"]
    assert saved.is_file() and saved.parent == server["root"] / "returns"
    assert "/" not in result["saved_as"] and "\\" not in result["saved_as"]
    assert not result["saved_as"].startswith(".")
    assert all(p.parent == server["root"] / "returns" for p in server["root"].rglob("*vil*"))


def test_upload_takes_only_multipart_and_respects_the_body_limit(server):
    base, token = server["base"], server["pmo"]
    as_json = httpx.post(base + "/xltools/upload", headers=bearer(token), json={"files": []},
                         timeout=30)
    assert as_json.status_code == 415
    big = upload(base, token, [("big.xlsx", b"PK" + b"\0" * (21 * 2**20))])
    assert big.status_code == 413


def test_the_task_pane_shows_upload_and_last_run(server):
    pane = httpx.get(server["base"] + "/taskpane.html", timeout=30).text
    assert 'id="xlt-upload"' in pane and 'id="xlt-result"' in pane
    assert 'id="xlt-result-counts"' in pane
    assert "/static/js/files.js" in pane
    script = httpx.get(server["base"] + "/static/js/files.js", timeout=30).text
    assert "/xltools/last-run" in script and "/xltools/upload" in script
    # each button says which roles may use it, so the pane can hide the others
    assert f'data-roles="{",".join(by_script("consolidate").roles)}"' in pane


# -- the store itself (the clock passed in, so expiry needs no waiting) --------------------


def test_the_store_gives_a_file_once_to_its_owner_until_it_expires(monkeypatch):
    from xltools.excel.downloads import Store

    monkeypatch.setenv("XLTOOLS_DOWNLOAD_MINUTES", "15")
    store = Store()
    token = store.put("token:Pat", "../../etc/passwd\r\n.xlsx", b"data", now=0)
    assert store.take(token, "token:Olly", now=1) is None
    held = store.take(token, "token:Pat", now=1)
    assert held.data == b"data" and "/" not in held.name and "\n" not in held.name
    assert store.take(token, "token:Pat", now=2) is None
    late = store.put("token:Pat", "a.xlsx", b"x", now=0)
    assert store.take(late, "token:Pat", now=15 * 60) is None  # expired at 15 minutes
    assert store.take(store.put("token:Pat", "b.xlsx", b"y", now=0), "token:Pat",
                      now=15 * 60 - 1).data == b"y"


def test_the_store_drops_the_oldest_offer_above_its_limit(monkeypatch):
    from xltools.excel.downloads import Store

    monkeypatch.setenv("XLTOOLS_DOWNLOAD_MAX_MB", "1")
    store = Store()
    old = store.put("o", "old.zip", b"a" * 600_000, now=0)
    new = store.put("o", "new.zip", b"b" * 600_000, now=1)
    assert store.take(old, "o", now=2) is None and store.take(new, "o", now=2) is not None


def test_without_sign_in_links_work_on_this_machine_only(server):
    base, proc = start(server["root"], env={"XLTOOLS_OUTPUT_DIR": ""})
    try:
        response = httpx.post(base + SCRIPTS + "next_quarter", timeout=120,
                              json=book_payload(server["master"], args=[False, True]))
        (url,) = links(response.json()["actions"])
        proxied = {"X-Forwarded-For": "203.0.113.9"}
        for path in (url, base + "/xltools/last-run"):
            refused = httpx.get(path, headers=proxied, timeout=30)
            assert refused.status_code == 401 and "sign-in" in refused.json()["detail"]
        assert httpx.get(url, timeout=30).status_code == 200
    finally:
        stop(proc)


@pytest.mark.parametrize(("script", "suffix", "kind"), [
    ("chase_officers", ".zip", "application/zip"),
    ("reconcile_savings", ".xlsx", "application/vnd.openxmlformats-officedocument"
                                   ".spreadsheetml.sheet"),
])
def test_chase_and_reconcile_answer_with_their_files(server, long_server, script, suffix, kind):
    (url,) = links(press(long_server, script, server["master"], server["pmo"]))
    response = fetch(long_server, url, server["pmo"])
    assert response.status_code == 200 and response.headers["content-type"] == kind
    name = response.headers["content-disposition"].split('filename="')[1].split('"')[0]
    assert name.endswith(suffix)
    if suffix == ".zip":
        with zipfile.ZipFile(io.BytesIO(response.content)) as zf:
            assert zf.namelist() and all(n.endswith(".eml") for n in zf.namelist())
    else:
        assert load_workbook(io.BytesIO(response.content)).sheetnames


def test_finance_issues_savings_returns_from_the_ribbon(server, long_server):
    """The ribbon's Issue savings returns gives the files `xltools issue --savings` writes:
    one return per project lead, holding only that officer's savings rows."""
    from xltools.workbook.reader import read_book

    master = read_book(server["master"])
    leads = {r["lead_officer"] for r in master.savings if r.get("lead_officer")}
    assert leads  # the sample master has savings projects
    (url,) = links(press(long_server, "issue_savings_returns", server["master"], server["pmo"]))
    response = fetch(long_server, url, server["pmo"])
    assert response.status_code == 200 and response.headers["content-type"] == "application/zip"
    got = {}
    with zipfile.ZipFile(io.BytesIO(response.content)) as zf:
        for name in zf.namelist():
            path = server["root"] / "savings-unzipped" / name
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(zf.read(name))
            book = read_book(path)
            assert book.kind == "return" and book.actions == []
            assert {r["lead_officer"] for r in book.savings} == {book.officer}
            assert all(r.get("revised") in (None, "") for r in book.savings)
            got[book.officer] = len(book.savings)
    assert set(got) == leads


@pytest.mark.parametrize("env", [{"XLTOOLS_DOWNLOAD_MINUTES": "soon"},
                                 {"XLTOOLS_DOWNLOAD_MAX_MB": "0"}])
def test_serve_refuses_a_bad_download_setting_with_one_line(tmp_path, env):
    from test_server_security import serve_exits

    done = serve_exits(tmp_path, env=env)
    assert done.returncode == 2 and next(iter(env)) in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_a_master_or_template_is_not_accepted_as_a_return(server):
    response = upload(server["base"], server["pmo"],
                      [("Master.xlsx", server["master"].read_bytes())], master=server["master"])
    (result,) = response.json()["files"]
    assert not result["accepted"] and "not an officer's return" in result["reason"]
    assert not (server["root"] / "returns" / "Master.xlsx").exists()


def remove(base: str, token: str, body: dict) -> httpx.Response:
    return httpx.post(base + "/xltools/upload/remove", headers=bearer(token), json=body,
                      timeout=60)


def test_remove_takes_back_only_a_plain_file_of_the_returns_folder(server, tmp_path):
    returns = server["root"] / "returns"
    path = next(iter(server["filled"].values()))
    (kept,) = upload(server["base"], server["pmo"], [(path.name, path.read_bytes())],
                     master=server["master"]).json()["files"]
    outside = tmp_path / "precious.xlsx"
    outside.write_bytes(b"keep me")
    (returns / "link.xlsx").symlink_to(outside)
    try:
        for name in ("../Master.xlsx", "link.xlsx", "nothing.xlsx", ""):
            response = remove(server["base"], server["pmo"],
                              {"file": name, "kind": "action return"})
            assert response.status_code == 400, name
            assert response.json()["detail"].startswith("Not removed: ")
        assert outside.read_bytes() == b"keep me" and server["master"].exists()
        refused = remove(server["base"], server["officer"],
                         {"file": kept["saved_as"], "kind": "action return"})
        assert refused.status_code == 403 and (returns / kept["saved_as"]).exists()
        done = remove(server["base"], server["pmo"],
                      {"file": kept["saved_as"], "kind": kept["kind"]})
        assert done.status_code == 200, done.text
        assert done.json()["message"] == f"{kept['saved_as']} removed from the returns folder."
        assert not (returns / kept["saved_as"]).exists()
    finally:
        (returns / "link.xlsx").unlink()
