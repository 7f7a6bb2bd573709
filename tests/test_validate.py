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
        _row(3, last_updated="30th Sept"),  # (30/09/2019 as text is read as that day)
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
    assert "is text xltools can't read as a date" in messages["N4"]


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


# --- the fast paths agree with the slow ones ---------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from xltools.workbook.validate import _quick_check, _validator  # noqa: E402

_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-10, 10**6), st.floats(allow_nan=False),
    st.text(max_size=12), st.sampled_from(["A-0001", "a-12", "AB-", "7", " A-0001"]),
    st.dates(), st.datetimes(), st.lists(st.integers(), max_size=2))


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(st.sampled_from(list(ACTIONS_LAYOUT.keys) + ["_row"]), _VALUES),
       st.sampled_from([ACTIONS_LAYOUT, SAVINGS_LAYOUT]))
def test_quick_check_never_passes_a_row_jsonschema_rejects(row, layout):
    """The quick yes is only a shortcut: whatever it passes, jsonschema passes too (rows
    it turns down go to jsonschema, which names what is wrong)."""
    data = {k: (v.date() if isinstance(v, datetime) else v) for k, v in row.items()
            if not k.startswith("_")}
    if _quick_check(layout)(row):
        assert _validator(layout).is_valid(data)


def test_a_repeated_value_is_tidied_and_judged_alike_every_time(plan):
    """Verdicts on dropdown values are remembered per plan: the tenth 'green ' is tidied
    like the first, a bad value is reported every time, and a value another plan
    accepts is still refused by this one."""
    rows = [_row(n, rag="green ", lead_officer="steve edwards") for n in range(1, 11)]
    rows += [_row(n, rag="Purple") for n in range(11, 14)]
    book = Book(plan=plan, actions=rows)
    codes = _codes(book)
    assert {r["rag"] for r in book.actions[:10]} == {"Green"}
    assert {r["lead_officer"] for r in book.actions[:10]} == {"Steve Edwards"}
    assert codes == {(f"M{n + 1}", "INVALID") for n in range(11, 14)}
    other = plan.with_changes(officers=("Jo Bloggs",))
    again = Book(plan=other, actions=[_row(1, lead_officer="steve edwards")])
    assert _codes(again) == {("F2", "INVALID")}


def test_long_text_and_control_characters_are_both_reported(plan):
    from xltools.workbook.layout import EXCEL_MAX_TEXT

    book = Book(plan=plan, actions=[
        _row(1, progress_update="x" * (EXCEL_MAX_TEXT + 1), success_measure="bell\x07here"),
        _row(2, progress_update="fine\nwith a line break and a tab\t"),
    ])
    found = {(f.cell, f.code) for f in validate_book(book)}
    letters = {c.key: chr(64 + i) for i, c in enumerate(ACTIONS_LAYOUT.columns, start=1)}
    assert found == {(f"{letters['progress_update']}2", "INVALID"),
                     (f"{letters['success_measure']}2", "CONTROL_CHARS")}


# -- pins (issue 28): each failed with its bug planted (bench/mutants.py) ----------------


def test_a_required_cell_cleared_to_empty_is_reported(plan):
    """An action whose text was deleted (the cell there, but empty) is INVALID at that
    cell: the quick check must not wave a present-but-empty required cell through."""
    book = Book(plan=plan, actions=[_row(1), _row(2, action=None)],
                savings=[{"project_ref": None, "year": "2019/20", "expected": 100, "_row": 2}])
    found = {(f.sheet, f.cell, f.code): f for f in validate_book(book, file="r.xlsx")}
    assert set(found) == {("Actions", "D3", "INVALID"), ("Savings", "A2", "INVALID")}
    assert "is required" in found["Actions", "D3", "INVALID"].message
