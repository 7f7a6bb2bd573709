"""The committee tracker paper: written from the hand-built master, read back with
python-docx (tables, shading, header rows, page furniture) and, with --pdf,
converted by LibreOffice Writer."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from docx import Document
from docx.oxml.ns import qn
from pmo_master import ACTIONS, AS_OF, S1, S2, S3, master_book

from xltools.cli import main
from xltools.reporting.paper import write_paper
from xltools.workbook.reader import read_book
from xltools.workbook.writer import write_book


@pytest.fixture
def master(tmp_path, plan):
    return write_book(master_book(plan), tmp_path / "master.xlsx")


def _rows(table) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows]


def _fill(cell) -> str | None:
    shd = cell._tc.tcPr.find(qn("w:shd")) if cell._tc.tcPr is not None else None
    return None if shd is None else shd.get(qn("w:fill"))


def test_paper_holds_every_action_once_grouped_by_section(master, tmp_path, plan):
    assert main(["paper", str(master), "-o", str(tmp_path / "tracker.docx"),
                 "--as-of", AS_OF.isoformat()]) == 0
    doc = Document(tmp_path / "tracker.docx")
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 2"]
    assert headings == [S1, S2, S3]  # the plan's order
    assert len(doc.tables) == 3
    refs = []
    for table in doc.tables:
        rows = _rows(table)
        assert rows[0] == ["Ref", "Improvement action", "Accountable officer", "Lead officer",
                           "What we hope to achieve", "Timeframe", "Success measure",
                           "Progress", "Previous status", "Current status"]
        refs += [r[0].split()[0] for r in rows[1:]]  # "3.6 †": marked, see below
        header = table.rows[0]._tr.trPr
        assert header.find(qn("w:tblHeader")) is not None  # repeated on every page
    assert sorted(refs) == sorted(a[1] for a in ACTIONS)
    by_ref = {r[0]: (row, r) for t in doc.tables for row, r in zip(t.rows, _rows(t), strict=True)}
    row, text = by_ref["2.1"]
    assert text[9] == "Red" and _fill(row.cells[9]) == "FF0000"  # the scheme's colour
    row, text = by_ref["3.5"]
    assert (text[8], _fill(row.cells[8])) == ("Red", "FF0000")  # previous status too
    assert (text[9], _fill(row.cells[9])) == ("Green", "70AD47")
    assert _fill(by_ref["2.4"][0].cells[9]) is None  # no status: not shaded


def test_page_is_a4_landscape_with_title_period_marking_and_page_numbers(master, tmp_path):
    write_paper(read_book(master), tmp_path / "p.docx")
    section = Document(tmp_path / "p.docx").sections[0]
    assert section.page_width > section.page_height
    assert round(section.page_width.cm, 1) == 29.7
    header = " ".join(p.text for p in section.header.paragraphs)
    assert "OFFICIAL" in header and "Q2 2019/20" in header
    footer = section.footer.paragraphs[0]._p.xml
    assert "PAGE" in footer and "NUMPAGES" in footer


def test_exception_report_lists_red_amber_and_overdue_with_why(master, tmp_path):
    main(["paper", str(master), "-o", str(tmp_path / "exc.docx"), "--exceptions",
          "--as-of", AS_OF.isoformat()])
    doc = Document(tmp_path / "exc.docx")
    rows = {r[0].split()[0]: r for t in doc.tables for r in _rows(t)[1:]}
    head = _rows(doc.tables[0])[0]
    assert head[-1] == "Why it is listed" and "Progress" in head
    assert {ref: r[-1] for ref, r in rows.items()} == {
        "1.3": "Amber", "1.5": "Amber; Overdue (due 31 July 2019)", "2.1": "Red",
        "2.8": "Amber",
        # due 14 October: not overdue on the 14th, whatever a stale flag said; its INVALID
        # flag (a RAG typed over the dropdown) marks it as not a confirmed update
        "3.6": "† Invalid entry; Red",
    }
    assert rows["1.5"][4] == "Draft report with the Service Director."  # the narrative


def test_columns_are_configurable_and_unknown_ones_refused(master, tmp_path, capsys):
    out = tmp_path / "c.docx"
    assert main(["paper", str(master), "-o", str(out), "--columns",
                 "Ref, Improvement action, RAG status"]) == 0
    assert _rows(Document(out).tables[0])[0] == ["Ref", "Improvement action", "Current status"]
    assert main(["paper", str(master), "-o", str(out), "--columns", "Ref,Budget"]) == 2
    assert "no column 'Budget'" in capsys.readouterr().err


def test_pdf_of_the_paper(master, tmp_path, soffice):
    if not _has_writer():
        if os.environ.get("XLTOOLS_REQUIRE_SOFFICE"):  # `make test` installs Writer
            pytest.fail("LibreOffice Writer is required: apt-get install "
                        "libreoffice-writer-nogui")
        pytest.skip("LibreOffice Writer not installed")
    assert main(["paper", str(master), "-o", str(tmp_path / "t.docx"), "--pdf"]) == 0
    pdf = tmp_path / "t.pdf"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "progress tracker" in text and "Page 1 of" in text and "OFFICIAL" in text
    assert S2.split(". ", 1)[1] in text


def _has_writer() -> bool:
    from pathlib import Path

    real = Path(shutil.which("soffice") or "").resolve().parent
    return any((real / name).exists() for name in ("libswlo.so", "swriter"))


# -- pins (issue 28): each failed with its bug planted (bench/mutants.py) ----------------


def test_an_action_not_given_its_id_yet_is_still_on_the_paper(tmp_path, plan):
    """The PMO typed a new action into a spare row just before committee (the ID
    comes at the next consolidation): the committee must still see it. Only a row
    with neither an ID nor an action is left out."""
    book = master_book(plan)
    book.actions.append({"ref": "3.7", "section": S3, "action": "Launch a staff survey.",
                         "lead_officer": "Lucy Peel"})
    master = write_book(book, tmp_path / "master.xlsx")
    assert main(["paper", str(master), "-o", str(tmp_path / "tracker.docx"),
                 "--as-of", AS_OF.isoformat()]) == 0
    rows = [r for t in Document(tmp_path / "tracker.docx").tables for r in _rows(t)[1:]]
    assert ["3.7", "Launch a staff survey."] in [r[:2] for r in rows]
    assert len(rows) == len(ACTIONS) + 1  # the empty spare rows are not printed
