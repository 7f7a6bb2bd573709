"""What the PMO and the committee see, on the demo's real cycle: the paper, the
exception report, the highlight report and the chase e-mails mark every action whose
position is not this quarter's confirmed update, name actions by Ref and title (never
by internal ID alone), and print at 8 pt or more.

The demo's returns hold one of each kind: Rob Disney pasted "On track" on 2.8 and
Nigel Harlow typed a text date on 3.2 (invalid), Lucy Peel and Helen Richardson
disagree on 3.6 (conflict), John Nilan sent nothing for 3.3 (no return), and Jon
Hawketts left 2.5 blank (carried forward). Fonts are measured from the PDFs
LibreOffice writes; the Word table rows are read back with python-docx.
"""

from __future__ import annotations

import os
import subprocess
import sys
from email import policy
from email.parser import BytesParser

import pdfplumber
import pytest
from conftest import ROOT
from docx import Document
from docx.oxml.ns import qn

from xltools.cycle.returns import STATE_KEY
from xltools.findings import action_reference, cut_words
from xltools.reporting import positions

MARKED = {"2.8": "†", "3.2": "†", "3.6": "‡", "3.3": "§", "2.5": "¶"}
XLTOOLS = [sys.executable, "-m", "xltools"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo's steps up to the committee outputs, run as a PMO would, into a tmp folder."""
    import shutil

    if not (shutil.which("soffice") or shutil.which("libreoffice")):
        pytest.skip("LibreOffice not installed")
    out = tmp_path_factory.mktemp("demo")
    code = ("import sys; sys.path.insert(0, 'demo'); import run_demo as d\n"
            "for step in d.STEPS[:7]: step()\n")
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, timeout=900, env=dict(os.environ, XLTOOLS_DEMO_OUT=str(out)))
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return out, run.stdout


def _pdf_pages(path) -> list[tuple[str, float]]:
    with pdfplumber.open(path) as pdf:
        return [(page.extract_text() or "", min(c["size"] for c in page.chars))
                for page in pdf.pages]


def _rows(docx) -> list[list[str]]:
    """Every table row of a Word document, as its cells' text."""
    return [[cell.text for cell in row.cells] for table in Document(docx).tables
            for row in table.rows]


def test_highlight_report_is_8_pt_or_more_and_marks_unconfirmed_actions(demo):
    out, _ = demo
    pages = _pdf_pages(out / "highlight_report.pdf")
    assert all(size >= 8.0 for _, size in pages), [size for _, size in pages]
    text = "\n".join(t for t, _ in pages)
    assert "Not this quarter's confirmed update (5)" in text
    for ref, marker in MARKED.items():
        assert f"{ref} {marker}" in text, ref
    for kind in positions.KINDS.values():  # the key says what each marker means
        assert f"{kind.marker} {kind.label}: {kind.note}." in " ".join(text.split())
    flat = " ".join(text.split())  # titles and officer lists wrap in full, not cut with "…"
    assert "2.3 Increase the number of" in flat and "will be four." in flat
    assert "Sue Milburn / Lucy Peel / Marion Clay" in flat


def test_paper_marks_each_unconfirmed_row_with_a_key_and_rows_never_split(demo):
    out, _ = demo
    rows = _rows(out / "tracker.docx")
    by_ref = {r[0].split()[0]: r for r in rows[1:] if r[0] and r[0] != "Ref"}
    for ref, marker in MARKED.items():
        row = by_ref[ref]
        assert row[0].split() == [ref, marker], row[0]  # by a no-break space: one line
        assert row[7].startswith(marker)  # Progress opens with why it is not confirmed
    assert by_ref["2.8"][9].split() == ["On", "track", "†"]  # as given, not as a RAG
    assert by_ref["2.8"][7].startswith(  # what is invalid, in words
        "† Invalid entry: RAG status 'On track' is not one of the allowed values\n")
    assert by_ref["3.2"][7].startswith("† Invalid entry: Last updated '7th Oct' is text "
                                       "xltools can't read as a date\n")
    assert by_ref["3.6"][9].split() == ["Returns", "disagree", "‡"]  # not last quarter's
    assert by_ref["3.3"][9].split() == ["No", "return", "§"]
    assert by_ref["1.1"][0] == "1.1"  # a confirmed update carries no marker
    body = "\n".join(p.text for p in Document(out / "tracker.docx").paragraphs)
    assert "Marked rows are not this quarter's confirmed update" in body
    assert "Invalid entry (2)" in body and "Not updated this quarter (1)" in body
    for table in Document(out / "tracker.docx").tables:
        for row in table.rows:
            assert row._tr.trPr is not None and row._tr.trPr.find(qn("w:cantSplit")) is not None
    assert min(size for _, size in _pdf_pages(out / "tracker.pdf")) >= 8.0


def test_exception_report_lists_the_unconfirmed_actions_with_why(demo):
    out, _ = demo
    rows = _rows(out / "exception_report.docx")
    reasons = {r[0].split()[0]: r[-1] for r in rows if r[0] and r[0] != "Ref"}
    for ref, marker in MARKED.items():
        assert ref in reasons and reasons[ref].startswith(marker), (ref, reasons.get(ref))
    assert reasons["3.6"] == "‡ Returns disagree"


def test_paper_tells_the_pmo_how_many_of_each(demo):
    out, _ = demo
    run = subprocess.run(XLTOOLS + ["paper", str(out / "master_Q2_2019-20_dashboard.xlsx"),
                                    "--as-of", "2019-10-21", "-o", str(out / "again.docx")],
                         capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    lines = [" ".join(line.split()) for line in run.stdout.splitlines()]
    assert "5 actions are marked as not this quarter's confirmed update:" in lines
    for line in ("† Invalid entry: 2", "‡ Returns disagree: 1", "§ No return: 1",
                 "¶ Not updated this quarter: 1"):
        assert line in lines


def test_no_message_or_e_mail_names_an_action_by_id_alone(demo):
    out, stdout = demo
    consolidate = stdout.split("$ xltools consolidate")[1].split("$ xltools")[0]
    flags = stdout.split("$ xltools flags")[1].split("$ xltools")[0]
    for table in (consolidate, flags):
        assert "A-00" not in table
    assert "'Good continuing" in consolidate  # 3.6 by its title
    for eml in (out / "outbox").glob("*.eml"):
        text = BytesParser(policy=policy.default).parse(eml.open("rb")).get_body(
            ("plain",)).get_content()
        assert "A-00" not in text, eml.name


def test_state_key_is_consolidations():
    """reporting.positions reads what cycle.merge writes (it cannot import it)."""
    assert positions.STATE_KEY == STATE_KEY


@pytest.mark.parametrize(("text", "limit", "expected"), [
    ("Short title.", 60, "Short title."),
    ("Good continuing professional development and career progression", 40,
     "Good continuing professional…"),
    ("Antidisestablishmentarianismology is long", 12, "Antidisesta…"),  # one long word
    ("  spaced \n out  ", 60, "spaced out"),
])
def test_titles_are_cut_at_a_word(text, limit, expected):
    assert cut_words(text, limit) == expected
    assert len(cut_words(text, limit)) <= limit


def test_an_action_is_named_by_ref_and_title_its_id_only_when_it_has_neither():
    assert action_reference("2.8", "Ensure capacity", "A-0014") == "2.8 'Ensure capacity'"
    assert action_reference("2.8", None, "A-0014") == "2.8"
    assert action_reference(None, "Ensure capacity", "A-0014") == "'Ensure capacity'"
    assert action_reference(None, None, "A-0014") == "A-0014"


@pytest.mark.parametrize("shape", ["tracker", "programme"])
@pytest.mark.parametrize("kind", ["template", "master", "return"])
def test_screen_only_columns_come_after_every_printed_one(kind, shape):
    """The print area is one block from A: a column shown but not printed (a master's
    Last updated, Updated by, Flags; a programme master's Start and Revised end) must
    sit right of the last printed column."""
    from xltools.workbook import return_layout
    from xltools.workbook.layout import ACTIONS_LAYOUT
    from xltools.workbook.sheet_setup import PAGE_WIDTH_UNITS

    layout = ACTIONS_LAYOUT.for_shape(shape)
    last = layout.last_printed(kind)
    for index, column in enumerate(layout.columns, start=1):
        if column.key in layout.screen_only(kind):
            assert index > last, column.name
    if shape == "tracker":
        widths = sum(c.width_in(kind) for c in layout.columns[:last] if kind in c.shown)
        assert kind == "template" or widths <= 140  # A4 landscape at 8 pt or more
    # as written: a return's own widths; 80 % of A4 landscape is 8 pt for 10 pt text
    written = return_layout.widths(layout, kind)
    printed = sum(written[c.key] for c in layout.columns[:last]
                  if return_layout.shown(layout, kind, c.key))
    assert kind == "template" or printed <= PAGE_WIDTH_UNITS / 0.8
    if kind == "return" and shape == "programme":  # the RDL sees and prints both
        assert {"start", "revised_end"} <= {c.key for c in layout.columns[:last]
                                           if return_layout.shown(layout, kind, c.key)}
