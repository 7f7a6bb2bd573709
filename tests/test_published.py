"""``xltools savings --against``: the committee's published summary table, checked."""

from __future__ import annotations

import csv
import json

import pytest
import savings_programme as sp
import xlsxwriter
from conftest import SAMPLE_PLAN

from xltools.cli import main
from xltools.findings import flatten
from xltools.plan import Plan
from xltools.savings.published import compare_published, number, read_published
from xltools.savings.reconcile import reconcile_files

YEARS = ["2019/20", "2020/21", "2021/22", "2022/23"]
# The committee's table: 2018/19 (CF-02's -120 write-off) folded into 2019/20.
FOLDED = {
    "Change requests": [-40, -200, -80, 0, -320],   # -120 + 80 in 2019/20
    "Extensions": [20, 60, 75, 40, 195],
    "Total": [-20, -110, -5, 40, -95],              # -120 + 100 in 2019/20
}


@pytest.fixture(scope="module")
def programme(tmp_path_factory):
    return sp.write_programme(Plan.load(SAMPLE_PLAN), tmp_path_factory.mktemp("published"))


@pytest.fixture(scope="module")
def rec(programme):
    baseline, returns = programme
    return reconcile_files(baseline, returns)


def write_xlsx(path, rows, years=YEARS, top=2):
    """A committee paper's table as finance pastes it: a title, then the table at B3."""
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("Appendix A")
    ws.write(0, 0, "Savings programme: summary of changes (£000)")
    ws.write_row(top, 1, ["£000", *years, "Total"])
    for i, (label, values) in enumerate(rows.items(), start=top + 1):
        ws.write(i, 1, label)
        ws.write_row(i, 2, values)
    wb.close()
    return path


def write_csv(path, rows, years=YEARS):
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["", *years, "Total"])
        for label, values in rows.items():
            out.writerow([label, *(f"({-v:,})" if v < 0 else f"{v:,}" for v in values)])
    return path


def test_a_year_folded_into_the_next_is_one_folded_year_naming_the_project(rec, tmp_path):
    table = read_published(write_xlsx(tmp_path / "paper.xlsx", FOLDED))
    assert table.years == YEARS and table.sheet == "Appendix A"
    found = compare_published(rec, table)
    assert flatten(found) == [("paper.xlsx", "C4", "FOLDED_YEAR")]
    folded = found[0]
    assert folded.action_id == "CF-02" and folded.extra["projects"] == ["CF-02"]
    assert (folded.extra["year"], folded.extra["into"]) == ("2018/19", "2019/20")
    assert "CF-02 (Write-off, -120)" in folded.message
    assert "Change requests -40 = -120 + 80" in folded.message


def test_every_other_differing_cell_is_named(rec, tmp_path):
    rows = {k: list(v) for k, v in FOLDED.items()}
    rows["Extensions"][2] = 70   # 2021/22: paper says 70, returns say 75
    rows["Total"][4] = -100      # grand total
    table = read_published(write_xlsx(tmp_path / "paper.xlsx", rows))
    found = compare_published(rec, table)
    assert sorted(flatten(found)) == [("paper.xlsx", "C4", "FOLDED_YEAR"),
                                      ("paper.xlsx", "E5", "PUBLISHED_MISMATCH"),
                                      ("paper.xlsx", "G6", "PUBLISHED_MISMATCH")]
    cell = next(f for f in found if f.cell == "E5")
    assert (cell.expected, cell.got) == (75, 70)


def test_a_year_missing_from_the_table_altogether_is_a_difference(rec, tmp_path):
    rows = {"Change requests": [80, -200, -80, 0, -200]}  # 2018/19's -120 nowhere
    found = compare_published(rec, read_published(write_xlsx(tmp_path / "p.xlsx", rows)))
    assert sorted(flatten(found)) == [("p.xlsx", "C4", "PUBLISHED_MISMATCH"),
                                      ("p.xlsx", "G4", "PUBLISHED_MISMATCH")]
    assert any("no 2018/19 column" in f.message for f in found)


def test_a_table_with_the_year_shown_matches_cleanly(rec, tmp_path):
    years = ["2018/19", *YEARS]
    rows = {"Change requests": [-120, 80, -200, -80, 0, -320],
            "Extensions": [0, 20, 60, 75, 40, 195], "Total": [-120, 100, -110, -5, 40, -95]}
    path = write_csv(tmp_path / "paper.csv", rows, years)
    assert compare_published(rec, read_published(path)) == []


def test_csv_figures_as_papers_print_them(rec, tmp_path):
    found = compare_published(rec, read_published(write_csv(tmp_path / "p.csv", FOLDED)))
    assert flatten(found) == [("p.csv", "B2", "FOLDED_YEAR")]


@pytest.mark.parametrize("text, value", [
    ("1,250", 1250), ("(120)", -120), ("-120", -120), ("−5", -5), ("-", 0), ("", 0),
    (37.5, 37.5), ("tbc", None),
])
def test_published_numbers(text, value):
    assert number(text) == value


@pytest.mark.parametrize("text, value", [
    ("-£846k", -846), ("£2.719m", 2719), ("(150)k", -150), ("£(846)k", -846),
    ("(£150k)", -150), ("−£0.5m", -500), ("£1.2bn", 1_200_000), ("£ 2.7m", 2700),
    ("£1,250k", 1250), ("2.719", 2719),
])
def test_money_as_committees_print_it(text, value):
    """A figure's own unit wins; a bare figure is in the table's unit (here £m)."""
    assert number(text, "£m") == pytest.approx(value)


def test_a_table_in_k_and_m_finds_exactly_the_folded_year(rec, tmp_path):
    """The same figures as FOLDED, printed the ways papers print them, in a table
    that states no unit (so "£40,000" is pounds)."""
    printed = {"Change requests": ["-£40k", "(£0.2m)", "−£80k", "-", "-£0.32m"],
               "Extensions": ["£20k", "£0.06m", "75k", "£40,000", "£195k"],
               "Total": ["-£20k", "(110)k", "−£0.005m", "£40k", "-£95k"]}
    path = tmp_path / "printed.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["", *YEARS, "Total"])
        out.writerows([label, *values] for label, values in printed.items())
    table = read_published(path)
    assert (table.unit, table.unit_from) == ("£000", None)
    assert flatten(compare_published(rec, table)) == [("printed.csv", "B2", "FOLDED_YEAR")]


def test_a_table_in_millions_is_read_in_its_unit_and_said_so(rec, tmp_path):
    in_m = {label: [f"({-v / 1000:.3f})" if v < 0 else f"{v / 1000:.3f}" for v in values]
            for label, values in FOLDED.items()}
    path = tmp_path / "m.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("Appendix A")
    ws.write(0, 0, "Savings programme: summary of changes (£m)")
    ws.write_row(2, 1, ["", *YEARS, "Total"])
    for i, (label, values) in enumerate(in_m.items(), start=3):
        ws.write_row(i, 1, [label, *values])
    wb.close()
    table = read_published(path)
    assert table.unit == "£m" and "'(£m)'" in table.unit_note()
    assert flatten(compare_published(rec, table)) == [("m.xlsx", "C4", "FOLDED_YEAR")]
    in_m["Extensions"][1] = "0.070"  # £10k out: a real difference, in £000
    wrong = xlsxwriter.Workbook(tmp_path / "wrong.xlsx")
    sheet = wrong.add_worksheet("A")
    sheet.write_row(0, 0, ["£m", *YEARS, "Total"])
    for i, (label, values) in enumerate(in_m.items(), start=1):
        sheet.write_row(i, 0, [label, *values])
    wrong.close()
    found = compare_published(rec, read_published(tmp_path / "wrong.xlsx"))
    assert [(f.code, f.cell, f.got) for f in found if f.code == "PUBLISHED_MISMATCH"] == [
        ("PUBLISHED_MISMATCH", "C3", 70.0)]


def test_command_reports_the_fold_and_refuses_a_table_it_cannot_find(programme, tmp_path,
                                                                     capsys):
    baseline, returns = programme
    paper = write_xlsx(tmp_path / "paper.xlsx", FOLDED)
    args = ["savings", str(baseline), *map(str, returns), "--against", str(paper)]
    assert main([*args, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["against"] == "paper.xlsx" and data["counts"]["FOLDED_YEAR"] == 1
    assert "PUBLISHED_MISMATCH" not in data["counts"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "Against paper.xlsx (figures read in £000 (the table says '£000')): 1 " \
        "difference(s)" in " ".join(out.split())
    empty = tmp_path / "empty.csv"
    empty.write_text("nothing,here\n", encoding="utf-8")
    assert main([*args[:-1], str(empty)]) == 2
    assert "no summary table found" in capsys.readouterr().err
    assert main([*args[:-1], str(tmp_path / "nope.xlsx")]) == 2


def test_word_table_from_the_committee_paper(rec, tmp_path):
    """The paper itself: a .docx whose second table is the summary (the first is not)."""
    import docx

    document = docx.Document()
    document.add_paragraph("Appendix A: Savings programme 2019/20 to 2022/23")
    intro = document.add_table(rows=1, cols=2)
    intro.rows[0].cells[0].text, intro.rows[0].cells[1].text = "Report of", "Finance"
    table = document.add_table(rows=1 + len(FOLDED), cols=2 + len(YEARS))
    for c, text in enumerate(["£000", *YEARS, "Total"]):
        table.rows[0].cells[c].text = text
    for r, (label, values) in enumerate(FOLDED.items(), start=1):
        table.rows[r].cells[0].text = label
        for c, value in enumerate(values, start=1):
            table.rows[r].cells[c].text = f"({-value})" if value < 0 else str(value)
    path = tmp_path / "committee paper.docx"
    document.save(path)
    found = compare_published(rec, read_published(path))
    assert [(f.file, f.sheet, f.cell, f.code) for f in found] == [
        ("committee paper.docx", "Table 2", "row 2, column 2", "FOLDED_YEAR")]


def test_a_corrupt_or_unsupported_table_file_stops_with_one_line(programme, tmp_path, capsys):
    baseline, _ = programme
    for name in ("paper.docx", "paper.xlsx", "paper.pdf"):
        bad = tmp_path / name
        bad.write_bytes(b"not a document")
        assert main(["savings", str(baseline), "--against", str(bad)]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and name in err and "Traceback" not in err


def test_committee_paper_is_reproduced_and_matches_its_table(tmp_path):
    """Six projects as a committee paper classes them, end to end through --against."""
    from datetime import date

    from xltools.workbook.book import Book
    from xltools.workbook.layout import MASTER, RETURN
    from xltools.workbook.writer import write_book

    plan = sp.savings_plan(Plan.load(SAMPLE_PLAN))
    on, by = date(2019, 12, 10), "Colin Pettigrew"
    baseline = [sp.row("CF-01", "2019/20", 100), sp.row("CF-01", "2020/21", 100),
                sp.row("CF-02", "2019/20", 100), sp.row("CF-02", "2020/21", 200),
                sp.row("CF-03", "2019/20", 50),
                sp.row("CF-04", "2019/20", 100), sp.row("CF-04", "2020/21", 0),
                sp.row("CF-05", "2020/21", 80),
                sp.row("CF-06", "2019/20", 200), sp.row("CF-06", "2020/21", 50)]
    answers = [
        sp.row("CF-01", "2019/20", 100, 50, "Re-profile", by, on),    # slippage
        sp.row("CF-01", "2020/21", 100, 150, "Re-profile", by, on),
        sp.row("CF-02", "2019/20", 100, 130, "Write-off", by, on),    # early over-delivery…
        sp.row("CF-02", "2020/21", 200, 120, "Write-off", by, on),    # …then a larger loss
        sp.row("CF-03", "2019/20", 50, 0, "Write-off", by, on),
        sp.row("CF-04", "2021/22", None, 50, "Extension", by, on),    # years with no target
        sp.row("CF-04", "2022/23", None, 50, "Extension", by, on),
        sp.row("CF-05", "2020/21", 80, 100, "Extension", by, on),
        sp.row("CF-06", "2019/20", 200, 100, "Write-off", by, on),    # a loss, then…
        sp.row("CF-06", "2020/21", 50, 110, "Mitigation", by, on),    # …replaced later
    ]
    base = write_book(Book(plan=plan, kind=MASTER, savings=baseline), tmp_path / "b.xlsx")
    ret = write_book(Book(plan=plan, kind=RETURN, officer="Laurence Jones", savings=answers),
                     tmp_path / "r.xlsx")
    rec = reconcile_files(base, [ret])
    assert {p.ref: p.classification for p in rec.projects} == {
        "CF-01": "Re-profile", "CF-02": "Write-off", "CF-03": "Write-off",
        "CF-04": "Extension", "CF-05": "Extension", "CF-06": "Mitigation"}
    paper = {"Change requests": [-170, 30, 0, 0, -140], "Extensions": [0, 20, 50, 50, 120],
             "Total": [-170, 50, 50, 50, -20]}
    assert compare_published(rec, read_published(write_csv(tmp_path / "p.csv", paper))) == []
    assert rec.findings == []


def test_rows_are_found_by_the_words_papers_use(rec, tmp_path):
    """'Total change requests' is the change requests row; a 'Total savings target' row is
    not the total change and is left alone."""
    rows = {"Total change requests (Appendix B)": FOLDED["Change requests"],
            "Extensions to existing projects": FOLDED["Extensions"],
            "Total savings target": [880, 780, 440, 0, 2100],
            "Net change": FOLDED["Total"]}
    table = read_published(write_xlsx(tmp_path / "p.xlsx", rows))
    assert list(table.values) == ["change_requests", "extensions", "total"]
    assert flatten(compare_published(rec, table)) == [("p.xlsx", "C4", "FOLDED_YEAR")]


def test_an_oversized_table_file_is_refused_before_reading(tmp_path, monkeypatch):
    from xltools.errors import UsageError
    from xltools.savings import published

    path = write_csv(tmp_path / "p.csv", FOLDED)
    monkeypatch.setattr(published, "MAX_BYTES", 10)
    with pytest.raises(UsageError, match="is not a summary table"):
        read_published(path)


# -- pins (issue 28): each failed with its bug planted (bench/mutants.py) ----------------


def test_a_figure_printed_with_the_wrong_sign_is_a_difference(rec, tmp_path):
    """£200k of change requests published as +200 instead of (200) is a saving turned
    into a pressure: the sign is part of the figure."""
    rows = {k: list(v) for k, v in FOLDED.items()}
    rows["Change requests"][1] = 200  # 2020/21: the reconciliation has -200
    found = compare_published(rec, read_published(write_xlsx(tmp_path / "paper.xlsx", rows)))
    wrong = [f for f in found if f.code == "PUBLISHED_MISMATCH"]
    assert [(f.cell, f.expected, f.got) for f in wrong] == [("D4", -200, 200)]
