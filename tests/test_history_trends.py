"""Issue 26's acceptance: three quarters of a council plan backfilled into the store
(SQLite and PostgreSQL), each action's points, and the trends drawn from them."""

from __future__ import annotations

import json

import pytest
from history_quarters import three_quarters

from xltools.cli import main
from xltools.workbook.reader import read_book


@pytest.fixture(scope="module")
def quarters(tmp_path_factory):
    base = tmp_path_factory.mktemp("quarters")
    return three_quarters(base / "masters", base / "work"), base


def test_backfill_gives_kept_withdrawn_and_new_actions_their_points(history_url, quarters,
                                                                    capsys):
    masters, base = quarters
    assert main(["history", "backfill", str(base / "masters"), "--history", history_url]) == 0
    said = capsys.readouterr().out
    assert said.index("Q2 2019/20") < said.index("Q4 2019/20") < said.index("Q2 2020/21")
    assert "3 masters read, 3 recorded" in said
    aug, sep = read_book(masters["aug"]), read_book(masters["sep"])
    withdrawn = {a["id"] for a in sep.archive if a["rag"] == "Withdrawn"}
    kept = {a["id"] for a in sep.actions} & {a["id"] for a in aug.actions}
    new = {a["id"] for a in sep.actions} - kept
    assert (len(kept), len(withdrawn), len(new)) == (16, 6, 6)
    points = {}
    for action_id in kept | withdrawn | new:
        assert main(["history", "show", "--history", history_url, "--action", action_id,
                     "--json"]) == 0
        points[action_id] = json.loads(capsys.readouterr().out)["points"]
    for action_id in kept:
        assert [p["period"] for p in points[action_id]] == [
            "Q2 2019/20", "Q4 2019/20", "Q2 2020/21"], action_id
    for action_id in withdrawn:
        assert len(points[action_id]) == 3 and points[action_id][-1]["rag"] == "Withdrawn"
        assert points[action_id][-1]["period"] == "Q2 2020/21"
    for action_id in new:
        assert [p["period"] for p in points[action_id]] == ["Q2 2020/21"]
    # a ref means the action holding it now: 1.1 was 2.1 before the revision renumbered it
    assert main(["history", "show", "--history", history_url, "--action", "1.1"]) == 0
    rows = [[cell.strip() for cell in line.split("│")[1:3]]
            for line in capsys.readouterr().out.splitlines() if line.startswith("│ Q")]
    assert rows == [["Q2 2019/20", "2.1"], ["Q4 2019/20", "2.1"], ["Q2 2020/21", "1.1"]]
    # backfilling the same folder again records nothing new
    assert main(["history", "backfill", str(base / "masters"), "--history", history_url]) == 0
    assert "3 masters read, 0 recorded" in capsys.readouterr().out
