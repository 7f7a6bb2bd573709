"""Issue 24, items 1-7: returns an officer can't misread, `xltools check` applying what
consolidation will, the savings-only return, and the reconciliation finance prints.

Real files throughout: the demo's legacy tracker imported as its master, returns issued
by the real code, edited with openpyxl as Excel saves them, checked with the real CLI and
rendered by LibreOffice (PDF read back with pdfplumber).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pdfplumber
import pytest
from conftest import ROOT, SAMPLE_PLAN, convert
from openpyxl import load_workbook

from xltools.cycle.returns import issue_returns
from xltools.legacy.importer import import_legacy, write_import
from xltools.plan import Plan
from xltools.workbook.reader import read_book
from xltools.workbook.return_layout import FULL_TEXT, MORE

LEGACY = ROOT / "workbook_templates" / "legacy_plan_2019.tsv"
SUE = "Q2_2019-20_Sue_Milburn.xlsx"  # holds 2.9, the demo's longest previous progress
JON = "Q2_2019-20_Jon_Hawketts.xlsx"
sys.path.insert(0, str(ROOT / "demo"))


def xltools(*args: object) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "xltools", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, env={"COLUMNS": "200",
                                                               "PATH": "/usr/bin:/bin",
                                                               "PYTHONPATH": str(ROOT)})


@pytest.fixture(scope="module")
def issued(tmp_path_factory):
    folder = tmp_path_factory.mktemp("officer")
    master = write_import(import_legacy(LEGACY, plan=Plan.load(SAMPLE_PLAN),
                                        period="Q2 2019/20"), folder / "master.xlsx")
    issue_returns(master, folder / "returns")
    return master, folder / "returns"


def words(text: str) -> str:
    return " ".join(text.split())


def pages(pdf: Path) -> list:
    with pdfplumber.open(pdf) as doc:
        return [{"text": p.extract_text() or "", "chars": p.chars,
                 "sizes": [c["size"] for c in p.chars],
                 "column": column_text(p, "Previous", "progress")} for p in doc.pages]


def column_text(page, first: str, second: str) -> str:
    """The printed text of the column headed ``first second`` (between the headers
    either side of it), or '' on a page without that header."""
    found = page.extract_words()
    heads = [w for w, n in zip(found, found[1:], strict=False)
             if w["text"] == first and n["text"] == second and abs(w["top"] - n["top"]) < 2]
    if not heads:
        return ""
    head = heads[0]
    edges = sorted({round(e["x0"], 1) for e in page.edges if e["orientation"] == "v"})
    x0 = max((x for x in edges if x < head["x0"]), default=0)
    x1 = min((x for x in edges if x > head["x1"]), default=page.width)
    return page.crop((x0, head["bottom"] + 2, x1, page.height - 40)).extract_text() or ""


def overprinted(chars: list[dict]) -> list[str]:
    """Characters drawn over another character (text running into the next row)."""
    boxes = sorted((c for c in chars if c["text"].strip()), key=lambda c: (c["x0"], c["top"]))
    hits = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            if b["x0"] >= a["x1"] - 0.5:
                break
            overlap_x = min(a["x1"], b["x1"]) - max(a["x0"], b["x0"])
            overlap_y = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
            if overlap_x > 1 and overlap_y > 2:
                hits.append(a["text"] + b["text"])
    return hits


def test_longest_previous_progress_prints_whole_without_overprint(issued, soffice, tmp_path):
    master, returns = issued
    full = words(read_book(master).action("A-0015")["progress_update"])
    assert len(full) > 1000  # action 2.9: too long for Excel's 409 pt row at any width
    pdf = pages(convert(soffice, returns / SUE, "pdf", tmp_path))
    text = words(" ".join(p["text"] for p in pdf))
    assert full in text  # every sentence printed, on the Full text sheet
    cell = words(next(p["column"] for p in pdf if "2.9" in p["text"] and p["column"]))
    assert cell.endswith(words(MORE))  # the Actions cell says where the rest is…
    shown = cell[cell.index(full[:30]): -len(words(MORE))].strip()  # (2.7 is above it)
    assert len(shown) > 400 and full.startswith(shown)  # …after the start of it, uncut
    for page in pdf:
        assert not overprinted(page["chars"]), "text drawn over other text"
        assert min(page["sizes"]) >= 8.0
    actions = next(p["text"] for p in pdf if "Improvement action" in p["text"]
                   and "Progress update" in p["text"])
    # the joint action's co-owners, so officers can agree who writes the update
    assert "Lead officer" in actions and "Accountable" in actions
    assert "Lucy Peel" in actions and "Marion Clay" in actions
    assert FULL_TEXT in load_workbook(returns / SUE).sheetnames


def test_a_return_cut_to_fit_consolidates_without_locked_changes(issued, tmp_path):
    master, returns = issued
    report = json.loads(xltools("check", returns / SUE, "--master", master, "--json").stdout)
    assert "LOCKED_CHANGED" not in report["counts"]
    alone = json.loads(xltools("check", returns / SUE, "--json").stdout)  # its fingerprint
    assert "LOCKED_CHANGED" not in alone["counts"] and alone["not_filled_in"]


def _edit(path: Path, out: Path, cells: dict[tuple[int, str], object]) -> Path:
    wb = load_workbook(path)
    ws = wb["Actions"]
    head = [c.value for c in ws[1]]
    for (row, header), value in cells.items():
        ws.cell(row, head.index(header) + 1).value = value
    wb.save(out)
    return out


def test_check_finds_every_officer_mistake_with_a_suggestion(issued, tmp_path):
    master, returns = issued
    ret = _edit(returns / JON, tmp_path / JON, {
        (2, "Timeframe"): "whenever",  # locked cell typed over
        (2, "Progress update"): "Caseloads within limits.", (2, "RAG status"): "Gren",
        (2, "Last updated"): "14/10/2019",  # text, as a US-locale Excel stores it
        (3, "Previous progress"): "We agreed the plan with the board in September.",
        (3, "RAG status"): "On track",
        (4, "Progress update"): "Recruited.", (4, "RAG status"): "G",
        (4, "Last updated"): "2019-10-14",
        (5, "Updated by"): "The bond is live and the first families started in October.",
    })
    done = xltools("check", ret, "--as-of", "2019-10-21")
    out = " ".join(done.stdout.split())
    assert "Ready to send" not in out
    assert out.count("did you mean Green?") == 3  # Gren, On track, G
    assert "Timeframe was changed, but it is locked" in out
    assert "looks like your update went in the Previous progress column" in out
    assert "WRONG_COLUMN" in out and "Updated by holds what looks like" in out
    # dates stored as text that name one day: read as that day, and said so
    assert "Last updated '14/10/2019' is stored as text; read as 14 October 2019" in out
    assert "Last updated '2019-10-14' is stored as text; read as 14 October 2019" in out
    assert "not a date" not in out and "can't read" not in out
    assert "A-00" not in out  # refs and titles, not internal IDs
    assert "2.3 " in out
    data = json.loads(xltools("check", ret, "--as-of", "2019-10-21", "--json").stdout)
    assert data["counts"]["LOCKED_CHANGED"] == 2 and data["ready"] is False
    assert "2 locked cell(s) changed" in data["verdict"]
    against = " ".join(xltools("check", ret, "--master", master, "--as-of",
                               "2019-10-21").stdout.split())
    assert "locked cell(s) changed" in against
    assert "looks like your update went in the Previous progress column" in against


def test_a_date_text_that_is_no_day_is_told_without_contradiction(issued, tmp_path):
    _, returns = issued
    ret = _edit(returns / JON, tmp_path / JON, {(2, "Last updated"): "7th Oct",
                                                (3, "Last updated"): "31/02/2019"})
    out = " ".join(xltools("check", ret, "--as-of", "2019-10-21").stdout.split())
    assert "'7th Oct' is text xltools can't read as a date" in out
    assert "'31/02/2019' is not a real day" in out


def test_an_untouched_return_is_not_filled_in_yet(issued):
    _, returns = issued
    out = " ".join(xltools("check", returns / JON).stdout.split())
    assert "Not filled in yet" in out and "Ready to send" not in out


@pytest.fixture(scope="module")
def savings(tmp_path_factory):
    from savings_sample import write_sample

    folder = tmp_path_factory.mktemp("savings")
    baseline, returns = write_sample(ROOT / "workbook_templates" / "sample_savings.json",
                                     SAMPLE_PLAN, folder)
    return folder, baseline, returns


def test_savings_only_return_guides_and_prints_what_it_holds(savings, soffice, tmp_path):
    folder, _, _ = savings
    ret = folder / "savings_issued" / "Q2_2019-20_savings_Steve_Edwards.xlsx"
    pdf = pages(convert(soffice, ret, "pdf", tmp_path))
    assert len(pdf) == 2  # Guidance and Savings: no empty Actions page
    assert "Go to the Savings sheet" in pdf[0]["text"]
    assert "Go to the Actions sheet" not in pdf[0]["text"]
    assert "money in £000" in pdf[1]["text"] and "150.0" not in pdf[1]["text"]
    assert min(pdf[1]["sizes"]) >= 8.0
    out = " ".join(xltools("check", ret).stdout.split())
    assert "YEAR_OUT_OF_RANGE" not in out  # finance's year, not the officer's to fix
    assert "Not filled in yet" in out and "Ready to send" not in out


def test_reconciliation_prints_the_committee_tables_only(savings, soffice, tmp_path):
    folder, baseline, returns = savings
    out = tmp_path / "rec.xlsx"
    assert xltools("savings", baseline, *returns, "-o", out).returncode == 0
    pdf = pages(convert(soffice, out, "pdf", tmp_path))
    text = "\n".join(p["text"] for p in pdf)
    assert "How to fill in" not in text and "Improvement action" not in text
    assert "Project ref" not in text  # nor the merged Savings rows
    assert min(s for p in pdf for s in p["sizes"]) >= 8.0
    assert "(80)" in text and "-80" not in text
    assert "80Re-profile" not in text and "80 Re-profile" in text  # a gap before the next
    assert "Money in £000." in text  # the intro is not cut
    assert "Reason given:" in text  # the officer's reason beside the change


def test_finance_wrong_moves(savings, issued, tmp_path):
    folder, baseline, returns = savings
    master, _ = issued
    refused = xltools("savings", master, *returns)
    assert refused.returncode != 0
    assert "is not a savings baseline" in refused.stderr + refused.stdout
    blank = " ".join(xltools("savings", baseline, folder / "savings_issued").stdout.split())
    assert "NOT FILLED IN" in blank
    twice = json.loads(xltools("savings", baseline, folder / "savings_returns",
                               *returns, "--json").stdout)
    assert "DUPLICATE_ROW" not in twice["counts"]
    once = json.loads(xltools("savings", baseline, *returns, "--json").stdout)
    assert twice["summary"] == once["summary"]


def test_a_page_long_text_without_a_full_stop_still_fits_every_row(plan, tmp_path):
    """One sentence of 6,000 characters: the cell is cut between words and the Full
    text sheet holds all of it, every row within Excel's 409 pt."""
    from xltools.workbook.book import Book
    from xltools.workbook.layout import RETURN
    from xltools.workbook.return_layout import lines_of, pieces
    from xltools.workbook.writer import write_book

    text = " ".join(f"word{n}" for n in range(1000))
    book = Book(plan=plan, kind=RETURN, officer="Colin Pettigrew", actions=[
        {"id": "A-0001", "ref": "1.1", "action": "Long", "lead_officer": "Colin Pettigrew",
         "previous_progress": text}])
    path = write_book(book, tmp_path / "long.xlsx")
    assert all(lines_of(p, 100) <= 30 for p in pieces(text)) and " ".join(pieces(text)) == text
    wb = load_workbook(path)
    cell = [c.value for c in wb["Actions"][2]][9]
    assert cell.endswith(MORE) and text.startswith(cell[: -len(MORE)])
    rows = list(wb[FULL_TEXT].iter_rows(min_row=2, values_only=True))
    assert " ".join(r[2] for r in rows) == text
    assert all(wb[FULL_TEXT].row_dimensions[n].height <= 409 for n in range(2, len(rows) + 2))
    issued = read_book(path)
    assert issued.actions[0]["previous_progress"] == cell  # read back as shown: no change
