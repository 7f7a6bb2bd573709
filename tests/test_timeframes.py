"""Due dates from free-text timeframes, including every one in the 2019 seed plan."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from conftest import SEEDS
from hypothesis import given
from hypothesis import strategies as st

from xltools.periods import Quarter
from xltools.timeframes import DATED, RECURRING, UNKNOWN, due_date, read_timeframe

# Every Timeframe cell of tests/fixtures/seeds/002_aed1e1315f25b11a.txt (the 2.9 cell
# continues across a page break; both halves and the joined text are here).
SEED_CASES = [
    ("Quarterly. Next meeting 24 September 2019", RECURRING, None),
    ("Completed every quarter.", RECURRING, None),
    ("November 2019", DATED, date(2019, 11, 30)),
    ("", UNKNOWN, None),
    ("Report completed July 2019", DATED, date(2019, 7, 31)),
    ("Rolling marketing campaign to July 2020 Revised offer for foster carers by April 2020",
     DATED, date(2020, 7, 31)),
    ("Timeframe is largely dependent on the operating model agreed by Members, but is "
     "estimated at between June and September 2020.", DATED, date(2020, 9, 30)),
    ("First two homes by September 2019", DATED, date(2019, 9, 30)),
    ("February 2020", DATED, date(2020, 2, 29)),
    ("Some already operational; others planned to be so by 2020/21", DATED, date(2021, 3, 31)),
    ("SIB to be operational by Feb 2020 (revised)", DATED, date(2020, 2, 29)),
    ("Details", UNKNOWN, None),
    ("End of September 2019 for Ofsted reporting Further development by June 2020", DATED,
     date(2020, 6, 30)),
    ("To be determined once projects initiated. Next step for progressing family safeguarding "
     "is joint CFS and ASCH leadership team meeting on 17 September. SEND strategy – initial "
     "phases are being delivered following Higher Level Needs budget review. This is being "
     "developed into a formal 5 year strategy for", UNKNOWN, None),
    ("implementation from spring 2020.", UNKNOWN, None),
    ("1 April 2020", DATED, date(2020, 4, 1)),
    ("To be determined.", UNKNOWN, None),
    ("All social workers to have smartphones by October 2019", DATED, date(2019, 10, 31)),
    ("Implementation from September 2019", UNKNOWN, None),
    ("Rollout across District Child Protection Teams and the Children's Disability Service by "
     "September 2019. Further roll outs to follow.", DATED, date(2019, 9, 30)),
    ("Pilot commences June 2019. Full rollout out January 2020 pending evaluation.", DATED,
     date(2020, 1, 31)),
    ("Detailed action plan being developed.", UNKNOWN, None),
]

OTHER_CASES = [
    ("Quarterly.", RECURRING, None),
    ("Monthly", RECURRING, None),
    ("Ongoing", RECURRING, None),
    ("Rolling", RECURRING, None),
    ("Q3 2019/20", DATED, date(2019, 12, 31)),
    ("Quarter 4 2019-20", DATED, date(2020, 3, 31)),
    ("2019/20 Q1", DATED, date(2019, 6, 30)),
    ("2020/21", DATED, date(2021, 3, 31)),
    ("by April 2020", DATED, date(2020, 4, 30)),
    ("Feb 2020", DATED, date(2020, 2, 29)),
    ("14/10/2019", DATED, date(2019, 10, 14)),
    ("2019-10-14", DATED, date(2019, 10, 14)),
    ("14th October 2019", DATED, date(2019, 10, 14)),
    ("Winter 2019", DATED, date(2020, 2, 29)),
    ("31/02/2020", UNKNOWN, None),  # not a real day
    ("Q3 2019", UNKNOWN, None),  # one year with an April year: ambiguous, not guessed
]


@pytest.mark.parametrize(("text", "kind", "due"), SEED_CASES + OTHER_CASES)
def test_timeframe(text, kind, due):
    frame = read_timeframe(text)
    assert (frame.kind, frame.due) == (kind, due)
    assert frame.can_be_overdue == (kind == DATED)


def test_every_seed_timeframe_is_covered():
    """The seed's Timeframe column (index 5 of 9 columns, 4 of the 8-column page) is all
    in SEED_CASES, so a new seed row cannot slip past these tests."""
    lines = (SEEDS / "002_aed1e1315f25b11a.txt").read_text(encoding="utf-8").splitlines()
    cells = set()
    for line in lines:
        parts = line.split("\t")
        index = {9: 5, 8: 4}.get(len(parts))
        if index is not None and parts[index].strip() != "Timeframe":
            cells.add(" ".join(parts[index].split()))
    assert cells <= {" ".join(t.split()) for t, _, _ in SEED_CASES}
    assert len(cells) == len(SEED_CASES)


def test_start_dates_are_not_due_dates_and_the_reason_says_so():
    frame = read_timeframe("Implementation from September 2019")
    assert "starts" in frame.reason and "September 2019" in frame.reason


def test_quarter_end_follows_the_plans_financial_year():
    assert due_date("Q1 2020", fy_start_month=1) == date(2020, 3, 31)
    assert due_date("Q3 2019/20", fy_start_month=7) == date(2020, 3, 31)


def test_a_real_date_cell_is_its_own_due_date():
    assert read_timeframe(date(2020, 1, 15)).due == date(2020, 1, 15)


@given(st.integers(2000, 2099), st.integers(1, 12))
def test_any_month_is_due_on_its_last_day(year, month):
    name = date(year, month, 1).strftime("%B")
    due = due_date(f"by {name} {year}")
    assert due.month == month and due.year == year
    assert (due + timedelta(days=1)).day == 1


@given(st.integers(2000, 2099), st.integers(1, 4), st.sampled_from([1, 4, 7, 9]))
def test_any_quarter_is_due_on_its_last_day(year, number, start_month):
    quarter = Quarter(year, number, start_month)
    assert due_date(str(quarter), start_month) == quarter.end
