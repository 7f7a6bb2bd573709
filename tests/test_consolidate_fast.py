"""Consolidation's fast paths give the master the straightforward path gives.

The fast path streams returns from the reader pool, points each return's cells at
the master's equal values and lets its book go once filed. The straightforward
path reads every return in this process and keeps each as read (no sharing, no
letting go). Both consolidate the same real files — a master from our writer,
returns issued by ``xltools issue`` and filled with openpyxl as Excel saves them,
and one officer's own xlsxwriter workbook — and the masters they write are
compared cell by cell, with the reports.
"""

from dataclasses import replace
from datetime import datetime

import xlsxwriter
from hypothesis import given
from hypothesis import strategies as st
from returns_data import AS_OF, HELEN, JON, LUCY, STEVE, fill_return, send_back_unchanged

from xltools.cycle import consolidate as consolidate_module
from xltools.cycle import intake
from xltools.cycle.consolidate import consolidate, share_values
from xltools.cycle.merge import same, spaced
from xltools.findings import flatten
from xltools.workbook.reader import read_book

HARLOW = "Q2_2019-20_Nigel_Harlow.xlsx"
LOG_TIMES = ("when", "seconds")
OUT = "consolidated.xlsx"


def busy_folder(folder):
    """Updates, a conflict, an invalid RAG, a locked cell changed, an unknown ID, and a
    return written by xlsxwriter (no Settings, columns in another order)."""
    fill_return(folder / STEVE, {
        "A-0001": {"Progress update": "Panel met 24/09/2019; 3 posts released.",
                   "RAG status": "Green", "Last updated": datetime(2019, 10, 1),
                   "Updated by": "Steve Edwards"},
        "A-0005": {"Improvement action": "Review of 25 children (was 20).",
                   "RAG status": "Complete"}})
    fill_return(folder / LUCY, {"A-0012": {"Progress update": "CPD offer launched.",
                                           "RAG status": "Green"}})
    fill_return(folder / HELEN, {"A-0012": {"Progress update": "CPD offer delayed to Q3.",
                                            "RAG status": "Amber"}})
    fill_return(folder / JON, {"A-0007": {"RAG status": "Greenish", "Progress update": "x"},
                               "A-0008": {"ID": "A-0999", "Progress update": "Typed over."}})
    (folder / HARLOW).unlink()
    wb = xlsxwriter.Workbook(str(folder / HARLOW))
    ws = wb.add_worksheet("Actions")
    day = wb.add_format({"num_format": "dd/mm/yyyy"})
    ws.write_row(0, 0, ["Progress update", "RAG status", "ID", "Last updated", "Updated by",
                        "Lead officer", "Improvement action"])
    ws.write_row(1, 0, ["Smartphones live since 1 October.", "Complete", "A-0011"])
    ws.write_datetime(1, 3, datetime(2019, 10, 7), day)
    ws.write_row(1, 4, ["Nigel Harlow", "Nigel Harlow", "Ensure smartphones for social "
                        "workers function as smartphones no later than the October 2019 "
                        "go-live date."])
    wb.close()
    send_back_unchanged(folder)  # the other officers answer: nothing new


def content(path):
    """Everything the master holds, as read back (the Log without its clock times)."""
    book = read_book(path)
    log = [{k: v for k, v in row.items() if k not in LOG_TIMES} for row in book.log]
    return (book.actions, book.savings, book.kpis, book.archive, log, book.extra_settings,
            replace(book.plan, plan_id=""))  # each run gives an ID-less master a new one


def report_content(report):
    return (flatten(report.findings), report.counts(), report.merge.updated,
            report.merge.conflicts, report.missing,
            [(f.name, f.officer, f.period, f.rows, flatten(f.findings)) for f in report.files])


def test_fast_path_writes_the_master_the_straightforward_path_writes(cycle, tmp_path,
                                                                     monkeypatch):
    busy_folder(cycle[1])
    monkeypatch.setattr(intake, "POOL_THRESHOLD", 2)  # the pool, streamed in batches
    (tmp_path / "fast").mkdir()
    (tmp_path / "slow").mkdir()
    fast = consolidate(cycle[0], cycle[1], tmp_path / "fast" / OUT, as_of=AS_OF, workers=2)
    with monkeypatch.context() as plain:
        plain.setattr(consolidate_module, "share_values", lambda *a: None)
        plain.setattr(consolidate_module, "without_rows", lambda book: book)
        slow = consolidate(cycle[0], cycle[1], tmp_path / "slow" / OUT, as_of=AS_OF, workers=1)
    assert report_content(fast) == report_content(slow)
    assert {"CONFLICT", "INVALID", "LOCKED_CHANGED", "UNKNOWN_ID"} <= {
        f.code for f in fast.findings}
    assert fast.merge.updated and fast.counts()["returns_merged"] == len(fast.files)
    assert content(tmp_path / "fast" / OUT) == content(tmp_path / "slow" / OUT)


def test_shared_values_are_equal_values():
    master = {"action": "Review the most expensive placements.", "progress_update": "Q1 text",
              "rag": "Green", "lead_officer": "Laurence Jones"}
    row = {"action": "Review the most expensive placements.", "previous_progress": "Q1 text",
           "previous_rag": "Green", "rag": "Amber", "progress_update": "New words.",
           "lead_officer": "Laurence Jones ", "updated_by": "Laurence Jones", "_row": 4}
    before = dict(row)
    texts = {}
    share_values(row, master, texts)
    assert row == before
    assert row["action"] is master["action"]
    assert row["previous_progress"] is master["progress_update"]  # shown as Previous
    assert row["previous_rag"] is master["rag"]
    assert row["updated_by"] is texts["Laurence Jones"]  # short text, kept once
    assert row["lead_officer"] == "Laurence Jones "  # not equal: not replaced
    other = {"updated_by": "Laurence Jones"}
    share_values(other, {}, texts)
    assert other["updated_by"] is row["updated_by"]



def test_spacing_shortcut_agrees_with_splitting_every_text():
    spaces = [chr(c) for c in range(0x3001) if chr(c).isspace()]
    texts = ["Panel met.", " Panel met.", "Panel met. ", "Panel  met.", "", " ",
             *(f"Panel{c}met." for c in spaces), *(f"Panel met.{c}" for c in spaces)]
    for text in texts:
        assert spaced(text) == " ".join(text.split()), repr(text)
    assert same("Panel\u00a0met.", "Panel met.") and not same("Panel met.", "Panel met")


_WORDS = st.lists(st.text(alphabet="eE.a’", min_size=1, max_size=4), max_size=4)
_GAPS = st.lists(st.sampled_from([" ", "  ", "", "\t", "\n", "\u00a0", "\u3000"]),
                 min_size=5, max_size=5)


@given(_WORDS, _GAPS, _GAPS, st.text(alphabet=" \teE.a", max_size=12))
def test_two_texts_are_the_same_when_their_words_are(words, gaps, other_gaps, other):
    """``same``'s shortcuts for texts (equal, blank, a letter counted, already spaced)
    answer what comparing the words would: the same words spaced two ways, or not."""
    def spaced_out(gaps):
        return "".join(g + w for g, w in zip(gaps, words, strict=False)) + gaps[-1]

    a, b = spaced_out(gaps), spaced_out(other_gaps)
    assert same(a, b) == (a.split() == b.split())
    assert same(a, other) == (a.split() == other.split())


def test_a_master_saved_with_shared_strings_consolidates_the_same(cycle, tmp_path):
    """Excel saves every text in the shared strings part; the master is opened once for
    its plan and its rows (``open_plan``), and reads as our own inline-string file does."""
    from openpyxl import load_workbook

    busy_folder(cycle[1])
    resaved = tmp_path / "resaved.xlsx"
    load_workbook(cycle[0]).save(resaved)  # openpyxl, like Excel, writes shared strings
    (tmp_path / "ours").mkdir()
    (tmp_path / "excel").mkdir()
    ours = consolidate(cycle[0], cycle[1], tmp_path / "ours" / OUT, as_of=AS_OF, workers=1)
    theirs = consolidate(resaved, cycle[1], tmp_path / "excel" / OUT, as_of=AS_OF, workers=1)
    assert report_content(ours) == report_content(theirs)
    assert content(tmp_path / "ours" / OUT) == content(tmp_path / "excel" / OUT)
