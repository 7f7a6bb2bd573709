"""The task pane as a person uses it: the real page from the real ``xltools serve``, in
real headless Chromium, with Excel played by ``tests/browser/office_shim.js`` holding a
real workbook (``taskpane_browser``). Buttons run the real scripts over real HTTP; the
answers' actions are applied to the shim's workbook and read back; downloads are
saved by the browser and opened with openpyxl.

``XLTOOLS_REGEN_DOCS=1`` also renders the task pane screenshots in docs/images/.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

import pytest
from excel_books import write_master, write_returns
from live_server import start, stop
from openpyxl import load_workbook
from taskpane_browser import chromium, task_pane
from test_server_security import make_token

from xltools.addin.buttons import BUTTONS
from xltools.cycle.check import check_workbook
from xltools.excel.sheets_needed import SHEETS

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "docs" / "images"
STATUS = "#xlt-result-status"


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    """A master, its issued returns (Lucy Peel's filled in), and the server with tokens
    and an empty returns folder; no output folder, so downloads are the only copies."""
    from conftest import SAMPLE_PLAN

    from xltools.plan import Plan

    root = tmp_path_factory.mktemp("pane")
    master = write_master(root / "Master.xlsx", Plan.load(SAMPLE_PLAN))
    filled = write_returns(master, root / "issued")
    (root / "returns").mkdir()
    tokens = root / "tokens.json"
    people = {"pmo": make_token(tokens, "Pat PMO", "pmo"),
              "officer": make_token(tokens, "Olly Officer", "officer"),
              "finance": make_token(tokens, "Fran Finance", "finance")}
    base, proc = start(root, "--tokens", str(tokens),
                       env={"XLTOOLS_OUTPUT_DIR": "", "XLTOOLS_RETURNS_DIR": str(root / "returns")})
    yield {"base": base, "root": root, "master": master, "filled": filled, **people}
    stop(proc)


def press(pane, script: str) -> str:
    """Press a task pane button; wait for the answer; the "Last run" card's text."""
    page = pane.page
    before = page.evaluate("() => [__xltStatus.length, __xltLog.dialogs.length]")
    page.locator(f'[xw-click="{script}"]').click()
    # the answer's alert opens as its last action, not awaited by xlwings: wait for it too
    page.wait_for_function(
        "([script, [status, dialogs]]) => { const seen = __xltStatus.slice(status);"
        " const working = seen.findIndex(s => s.startsWith('Working'));"
        " return working >= 0 && seen.slice(working).some(s => s.startsWith('At '))"
        " && __xltLog.dialogs.length > dialogs && !document.querySelector("
        "`[xw-click=\"${script}\"]`).hasAttribute('disabled'); }",
        arg=[script, before], timeout=180_000)
    return page.inner_text("#xlt-result")


def download(pane, button, folder: Path) -> Path:
    """Click a Last run download button; the file the browser saved, in ``folder``."""
    with pane.page.expect_download() as started:
        button.click()
    saved = folder / started.value.suggested_filename
    started.value.save_as(saved)
    return saved


def statuses(pane, since: int = 0) -> list[str]:
    return pane.page.evaluate("(n) => __xltStatus.slice(n)", since)


def sign_in(pane, token: str) -> str:
    """Paste a token into the Sign in card and press Save; the card's answer."""
    page = pane.page
    page.fill("#xlt-token", token)
    page.click("#xlt-token-save")
    page.wait_for_function("() => /Signed in as|token|did not/.test("
                           "document.getElementById('xlt-signin-status').textContent)")
    return page.inner_text("#xlt-signin-status")


def expected_buttons(role: str) -> list[str]:
    return [b.label for b in BUTTONS if not b.roles or role in b.roles]


# -- loading and signing in -------------------------------------------------------------


def test_the_page_loads_without_errors_and_wires_every_button(browser, office):
    with task_pane(browser, office["base"], office["master"]) as pane:
        pane.page.wait_for_function(
            "() => document.getElementById('xlt-signin-status').textContent")
        assert pane.page.inner_text("#xlt-signin-status") == "Not signed in."
        log = pane.log()
        # ribbon.js associated one handler per ribbon button (the manifest's names)
        assert sorted(log["actions"]) == sorted(b.function_name for b in BUTTONS)
        # xlwings wired every task pane button (xw-click) after Office.onReady
        pane.page.wait_for_function(
            "() => document.querySelectorAll('[xw-click-initialized]').length === "
            f"{len(BUTTONS)}")
        assert pane.page.is_hidden("#xlwings-office-ready-error")  # "didn't load" overlay
        assert pane.errors == [] and pane.refused == []  # nothing asked off this machine


ANYONE = [b.label for b in BUTTONS if not b.roles]


def shown(pane, selector: str) -> bool:
    return pane.page.locator(selector).is_visible()


@pytest.mark.parametrize("role", ["officer", "pmo", "finance"])
def test_signing_in_shows_only_what_the_role_can_use(browser, office, role):
    name = {"officer": "Olly Officer", "pmo": "Pat PMO", "finance": "Fran Finance"}[role]
    with task_pane(browser, office["base"], office["master"]) as pane:
        assert sign_in(pane, office[role]) == f"Signed in as {name} ({role})."
        assert pane.page.is_hidden("#xlt-token-entry")  # signed in: no token box
        pane.page.wait_for_function(
            "(n) => [...document.querySelectorAll('[xw-click]')]"
            ".filter(b => b.offsetParent !== null).length === n",
            arg=len(expected_buttons(role)))
        assert pane.visible_buttons() == expected_buttons(role)
        assert shown(pane, "#xlt-upload-card") == (role in ("pmo", "finance"))
        assert shown(pane, "#xlt-as-of") == (role == "pmo")  # Flag stale, Consolidate
        assert shown(pane, "#xlt-carry") == (role == "pmo")  # on the Next quarter card
        assert shown(pane, "#xlt-unconsolidated") == (role == "pmo")  # the same card
        assert shown(pane, "#xlt-adopt") == (role == "pmo")  # on the Consolidate card
        assert shown(pane, "#xlt-developers") == (role == "pmo")  # cell functions
        groups = [g.inner_text().split("\n")[0] for g in pane.page.locator(".xlt-group").all()
                  if g.is_visible()]
        assert groups == {"officer": ["Officer"], "pmo": ["Officer", "PMO", "Finance"],
                          "finance": ["Officer", "Finance"]}[role]
        assert pane.errors == []


def test_before_sign_in_only_what_anyone_may_use_shows(browser, office):
    with task_pane(browser, office["base"], office["master"]) as pane:
        pane.page.wait_for_function(
            "() => document.getElementById('xlt-signin-status').textContent")
        assert pane.visible_buttons() == ANYONE
        for hidden in ("#xlt-upload-card", "#xlt-as-of", "#xlt-carry", "#xlt-unconsolidated",
                       "#xlt-adopt", "#xlt-developers"):
            assert not shown(pane, hidden), hidden
        assert shown(pane, "#xlt-token-entry")


def test_the_upload_card_is_near_the_top_of_a_350_px_pane(browser, office):
    with task_pane(browser, office["base"], office["master"], token=office["pmo"]) as pane:
        pane.page.wait_for_selector("#xlt-upload-card:not(.d-none)")
        box = pane.page.locator("#xlt-upload-card").bounding_box()
        assert box["y"] + box["height"] < 700  # all of it on the first screen of the pane
        assert box["width"] <= 350
        below = pane.page.locator("#xlt-result").bounding_box()
        assert below["y"] > box["y"]  # above Last run and every button


def test_a_wrong_token_is_told_it_is_wrong_and_none_to_sign_in(browser, office):
    with task_pane(browser, office["base"], office["master"]) as pane:
        answer = sign_in(pane, "xlt_not-a-real-token")
        assert "wrong or has been revoked" in answer and "Sign in first" not in answer
        assert "Traceback" not in answer and answer.endswith(".")
        assert pane.page.is_visible("#xlt-token-entry")  # to paste the right one
        assert pane.visible_buttons() == ANYONE and not shown(pane, "#xlt-upload-card")
        # pressing a button with that token: the server's refusal, in words, on the pane
        pane.page.locator('[xw-click="check_return"]').click()
        pane.page.wait_for_selector("#global-error-alert:not(.d-none)")
        refusal = pane.page.inner_text("#global-error-alert span")
        assert "wrong or has been revoked" in refusal
        assert "{" not in refusal and "/" not in refusal
        pane.page.click("#xlt-token-forget")
        assert pane.page.inner_text("#xlt-signin-status") == "Forgotten. Not signed in."
    with task_pane(browser, office["base"], office["master"]) as pane:  # never signed in
        pane.page.locator('[xw-click="check_return"]').click()
        pane.page.wait_for_selector("#global-error-alert:not(.d-none)")
        assert "Sign in first" in pane.page.inner_text("#global-error-alert span")
        assert pane.log()["writes"] == []  # nothing written to the workbook


def test_forget_leaves_nothing_of_the_last_person_on_a_shared_pane(browser, office):
    with task_pane(browser, office["base"], office["master"]) as pane:
        sign_in(pane, office["pmo"])
        pane.page.check("#xlt-unconsolidated")  # this master was never consolidated
        press(pane, "next_quarter")
        assert pane.page.locator("#xlt-result-links button").count() == 1
        pane.page.click("#xlt-token-forget")
        assert pane.page.inner_text(STATUS) == "Nothing run yet."
        assert pane.page.inner_text("#xlt-result-title") == ""
        assert pane.page.locator("#xlt-result-links li").count() == 0
        assert pane.visible_buttons() == ANYONE  # signed out: only what anyone may use
        assert pane.page.is_visible("#xlt-token-entry")
        sign_in(pane, office["officer"])  # the next person
        pane.page.wait_for_load_state("networkidle")
        assert pane.visible_buttons() == expected_buttons("officer")
        assert "next quarter" not in pane.page.inner_text("#xlt-result")
        assert pane.page.locator("#xlt-result-links li").count() == 0
        assert pane.errors == []


# -- buttons run the real scripts ----------------------------------------------------------


def test_check_return_shows_working_then_the_result(browser, office):
    lucy = office["filled"]["Lucy Peel"]
    with task_pane(browser, office["base"], lucy, token=office["officer"]) as pane:
        result = press(pane, "check_return")
        seen = statuses(pane)
        assert any(s.startswith("Working…") for s in seen), seen
        assert seen.index(next(s for s in seen if s.startswith("Working…"))) < len(seen) - 1
        assert "xltools: check return" in result
        expected = check_workbook(lucy)
        dialog = pane.log()["dialogs"][-1]
        assert dialog["title"] == "xltools: check return"
        assert dialog["prompt"] in result.replace("\n", " ") or \
            dialog["prompt"].split("\n")[0] in result
        if expected.errors:
            assert f"{len(expected.errors)} problem" in result
        else:
            assert "no problems" in result or "No errors" in result
        if "Check sheet" in result:  # the listed problems are on a new Check sheet in Excel
            check = pane.sheet("Check")
            assert check is not None and len(check["values"]) > 1
            assert "Check" in pane.page.evaluate("() => __xltSheetNames()")
        assert pane.errors == []


def test_flag_stale_writes_the_flags_and_keeps_the_sheet_protected(browser, office, tmp_path):
    with task_pane(browser, office["base"], office["master"], token=office["pmo"]) as pane:
        result = press(pane, "flag_stale")
        assert "actions flagged" in result
        actions = pane.sheet("Actions")
        header = actions["values"][0]
        flags = [row[header.index("Flags")] for row in actions["values"][1:]]
        assert any("NO_UPDATE" in str(f) for f in flags)
        assert actions["protected"]  # lifted for the write, then put back
        whats = [w["what"] for w in pane.log()["writes"] if w["sheet"] == "Actions"]
        assert whats.index("protection.unprotect") < whats.index("values") < \
            whats.index("protection.protect")
        assert pane.errors == []


def sent_sheets(request) -> dict[str, bool]:
    """Which sheets a script call carried values for (the others were left out)."""
    body = json.loads(request.post_data)
    return {sheet["name"]: sheet["values"] != [[]] for sheet in body["sheets"]}


@pytest.mark.parametrize("how", ["task pane", "ribbon"])
def test_a_button_sends_only_the_sheets_its_script_reads(browser, office, how):
    with task_pane(browser, office["base"], office["master"], token=office["pmo"]) as pane:
        with pane.page.expect_request("**/custom-scripts-call/flag_stale") as call:
            if how == "ribbon":
                pane.page.evaluate("() => __xltPress('xltools-flag-stale')")
            else:
                press(pane, "flag_stale")
        sent = sent_sheets(call.value)
        assert sorted(n for n, has in sent.items() if has) == sorted(SHEETS["flag_stale"])
        assert len(sent) == len(load_workbook(office["master"]).sheetnames)  # all named
        assert call.value.headers["authorization"] == f"Bearer {office['pmo']}"


def test_the_ribbon_button_runs_the_same_script(browser, office):
    with task_pane(browser, office["base"], office["master"], token=office["pmo"]) as pane:
        before = len(statuses(pane))
        pane.page.evaluate("() => __xltPress('xltools-flag-stale')")  # returns when completed
        pane.page.wait_for_function(
            "(n) => __xltStatus.slice(n).some(s => s.startsWith('At '))", arg=before)
        seen = statuses(pane, before)
        assert seen[0].startswith("Working…")
        assert "xltools: flag stale updates" in pane.page.inner_text("#xlt-result-title")
        assert pane.errors == []


def test_an_officer_pressing_a_pmo_ribbon_button_is_told_why_and_nothing_changes(browser,
                                                                                  office):
    """The ribbon is the same for everyone (Office has no per-user ribbon): the server
    refuses, and the refusal comes up as an alert in words."""
    with task_pane(browser, office["base"], office["master"], token=office["officer"]) as pane:
        pane.page.evaluate("() => __xltPress('xltools-consolidate')")
        pane.page.wait_for_function("() => __xltLog.dialogs.length > 0")
        (dialog,) = pane.log()["dialogs"]
        assert "needs the pmo role" in dialog["prompt"] and "Olly Officer" in dialog["prompt"]
        assert pane.log()["writes"] == []  # the master in Excel is untouched
        pane.page.wait_for_function("() => !document.getElementById('xlt-result-status')"
                                    ".textContent.startsWith('Working')")


def test_issue_returns_link_downloads_a_zip_of_one_return_per_officer(browser, office, tmp_path):
    with task_pane(browser, office["base"], office["master"], token=office["pmo"]) as pane:
        result = press(pane, "issue_returns")
        assert "returns" in result
        link = pane.page.locator("#xlt-result-links button")
        assert link.count() == 1 and link.inner_text().startswith("Download returns ")
        saved = download(pane, link, tmp_path)
        assert saved.suffix == ".zip"
        with zipfile.ZipFile(saved) as zf:
            names = zf.namelist()
            assert len(names) == len(office["filled"])
            officers = []
            for name in names:
                path = tmp_path / Path(name).name
                path.write_bytes(zf.read(name))
                report = check_workbook(path)
                assert report.book.kind == "return" and report.ok, name
                officers.append(report.book.officer)
        assert sorted(officers) == sorted(office["filled"])
        pane.page.wait_for_function("() => document.querySelector('#xlt-result-links li')"
                                    ".textContent.includes('used up')")
        # by file: the workbook file was read (in slices), its values not sent, nothing written
        assert [f["fileType"] for f in pane.log()["files"]] == ["compressed"]
        assert pane.log()["writes"] == []
        assert pane.errors == []


def test_the_ribbons_issue_returns_goes_by_file_and_downloads_the_zip(browser, office,
                                                                        tmp_path):
    with task_pane(browser, office["base"], office["master"], token=office["pmo"]) as pane:
        pane.page.evaluate("() => __xltPress('xltools-issue-returns')")  # returns when done
        pane.page.wait_for_function("() => __xltLog.dialogs.length > 0")
        (dialog,) = pane.log()["dialogs"]
        assert dialog["title"] == "xltools: issue returns"
        assert [f["fileType"] for f in pane.log()["files"]] == ["compressed"]
        assert pane.log()["writes"] == []
        link = pane.page.locator("#xlt-result-links button")
        assert link.count() == 1 and link.inner_text().startswith("Download returns ")
        saved = download(pane, link, tmp_path)
        with zipfile.ZipFile(saved) as zf:
            assert len(zf.namelist()) == len(office["filled"])
        assert pane.errors == []


# -- files in: the upload card, then Consolidate --------------------------------------------


def upload(pane, files: dict[str, bytes], drop: bool = False) -> list[str]:
    """Choose (or drop) files on the upload card; the list's lines once answered."""
    page = pane.page
    if drop:
        page.evaluate(
            """(files) => {
                const data = new DataTransfer();
                for (const [name, bytes] of Object.entries(files)) {
                    data.items.add(new File([new Uint8Array(bytes)], name));
                }
                const card = document.getElementById('xlt-upload-card');
                card.dispatchEvent(new DragEvent('dragover', {dataTransfer: data, bubbles: true,
                                                              cancelable: true}));
                card.dispatchEvent(new DragEvent('drop', {dataTransfer: data, bubbles: true,
                                                          cancelable: true}));
            }""", {name: list(data) for name, data in files.items()})
    else:
        page.set_input_files("#xlt-upload", [
            {"name": name, "mimeType": "application/octet-stream", "buffer": data}
            for name, data in files.items()])
    page.wait_for_function("() => { const first = document.querySelector('#xlt-upload-list li');"
                           " return first && !first.textContent.startsWith('Checking'); }")
    return [li.inner_text() for li in page.locator("#xlt-upload-list li").all()]


def empty_returns(office) -> None:
    """Remove what a test uploaded: the returns folder's files and its savings folder's."""
    returns = office["root"] / "returns"
    for folder in (returns, returns / "savings"):
        for path in folder.glob("*"):
            if path.is_file():
                path.unlink()


def returns_to_upload(office) -> dict[str, bytes]:
    lucy = office["filled"]["Lucy Peel"]
    nigel = office["filled"]["Nigel Stevenson"]
    return {lucy.name: lucy.read_bytes(), nigel.name: nigel.read_bytes(),
            "notes.xlsx": b"just some text, not a workbook",
            "Master.xlsx": office["master"].read_bytes()}


def test_upload_lists_each_file_accepted_or_refused_with_the_reason(browser, office):
    files = returns_to_upload(office)
    with task_pane(browser, office["base"], office["master"], token=office["pmo"]) as pane:
        lines = upload(pane, files)
        assert lines[0] == "2 accepted, 2 refused."
        by_file = {line[2:].split(":")[0].split(" (kept as")[0]: line for line in lines[1:]}
        assert set(by_file) == set(files)
        lucy, nigel = office["filled"]["Lucy Peel"].name, office["filled"]["Nigel Stevenson"].name
        assert by_file[lucy].startswith("✓") and by_file[nigel].startswith("✓")
        assert by_file["notes.xlsx"].startswith("✗") and len(by_file["notes.xlsx"]) > 20
        assert all(line.count(name) == 1 for name, line in by_file.items())  # said once
        assert by_file["Master.xlsx"].startswith("✗") and "return" in by_file["Master.xlsx"]
        classes = pane.page.eval_on_selector_all("#xlt-upload-list li",
                                                 "items => items.map(i => i.className)")
        assert classes[1:].count("text-success") == 2 and classes[1:].count("text-danger") == 2
        # the same files dropped on the card: accepted again, kept under new names
        dropped = upload(pane, {lucy: files[lucy]}, drop=True)
        assert dropped[0] == "1 file accepted." and "(kept as" in dropped[1]
        assert pane.errors == []
    empty_returns(office)  # leave the folder as the other tests expect it


@pytest.fixture(scope="module")
def strangers(office):
    """Returns Consolidate refuses whole — another plan's, the next quarter's — and
    finance's savings return for Lucy Peel (issued from the same master)."""
    from dataclasses import replace

    from conftest import SAMPLE_PLAN

    from xltools.cycle.returns import issue_returns
    from xltools.plan import Plan

    root, plan = office["root"], Plan.load(SAMPLE_PLAN)
    other = write_master(root / "Other plan.xlsx",
                         replace(plan, title="Adult Social Care Improvement Plan"))
    later = write_master(root / "Q3 master.xlsx", replace(plan, period="Q3 2019/20"))
    savings = issue_returns(office["master"], root / "savings issued", workers=1,
                            savings_only=True)
    return {"other plan": write_returns(other, root / "other issued")["Lucy Peel"],
            "next quarter": write_returns(later, root / "q3 issued")["Lucy Peel"],
            "savings": next(r.path for r in savings.returns if r.officer == "Lucy Peel")}


def upload_lines(lines: list[str]) -> dict[str, str]:
    """The upload list's lines by file name (the first line is the summary)."""
    return {line[2:].split(":")[0].split(" (kept as")[0]: line for line in lines[1:]}


def test_upload_refuses_what_consolidate_would_refuse_with_the_reason(browser, office,
                                                                      strangers, tmp_path):
    returns = office["root"] / "returns"
    other, later = tmp_path / "Other plan return.xlsx", tmp_path / "Q3 return.xlsx"
    other.write_bytes(strangers["other plan"].read_bytes())
    later.write_bytes(strangers["next quarter"].read_bytes())
    lucy, savings = office["filled"]["Lucy Peel"], strangers["savings"]
    with task_pane(browser, office["base"], office["master"], token=office["pmo"]) as pane:
        lines = upload(pane, {p.name: p.read_bytes() for p in (other, later, lucy, savings)})
        assert lines[0] == "2 accepted, 2 refused."
        got = upload_lines(lines)
        assert got[other.name].startswith("✗ ") and "refused" in got[other.name]
        assert "Adult Social Care Improvement Plan" in got[other.name]  # the reason, in words
        assert got[later.name].startswith("✗ ") and "Q3 2019/20" in got[later.name]
        assert "Q2 2019/20" in got[later.name]
        assert got[lucy.name].startswith("✓ ") and "kept for Consolidate" in got[lucy.name]
        assert got[savings.name].startswith("✓ ") and "savings return" in got[savings.name]
        # kept apart: Consolidate reads the returns folder, Reconcile savings its savings folder
        assert sorted(p.name for p in returns.iterdir() if p.is_file()) == [lucy.name]
        assert [p.name for p in (returns / "savings").iterdir()] == [savings.name]
        # the pane takes back a file it accepted
        pane.page.locator("#xlt-upload-list li", has_text=lucy.name).locator(".xlt-remove").click()
        pane.page.wait_for_function("(name) => [...document.querySelectorAll("
                                    "'#xlt-upload-list li')].some(li => li.textContent"
                                    ".includes(name + ' removed'))", arg=lucy.name)
        assert [p for p in returns.iterdir() if p.is_file()] == []
        assert pane.errors == []
    (returns / "savings" / savings.name).unlink()


def test_finance_uploads_savings_returns_but_not_officers_returns(browser, office, strangers):
    returns = office["root"] / "returns"
    lucy, savings = office["filled"]["Lucy Peel"], strangers["savings"]
    with task_pane(browser, office["base"], office["master"], token=office["finance"]) as pane:
        lines = upload(pane, {lucy.name: lucy.read_bytes(), savings.name: savings.read_bytes()})
        got = upload_lines(lines)
        assert lucy.name in got, lines
        assert got[lucy.name].startswith("✗ ") and "the PMO uploads those" in got[lucy.name]
        assert got[savings.name].startswith("✓ ")
        assert [p for p in returns.iterdir() if p.is_file()] == []
        assert [p.name for p in (returns / "savings").iterdir()] == [savings.name]
        # Reconcile savings reads the savings folder: this one return
        result = press(pane, "reconcile_savings")
        assert "1 project reconciled from 1 return in the savings returns folder" in result
        pane.page.locator(".xlt-remove").click()  # finance may take back a savings return
        pane.page.wait_for_function("() => document.querySelector('#xlt-upload-list')"
                                    ".textContent.includes('removed from the savings')")
        assert list((returns / "savings").iterdir()) == []


def test_upload_with_no_master_open_says_to_open_it(browser, office):
    lucy = office["filled"]["Lucy Peel"]
    with task_pane(browser, office["base"], lucy, token=office["pmo"]) as pane:
        lines = upload(pane, {lucy.name: lucy.read_bytes()})
        assert len(lines) == 1 and "an officer's return, not the master" in lines[0]
        assert "Open the PMO's master" in lines[0]
    assert [p for p in (office["root"] / "returns").iterdir() if p.is_file()] == []


def test_consolidate_names_the_files_not_merged_and_why(browser, office, strangers):
    returns = office["root"] / "returns"
    lucy = office["filled"]["Lucy Peel"]
    (returns / lucy.name).write_bytes(lucy.read_bytes())
    (returns / "Q3 by hand.xlsx").write_bytes(strangers["next quarter"].read_bytes())
    (returns / "notes.xlsx").write_bytes(b"just some text, not a workbook")
    try:
        with task_pane(browser, office["base"], office["master"], token=office["pmo"]) as pane:
            press(pane, "consolidate")
            message = pane.page.inner_text("#xlt-result-message")
            assert "1 of 3 files in the returns folder merged: 1 action updated" in message
            assert "Not merged (2 files):" in message
            assert "• Q3 by hand.xlsx: return is for Q3 2019/20" in message
            notes = next(line for line in message.splitlines() if "notes.xlsx" in line)
            assert len(notes) > len("• notes.xlsx: ") + 10  # why, in words
            assert str(returns) not in message and "/tmp" not in message
            assert "No return from Nigel Stevenson (2 actions)." in message
    finally:
        for path in returns.iterdir():
            if path.is_file():
                path.unlink()


def test_consolidate_as_of_the_date_in_the_as_of_box(browser, office):
    """Lucy Peel's update is dated 7 October 2019: as at the 5th it is in the future, a
    typo to flag, not an update."""
    returns = office["root"] / "returns"
    lucy = office["filled"]["Lucy Peel"]
    (returns / lucy.name).write_bytes(lucy.read_bytes())
    try:
        with task_pane(browser, office["base"], office["master"], token=office["pmo"]) as pane:
            pane.page.fill("#xlt-as-of", "2019-10-05")
            press(pane, "consolidate")
            message = pane.page.inner_text("#xlt-result-message")
            assert "Judged as at 05 October 2019 (the As of date)." in message
            assert "1 invalid row, kept and flagged INVALID" in message
    finally:
        (returns / lucy.name).unlink()


def test_flag_stale_as_of_the_date_in_the_as_of_box(browser, office):
    with task_pane(browser, office["base"], office["master"], token=office["pmo"]) as pane:
        pane.page.fill("#xlt-as-of", "2019-10-14")
        result = press(pane, "flag_stale")
        assert "actions flagged as at 14 October 2019" in result
        assert "No progress update: " in result and "NO_UPDATE" not in \
            pane.page.inner_text("#xlt-result-message")


def test_next_quarter_refusal_in_words_then_carried_by_choice(browser, office, tmp_path):
    from conftest import SAMPLE_PLAN
    from excel_books import ACTIONS

    from xltools.plan import Plan
    from xltools.workbook.book import Book
    from xltools.workbook.writer import write_book

    rows = [dict(r) for r in ACTIONS]
    rows[1]["rag"] = "Gren"  # not on the RAG scheme: next quarter would lose it
    master = write_book(Book(plan=Plan.load(SAMPLE_PLAN), actions=rows),
                        tmp_path / "Problem master.xlsx")
    with task_pane(browser, office["base"], master, token=office["pmo"]) as pane:
        assert "Not ticked" in pane.page.inner_text("#xlt-carry-said")
        assert "Not ticked" in pane.page.inner_text("#xlt-unconsolidated-said")
        result = press(pane, "next_quarter")  # never consolidated: the command line's rule
        assert pane.page.inner_text("#xlt-result-title") == "Next quarter was not built"
        assert "no returns have been consolidated into this master for Q2 2019/20" in result
        assert "tick 'No returns this quarter'" in result and "--unconsolidated" not in result
        pane.page.check("#xlt-unconsolidated")
        assert "had no returns" in pane.page.inner_text("#xlt-unconsolidated-said")
        result = press(pane, "next_quarter")  # the problem is next
        assert pane.page.inner_text("#xlt-result-title") == "Next quarter was not built"
        assert "Carry problems into next quarter" in result and "--carry" not in result
        pane.page.check("#xlt-carry")
        assert "flagged CARRIED" in pane.page.inner_text("#xlt-carry-said")
        result = press(pane, "next_quarter")
        assert pane.page.inner_text("#xlt-result-title") == "xltools: next quarter"
        assert "1 action carried with unresolved problems (1.2)" in result
        # the browser logs the refusal's 400; nothing else went wrong
        assert [e for e in pane.errors if "status of 400" not in e] == []


def test_an_officer_cannot_upload(browser, office):
    with task_pane(browser, office["base"], office["master"], token=office["officer"]) as pane:
        pane.page.evaluate("() => document.getElementById('xlt-upload-card')"
                           ".classList.remove('d-none')")  # the server refuses anyway
        lines = upload(pane, {"x.xlsx": office["filled"]["Lucy Peel"].read_bytes()})
        assert len(lines) == 1 and "pmo" in lines[0].lower() and "✓" not in lines[0]
    assert [p for p in (office["root"] / "returns").iterdir() if p.is_file()] == []


def test_upload_then_consolidate_gives_the_master_and_the_backup(browser, office, tmp_path):
    lucy = office["filled"]["Lucy Peel"]
    with task_pane(browser, office["base"], office["master"], token=office["pmo"]) as pane:
        assert upload(pane, {lucy.name: lucy.read_bytes()})[0] == "1 file accepted."
        result = press(pane, "consolidate")
        assert "xltools: consolidate" in result
        counts = dict(row.split("\t") for row in
                      pane.page.inner_text("#xlt-result-counts").splitlines())
        assert counts["returns merged"] == "1"
        assert "0" not in counts.values()  # only the counts that are not zero
        message = pane.page.inner_text("#xlt-result-message")
        assert "The one file in the returns folder merged: 1 action updated" in message
        assert "No return from Nigel Stevenson (2 actions)." in message  # named, as the CLI
        assert "CONFLICT 0" not in message and "See the Flags column" not in message
        links = pane.page.locator("#xlt-result-links button")
        names = [links.nth(i).inner_text() for i in range(links.count())]
        assert len(names) == 2 and any("before consolidation" in n for n in names)
        got = {}
        for _ in names:  # a used link's button gives way to "downloaded"
            path = download(pane, links.first, tmp_path)
            got[path.name] = load_workbook(io.BytesIO(path.read_bytes()))
        backup = next(wb for n, wb in got.items() if "before consolidation" in n)
        merged = next(wb for n, wb in got.items() if "before consolidation" not in n)
        update = "Agency spend down 12% since July"
        assert update in str([c.value for c in merged["Actions"]["A"]] +
                             [c.value for row in merged["Actions"].iter_rows() for c in row])
        assert update not in str([c.value for row in backup["Actions"].iter_rows() for c in row])
        # consolidated by file: the open workbook is not changed (the PMO opens the download)
        assert update not in str(pane.sheet("Actions")["values"])
        assert pane.log()["writes"] == []
        assert pane.errors == []
    empty_returns(office)


def test_consolidate_adopts_returns_from_a_rebuilt_master_when_ticked(browser, office,
                                                                     tmp_path):
    """The returns were issued from Master A; the PMO rebuilt the master (a new plan ID)
    and opened it: Consolidate names them not merged and points at the box; ticked, it
    merges them and says they were adopted."""
    from dataclasses import replace

    from xltools.plan import mint_plan_id
    from xltools.workbook.reader import read_book
    from xltools.workbook.writer import write_book

    book = read_book(office["master"])
    first = write_book(replace(book, plan=replace(book.plan, plan_id=mint_plan_id())),
                       tmp_path / "Master A.xlsx")
    rebuilt = write_book(replace(book, plan=replace(book.plan, plan_id=mint_plan_id())),
                         tmp_path / "Master.xlsx")
    issued = write_returns(first, tmp_path / "issued")
    returns = office["root"] / "returns"
    for path in issued.values():
        (returns / path.name).write_bytes(path.read_bytes())
    try:
        with task_pane(browser, office["base"], rebuilt, token=office["pmo"]) as pane:
            assert "Not ticked" in pane.page.inner_text("#xlt-adopt-said")
            press(pane, "consolidate")
            message = pane.page.inner_text("#xlt-result-message")
            assert f"Not merged ({len(issued)} files):" in message
            assert "tick 'Adopt returns from a rebuilt master' beside Consolidate" in message
            pane.page.check("#xlt-adopt")
            assert "every action ID match" in pane.page.inner_text("#xlt-adopt-said")
            press(pane, "consolidate")
            message = pane.page.inner_text("#xlt-result-message")
            assert f"All {len(issued)} files in the returns folder merged" in message
            assert f"{len(issued)} returns from an earlier master of this plan adopted" in \
                message
            assert pane.errors == []
    finally:
        empty_returns(office)


# -- the shim itself: the document file, as Office.js hands it over ------------------------

FILE_SLICES = """async ([size]) => {
    const open = (options) => new Promise((resolve) =>
        Office.context.document.getFileAsync(Office.FileType.Compressed, options, resolve));
    const slice = (file, i) => new Promise((resolve) => file.getSliceAsync(i, resolve));
    const first = await open({sliceSize: size});
    const file = first.value;
    const bytes = [];
    for (let i = 0; i < file.sliceCount; i += 1) {
        const got = await slice(file, i);
        if (got.value.index !== i || !Array.isArray(got.value.data)) return "bad slice";
        bytes.push(...got.value.data);
    }
    const second = await open({});
    const third = await open({});  // a third open file is refused
    const past = await slice(file, file.sliceCount);
    const tooBig = await open({sliceSize: 4194305});
    await new Promise((r) => file.closeAsync(r));
    const afterClose = await slice(file, 0);
    await new Promise((r) => second.value.closeAsync(r));
    return {status: first.status, size: file.size, count: file.sliceCount, bytes,
            third: third.status, past: past.status, tooBig: tooBig.status,
            afterClose: afterClose.status};
}"""


def test_the_shim_hands_over_the_workbook_file_in_slices(browser, office):
    with task_pane(browser, office["base"], office["master"]) as pane:
        got = pane.page.evaluate(FILE_SLICES, [65536])
    data = office["master"].read_bytes()
    assert got["status"] == "succeeded" and got["size"] == len(data)
    assert got["count"] == -(-len(data) // 65536) and bytes(got["bytes"]) == data
    assert (got["third"], got["past"], got["tooBig"], got["afterClose"]) == ("failed",) * 4


# -- screenshots for the guides ---------------------------------------------------------------


def shoot(pane, name: str, folder: Path) -> Path:
    path = folder / f"taskpane-{name}.png"
    pane.page.evaluate("() => window.scrollTo(0, 0)")
    pane.page.screenshot(path=str(path))
    return path


def test_the_guides_show_the_task_pane(browser, office, strangers, tmp_path):
    """The views the guides show, rendered from the real page at the task pane's 350 px;
    written into docs/images with XLTOOLS_REGEN_DOCS=1, else into a temporary folder and
    only checked to render."""
    folder = IMAGES if os.environ.get("XLTOOLS_REGEN_DOCS") else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    lucy = office["filled"]["Lucy Peel"]
    shots = []
    with task_pane(browser, office["base"], lucy, token=office["officer"]) as pane:
        press(pane, "check_return")
        pane.page.wait_for_function("() => document.getElementById('xlt-signin-status')"
                                    ".textContent.startsWith('Signed in')")
        shots.append(shoot(pane, "officer", folder))
    with task_pane(browser, office["base"], office["master"], token=office["pmo"]) as pane:
        other = strangers["other plan"]
        upload(pane, {**returns_to_upload(office),
                      "Adults_Lucy_Peel.xlsx": other.read_bytes()})
        pane.page.locator("#xlt-upload-card").scroll_into_view_if_needed()
        path = folder / "taskpane-upload.png"
        pane.page.locator("#xlt-upload-card").screenshot(path=str(path))
        shots.append(path)
        nigel = office["filled"]["Nigel Stevenson"].name  # taken back: his return is missing
        pane.page.locator("#xlt-upload-list li", has_text=nigel).locator(".xlt-remove").click()
        pane.page.wait_for_function("() => document.querySelector('#xlt-upload-list')"
                                    ".textContent.includes(' removed from the returns')")
        pane.page.locator("#xlt-upload-list").evaluate("list => list.replaceChildren()")
        press(pane, "consolidate")
        shots.append(shoot(pane, "pmo", folder))
        pane.page.locator("#xlt-next-quarter-card").scroll_into_view_if_needed()
        path = folder / "taskpane-next-quarter.png"
        pane.page.locator("#xlt-next-quarter-card").screenshot(path=str(path))
        shots.append(path)
    for path in (office["root"] / "returns").iterdir():
        if path.is_file():
            path.unlink()
    with task_pane(browser, office["base"], office["master"], token=office["finance"]) as pane:
        upload(pane, {strangers["savings"].name: strangers["savings"].read_bytes(),
                      office["filled"]["Lucy Peel"].name:
                      office["filled"]["Lucy Peel"].read_bytes()})
        shots.append(shoot(pane, "finance", folder))
    for path in (office["root"] / "returns" / "savings").iterdir():
        path.unlink()
    with task_pane(browser, office["base"], office["master"]) as pane:
        pane.page.wait_for_function(
            "() => document.getElementById('xlt-signin-status').textContent")
        shots.append(shoot(pane, "signed-out", folder))
    for path in shots:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 5000
    guides = "".join((ROOT / "docs" / name).read_text() for name in (
        "pmo-returns.md", "officer-guide.md", "finance-guide.md", "it-guide.md"))
    for path in shots:
        assert f"images/{path.name}" in guides, path.name
        assert (IMAGES / path.name).exists(), f"run XLTOOLS_REGEN_DOCS=1 for {path.name}"


@pytest.mark.parametrize("button", [b for b in BUTTONS if b.roles],
                         ids=[b.script for b in BUTTONS if b.roles])
def test_every_pmo_button_runs_in_the_pane_without_an_error(browser, office, button):
    """Each button's answer (values, sheets, widths, charts, protection, alerts) applies
    to the workbook in Excel with no error on the pane or in the console."""
    with task_pane(browser, office["base"], office["master"], token=office["pmo"]) as pane:
        if button.script == "next_quarter":  # this master was never consolidated
            pane.page.check("#xlt-unconsolidated")
        result = press(pane, button.script)
        assert pane.page.is_hidden("#global-error-alert"), \
            pane.page.inner_text("#global-error-alert")
        (dialog,) = pane.log()["dialogs"]
        assert dialog["title"] in result and dialog["title"].startswith("xltools: ")
        assert pane.errors == []


# -- the in-book path (Excel without getFileAsync): the choices as script arguments -------


def test_in_book_scripts_take_the_panes_choices_as_arguments(office, tmp_path):
    """Where Office cannot give the file, the buttons run in the workbook: the As of date
    and the carry choice go as the script's arguments (xw-args), as the pane sends them."""
    import httpx
    from conftest import SAMPLE_PLAN
    from excel_books import ACTIONS
    from officejs_payload import book_payload
    from test_server_security import bearer

    from xltools.plan import Plan
    from xltools.workbook.book import Book
    from xltools.workbook.writer import write_book

    def call(script: str, path: Path, args: list) -> dict:
        response = httpx.post(f"{office['base']}/xlwings/custom-scripts-call/{script}",
                              json=book_payload(path, args=args),
                              headers=bearer(office["pmo"]), timeout=120)
        assert response.status_code == 200, response.text
        return next(a for a in response.json()["actions"] if a["func"] == "alert")

    flagged = call("flag_stale", office["master"], ["2019-10-14"])
    assert "actions flagged as at 14 October 2019" in flagged["args"][0]
    bad = call("flag_stale", office["master"], ["14/10/2019"])
    assert bad["args"][1] == "The flags were not updated" and "As of box" in bad["args"][0]
    rows = [dict(r) for r in ACTIONS]
    rows[1]["rag"] = "Gren"
    master = write_book(Book(plan=Plan.load(SAMPLE_PLAN), actions=rows), tmp_path / "P.xlsx")
    unconsolidated = call("next_quarter", master, [False, False])
    assert unconsolidated["args"][1] == "Next quarter was not built"
    assert "tick 'No returns this quarter'" in unconsolidated["args"][0]
    refused = call("next_quarter", master, [False, True])
    assert refused["args"][1] == "Next quarter was not built"
    assert "tick 'Carry problems into next quarter'" in refused["args"][0]
    carried = call("next_quarter", master, [True, True])
    assert "carried with unresolved problems (1.2)" in carried["args"][0]
    assert "rolled on as asked ('No returns this quarter' was ticked)" in carried["args"][0]
