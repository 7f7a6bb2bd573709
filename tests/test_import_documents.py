"""Importing trackers from Word documents and PDF committee papers (issue 14).

The Aug/Sep 2019 seed's table is rebuilt as a council's .docx (tests/tracker_docs.py),
imported with python-docx, then converted to PDF by LibreOffice and imported with
pdfplumber; both are compared cell by cell with the import of the tab-separated text.
"""

from __future__ import annotations

import json
import re

import docx
import pytest
from conftest import SAMPLE_PLAN, SEEDS, convert, soffice_path
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from tracker_docs import write_docx

from xltools.cli import main
from xltools.errors import UsageError
from xltools.legacy.importer import import_legacy
from xltools.plan import Plan
from xltools.workbook.reader import read_book

SEED = SEEDS / "002_aed1e1315f25b11a.txt"
TEXT_KEYS = ("ref", "section", "action", "aim", "timeframe", "success_measure",
             "progress_update", "links")
OFFICER_KEYS = ("accountable_officer", "lead_officer")
BULLETS = ["Panel reviewed in August", "Next panel in September"]


@pytest.fixture(scope="module")
def tsv_actions():
    return import_legacy(SEED, plan=Plan.load(SAMPLE_PLAN)).book.actions


@pytest.fixture(scope="module")
def seed_docx(tsv_actions, tmp_path_factory):
    """The seed as a Word tracker: sections 2–3 in a second table after a heading
    paragraph, 3.6 labelled NEW ACTION, bullets under 1.1's progress."""
    path = tmp_path_factory.mktemp("docx") / "plan.docx"
    return write_docx(path, tsv_actions, split_at=tsv_actions[6]["section"],
                      new_labels=("3.6",), bullets={"1.1": BULLETS})


@pytest.fixture(scope="module")
def seed_pdf(seed_docx, tmp_path_factory):
    soffice = soffice_path()
    if soffice is None:
        pytest.skip("LibreOffice not installed")
    return convert(soffice, seed_docx, "pdf", tmp_path_factory.mktemp("pdf"))


@pytest.fixture(scope="module")
def pdf_report(seed_pdf):
    return import_legacy(seed_pdf, plan=Plan.load(SAMPLE_PLAN))


def _by_ref(report):
    return {a["ref"]: a for a in report.book.actions}


def _first_sentence(value: str) -> str:
    """Its first sentence, spaces tidied; "semi- independent" (as the seed has it)
    reads "semi-independent" — a PDF line ending in a hyphen cannot say which."""
    first = " ".join(re.split(r"(?<=[.!?])\s", value, maxsplit=1)[0].split())
    return first.replace("- ", "-")


def _squashed(value) -> str:
    """Cell text with layout gone: no spaces or line breaks (PDF wrapping, a
    hyphen's space) — what a reader compares with the paper."""
    return re.sub(r"\s+", "", str(value or ""))


# -- Word ----------------------------------------------------------------------
def test_docx_imports_the_same_22_actions_as_the_text(seed_docx, tsv_actions, plan):
    report = import_legacy(seed_docx, plan=plan)
    got = report.book.actions
    assert [a["ref"] for a in got] == [a["ref"] for a in tsv_actions]
    for want, have in zip(tsv_actions, got, strict=True):
        for key in TEXT_KEYS + OFFICER_KEYS:
            if (key, want["ref"]) == ("progress_update", "1.1"):
                continue
            assert have[key] == want[key], (want["ref"], key)
    # line breaks between officers are real in Word: no guessing, nothing to split
    assert _by_ref(report)["2.1"]["accountable_officer"] == ("Marje Toward / Anthony May / "
                                                            "Adrian Smith")
    assert not [f for f in report.findings if f.code in ("OFFICERS_SPLIT", "OFFICERS_UNCLEAR",
                                                         "UNPLACED_ROW", "REF_FIXED")]


def test_docx_keeps_bullets_and_reads_new_action_labels(seed_docx, tsv_actions, plan):
    report = import_legacy(seed_docx, plan=plan)
    actions = _by_ref(report)
    assert actions["1.1"]["progress_update"] == (tsv_actions[0]["progress_update"] + "\n"
                                                 + "\n".join("• " + b for b in BULLETS))
    assert actions["3.6"]["ref"] == "3.6" and "NEW ACTION" not in actions["3.6"]["action"]
    labelled = [f for f in report.findings if f.code == "NEW_ACTION"]
    assert [(f.action_id, f.extra["place"]) for f in labelled] == [
        (actions["3.6"]["id"], "table 2, row 18")]


def test_docx_merged_cells_across_and_down(tmp_path):
    document = docx.Document()
    table = document.add_table(rows=5, cols=5)
    names = ["Ref", "Action", "Lead officer", "Timeframe", "Progress"]
    for cell, name in zip(table.rows[0].cells, names, strict=True):
        cell.text = name
    heading = table.rows[1].cells
    heading[0].merge(heading[4]).text = "1. Finance"
    for r, values in enumerate([("1.1", "Cut agency spend", "", "June 2020", "Panel set up"),
                                ("1.2", "Audit budgets", "", "", "")], start=2):
        for cell, value in zip(table.rows[r].cells, values, strict=True):
            cell.text = value
    # 1.2's timeframe merged across the progress column; Ann Lee leads both (merged down)
    table.rows[3].cells[3].merge(table.rows[3].cells[4]).text = "2021"
    table.rows[2].cells[2].merge(table.rows[3].cells[2]).text = "Ann Lee"
    table.rows[4].cells[0].merge(table.rows[4].cells[4]).text = "2. Workforce"
    document.save(str(tmp_path / "merged.docx"))
    report = import_legacy(tmp_path / "merged.docx", period="Q1 2020/21")
    got = [(a["ref"], a["section"], a["action"], a["lead_officer"], a["timeframe"],
            a["progress_update"]) for a in report.book.actions]
    assert got == [
        ("1.1", "1. Finance", "Cut agency spend", "Ann Lee", "June 2020", "Panel set up"),
        ("1.2", "1. Finance", "Audit budgets", "Ann Lee", "2021", None)]
    assert report.book.plan.sections == ("1. Finance", "2. Workforce")


def _tracked(paragraph, tag: str, text: str) -> None:
    """A run inside a tracked insertion (w:ins) or deletion (w:del)."""
    change = OxmlElement(tag)
    change.set(qn("w:id"), "1")
    change.set(qn("w:author"), "PMO")
    run = OxmlElement("w:r")
    body = OxmlElement("w:delText" if tag == "w:del" else "w:t")
    body.text = text
    body.set(qn("xml:space"), "preserve")
    run.append(body)
    change.append(run)
    paragraph._p.append(change)


def test_docx_tracked_changes_read_as_accepted(tmp_path):
    document = docx.Document()
    table = document.add_table(rows=2, cols=3)
    for cell, name in zip(table.rows[0].cells, ["Ref", "Action", "Lead officer"], strict=True):
        cell.text = name
    ref, action, lead = table.rows[1].cells
    ref.text, lead.text = "1.1", "Ann Lee"
    paragraph = action.paragraphs[0]
    paragraph.add_run("Review agency spend")
    _tracked(paragraph, "w:del", " monthly")
    _tracked(paragraph, "w:ins", " every quarter")
    document.save(str(tmp_path / "tracked.docx"))
    report = import_legacy(tmp_path / "tracked.docx", period="Q1 2020/21")
    assert report.book.actions[0]["action"] == "Review agency spend every quarter"


def test_docx_table_inside_a_content_control_is_found(tmp_path):
    document = docx.Document()
    table = document.add_table(rows=2, cols=3)
    for row, values in zip(table.rows, [("Ref", "Action", "Lead officer"),
                                        ("1.1", "Do it well", "Ann Lee")], strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    control, content = OxmlElement("w:sdt"), OxmlElement("w:sdtContent")
    table._tbl.addprevious(control)
    control.append(content)
    content.append(table._tbl)  # a template's table wrapped in a content control
    document.save(str(tmp_path / "control.docx"))
    report = import_legacy(tmp_path / "control.docx", period="Q1 2020/21")
    assert [(a["ref"], a["action"], a["lead_officer"]) for a in report.book.actions] == [
        ("1.1", "Do it well", "Ann Lee")]


def test_word_files_that_cannot_be_imported_say_why(tmp_path):
    document = docx.Document()
    document.add_paragraph("Our plan, in prose")
    document.save(str(tmp_path / "prose.docx"))
    with pytest.raises(UsageError, match="prose.docx: the document has no table"):
        import_legacy(tmp_path / "prose.docx", period="Q1 2020/21")
    (tmp_path / "broken.docx").write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(UsageError, match="broken.docx: not a Word document"):
        import_legacy(tmp_path / "broken.docx", period="Q1 2020/21")
    (tmp_path / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(UsageError, match="old.doc: an old-format Word file.*save it as .docx"):
        import_legacy(tmp_path / "old.doc", period="Q1 2020/21")


def test_cli_imports_a_docx(seed_docx, tmp_path, capsys):
    out = tmp_path / "master.xlsx"
    code = main(["import", str(seed_docx), "-o", str(out), "--period", "Q2 2019/20"])
    assert code == 0, capsys.readouterr().err
    assert "22 actions" in capsys.readouterr().out
    assert len(read_book(out).actions) == 22


# -- PDF -----------------------------------------------------------------------
def test_pdf_gets_every_ref_and_first_sentence_right(tsv_actions, pdf_report):
    report = pdf_report
    got = report.book.actions
    assert [a["ref"] for a in got] == [a["ref"] for a in tsv_actions]
    assert [a["section"] for a in got] == [a["section"] for a in tsv_actions]
    assert [_first_sentence(a["action"]) for a in got] == [
        _first_sentence(a["action"]) for a in tsv_actions]


def test_pdf_cells_match_the_word_table_or_are_listed_for_review(tsv_actions, pdf_report):
    report = pdf_report
    reviewed = {f.action_id for f in report.findings
                if f.code in ("REVIEW", "OFFICERS_SPLIT", "OFFICERS_UNCLEAR")}
    reviewed |= {f.extra.get("place") for f in report.findings if f.code == "REVIEW"}
    for want, have in zip(tsv_actions, report.book.actions, strict=True):
        for key in OFFICER_KEYS:
            assert have[key] == want[key] or have["id"] in reviewed, (want["ref"], key)
        for key in TEXT_KEYS:
            if (key, want["ref"]) == ("progress_update", "1.1"):
                continue
            assert _squashed(have[key]) == _squashed(want[key]), (want["ref"], key)
    assert _by_ref(report)["1.1"]["progress_update"].endswith(
        "\n".join("• " + b for b in BULLETS))


def test_pdf_review_list_names_page_and_position(seed_pdf, pdf_report):
    report = pdf_report
    review = [f for f in report.findings if f.code == "REVIEW"]
    assert review, "a PDF import always has cells to check"
    for finding in review:
        assert finding.file == seed_pdf.name
        assert finding.extra["page"] >= 1 and finding.extra["y"] > 0
        assert finding.extra["place"].startswith(f"page {finding.extra['page']}")
    # a row running over a page break is joined into one action, and listed
    joined = [f for f in review if "continued from page" in f.message]
    assert joined and all(f.cell.startswith("A") for f in joined)
    assert not [f for f in report.findings if f.code in ("UNPLACED_ROW", "MERGED_ROW")]


@pytest.fixture(scope="module")
def unruled_report(tsv_actions, tmp_path_factory):
    """The same tracker printed without borders: no lines for pdfplumber to find."""
    soffice = soffice_path()
    if soffice is None:
        pytest.skip("LibreOffice not installed")
    folder = tmp_path_factory.mktemp("unruled")
    source = write_docx(folder / "bare.docx", tsv_actions, split_at=tsv_actions[6]["section"],
                        borders=False)
    return import_legacy(convert(soffice, source, "pdf", folder), plan=Plan.load(SAMPLE_PLAN))


def test_pdf_table_without_lines_is_read_by_the_header_positions(unruled_report, tsv_actions):
    got = unruled_report.book.actions
    assert [a["ref"] for a in got] == [a["ref"] for a in tsv_actions]
    assert [a["section"] for a in got] == [a["section"] for a in tsv_actions]
    flagged = {f.action_id for f in unruled_report.findings
               if f.code in ("OFFICERS_SPLIT", "OFFICERS_UNCLEAR", "REVIEW")}
    for want, have in zip(tsv_actions, got, strict=True):
        assert _first_sentence(have["action"]) == _first_sentence(want["action"])
        for key in TEXT_KEYS:
            assert _squashed(have[key]) == _squashed(want[key]), (want["ref"], key)
        for key in OFFICER_KEYS:
            assert have[key] == want[key] or have["id"] in flagged, (want["ref"], key)
    pages = [f for f in unruled_report.findings
             if f.code == "REVIEW" and "without ruling lines" in f.message]
    assert len(pages) >= 2 and all(f.extra["page"] >= 1 for f in pages)


def test_pdf_without_a_table_is_refused(tmp_path, seed_pdf):
    soffice = soffice_path()
    document = docx.Document()
    document.add_paragraph("Minutes of the meeting. Nothing tabular here.")
    document.save(str(tmp_path / "minutes.docx"))
    pdf = convert(soffice, tmp_path / "minutes.docx", "pdf", tmp_path)
    with pytest.raises(UsageError, match="minutes.pdf: no table found"):
        import_legacy(pdf, period="Q1 2020/21")
    (tmp_path / "bad.pdf").write_bytes(b"%PDF-1.4 truncated")
    with pytest.raises(UsageError, match="bad.pdf: not a PDF that can be read"):
        import_legacy(tmp_path / "bad.pdf", period="Q1 2020/21")


def test_cli_pdf_import_reports_the_review_list(seed_pdf, tmp_path, capsys):
    out = tmp_path / "master.xlsx"
    code = main(["import", str(seed_pdf), "-o", str(out), "--period", "Q2 2019/20", "--json"])
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert report["actions"] == 22 and report["counts"]["REVIEW"] >= 1
    code = main(["import", str(seed_pdf), "-o", str(tmp_path / "m2.xlsx"), "--period",
                 "Q2 2019/20"])
    assert code == 0
    assert "check them against the PDF" in capsys.readouterr().out


# -- what is not a tracker (issue 14) ---------------------------------------------
def write_city_plan(path):
    """A city plan laid out as programmes, key activities and risks, not a tracker."""
    document = docx.Document()
    document.add_paragraph("Chapter 2: A thriving economy")
    table = document.add_table(rows=1, cols=3)
    for cell, name in zip(table.rows[0].cells, ["Key activities", "Lead", "Timescale"],
                          strict=True):
        cell.text = name
    rows = [
        ("SKILLS AND EMPLOYMENT", "", ""),
        ("Deliver the adult skills programme with colleges", "Director of Economy", "2021"),
        ("Risk that external funding is not secured", "Finance & Resources", ""),
        ("Inclusive Growth Programme", "", ""),
        ("Open two new jobs hubs", "Working with partners across the city region to do "
         "this.", "2022"),
        ("Housing and Regeneration", "", ""),
        ("Risks of delay to the housing pipeline", "Head of Housing", ""),
        ("Build 500 council homes by 2024", "Director of Housing", "2024"),
        ("Cultural Strategy Refresh", "", ""),
    ]
    for values in rows:
        for cell, value in zip(table.add_row().cells, values, strict=True):
            cell.text = value
    document.save(str(path))
    return path


def test_a_plan_that_is_not_a_tracker_is_refused_with_a_summary(tmp_path):
    source = write_city_plan(tmp_path / "city_plan.docx")
    mapping = {"key activities": "action", "lead": "lead_officer", "timescale": "timeframe"}
    out = tmp_path / "master.xlsx"
    code = main(["import", str(source), "-o", str(out), "--period", "Q1 2020/21",
                 "--mapping", str(_json_file(tmp_path, mapping))])
    assert code == 2 and not out.exists()
    with pytest.raises(UsageError, match=r"city_plan.docx: 7 of 9 rows do not look like "
                       r"tracker actions \(4 rows with text outside the columns, 2 risks, "
                       r"1 officer cells that are sentences.*no master was written"):
        import_legacy(source, period="Q1 2020/21", mapping=_resolved(mapping))
    forced = import_legacy(source, period="Q1 2020/21", mapping=_resolved(mapping),
                           force=True)
    flagged = [f.got for f in forced.findings if f.code == "NOT_AN_ACTION"]
    assert len(flagged) == 3 and "Deliver the adult skills programme with colleges" not in flagged
    officers = [a["lead_officer"] for a in forced.book.actions]
    assert "Finance & Resources" in officers  # a job title is one officer, not two


def _json_file(tmp_path, data):
    path = tmp_path / "mapping.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _resolved(data):
    from xltools.legacy.columns import resolve_mapping
    return resolve_mapping(data)


def test_forced_rows_are_flagged_forced_and_counted_by_check(tmp_path, capsys):
    source = write_city_plan(tmp_path / "city_plan.docx")
    mapping = _json_file(tmp_path, {"key activities": "action", "lead": "lead_officer",
                                    "timescale": "timeframe"})
    out = tmp_path / "master.xlsx"
    assert main(["import", str(source), "-o", str(out), "--period", "Q1 2020/21",
                 "--mapping", str(mapping), "--force"]) == 0
    capsys.readouterr()
    book = read_book(out)
    forced = {a["action"]: a["flags"] for a in book.actions if "FORCED" in (a["flags"] or "")}
    assert set(forced) == {"Risk that external funding is not secured",
                           "Open two new jobs hubs", "Risks of delay to the housing pipeline"}
    assert all(f.startswith("FORCED: imported with --force: ") for f in forced.values())
    assert main(["check", str(out), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["counts"]["FORCED"] == 3
    assert main(["check", str(out)]) == 0
    said = capsys.readouterr().out
    assert "No problems found" not in said and "3 problem(s) to fix" in said


# -- pins (issue 28): each failed with its bug planted (bench/mutants.py) ----------------


def _line(top: float, *words: tuple[str, float, float]) -> list[dict]:
    """One line of a PDF cell as pdfplumber gives it: each word with its box."""
    return [{"text": t, "x0": x0, "x1": x1, "top": top, "bottom": top + 10}
            for t, x0, x1 in words]


def test_pdf_wrapped_lines_join_with_a_space_real_breaks_stay():
    """A line that ended because the next word would not fit is one sentence wrapped
    (joined with a space); one that ended with room to spare was broken on purpose (a
    list, a new paragraph) and keeps its line break."""
    from xltools.legacy.pdf_text import cell_from_lines

    full = _line(0, ("Tenders", 10, 50), ("were", 55, 80), ("evaluated", 85, 192))
    wrapped = _line(12, ("and", 10, 30), ("scored.", 35, 70))
    assert cell_from_lines([full, wrapped], 200).text == "Tenders were evaluated and scored."
    short_line = _line(0, ("Panel", 10, 40), ("met.", 45, 70))
    bullet = _line(12, ("Next", 10, 35), ("panel", 40, 70), ("in", 75, 85), ("May.", 90, 115))
    assert cell_from_lines([short_line, bullet], 200).text == "Panel met.\nNext panel in May."


def test_pdf_row_continued_over_a_page_joins_as_wrapped_or_on_a_new_line():
    """A row split by a page break: text that wrapped onto the next page continues the
    sentence; text after a last line with room to spare starts a new line."""
    from xltools.legacy.pdf import _join
    from xltools.legacy.pdf_text import Cell, PdfRow

    def rows(slack: float) -> tuple[PdfRow, PdfRow]:
        before = PdfRow([Cell("Tenders were evaluated", slack=slack, space=5)], page=1,
                        top=700, table=1, number=4)
        after = PdfRow([Cell("and scored.", first=20)], page=2, top=60, table=1, number=1)
        return before, after

    before, after = rows(slack=8)
    (note,) = _join(before, after)
    assert before.cells[0].text == "Tenders were evaluated and scored."
    assert "page 1 to page 2" in note and "as wrapped text" in note
    before, after = rows(slack=150)
    (note,) = _join(before, after)
    assert before.cells[0].text == "Tenders were evaluated\nand scored."
    assert "on a new line" in note
