"""Plan files: the schema's rules, and errors that name the field and the rule."""

import json

import pytest
from conftest import SAMPLE_PLAN

from xltools.errors import PlanError
from xltools.plan import Plan, split_officers


def _write(tmp_path, data):
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data))
    return path


def _sample():
    return json.loads(SAMPLE_PLAN.read_text())


def test_sample_plan_loads(plan):
    assert plan.period == "Q2 2019/20"
    assert str(plan.quarter.next()) == "Q3 2019/20"
    assert "Colin Pettigrew / Nigel Stevenson" in plan.officers
    assert "Nigel Stevenson" in plan.individual_officers
    assert plan.complete_statuses == {"Complete"}


@pytest.mark.parametrize(
    ("change", "field", "rule"),
    [
        ({"period": "Quarter five"}, "period", "pattern"),
        ({"stale_days": 0}, "stale_days", "minimum"),
        ({"fy_start_month": 13}, "fy_start_month", "maximum"),
        ({"deadline": "14/10/2019"}, "deadline", "format"),
        ({"officers": ["A", "A"]}, "officers", "uniqueItems"),
        ({"colour_scheme": "x"}, "(top level)", "additionalProperties"),
        ({"rag_scheme": [{"name": "Green", "colour": "green"}, {"name": "Red",
                                                              "colour": "#FF0000"}]},
         "rag_scheme/0/colour", "pattern"),
    ],
)
def test_invalid_plan_names_field_and_rule(tmp_path, change, field, rule):
    data = _sample() | change
    with pytest.raises(PlanError) as err:
        Plan.load(_write(tmp_path, data))
    assert f"field '{field}'" in str(err.value)
    assert f"rule '{rule}'" in str(err.value)
    assert str(tmp_path / "plan.json") in str(err.value)


def test_missing_required_field(tmp_path):
    data = _sample()
    del data["title"]
    with pytest.raises(PlanError, match="'title' is a required property"):
        Plan.load(_write(tmp_path, data))


def test_joint_officer_must_be_listed_alone(tmp_path):
    data = _sample() | {"officers": ["Ann Lee", "Ann Lee / Bob Roe"]}
    with pytest.raises(PlanError, match="Bob Roe in 'Ann Lee / Bob Roe'"):
        Plan.load(_write(tmp_path, data))


def test_not_json(tmp_path):
    path = tmp_path / "plan.json"
    path.write_text("{organisation: ")
    with pytest.raises(PlanError, match="not valid JSON"):
        Plan.load(path)


def test_one_year_period_needs_calendar_year(tmp_path):
    with pytest.raises(PlanError, match="'Q3 2019'"):
        Plan.load(_write(tmp_path, _sample() | {"period": "Q3 2019"}))
    plan = Plan.load(_write(tmp_path, _sample() | {"period": "Q3 2019", "fy_start_month": 1}))
    assert str(plan.quarter.next()) == "Q4 2019"


def test_split_officers_handles_slashes_and_line_breaks():
    assert split_officers("Colin Pettigrew/ Nigel  Stevenson") == ["Colin Pettigrew",
                                                                  "Nigel Stevenson"]
    assert split_officers("Sue Milburn\nLucy Peel / ") == ["Sue Milburn", "Lucy Peel"]
    assert split_officers(None) == []


def test_default_timeframes_follow_the_period(plan):
    timeframes = plan.timeframe_list()
    assert timeframes[0] == "Q2 2019/20"
    assert "Q4 2020/21" in timeframes and "Q1 2021/22" not in timeframes
    assert "Ongoing" in timeframes
    assert plan.savings_year_list() == ["2018/19", "2019/20", "2020/21", "2021/22", "2022/23"]
