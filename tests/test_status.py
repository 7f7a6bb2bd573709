"""Free-text status → RAG mapping (xltools.status), with the seeds' real statuses."""

from __future__ import annotations

import json
import re

import pytest
from conftest import SEEDS
from hypothesis import given
from hypothesis import strategies as st

from xltools.errors import PlanError
from xltools.plan import RagStatus
from xltools.status import StatusMapper, default_mapping, load_mapping_file, normalise

# Statuses as they appear (wrapped over several lines) in the Feb 2020 PDF extraction.
SEED_STATUSES = {
    "Ongoing programme of work": "Green",
    "Complete": "Complete",
    "Delayed but nearing full implementation.": "Amber",
    "Not yet commenced": "Not started",
}


def seed_text() -> str:
    raw = (SEEDS / "000_d5cf4684a186ae56.txt").read_text(encoding="utf-8")
    return " ".join(raw.split())


@pytest.mark.parametrize(("status", "rag"), sorted(SEED_STATUSES.items()))
def test_statuses_of_the_feb_2020_seed_map_to_the_rag_scheme(plan, status, rag):
    assert status in seed_text()  # the real document uses this wording
    assert StatusMapper(plan).map(status) == rag


@pytest.mark.parametrize(("status", "rag"), [
    ("ONGOING  programme of work", "Green"),  # case and spacing
    ("At risk", "Amber"),
    ("Delayed – awaiting ICT", "Amber"),  # pattern delayed*
    ("Delivery compromised by staffing shortfall", "Red"),  # pattern *compromised*
    ("Completed in July 2019", "Complete"),
    ("green", "Green"),  # a RAG name itself, any case
    ("Not started", "Not started"),
    ("R", "Red"),
])
def test_default_mapping_covers_common_wordings(plan, status, rag):
    assert StatusMapper(plan).map(status) == rag


@pytest.mark.parametrize("status", ["Awaiting decision", "Amber/Green", "not complete",
                                    "In progress", "", None])
def test_unknown_or_unsure_statuses_are_not_guessed(plan, status):
    assert StatusMapper(plan).map(status) is None


def test_plan_mapping_overrides_defaults_and_extra_overrides_plan(plan):
    amber_plan = plan.with_changes(status_mapping={"ongoing programme of work": "Amber"})
    assert StatusMapper(amber_plan).map("Ongoing programme of work") == "Amber"
    mapper = StatusMapper(amber_plan, {"Ongoing programme of work.": "Red"})
    assert mapper.map("ongoing programme of work") == "Red"


def test_longest_pattern_wins_and_a_tie_is_unmapped(plan):
    mapper = StatusMapper(plan, {"*delay*": "Red", "*late*": "Red", "*slow*": "Amber"})
    assert mapper.map("Delayed by a month") == "Amber"  # 'delayed*' is longer than '*delay*'
    assert mapper.map("late and slow") is None  # equal patterns, different statuses


def test_mapping_to_a_status_outside_the_scheme_is_refused_by_name(plan):
    with pytest.raises(PlanError, match=r"'stuck' maps to 'Purple'"):
        StatusMapper(plan, {"stuck": "Purple"})


def test_a_custom_scheme_ignores_defaults_it_cannot_use(plan):
    scheme = (RagStatus("Done", "#0000FF", complete=True, rank=2),
              RagStatus("Green", "#00FF00", rank=1))
    mapper = StatusMapper(plan.with_changes(rag_scheme=scheme, status_mapping={}))
    assert mapper.map("On track") == "Green"
    assert mapper.map("At risk") is None  # Amber is not in this scheme
    assert mapper.map("done") == "Done"


def test_defaults_ship_as_json_and_only_name_default_rag_statuses(plan):
    mapping = default_mapping()
    assert mapping["ongoing programme of work"] == "Green"
    assert set(mapping.values()) <= set(plan.rag_names)


def test_status_mapping_file_loads_and_bad_files_are_named(tmp_path):
    good = tmp_path / "statuses.json"
    good.write_text(json.dumps({"Awaiting decision": "Amber", "_comment": "x"}))
    assert load_mapping_file(good) == {"Awaiting decision": "Amber"}
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]")
    with pytest.raises(PlanError, match=re.escape(str(bad))):
        load_mapping_file(bad)
    with pytest.raises(PlanError, match="not found"):
        load_mapping_file(tmp_path / "missing.json")


@given(st.text(max_size=40))
def test_normalise_is_idempotent(text):
    assert normalise(normalise(text)) == normalise(text)
