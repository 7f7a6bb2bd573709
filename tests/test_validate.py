"""The validator: row schemas from the layout plus the workbook's own lists."""

from datetime import date, datetime

from xltools.findings import flatten
from xltools.workbook.book import Book
from xltools.workbook.layout import ACTIONS_LAYOUT, RETURN, SAVINGS_LAYOUT
from xltools.workbook.validate import row_schema, validate_book


def _row(n, **values):
    base = {"id": f"A-{n:04d}", "action": "An action", "_row": n + 1}
    return base | values


def _codes(book):
    return set(flatten(validate_book(book, file="r.xlsx"), ("cell", "code")))


def test_schema_is_generated_from_the_layout():
    schema = row_schema(ACTIONS_LAYOUT)
    assert set(schema["properties"]) == set(ACTIONS_LAYOUT.keys)
    assert schema["required"] == ["id", "action"]
    assert schema["properties"]["last_updated"]["type"] == ["date", "null"]
    assert row_schema(SAVINGS_LAYOUT)["properties"]["expected"]["type"] == ["number", "null"]


def test_valid_rows_pass_and_dropdown_case_is_tidied(plan):
    book = Book(plan=plan, actions=[_row(1, rag="green ", lead_officer="steve edwards",
                                         accountable_officer="Colin Pettigrew/Nigel Stevenson",
                                         last_updated=datetime(2019, 9, 30),
                                         timeframe="Quarterly. Next meeting 24 September 2019")])
    assert validate_book(book) == []
    row = book.actions[0]
    assert row["rag"] == "Green" and row["lead_officer"] == "Steve Edwards"
    assert row["accountable_officer"] == "Colin Pettigrew / Nigel Stevenson"


def test_each_broken_rule_names_its_cell(plan):
    book = Book(plan=plan, kind=RETURN, actions=[
        _row(1, rag="Purple"),
        _row(2, lead_officer="Colin Pettigrew / Jo Bloggs"),
        _row(3, last_updated="30/09/2019"),
        _row(4, section="9. Something else"),
        _row(5, id="7"),
        {"action": "no id", "_row": 7},
        _row(1, last_updated=date(2019, 9, 1), _row=8),
    ])
    assert _codes(book) == {
        ("M2", "INVALID"), ("F3", "INVALID"), ("N4", "INVALID"), ("C5", "INVALID"),
        ("A6", "INVALID"), ("A7", "INVALID"), ("A2", "DUPLICATE_ID"), ("A8", "DUPLICATE_ID"),
    }
    messages = {f.cell: f.message for f in validate_book(book)}
    assert "'Jo Bloggs' is not on the officer list" in messages["F3"]
    assert "is text, not a date" in messages["N4"]


def test_savings_money_must_be_numbers(plan):
    book = Book(plan=plan, savings=[
        {"project_ref": "CF-01", "year": "2019/20", "expected": 100, "revised": "£1,200",
         "_row": 2},
        {"project_ref": "CF-02", "year": "2031/32", "expected": 50.5, "_row": 3},
    ])
    assert _codes(book) == {("G2", "INVALID")}
    # a year outside the plan's is a warning, as `xltools savings` says (prior-year lines)
    from xltools.savings.rows import year_findings

    assert [(f.cell, f.code, f.severity) for f in year_findings(book)] == [
        ("E3", "YEAR_OUT_OF_RANGE", "warning")]
