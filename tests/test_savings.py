"""Savings reconciliation: figures, classification, summary and flags, from real files."""

from __future__ import annotations

import json
from datetime import date

import pytest
import savings_programme as sp
import xlsxwriter
from conftest import SAMPLE_PLAN

from xltools.cli import main
from xltools.errors import UsageError
from xltools.findings import flatten
from xltools.plan import Plan
from xltools.savings.reconcile import parse_years_option, reconcile_files
from xltools.savings.rows import computes_change, money, parse_year
from xltools.workbook.book import Book
from xltools.workbook.layout import MASTER, RETURN, SAVINGS_LAYOUT
from xltools.workbook.writer import write_book


@pytest.fixture(scope="module")
def programme(tmp_path_factory):
    return sp.write_programme(Plan.load(SAMPLE_PLAN), tmp_path_factory.mktemp("programme"))


@pytest.fixture(scope="module")
def rec(programme):
    baseline, returns = programme
    return reconcile_files(baseline, returns)


def test_summary_every_cell_matches_the_hand_computed_table(rec):
    summary = rec.summary
    assert rec.years == list(sp.SUMMARY_YEARS)
    assert rec.outside_years == ["2018/19"]
    for key, values in sp.SUMMARY.items():
        got = [summary["by_year"][y][key] for y in sp.SUMMARY_YEARS]
        assert got == list(values[:-1]), key
        assert summary["grand_total"][key] == values[-1], key
    assert [summary["by_year"][y]["in_range"] for y in sp.SUMMARY_YEARS] == [
        False, True, True, True, True]


def test_every_project_is_classified_by_its_figures(rec):
    got = {p.ref: (p.classification, p.detail) for p in rec.projects}
    assert got == sp.CLASSIFICATION


def test_flags_name_file_cell_and_code_and_nothing_else(rec):
    assert sorted(flatten(rec.findings)) == sorted(sp.EXPECTED_FLAGS)
    by_code = {f.code: f for f in rec.findings}
    assert by_code["NOT_RETURNED"].action_id == "CF-08"
    assert by_code["CHANGE_MISMATCH"].expected == 20 and by_code["CHANGE_MISMATCH"].got == 25
    assert json.dumps(by_code["CHANGE_MISMATCH"].to_dict()["expected"]) == "20"  # not 20.0
    assert by_code["TOTAL_MISMATCH"].got == 510 and by_code["TOTAL_MISMATCH"].expected == 500
    assert all(f.sheet == "Savings" for f in rec.findings)


def test_project_years_show_expected_revised_change_and_source(rec):
    cf01 = next(p for p in rec.projects if p.ref == "CF-01")
    rows = [(y.year, y.expected, y.revised, y.change) for y in cf01.years]
    assert rows == [("2019/20", 100, 180, 80), ("2020/21", 150, 150, 0),
                    ("2021/22", 250, 170, -80)]
    assert cf01.years[1].source == "return_a.xlsx › Savings!G3 (blank: no change)"
    cf02 = next(p for p in rec.projects if p.ref == "CF-02")
    assert [(y.year, y.in_range, y.change) for y in cf02.years] == [
        ("2018/19", False, -120), ("2019/20", True, -50), ("2020/21", True, 0)]
    cf07 = next(p for p in rec.projects if p.ref == "CF-07")
    assert [y.year for y in cf07.years] == ["2019/20", "2020/21", "2021/22"]  # 2019-20 read
    assert [y.revised for y in cf07.years] == [60, 60, 60]  # tbc / £1,200 not counted
    assert [y.to_dict()["revised_given"] for y in cf07.years] == [None, "tbc", "£1,200"]


def test_stale_cached_formula_from_another_writer_is_not_a_mismatch(rec):
    """return_b H3 is =G3-F3 with xlsxwriter's cached 0 although the change is 60."""
    cf04 = next(p for p in rec.projects if p.ref == "CF-04")
    assert cf04.years[1].change == 60
    assert ("return_b.xlsx", "H3", "CHANGE_MISMATCH") not in flatten(rec.findings)


def test_json_has_projects_summary_and_flags(rec):
    data = json.loads(json.dumps(rec.to_dict(), default=str))
    assert set(data) >= {"projects", "summary", "flags"}
    assert data["summary"]["grand_total"]["total"] == -95
    assert data["summary"]["by_year"]["2019/20"]["change_requests"] == 80
    assert data["years_outside_plan"] == ["2018/19"]
    cf02 = next(p for p in data["projects"] if p["ref"] == "CF-02")
    assert cf02["totals"] == {"expected": 420, "revised": 250, "change": -170}
    assert cf02["years"][0]["flags"] == ["YEAR_OUT_OF_RANGE"]
    assert {(f["file"], f["cell"], f["code"]) for f in data["flags"]} == sp.EXPECTED_FLAGS


def test_command_prints_json_and_writes_the_workbook(programme, tmp_path, capsys):
    baseline, returns = programme
    out = tmp_path / "reconciliation.xlsx"
    assert main(["savings", str(baseline), *map(str, returns), "-o", str(out), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["summary"]["grand_total"]["extensions"] == 195
    assert data["output"] == str(out) and out.exists()
    assert main(["savings", str(baseline), *map(str, returns)]) == 0
    text = capsys.readouterr().out
    assert "Change requests" in text and "2018/19 †" in text and "NOT_RETURNED" in text
    assert ".0 " not in text and ".0│" not in text  # whole £000: 250, not 250.0


def test_years_option_widens_the_summary_and_clears_the_flag(programme):
    baseline, returns = programme
    years = parse_years_option("2018/19-2022/23")
    rec = reconcile_files(baseline, returns, years=years)
    assert rec.outside_years == []
    assert "YEAR_OUT_OF_RANGE" not in {f.code for f in rec.findings}
    assert rec.summary["grand_total"]["total"] == -95


def test_unreadable_return_is_reported_and_the_rest_reconciled(programme, tmp_path):
    baseline, returns = programme
    bad = tmp_path / "broken.xlsx"
    bad.write_bytes(b"not a workbook")
    rec = reconcile_files(baseline, [*returns, bad])
    assert ("broken.xlsx", None, "UNREADABLE") in flatten(rec.findings)
    assert rec.summary["grand_total"]["total"] == -95
    assert not rec.complete and rec.unread == ["broken.xlsx"]
    assert rec.to_dict()["complete"] is False


def test_command_says_incomplete_when_a_return_is_unreadable(programme, tmp_path, capsys):
    baseline, returns = programme
    bad = tmp_path / "broken.xlsx"
    bad.write_bytes(b"not a workbook")
    assert main(["savings", str(baseline), *map(str, returns), str(bad)]) == 0
    text = capsys.readouterr().out
    assert "— INCOMPLETE" in text
    assert "INCOMPLETE: 1 return could not be read (broken.xlsx)" in " ".join(text.split())


def test_a_return_that_does_not_exist_stops_the_command(programme, tmp_path, capsys):
    """A mistyped name must not give a clean-looking "No change"."""
    baseline, returns = programme
    missing = tmp_path / "retrun_a.xlsx"
    assert main(["savings", str(baseline), str(returns[0]), str(missing)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "retrun_a.xlsx" in err and "no such return" in err


def test_check_and_savings_agree_on_a_prior_year_row(programme):
    """2018/19 in return_a: a warning for finance, never an error; not shown to the
    officer, whose return locks the year finance issued (issue 24)."""
    from xltools.cycle.check import check_workbook

    baseline, (return_a, _) = programme
    report = check_workbook(return_a)
    assert report.ok
    checked = {(f.file, f.cell, f.code, f.severity) for f in report.findings}
    assert ("return_a.xlsx", "E6", "YEAR_OUT_OF_RANGE", "warning") not in checked
    assert not any(f.column == "Year" and f.code == "INVALID" for f in report.findings)
    rec = reconcile_files(baseline, [return_a])
    reconciled = {(f.file, f.cell, f.code, f.severity) for f in rec.findings}
    assert ("return_a.xlsx", "E6", "YEAR_OUT_OF_RANGE", "warning") in reconciled


@pytest.mark.parametrize("value, text", [
    (1250, "1,250"), (2220.0, "2,220"), (-37.5, "-37.5"), (250.0, "250"), (-0.0, "0"),
])
def test_terminal_figures_have_separators_and_no_trailing_zero(value, text):
    from xltools.savings.rows import fmt

    assert fmt(value) == text


def test_json_money_is_whole_where_whole(rec):
    text = json.dumps(rec.to_dict(), default=str)
    assert '"grand_total": {"re_profiles": 0, "write_offs": -170,' in text


# -- smaller cases, each from a real file ------------------------------------------------


def _reconcile(tmp_path, base_rows, ret_rows):
    plan = sp.savings_plan(Plan.load(SAMPLE_PLAN))
    base = write_book(Book(plan=plan, kind=MASTER, savings=base_rows), tmp_path / "b.xlsx")
    ret = write_book(Book(plan=plan, kind=RETURN, officer="Steve Edwards", savings=ret_rows),
                     tmp_path / "r.xlsx")
    return reconcile_files(base, [ret])


def test_slippage_is_a_re_profile(tmp_path):
    rec = _reconcile(tmp_path, [sp.row("CF-05", "2019/20", 80), sp.row("CF-05", "2020/21", 80)],
                     [sp.row("CF-05", "2019/20", 80, 30, "Re-profile", "X", date(2019, 9, 1)),
                      sp.row("CF-05", "2020/21", 80, 130, "Re-profile", "X", date(2019, 9, 1))])
    assert (rec.projects[0].classification, rec.projects[0].detail) == ("Re-profile", "slippage")
    assert rec.findings == []


def test_mitigation_type_turns_a_net_fall_into_a_mitigation(tmp_path):
    """Replacement savings netted into the same year: the officer's Mitigation type says so."""
    rows = [sp.row("CF-06", "2020/21", 200, 120, "Mitigation", "X", date(2019, 9, 1))]
    rec = _reconcile(tmp_path, [sp.row("CF-06", "2020/21", 200)], rows)
    assert rec.projects[0].classification == "Mitigation"
    rows[0]["change_type"] = "Write-off"
    rec = _reconcile(tmp_path, [sp.row("CF-06", "2020/21", 200)], rows)
    assert rec.projects[0].classification == "Write-off" and rec.findings == []


def test_early_over_delivery_then_a_larger_shortfall_is_a_write_off(tmp_path):
    """Committee practice: delivering sooner does not replace a later loss (+30 then −80)."""
    on = date(2019, 9, 1)
    base = [sp.row("CF-05", "2019/20", 100), sp.row("CF-05", "2020/21", 200)]
    ret = [sp.row("CF-05", "2019/20", 100, 130, "Write-off", "X", on),
           sp.row("CF-05", "2020/21", 200, 120, "Write-off", "X", on)]
    rec = _reconcile(tmp_path, base, ret)
    assert rec.projects[0].classification == "Write-off" and rec.findings == []
    assert rec.summary["grand_total"]["write_offs"] == -50
    ret[0]["change_type"] = "Re-profile"  # the declared type stays visible beside the figures'
    project = _reconcile(tmp_path, base, ret).projects[0]
    assert project.declared == ["Re-profile", "Write-off"]
    assert project.counted_as == "Write-off (declared Re-profile)"
    assert project.to_dict()["declared"] == ["Re-profile", "Write-off"]


def test_a_rise_after_a_loss_replaces_it_and_is_a_mitigation(tmp_path):
    on = date(2019, 9, 1)
    base = [sp.row("CF-05", "2019/20", 200), sp.row("CF-05", "2020/21", 100)]
    ret = [sp.row("CF-05", "2019/20", 200, 0, "Write-off", "X", on),
           sp.row("CF-05", "2020/21", 100, 150, "Mitigation", "X", on)]
    project = _reconcile(tmp_path, base, ret).projects[0]
    assert (project.classification, project.counted_as) == ("Mitigation", "Mitigation")
    ret[1]["change_type"] = "Write-off"  # no type says so: the later rise still replaces
    assert _reconcile(tmp_path, base, ret).projects[0].classification == "Mitigation"


def test_extension_of_a_baseline_project_into_years_without_targets(tmp_path):
    """In the baseline with no target left in its years (Expected 0), extended into 2021/22:
    the committee calls that an Extension; New is only for projects the baseline lacks."""
    on = date(2019, 9, 1)
    base = [sp.row("CF-06", "2019/20", 0), sp.row("CF-06", "2020/21", 0)]
    ret = [sp.row("CF-06", "2021/22", None, 75, "Extension", "X", on)]
    rec = _reconcile(tmp_path, base, ret)
    assert rec.projects[0].classification == "Extension" and rec.findings == []
    assert rec.summary["by_year"]["2021/22"]["extensions"] == 75
    assert rec.summary["by_year"]["2021/22"]["new"] == 0


def test_type_without_change_missing_date_and_altered_expected_are_flagged(tmp_path):
    base = [sp.row("CF-05", "2019/20", 80), sp.row("CF-06", "2019/20", 50)]
    ret = [sp.row("CF-05", "2019/20", 80, None, "Write-off"),          # row 2: nothing changed
           sp.row("CF-06", "2019/20", 55, 70, "Extension", "X")]      # row 3: no date; 55 ≠ 50
    rec = _reconcile(tmp_path, base, ret)
    assert sorted(flatten(rec.findings)) == [
        ("r.xlsx", "F3", "BASELINE_MISMATCH"), ("r.xlsx", "I2", "TYPE_MISMATCH"),
        ("r.xlsx", "K3", "NO_APPROVAL")]
    assert rec.projects[1].years[0].change == 20  # from the baseline's 50, not the return's 55


def test_baseline_revisions_count_when_there_are_no_returns(tmp_path):
    plan = sp.savings_plan(Plan.load(SAMPLE_PLAN))
    rows = [sp.row("CF-01", "2019/20", 100, 90, "Write-off", "X", date(2019, 9, 1))]
    path = write_book(Book(plan=plan, kind=MASTER, savings=rows), tmp_path / "m.xlsx")
    rec = reconcile_files(path, [])
    assert rec.summary["grand_total"]["write_offs"] == -10
    assert rec.findings == []  # no returns asked for, so nothing is NOT_RETURNED


@pytest.mark.parametrize("formula, calculated", [
    ("=G7-F7", True), ("=$G$7-$F$7", True), ('=IF(G7="","",N(G7)-N(F7))', True),
    ('=IF(G7="","",IF(ISNUMBER(G7),G7-N(F7),"not a number"))', True),
    ('=IF(G7="","",IF(ISNUMBER(G7),G7-N(F7)+1,"not a number"))', False),
    ('=IF(AND(F7="",G7=""),"",N(G7)-N(F7))', True), ("=SUM(G7)-SUM(F7)", True),
    ("=-F7+G7", True), ("=G7-F7+10", False), ("=G8-F8", False), ("=F7-G7", False),
    ("=G7-F7-H2", False), ('=IF(G7="","",N(G7)-N(F7)+5)', False),
])
def test_change_formula_recognised_only_for_its_own_row(formula, calculated):
    """Only a formula that is exactly this row's Revised − Expected is right by construction;
    anything else is checked through its cached value."""
    letters = {"expected": "F", "revised": "G"}
    assert computes_change(formula, 7, letters) is calculated


def test_excel_shared_formulas_are_read_per_cell(tmp_path):
    """Excel writes filled-down formulas as shared formulas; each row must see its own."""
    from xltools.savings.rows import change_formulas

    path = tmp_path / "shared.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("Savings")
    ws.write_row(0, 0, SAVINGS_LAYOUT.headers)
    wb.close()
    _inject_shared_formula(path)
    got = change_formulas(path, "H")
    assert got[2] == "=G2-F2" and got[3] == "=G3-F3"


def _inject_shared_formula(path):
    """Rewrite sheet2 with rows 2-3 whose H cells share one formula, as Excel saves them."""
    import zipfile

    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode()
    rows = ('<row r="2"><c r="H2"><f t="shared" ref="H2:H3" si="0">G2-F2</f><v>0</v></c></row>'
            '<row r="3"><c r="H3"><f t="shared" si="0"/><v>0</v></c></row>')
    parts["xl/worksheets/sheet1.xml"] = xml.replace("</row></sheetData>",
                                                    "</row>" + rows + "</sheetData>").encode()
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)


@pytest.mark.parametrize("value, expected", [
    (120, (120.0, False)), (12.5, (12.5, False)), (None, (None, False)), ("  ", (None, False)),
    ("tbc", (None, True)), ("£1,200", (None, True)), ("120", (None, True)), (True, (None, True)),
])
def test_money_is_a_number_or_flagged_never_guessed(value, expected):
    assert money(value) == expected


@pytest.mark.parametrize("text, expected", [
    ("2019/20", ("2019/20", 2019)), ("2019-20", ("2019/20", 2019)),
    ("2019/2020", ("2019/20", 2019)), ("19/20", ("2019/20", 2019)),
    ("next year", ("next year", None)),
])
def test_years_are_read_in_the_usual_spellings(text, expected):
    assert parse_year(text) == expected


def test_years_option_takes_a_range_or_a_list():
    assert parse_years_option("2019/20-2021/22") == ["2019/20", "2020/21", "2021/22"]
    assert parse_years_option("2019/20, 2021/22") == ["2019/20", "2021/22"]
    with pytest.raises(UsageError):
        parse_years_option("2021/22-2019/20")
    with pytest.raises(UsageError):
        parse_years_option("soon")


def test_a_tweaked_change_formula_is_checked_through_its_cached_value(tmp_path):
    """=G2-F2+10 saved by Excel with its value 30, while Revised − Expected is 20."""
    plan = sp.savings_plan(Plan.load(SAMPLE_PLAN))
    base = write_book(Book(plan=plan, kind=MASTER, savings=[sp.row("CF-05", "2019/20", 80)]),
                      tmp_path / "b.xlsx")
    path = tmp_path / "excel.xlsx"
    wb = xlsxwriter.Workbook(path)
    wb.add_worksheet("Actions").write_row(0, 0, ["ID", "Improvement action"])
    ws = wb.add_worksheet("Savings")
    ws.write_row(0, 0, SAVINGS_LAYOUT.headers)
    ws.write_row(1, 0, ["CF-05", "Early help", sp.DEPT, "Steve Edwards", "2019/20", 80, 100])
    ws.write_formula(1, 7, "=G2-F2+10", None, 30)
    ws.write_row(1, 8, ["Extension", "Colin Pettigrew", "20/09/2019"])
    wb.close()
    rec = reconcile_files(base, [path])
    assert flatten(rec.findings) == [("excel.xlsx", "H2", "CHANGE_MISMATCH")]
    assert rec.summary["grand_total"]["extensions"] == 20


def test_demo_sample_programme_reconciles_as_documented(tmp_path):
    """workbook_templates/sample_savings.json, as `make demo` writes and reconciles it."""
    import importlib.util

    from conftest import ROOT

    spec = importlib.util.spec_from_file_location("savings_sample",
                                                  ROOT / "demo" / "savings_sample.py")
    sample = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sample)
    baseline, returns = sample.write_sample(ROOT / "workbook_templates" / "sample_savings.json",
                                            SAMPLE_PLAN, tmp_path)
    rec = reconcile_files(baseline, returns)
    kinds = {p.ref: p.classification + (f" ({p.detail})" if p.detail else "")
             for p in rec.projects}
    assert kinds == {"CF-01": "Re-profile (acceleration)", "CF-02": "Write-off",
                     "CF-03": "Mitigation", "CF-04": "Extension", "CF-05": "Extension",
                     "CF-06": "Re-profile (slippage)", "CF-07": "No change",
                     "CF-08": "No change"}
    # -230 (CF-02) - 80 (CF-03) + 100 (CF-04) + 50 (CF-05)
    assert rec.summary["grand_total"]["total"] == -160
    assert rec.summary["by_year"]["2018/19"] == {
        "re_profiles": 0, "write_offs": -150, "mitigations": 0, "change_requests": -150,
        "extensions": 0, "new": 0, "total": -150, "expected": 150, "revised": 0,
        "in_range": False}
    assert sorted(f.code for f in rec.findings) == [
        "NOT_NUMERIC", "NOT_RETURNED", "NO_APPROVAL", "YEAR_OUT_OF_RANGE"]


def test_a_folder_of_returns_is_read_file_by_file(programme, capsys):
    """`xltools savings baseline.xlsx returns/`: the baseline in the same folder is skipped."""
    baseline, _ = programme
    assert main(["savings", str(baseline), str(baseline.parent), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["returns"] == ["return_a.xlsx", "return_b.xlsx"]
    assert data["summary"]["grand_total"]["total"] == -95 and data["complete"]
