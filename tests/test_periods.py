"""Financial-year quarters: parsing, formatting, dates and arithmetic."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xltools.errors import PeriodError
from xltools.periods import Quarter, fy_label, parse_fy

quarters = st.builds(Quarter, st.integers(1990, 2090), st.integers(1, 4), st.integers(1, 12))


@pytest.mark.parametrize(
    "text",
    ["Q3 2019/20", "Quarter 3 2019-20", "2019/20 Q3", "q3 2019/2020", "Qtr 3 FY2019/20",
     " Q3  2019 / 20 ", "2019-20 quarter 3", "Q3 2019–20"],
)
def test_variants_parse_to_the_same_quarter(text):
    assert Quarter.parse(text) == Quarter(2019, 3)


def test_format_and_dates_with_april_start():
    q = Quarter.parse("Q3 2019/20")
    assert str(q) == "Q3 2019/20"
    assert (q.start, q.end) == (date(2019, 10, 1), date(2019, 12, 31))
    q4 = Quarter.parse("Q4 2019/20")
    assert (q4.start, q4.end) == (date(2020, 1, 1), date(2020, 3, 31))


def test_year_boundary():
    assert str(Quarter.parse("Q4 2019/20").next()) == "Q1 2020/21"
    assert str(Quarter.parse("Q1 2020/21").previous()) == "Q4 2019/20"


def test_century_boundary_label():
    assert str(Quarter(1999, 2)) == "Q2 1999/00"
    assert Quarter.parse("Q2 1999/00") == Quarter(1999, 2)


def test_calendar_year_start():
    q = Quarter.parse("Q4 2020", start_month=1)
    assert (q.start, q.end) == (date(2020, 10, 1), date(2020, 12, 31))
    assert str(q.next()) == "Q1 2021"


def test_july_start():
    q = Quarter(2019, 1, 7)
    assert (q.start, q.end) == (date(2019, 7, 1), date(2019, 9, 30))
    assert Quarter(2019, 3, 7).start == date(2020, 1, 1)
    assert Quarter.containing(date(2020, 6, 30), 7) == Quarter(2019, 4, 7)


def test_leap_year_quarter_end():
    assert Quarter(2019, 4).end == date(2020, 3, 31)
    assert Quarter(2023, 4, start_month=12).end == date(2024, 11, 30)
    assert Quarter(2023, 1, start_month=12).end == date(2024, 2, 29)


@pytest.mark.parametrize("bad", ["Q5 2019/20", "Q3 2019/21", "2019/20", "Q3", "", "Q3 2019"])
def test_bad_periods_are_refused_with_a_reason(bad):
    with pytest.raises(PeriodError, match="Q3 2019/20|not followed|one year"):
        Quarter.parse(bad)


def test_fy_labels():
    assert fy_label(2019) == "2019/20"
    assert parse_fy("2019/20") == 2019
    assert parse_fy("2020", start_month=1) == 2020
    with pytest.raises(PeriodError):
        parse_fy("2019")


@given(quarters)
def test_parse_format_round_trip(q):
    assert Quarter.parse(str(q), q.start_month) == q


@given(quarters)
def test_four_nexts_is_next_year(q):
    assert q.next().next().next().next() == Quarter(q.year + 1, q.number, q.start_month)


@given(quarters, st.integers(-40, 40))
def test_shift_is_reversible_and_ordered(q, n):
    assert q.shift(n).shift(-n) == q
    assert (q.shift(n) > q) == (n > 0)


@given(quarters)
def test_quarters_tile_the_calendar(q):
    assert q.next().start == q.end + timedelta(days=1)
    assert Quarter.containing(q.start, q.start_month) == q
    assert Quarter.containing(q.end, q.start_month) == q
    assert 89 <= (q.end - q.start).days + 1 <= 92
