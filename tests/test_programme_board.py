"""What the board sees on a programme plan's Dashboard and highlight report (issue 27).

Seed 003 (a real programme plan) is imported, then given RAGs, Flags lines and
risk scores here as a quarter's returns and ``xltools flags`` would leave them;
``xltools rollup`` writes the Dashboard, which is read back with openpyxl (the
values stored with the formulas, as a reader that does not recalculate sees them)
and rendered by LibreOffice. Expected figures are counted here from the rows set,
never copied from the output.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from conftest import SAMPLE_PLAN, SEEDS
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from xltools.cli import main
from xltools.legacy.importer import import_legacy
from xltools.plan import Plan
from xltools.reporting.heatmap import heat_map
from xltools.reporting.highlight import render_pdf
from xltools.reporting.programme_board import BOARD_FLAGS
from xltools.reporting.programmes import by_aim
from xltools.workbook import styles
from xltools.workbook.book import Book
from xltools.workbook.reader import read_book
from xltools.workbook.risks import rag_for
from xltools.workbook.writer import write_book

SEED = SEEDS / "003_31615a5fe2b3e7b2.txt"
# one RAG typed over the dropdown: the widest table (a "Not a RAG status" column too)
RAGS = ["Green", "Amber", "Red", "Complete", None, "Not started", "Amber", "Purple"]
LINES = {"OVERDUE": "OVERDUE: End Oct 2024 has passed and it is not Complete",
         "SLIPPED": "SLIPPED: Revised end Mar 2025 is 5 months later than End Oct 2024",
         "NOT_STARTED": "NOT_STARTED: Start July 2024 has passed with no update"}
# (likelihood, impact, previous score, owner): R3 unscored, R5 out of range
RISKS = [(4, 5, 12, "Director of Finance"), (3, 3, 9, "Assistant Chief Executive"),
         (None, None, None, "Chief Executive"), (5, 4, 25, "Director of Finance"),
         (7, 2, None, "Director of HR")]
THRESHOLDS = {"Red": 12, "Amber": 6}  # this plan draws the lines lower than the default


def _codes_for(index: int) -> list[str]:
    """A spread of flag codes over the activities (some with two, most with none)."""
    return [code for code, every, at in (("OVERDUE", 4, 0), ("SLIPPED", 5, 1),
                                         ("NOT_STARTED", 7, 2)) if index % every == at]


@pytest.fixture(scope="module")
def board(tmp_path_factory):
    """(the master as written, the Dashboard workbook with stored values)."""
    folder = tmp_path_factory.mktemp("board")
    report = import_legacy(SEED, period="Q2 2024/25")
    book = report.book
    assert book.is_programme and len(book.risks) == 5
    for i, activity in enumerate(book.actions):
        activity["rag"] = RAGS[i % len(RAGS)]
        activity["flags"] = "\n".join(LINES[c] for c in _codes_for(i)) or None
        if "SLIPPED" in _codes_for(i):  # the RDL's forecast, as the return gave it
            activity["revised_end"] = "Mar 2025"
        if i == 3:  # words in progress that are not a flag code are not counted
            activity["progress_update"] = "OVERDUE: no, on track; the date slipped a week"
    for risk, (likelihood, impact, previous, owner) in zip(book.risks, RISKS, strict=True):
        risk.update(likelihood=likelihood, impact=impact, previous_score=previous,
                    owner=owner)
    book.extra_settings["risk_thresholds"] = THRESHOLDS
    master = write_book(book, folder / "programme master.xlsx")
    out = folder / "dashboard.xlsx"
    assert main(["rollup", str(master), "-o", str(out), "--as-of", "2024-09-30"]) == 0
    return read_book(master), out


def _sheet(path: Path):
    return load_workbook(path, data_only=True)["Dashboard"]


def _find(ws, text: str) -> int:
    rows = [c.row for c in ws["A"] if isinstance(c.value, str) and c.value.startswith(text)]
    assert rows, f"no row starting {text!r} in column A"
    return rows[0]


def _programme_table(ws) -> tuple[dict[str, int], list[tuple[str, dict]]]:
    """The header (name -> column) and each row (column A, {header: value}) down to the
    all-activities row."""
    head = _find(ws, "RAG status by programme") + 1
    header = {ws.cell(head, c).value: c for c in range(1, ws.max_column + 1)
              if ws.cell(head, c).value}
    rows = []
    for r in range(head + 1, ws.max_row + 1):
        label = ws.cell(r, 1).value
        rows.append((label, {h: ws.cell(r, c).value for h, c in header.items()}))
        if label == "All activities":
            return header, rows
    raise AssertionError("no All activities row")


def test_rag_by_programme_grouped_by_aim_with_sao_and_rdl(board):
    book, out = board
    ws = _sheet(out)
    header, rows = _programme_table(ws)
    labels = [label for label, _ in rows]
    for aim, title, programmes in by_aim(book):
        aim_row = labels.index(f"Aim {aim}: {title}")
        # the aim's programmes follow it, in plan order, each naming its SAO and RDL
        for offset, programme in enumerate(programmes, start=1):
            label, counts = rows[aim_row + offset]
            name, people = label.split("\n")
            assert name == programme.section
            assert f"SAO: {programme.sao or 'not recorded'}" in people
            assert f"RDL: {programme.rdl or 'not recorded'}" in people
            expected = {s: sum(1 for a in programme.activities if (a.get("rag") or None) == s)
                        for s in ("Green", "Amber", "Red", "Complete", "Not started")}
            assert {s: counts[s] for s in expected} == expected, name
            assert counts["No status given"] == sum(1 for a in programme.activities
                                                    if not a.get("rag"))
            assert counts["Not a RAG status"] == sum(1 for a in programme.activities
                                                     if a.get("rag") == "Purple")
            assert counts["Total"] == len(programme.activities)
    assert "SAO: not recorded · RDL: not recorded" in labels[labels.index(next(
        lab for lab in labels if lab.startswith("4. Continuous financial")))]
    assert len(book.actions) == rows[-1][1]["Total"] == 76


def test_overdue_slipped_not_started_counted_from_flag_codes(board):
    book, out = board
    header, rows = _programme_table(ws := _sheet(out))
    found = {label.split("\n")[0]: counts for label, counts in rows if "\n" in label}
    index = {id(a): i for i, a in enumerate(book.actions)}
    for programme in [p for _, _, ps in by_aim(book) for p in ps]:
        for code, heading in BOARD_FLAGS:
            expected = sum(code in _codes_for(index[id(a)]) for a in programme.activities)
            assert found[programme.section][heading] == expected, (programme.section, code)
    totals = rows[-1][1]
    for code, heading in BOARD_FLAGS:
        assert totals[heading] == sum(code in _codes_for(i) for i in range(76)) > 0
    # and listed for the board, after the overdue ones
    titles = [c.value for c in ws["A"] if isinstance(c.value, str)]
    for code, title in (("SLIPPED", "Slipped activities"),
                        ("NOT_STARTED", "Not started though their Start has passed")):
        assert f"{title} ({sum(code in _codes_for(i) for i in range(76))})" in titles
    # a slipped activity is listed with its End and the revised end its RDL gave
    top = _find(ws, "Slipped activities") + 2
    listed = [[str(ws.cell(r, c).value or "") for c in range(1, ws.max_column + 1)]
              for r in range(top, top + 10)]
    assert all(any(v.endswith(", revised to Mar 2025") for v in row) for row in listed)
    # the counts are live: formulas over the Flags column, not numbers typed in
    formulas = load_workbook(out)["Dashboard"]
    head = _find(ws, "RAG status by programme") + 1
    cell = formulas.cell(head + 2, header["Slipped"]).value
    assert cell.startswith("=COUNTIFS(") and '"*SLIPPED:*"' in cell


def _heat_cells(ws) -> dict[tuple[int, int], object]:
    """(likelihood, impact) -> the heat map cell."""
    head = _find(ws, "Likelihood")
    cells = {}
    for r in range(head + 1, head + 6):
        likelihood = int(str(ws.cell(r, 1).value).split()[0])
        for c in range(2, 7):
            cells[(likelihood, int(ws.cell(head, c).value))] = ws.cell(r, c)
    return cells


def test_heat_map_counts_every_scored_risk_once_in_threshold_colours(board):
    book, out = board
    ws = _sheet(out)
    cells = _heat_cells(ws)
    assert len(cells) == 25
    placed = []
    for (likelihood, impact), cell in cells.items():
        if cell.value:
            count, ids = str(cell.value).split("\n")
            assert int(count) == len(ids.split(", "))
            placed += [(i, likelihood, impact) for i in ids.split(", ")]
        colour = book.plan.rag(rag_for(likelihood * impact, THRESHOLDS)).colour
        assert cell.fill.fgColor.rgb[-6:] == styles.hex_colour(colour)[-6:]
    scored = [(r["id"], r["likelihood"], r["impact"]) for r in book.risks
              if all(isinstance(r[k], int) and 1 <= r[k] <= 5 for k in ("likelihood", "impact"))]
    assert sorted(placed) == sorted(scored) and len(placed) == 3
    # the plan's own thresholds colour the cells: 3 × 4 = 12 is Red here (not by default)
    assert cells[(3, 4)].fill.fgColor.rgb[-6:] == styles.hex_colour(
        book.plan.rag("Red").colour)[-6:]


def test_unscored_risks_are_listed_never_dropped(board):
    book, out = board
    ws = _sheet(out)
    text = ws.cell(_find(ws, "Not yet scored"), 1).value
    assert text.startswith("Not yet scored (2)")
    for risk in book.risks[2], book.risks[4]:  # blank, and likelihood 7 (outside 1–5)
        assert f"{risk['id']} {' '.join(risk['title'].split())}" in text
    note = ws.cell(_find(ws, "Risks: likelihood") + 1, 1).value
    assert note.startswith(f"3 of {len(book.risks)} risks scored")


_PART = st.one_of(st.none(), st.integers(-1, 7), st.sampled_from(["3", " 5 ", "high", ""]),
                  st.sampled_from([2.0, 4.0, 2.5]))


@given(parts=st.lists(st.tuples(_PART, _PART), max_size=40),
       red=st.integers(2, 25), amber=st.integers(1, 24))
def test_heat_map_places_every_risk_exactly_once(parts, red, amber):
    """Whatever is typed in Likelihood and Impact, each risk is in one cell (the one of
    its values, when both are whole numbers 1–5) or in the unscored list."""
    book = Book(plan=Plan.load(SAMPLE_PLAN),
                extra_settings={"risk_thresholds": {"Red": red, "Amber": amber}})
    book.risks = [{"id": f"R{n}", "title": f"Risk {n}", "likelihood": lik, "impact": imp}
                  for n, (lik, imp) in enumerate(parts, start=1)]
    found = heat_map(book)

    def valid(value):
        try:
            number = float(str(value).strip())
        except (TypeError, ValueError):
            return None
        return int(number) if number.is_integer() and 1 <= number <= 5 else None

    placed = sorted(r.id for r in found.scored) + sorted(r.id for r in found.unscored)
    assert sorted(placed) == sorted(r["id"] for r in book.risks)  # once each, none lost
    for risk in book.risks:
        where = (valid(risk["likelihood"]), valid(risk["impact"]))
        if None in where:
            assert risk["id"] in [r.id for r in found.unscored]
        else:
            assert risk["id"] in found.ids(*where)
            assert found.rag(*where) == rag_for(where[0] * where[1], found.limits)


def test_top_risks_by_score_with_owner_and_direction(board):
    book, out = board
    ws = _sheet(out)
    head = _find(ws, "Top risks by score") + 1
    header = {ws.cell(head, c).value: c for c in range(1, ws.max_column + 1)
              if ws.cell(head, c).value}
    shown = []
    for r in range(head + 1, head + 1 + 3):
        shown.append({h: ws.cell(r, c).value for h, c in header.items()})
    expected = sorted(heat_map(book).scored, key=lambda r: -r.score)
    assert [s["Risk"].split()[0] for s in shown] == [r.id for r in expected]
    assert [s["Score"] for s in shown] == sorted((s["Score"] for s in shown), reverse=True)
    by_id = {r["id"]: r for r in book.risks}
    for row in shown:
        risk = by_id[row["Risk"].split()[0]]
        assert row["Owner"] == risk["owner"]
        assert row["Score"] == risk["likelihood"] * risk["impact"]
        before = risk["previous_score"]
        word = ("Rising" if row["Score"] > before else "Falling" if row["Score"] < before
                else "Same")
        assert row["Direction"].endswith(word)


def test_rollup_json_gives_the_board_view_as_the_dashboard_shows_it(board, capsys):
    book, out = board
    _, rows = _programme_table(_sheet(out))
    shown = {label.split("\n")[0]: counts for label, counts in rows if "\n" in label}
    capsys.readouterr()
    assert main(["rollup", str(book.path), "--json"]) == 0
    view = json.loads(capsys.readouterr().out)["board"]
    assert [a["aim"] for a in view["aims"]] == [aim for aim, _, _ in by_aim(book)]
    for programme in [p for a in view["aims"] for p in a["programmes"]]:
        counts = shown[programme["programme"]]
        assert programme["activities"] == counts["Total"]
        assert programme["rag"]["Red"] == counts["Red"]
        assert {c: programme["flags"][c] for c, _ in BOARD_FLAGS} == {
            c: counts[h] for c, h in BOARD_FLAGS}
    risks = view["risks"]
    assert sum(len(c["risks"]) for c in risks["heat_map"]) == risks["scored"] == 3
    assert risks["scored"] + len(risks["not_yet_scored"]) == len(book.risks)
    assert [r["score"] for r in risks["top"]] == sorted((r["score"] for r in risks["top"]),
                                                        reverse=True)


def test_tracker_dashboard_has_no_programme_blocks(plan, tmp_path, capsys):
    """A tracker's Dashboard keeps its section table and width (test_dashboard checks
    the rest): no programme table, no risk blocks; its JSON has no board view."""
    from returns_data import write_master

    master = write_master(plan, tmp_path / "tracker.xlsx")
    out = tmp_path / "dash.xlsx"
    main(["rollup", str(master), "-o", str(out), "--json"])
    assert "board" not in json.loads(capsys.readouterr().out)
    ws = _sheet(out)
    column_a = [str(c.value) for c in ws["A"] if c.value]
    assert any(v.startswith("RAG status by section") for v in column_a)
    assert not any(v.startswith(("RAG status by programme", "Risks:", "Top risks"))
                   for v in column_a)
    assert re.search(r":\$?([A-Z]+)\$?\d+", ws.print_area).group(1) == "I"  # 6 statuses + 3


def test_highlight_report_renders_readable_on_a4(soffice, board, tmp_path):
    """LibreOffice prints it: every programme table row across one page width, the
    heat map and the unscored risks on the page, no text under 8 pt."""
    pdfplumber = pytest.importorskip("pdfplumber")
    book, out = board
    pdf = render_pdf(out, tmp_path / "highlight.pdf")
    with pdfplumber.open(pdf) as doc:
        pages = [(p.extract_text() or "", p.chars, p.width) for p in doc.pages]
    sizes = [c["size"] for _, chars, _ in pages for c in chars]
    assert min(sizes) >= 8.0
    table = next(text for text, _, _ in pages if "Programme (SAO / RDL)" in text)
    # the last columns are on the same page as the first: one page wide
    assert "Slipped" in table and re.search(r"\bStart\b", table)
    for _, _, programmes in by_aim(book):
        for programme in programmes:
            assert programme.section.split(" ", 1)[1][:20] in table
    risks = next(text for text, _, _ in pages if "Risks: likelihood" in text)
    assert "Not yet scored (2)" in risks and "Top risks by score" in risks
    for _, chars, width in pages:  # nothing cut off at the right edge
        assert max((c["x1"] for c in chars), default=0) <= width
    png = tmp_path / "page"
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "3", str(pdf), str(png)],
                   check=True)
    assert len(list(tmp_path.glob("page*.png"))) == 3


def test_an_unowned_unscored_risk_says_to_pick_its_owner():
    """A risk with no owner is in no return, so "its owner scores it" would never
    happen: the Dashboard tells the PMO to pick one (the seed's register has none)."""
    from xltools.reporting.heatmap import Risk
    from xltools.reporting.programme_board import _how_to_score

    def risk(ident, owner):
        return Risk(ident, "t", owner, "", None, None, None, None, None, None)

    assert "Their owners give" in _how_to_score([risk("R1", "Director of Finance")])
    none = _how_to_score([risk("R4", ""), risk("R5", "")])
    assert "None has an owner" in none and "pick" in none
    some = _how_to_score([risk("R3", "Chief Executive"), risk("R4", "")])
    assert some.startswith("R4 has no owner") and "the others' owners give" in some
