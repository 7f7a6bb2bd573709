"""Stored formula results: the evaluator by hand, and against LibreOffice."""

from __future__ import annotations

import pytest
from conftest import convert
from openpyxl import load_workbook
from pmo_master import AS_OF, master_book

from xltools.reporting.dashboard import dashboard_sheet
from xltools.reporting.flags import apply_flags, flag_book
from xltools.reporting.kpis import apply_kpis, assess_kpis
from xltools.workbook.fastrows import NA, ExcelError
from xltools.workbook.formula_values import Unsupported, evaluate, matches
from xltools.workbook.reader import read_book
from xltools.workbook.writer import write_book

# A little sheet: Actions!A (IDs), Actions!M (RAG), Actions!C (section); local cells.
ACTIONS = {"A": ["A-0001", "A-0002", "A-0003", "A-0004", None],
           "C": ["1. Money", "1. Money", "2. People", "2. People", None],
           "M": ["Green", "green", None, "Purple", None],
           "Q": ["NO_UPDATE: x\nOVERDUE: y", "", "OVERDUE: z", None, None]}
LOCAL = {("A", 1): "1. Money", ("B", 1): 2, ("C", 1): 0, ("D", 1): 3.5}


def cells(sheet, col, row):
    if sheet == "Actions":
        column = ACTIONS.get(col, [])
        return column[row - 2] if 0 <= row - 2 < len(column) else None
    return LOCAL.get((col, row))


@pytest.mark.parametrize(("formula", "expected"), [
    ('=COUNTIFS(Actions!$M$2:$M$5000,"Green")', 2),  # case ignored
    ('=COUNTIFS(Actions!$C$2:$C$5000,$A1,Actions!$M$2:$M$5000,"Green")', 2),
    ('=COUNTIFS(Actions!$A$2:$A$5000,"<>",Actions!$M$2:$M$5000,"")', 1),  # no status
    ('=COUNTIFS(Actions!$A$2:$A$5000,"<>")-COUNTIFS(Actions!$M$2:$M$5000,"Green")', 2),
    ('=COUNTIF(Actions!$Q$2:$Q$5000,"*OVERDUE:*")', 2),
    ('=COUNTIF(Actions!$Q$2:$Q$5000,"*NO_UPDATE:*")', 1),
    ("=SUM(B1:D1)", 5.5),
    ("=IF(C1=0,NA(),C1)", NA),
    ("=IF(B1=0,0,(B1+D1)/B1)", 2.75),
    ("=ROUND(D1*3-1,0)", 10),
    ("=A1", "1. Money"),
    ('=SUMIFS(B1:D1,B1:D1,">1")', 5.5),
    ("=N(A1)+N(B1)", 2),
    ("=B1/C1", ExcelError("#DIV/0!")),
])
def test_hand_worked_results(formula, expected):
    assert evaluate(formula, cells) == expected


@pytest.mark.parametrize("formula", ["=VLOOKUP(A1,B1:C1,2)", "=SUM(B1:D1", "={1,2}",
                                     "=B1:D1"])
def test_anything_else_is_refused_not_guessed(formula):
    with pytest.raises(Unsupported):
        evaluate(formula, cells)


@pytest.mark.parametrize(("value", "criterion", "expected"), [
    ("Amber", "amber", True), ("Amber", "A*", True), ("Amber", "?mber", True),
    ("A*b", "A~*b", True), ("Axb", "A~*b", False), (None, "", True), ("", "<>", False),
    (5, ">4", True), (5, "<=4", False), ("5", 5, False), (5, 5, True), ("x", "<>x", False),
])
def test_countif_criteria(value, criterion, expected):
    assert matches(value, criterion) is expected


def test_dashboard_results_agree_with_libreoffice(plan, tmp_path, soffice):
    """Every stored result on the Dashboard is what LibreOffice calculates itself."""
    book = read_book(write_book(master_book(plan), tmp_path / "master.xlsx"))
    apply_flags(book, flag_book(book, as_of=AS_OF))
    apply_kpis(book, assess_kpis(book))
    ours = write_book(book, tmp_path / "dashboard.xlsx",
                      extra_sheets=[dashboard_sheet(as_of=AS_OF)])
    assert _stored_vs_libreoffice(ours, "Dashboard", soffice, tmp_path) > 60


def _stored_vs_libreoffice(ours, sheet: str, soffice, tmp_path) -> int:
    """Compare every stored result on ``sheet`` with LibreOffice's own calculation."""
    formulas = load_workbook(ours)[sheet]
    stored = load_workbook(ours, data_only=True)[sheet]
    bare = tmp_path / "bare" / ours.name  # results stripped: LibreOffice must calculate
    bare.parent.mkdir(exist_ok=True)
    load_workbook(ours).save(bare)
    calculated = load_workbook(convert(soffice, bare, "xlsx", tmp_path / "lo"),
                               data_only=True)[sheet]
    refs = [c.coordinate for row in formulas.iter_rows() for c in row if c.data_type == "f"]
    for ref in refs:
        mine, theirs = stored[ref].value, calculated[ref].value
        if theirs in (None, ""):  # a formula giving "" (Change while Revised is blank)
            assert mine in (None, ""), ref
            continue
        assert mine is not None, f"no stored result at {sheet}!{ref}"
        if isinstance(theirs, (int, float)):
            assert mine == pytest.approx(theirs), ref
        else:
            assert str(mine) == str(theirs), ref
    return len(refs)


def test_reconciliation_and_change_results_agree_with_libreoffice(plan, tmp_path, soffice):
    from savings_programme import write_programme

    from xltools.savings.reconcile import reconcile
    from xltools.savings.reconciliation_sheet import write_reconciliation_workbook

    baseline, returns = write_programme(plan, tmp_path / "programme")
    rec = reconcile(read_book(baseline), [read_book(p, plan=read_book(baseline).plan)
                                          for p in returns])
    out = write_reconciliation_workbook(rec, tmp_path / "reconciliation.xlsx")
    assert _stored_vs_libreoffice(out, "Reconciliation", soffice, tmp_path) > 50
    assert _stored_vs_libreoffice(out, "Savings", soffice, tmp_path) > 10  # Change column
