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


def _trend_chart(xlsx) -> str:
    """The XML of the Dashboard's RAG-by-quarter chart."""
    import zipfile

    with zipfile.ZipFile(xlsx) as zf:
        found = [zf.read(n).decode() for n in zf.namelist()
                 if n.startswith("xl/charts/chart") and b"RAG status by quarter" in zf.read(n)]
    assert len(found) == 1
    return found[0]


def test_dashboard_trend_block_and_paper_direction_after_the_third_quarter(
        history_url, quarters, tmp_path, capsys):
    import re

    import docx
    from openpyxl import load_workbook

    masters, base = quarters
    assert main(["history", "backfill", str(base / "masters"), "--history", history_url]) == 0
    capsys.readouterr()
    sep = masters["sep"]
    dash = tmp_path / "dashboard.xlsx"
    assert main(["rollup", str(sep), "-o", str(dash), "--history", history_url, "--json"]) == 0
    trend = json.loads(capsys.readouterr().out)["trend"]
    assert [q["period"] for q in trend["quarters"]] == ["Q2 2019/20", "Q4 2019/20",
                                                        "Q2 2020/21"]
    chart = _trend_chart(dash)
    assert '<grouping val="stacked"/>' in chart and '<barDir val="col"/>' in chart
    cats = set(re.findall(r"<cat>.*?<f>'?Dashboard'?!\$A\$(\d+):\$A\$(\d+)</f>", chart,
                          re.S))
    assert len(cats) == 1
    first, last = map(int, cats.pop())
    assert last - first + 1 == 3  # three bars
    ws = load_workbook(dash, read_only=True)["Dashboard"]
    labels = {r: ws.cell(r, 1).value for r in range(first, last + 1)}
    assert list(labels.values()) == ["Q2 2019/20", "Q4 2019/20", "Q2 2020/21"]
    # the Sep 2020 quarter as its master holds it: the bar's total is its 22 actions
    sep_row = [c.value for c in ws[last]][1:8]
    assert sum(v for v in sep_row if isinstance(v, int)) == 22
    # red twice in a row (positions 4, 8, …) and worsened (position 1) are listed
    names = {a["id"] for a in trend["red_for_2_or_more"]}
    assert names and all(a["quarters"] >= 2 for a in trend["red_for_2_or_more"])
    assert trend["worsened"]
    assert [(a["was"], a["now"]) for a in trend["slipped"]] == [("June 2020", "December 2020")]
    # the KPI's recorded series, and its trend over it (Low is good: 60 → 52 improved)
    (kpi,) = trend["kpis"]
    assert kpi["values"] == {"Q2 2019/20": 60, "Q4 2019/20": 57, "Q2 2020/21": 52}
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert "Improved since Q2 2019/20" in texts
    paper = tmp_path / "paper.docx"
    assert main(["paper", str(sep), "-o", str(paper), "--history", history_url]) == 0
    document = docx.Document(paper)
    book = read_book(sep)
    aug_ids = {a["id"] for a in read_book(masters["aug"]).actions}
    shown = {}
    for table in document.tables:
        head = [c.text for c in table.rows[0].cells]
        assert "Direction" in head
        col, ref = head.index("Direction"), head.index("Ref")
        for row in table.rows[1:]:
            shown[row.cells[ref].text] = row.cells[col].text
    for action in book.actions:
        text = shown[action["ref"]]
        if action["id"] in aug_ids:  # every action with a previous quarter has a direction
            assert re.fullmatch(r"[↑↓→] \d qtrs?", text), (action["ref"], text)
        else:
            assert text == "New"
