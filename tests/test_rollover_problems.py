"""Next quarter carries problems forward, never drops them: an unresolved CONFLICT or
INVALID stops it (exit 2, listing them), or with --carry-problems goes into the new
quarter with both texts in full and a CARRIED flag that `check` reports. Real files:
a master written by our writer, returns filled as Excel saves them, consolidated."""

from __future__ import annotations

import subprocess
import sys

import pytest
from returns_data import AS_OF, HELEN, LUCY, ROB, fill_return

from xltools.cycle.check import check_workbook
from xltools.cycle.consolidate import consolidate
from xltools.cycle.rollover import RolloverError, next_quarter
from xltools.findings import flatten
from xltools.workbook.reader import read_book

XLTOOLS = [sys.executable, "-m", "xltools"]
LUCY_SAYS = "CPD offer relaunched with a new progression framework. " * 3  # > 90 chars
HELEN_SAYS = "CPD offer still in consultation with staff."


@pytest.fixture
def troubled(cycle, tmp_path):
    """A consolidated master with a CONFLICT (A-0012) and an INVALID RAG (A-0009)."""
    fill_return(cycle[1] / LUCY, {"A-0012": {"Progress update": LUCY_SAYS,
                                             "RAG status": "Green"}})
    fill_return(cycle[1] / HELEN, {"A-0012": {"Progress update": HELEN_SAYS,
                                              "RAG status": "Amber"}})
    fill_return(cycle[1] / ROB, {"A-0009": {"Progress update": "Analyst appointed.",
                                            "RAG status": "On track"}})
    out = tmp_path / "q2.xlsx"
    report = consolidate(cycle[0], cycle[1], out, as_of=AS_OF)
    assert report.merge.conflicts == ["A-0012"]
    return out


def test_unresolved_problems_stop_next_quarter_listing_them(troubled, tmp_path):
    with pytest.raises(RolloverError) as err:
        next_quarter(troubled, tmp_path / "q3.xlsx")
    text = str(err.value)
    # named as the PMO sees them: Ref and title, the column by its header, the row
    assert "3.6 'Good continuing professional development and career…': CONFLICT in its " \
        "Flags column (row 13)" in text
    assert "2.8 'Ensure sufficient capacity to develop the BI reports…': RAG status " \
        "'On track' is not on the RAG scheme" in text
    assert "A-00" not in text and "Actions!" not in text  # no hidden ID, no cell address
    assert "--carry-problems" in text and "\n" not in text
    assert not (tmp_path / "q3.xlsx").exists()


def test_the_add_in_says_how_to_carry_in_its_own_words(troubled):
    """The ribbon has no --carry-problems: its refusal names what an Excel user can do."""
    from xltools.cycle.rollover import roll_forward

    with pytest.raises(RolloverError) as err:
        roll_forward(read_book(troubled), carry_hint="have the PMO run the command")
    assert "or have the PMO run the command to carry them into Q3 2019/20" in str(err.value)
    assert "run again with" not in str(err.value)


def test_cli_exits_2_with_one_line(troubled, tmp_path):
    run = subprocess.run(XLTOOLS + ["next-quarter", str(troubled), "-o",
                                    str(tmp_path / "q3.xlsx")],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2 and len(run.stderr.strip().splitlines()) == 1
    assert "3.6 'Good continuing" in run.stderr and "Traceback" not in run.stderr


def test_carried_problems_keep_both_texts_and_are_flagged(troubled, tmp_path):
    report = next_quarter(troubled, tmp_path / "q3.xlsx", carry_problems=True)
    assert sorted(report.problems_carried) == ["A-0009", "A-0012"]
    q3 = read_book(tmp_path / "q3.xlsx")
    conflict = q3.action("A-0012")
    assert LUCY_SAYS.strip() in conflict["previous_progress"]  # in full, not cut at 90
    assert HELEN_SAYS in conflict["previous_progress"]
    # officers read the cells by the names they see, never the field keys
    assert f"progress update '{HELEN_SAYS}', RAG status 'Amber'" in conflict["previous_progress"]
    assert "progress_update" not in conflict["previous_progress"]
    assert "rag '" not in conflict["previous_progress"]
    assert conflict["previous_rag"] is None
    assert conflict["flags"].startswith("CARRIED: CONFLICT from Q2 2019/20;")
    assert "Actions!" not in conflict["flags"]  # no cell address of last quarter's sheet
    invalid = q3.action("A-0009")
    assert invalid["previous_rag"] is None  # 'On track' never becomes Previous RAG
    assert "On track" in invalid["previous_progress"]
    checked = check_workbook(tmp_path / "q3.xlsx")
    assert not checked.ok
    cells = {(a, c) for _f, c, a in flatten(checked.findings, ("file", "code", "action_id"))}
    assert {("A-0012", "CARRIED"), ("A-0009", "CARRIED")} <= cells


def test_resolved_master_rolls_forward(troubled, tmp_path):
    """The PMO resolves by editing the master: the flag line goes, the RAG is corrected."""
    from openpyxl import load_workbook

    wb = load_workbook(troubled)
    ws = wb["Actions"]
    header = [c.value for c in ws[1]]
    flags, rag = header.index("Flags") + 1, header.index("RAG status") + 1
    for r in range(2, ws.max_row + 1):
        ws.cell(r, flags).value = None
        if ws.cell(r, rag).value == "On track":
            ws.cell(r, rag).value = "Green"
    wb.save(troubled)
    report = next_quarter(troubled, tmp_path / "q3.xlsx")
    assert report.problems_carried == []
    assert read_book(tmp_path / "q3.xlsx").action("A-0009")["previous_rag"] == "Green"


# -- pins (issue 28): each failed with its bug planted (bench/mutants.py) ----------------


def _master_with(plan, **changes):
    """The returns_data master with A-0009's cells changed as the PMO's master holds them."""
    from returns_data import master_book

    book = master_book(plan)
    book.actions[8].update(changes, _row=10)
    assert book.actions[8]["id"] == "A-0009"
    return book


def test_an_invalid_flag_left_by_consolidation_stops_next_quarter(plan):
    """Consolidation flags a return's invalid value INVALID in the master's Flags (the
    value itself is not merged): rolling on would wipe the flag and the problem."""
    from xltools.cycle.rollover import roll_forward

    book = _master_with(plan, flags="INVALID: Last updated 14/10/2091 is after 21/10/2019, "
                        "the consolidation date (Rob Disney's return)")
    with pytest.raises(RolloverError) as err:
        roll_forward(book)
    assert "1 unresolved problem" in str(err.value)
    assert "2.8 'Ensure sufficient capacity" in str(err.value) and "INVALID" in str(err.value)


def test_an_invalid_previous_rag_stops_next_quarter(plan):
    """A Previous RAG off the scheme is as much a problem as a RAG: it would be carried
    into the new quarter's history as if it were a status."""
    from xltools.cycle.rollover import roll_forward

    book = _master_with(plan, previous_rag="On track")
    with pytest.raises(RolloverError) as err:
        roll_forward(book)
    assert "1 unresolved problem" in str(err.value)
    assert "2.8 'Ensure sufficient capacity" in str(err.value)
    assert "Previous RAG" in str(err.value) and "'On track'" in str(err.value)
