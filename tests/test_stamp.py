"""The stamp (template built once, rows streamed in) makes the same workbook
as the writer, part by part — and falls back to the writer when it can't."""

from datetime import date

import pytest
from openpyxl import load_workbook
from workbook_parts import parts

from xltools.workbook.book import Book
from xltools.workbook.layout import MASTER, RETURN
from xltools.workbook.reader import read_book
from xltools.workbook.stamp import Stamp
from xltools.workbook.writer import write_book


def _book(plan, officer, n):
    actions = [
        {"id": f"A-{i:04d}", "ref": f"1.{i}", "action": f"Action <{i}> & \"more\"",
         "lead_officer": officer, "previous_progress": "=SUM(A1)" if i == 1 else "Text",
         "last_updated": date(2019, 9, i % 28 + 1), "rag": "Green"}
        for i in range(1, n + 1)
    ]
    savings = [{"project_ref": "CF-01", "year": "2019/20", "expected": 120.5, "revised": 100,
                "lead_officer": officer}]
    return Book(plan=plan, kind=RETURN, officer=officer, actions=actions, savings=savings)


@pytest.mark.parametrize(("officer", "n"), [("Steve Edwards", 3), ('O\'Brien & "Co" <x>', 1),
                                            ("Lucy Peel", 40)])
def test_stamped_workbook_equals_the_written_one(tmp_path, plan, officer, n):
    book = _book(plan, officer, n)
    stamp = Stamp(Book(plan=plan, kind=RETURN, officer="someone"))
    stamped = stamp.write(book, tmp_path / "stamped.xlsx")
    written = write_book(book, tmp_path / "written.xlsx")
    assert parts(stamped) == parts(written)
    values = [load_workbook(p, data_only=True)["Savings"]["H2"].value for p in (stamped, written)]
    assert values == [-20.5, -20.5]  # Change's result is stored, as write_book does
    back = read_book(stamped)
    assert back.officer == officer and len(back.actions) == n
    ws = load_workbook(stamped)["Actions"]
    assert ws.tables["ActionsTable"].ref == f"A1:Q{n + 1}"
    assert ws["J2"].data_type == "s"  # formula-looking text stays text
    wb = load_workbook(stamped)
    assert wb.active.title == "Guidance"  # a return opens on what officers read first
    assert not wb["Savings"].print_area  # has a row: prints all it holds
    assert wb["KPIs"].print_area == "'KPIs'!$K$1"  # none: prints nothing (an empty cell)


def test_other_books_fall_back_to_the_writer(tmp_path, plan):
    stamp = Stamp(Book(plan=plan, kind=RETURN, officer="x"))
    master = Book(plan=plan, kind=MASTER, actions=[{"id": "A-0001", "action": "a"}],
                  log=[{"file": "r.xlsx"}])
    assert not stamp.fits(master)
    back = read_book(stamp.write(master, tmp_path / "m.xlsx"))
    assert back.kind == MASTER and back.log[0]["file"] == "r.xlsx"


def test_one_stamp_for_returns_of_many_sizes_writes_each_as_the_writer_does(tmp_path, plan):
    """A stamp keeps what a size decides (sheet frame, table range, print areas) and
    reuses it: returns of different sizes, in any order, with and without savings
    rows, each come out as ``write_book`` makes them."""
    stamp = Stamp(Book(plan=plan, kind=RETURN, officer="someone"))
    for i, (officer, n, savings) in enumerate([("Steve Edwards", 3, True), ("Lucy Peel", 7, True),
                                               ("Steve Edwards", 3, False),
                                               ("Lucy Peel", 3, True), ("Jo", 7, False)]):
        book = _book(plan, officer, n)
        if not savings:
            book.savings = []
        stamped = stamp.write(book, tmp_path / f"stamped{i}.xlsx")
        written = write_book(book, tmp_path / f"written{i}.xlsx")
        assert parts(stamped) == parts(written), (officer, n, savings)


def test_a_programme_return_is_stamped_as_written_and_one_with_risks_is_written(tmp_path,
                                                                              plan):
    """A programme plan's return (Start, Revised end, its Guidance) stamps out exactly as
    the writer makes it; one carrying the officer's risks goes to the writer."""
    from programme_books import STEVE, programme_master

    from xltools.cycle.returns import return_book

    master = programme_master(plan)
    book = return_book(master, STEVE, master.actions[:2], risks=[])
    stamp = Stamp(book)
    assert stamp.fits(book)
    stamped = stamp.write(book, tmp_path / "stamped.xlsx")
    assert parts(stamped) == parts(write_book(book, tmp_path / "written.xlsx"))
    assert read_book(stamped).actions[1]["revised_end"] == "Dec 2024"
    with_risks = return_book(master, STEVE, master.actions[:2])
    assert [r["id"] for r in with_risks.risks] == ["R1"] and not stamp.fits(with_risks)
    assert [r["id"] for r in read_book(stamp.write(with_risks, tmp_path / "r.xlsx")).risks] \
        == ["R1"]
