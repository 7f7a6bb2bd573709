"""One reader, one writer: round trips, hostile files, independent writers."""

import zipfile
from datetime import date

import pytest
import xlsxwriter
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from xltools.errors import WorkbookError
from xltools.findings import flatten
from xltools.workbook.book import Book
from xltools.workbook.fastrows import ROWS_PER_PIECE, write_behind, xml_text
from xltools.workbook.layout import ACTIONS_LAYOUT, RETURN, TRACKER
from xltools.workbook.reader import RETURN_LIMITS, read_book
from xltools.workbook.validate import validate_book
from xltools.workbook.writer import write_book

ROW = {
    "id": "A-0001", "ref": "1.2", "section": "1. Addressing the in-year financial challenges",
    "action": "Quarterly reviews of non-essential spend.",
    "accountable_officer": "Colin Pettigrew / Nigel Stevenson",
    "lead_officer": "Laurence Jones / Sue Summerscales",
    "timeframe": "Completed every quarter.", "progress_update": "Quarterly reviews in place.",
    "rag": "Green", "last_updated": date(2019, 9, 30), "updated_by": "Laurence Jones",
}


def _book(plan, **rows):
    return Book(plan=plan, actions=[dict(ROW, **rows)])


def test_round_trip_keeps_every_value(tmp_path, plan):
    path = write_book(_book(plan), tmp_path / "m.xlsx")
    book = read_book(path)
    row = {k: v for k, v in book.actions[0].items() if v is not None and k != "_row"}
    assert row == ROW
    assert book.actions[0]["_row"] == 2
    assert validate_book(book) == []


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://x\")", "+44 115 000", "-50% spend",
                                  "@risk"])
def test_formula_looking_text_is_written_as_text(tmp_path, plan, text):
    path = write_book(_book(plan, progress_update=text), tmp_path / "m.xlsx")
    cell = load_workbook(path)["Actions"]["L2"]
    assert cell.data_type == "s" and cell.value == text
    assert read_book(path).actions[0]["progress_update"] == text


def test_existing_file_is_backed_up_not_lost(tmp_path, plan):
    path = tmp_path / "m.xlsx"
    write_book(_book(plan, ref="1.1"), path)
    write_book(_book(plan, ref="9.9"), path)
    write_book(_book(plan, ref="7.7"), path)  # a re-run keeps the earlier backup too
    assert read_book(path).actions[0]["ref"] == "7.7"
    backups = sorted(tmp_path.glob("m.*.bak.xlsx"))
    assert sorted(read_book(b).actions[0]["ref"] for b in backups) == ["1.1", "9.9"]
    assert not list(tmp_path.glob("*.tmp")) and not list(tmp_path.glob(".*.tmp"))


def test_return_kind_and_officer_survive(tmp_path, plan):
    book = _book(plan)
    book.kind, book.officer = RETURN, "Laurence Jones"
    back = read_book(write_book(book, tmp_path / "r.xlsx"))
    assert (back.kind, back.officer) == (RETURN, "Laurence Jones")


def _independent_return(path, headers, row):
    """A workbook an officer's other software might save: xlsxwriter, own column order."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Actions")
    date_fmt = wb.add_format({"num_format": "dd/mm/yyyy"})
    for c, h in enumerate(headers):
        ws.write_string(0, c, h)
        value = row.get(h)
        if isinstance(value, date):
            ws.write_datetime(1, c, value, date_fmt)
        elif value is not None:
            ws.write(1, c, value)
    wb.close()


def test_columns_found_by_header_and_cells_named_in_file_order(tmp_path, plan):
    headers = list(reversed(ACTIONS_LAYOUT.for_shape(TRACKER).headers))[:-1] + ["My notes", "ID"]
    headers.remove("Flags")
    values = {"ID": "A-0001", "RAG status": "Purple", "Last updated": "30th Sept",
              "Progress update": "Done", "Lead officer": "Laurence Jones"}
    path = tmp_path / "other.xlsx"
    _independent_return(path, headers, values)
    book = read_book(path, plan=plan)
    assert book.actions[0]["progress_update"] == "Done"
    rag_letter = chr(65 + headers.index("RAG status"))
    date_letter = chr(65 + headers.index("Last updated"))
    found = set(flatten(book.findings + validate_book(book), ("cell", "code")))
    assert (f"{rag_letter}2", "INVALID") in found
    assert (f"{date_letter}2", "INVALID") in found
    assert (None, "MISSING_COLUMN") in found  # Flags
    assert (f"{chr(65 + headers.index('My notes'))}1", "EXTRA_COLUMN") in found


def test_workbook_without_settings_needs_a_plan(tmp_path):
    path = tmp_path / "plain.xlsx"
    _independent_return(path, ["ID"], {"ID": "A-0001"})
    with pytest.raises(WorkbookError) as err:
        read_book(path)
    assert err.value.reason == "NOT_XLTOOLS"


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("~$return.xlsx", b"lock", "LOCK_FILE"),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "XLS"),
        ("secret.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600
         + "EncryptedPackage".encode("utf-16-le"), "PASSWORD"),  # an encrypted .xlsx's stream
        ("other.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "NOT_XLSX"),
        ("notes.xlsx", b"Dear PMO, please find attached", "NOT_XLSX"),
        ("broken.xlsx", b"PK\x03\x04" + b"\0" * 100, "CORRUPT"),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(WorkbookError) as err:
        read_book(path)
    assert err.value.reason == reason
    assert name in str(err.value)


def test_zip_bomb_is_refused(tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * 50_000_000)
    with pytest.raises(WorkbookError, match="zip bomb") as err:
        read_book(path)
    assert err.value.reason == "TOO_LARGE"


def test_truncated_workbook_is_corrupt(tmp_path, plan):
    good = write_book(_book(plan), tmp_path / "good.xlsx")
    bad = tmp_path / "cut.xlsx"
    bad.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(WorkbookError) as err:
        read_book(bad)
    assert err.value.reason == "CORRUPT"


def test_missing_actions_sheet(tmp_path, plan):
    path = write_book(_book(plan), tmp_path / "m.xlsx")
    wb = load_workbook(path)
    del wb["Actions"]
    wb.save(path)
    with pytest.raises(WorkbookError) as err:
        read_book(path)
    assert err.value.reason == "MISSING_SHEET"


def test_merged_cells_and_formulas_are_reported(tmp_path, plan):
    path = write_book(_book(plan), tmp_path / "m.xlsx")
    wb = load_workbook(path)
    ws = wb["Actions"]
    ws.protection.sheet = False
    ws["O2"] = "=UPPER(\"laurence jones\")"
    ws.merge_cells("G2:I2")
    wb.save(path)
    found = set(flatten(read_book(path).findings, ("sheet", "cell", "code")))
    assert ("Actions", "O2", "FORMULA") in found
    assert ("Actions", "G2:I2", "MERGED_CELLS") in found


def _sparse_xlsx(path, megabytes: int):
    """A file of ``megabytes`` that starts like a zip, without writing them (sparse)."""
    with path.open("wb") as fh:
        fh.write(b"PK\x03\x04")
        fh.truncate(megabytes * 1024 * 1024)
    return path


def test_a_return_is_held_to_a_tighter_size_limit_than_a_master(tmp_path):
    """Officers' returns are someone else's files, read by the hundred: 50 MB at most.
    The PMO's own master may be bigger (120,000 long actions are ~60 MB) and passes the
    size check (this one then fails as the junk it is, not as too large)."""
    path = _sparse_xlsx(tmp_path / "big.xlsx", 60)
    with pytest.raises(WorkbookError, match="limit for a return") as err:
        read_book(path, limits=RETURN_LIMITS)
    assert err.value.reason == "TOO_LARGE"
    with pytest.raises(WorkbookError) as err:
        read_book(path)
    assert err.value.reason != "TOO_LARGE"


_ESCAPES = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;",
            **{c: None for c in (*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF)}}


@given(st.text(alphabet=st.sampled_from("a &<>\t\n\r\x00\x01\x0b\x1f\ufffe\uffff\xa0é£’—")
               | st.characters(), max_size=300))
def test_xml_text_is_the_plain_per_character_escape(text):
    """The writer's fast escape gives what escaping character by character gives."""
    assert xml_text(text) == text.translate(_ESCAPES)


def test_text_with_markup_and_control_characters_round_trips(tmp_path, plan):
    book = Book(plan=plan, kind=RETURN)
    book.actions = [{"id": "A-1", "action": "Cut <agency> spend & report\x01 back > monthly",
                     "progress_update": "Line one\nline two\t& more"}]
    write_book(book, tmp_path / "x.xlsx", backup=False)
    got = read_book(tmp_path / "x.xlsx").actions[0]
    assert got["action"] == "Cut <agency> spend & report back > monthly"
    assert got["progress_update"] == "Line one\nline two\t& more"


def test_a_sheet_of_many_pieces_round_trips_in_order(tmp_path, plan):
    """Rows past the first few hundred are written by a second thread (``write_behind``):
    every row arrives, in order, with its text and its height."""
    book = Book(plan=plan, kind=RETURN)
    book.actions = [{"id": f"A-{n:04d}", "action": f"Action {n}" + " long words" * (n % 40),
                     "progress_update": f"=Update {n}" if n % 7 == 0 else f"Update {n}"}
                    for n in range(3 * ROWS_PER_PIECE + 5)]
    write_book(book, tmp_path / "big.xlsx", backup=False)
    got = read_book(tmp_path / "big.xlsx").actions
    assert [(r["id"], r["action"], r["progress_update"]) for r in got] == [
        (r["id"], r["action"], r["progress_update"]) for r in book.actions]
    ws = load_workbook(tmp_path / "big.xlsx", read_only=False)[ACTIONS_LAYOUT.name]
    last = 2 + 3 * ROWS_PER_PIECE + 4  # its action wraps to several lines: a taller row
    assert ws.row_dimensions[2].height is None and ws.row_dimensions[last].height > 12.75


class _Breaks:
    """A file that fails on its third write."""

    def __init__(self):
        self.chunks = []

    def write(self, chunk):
        if len(self.chunks) == 2:
            raise OSError("disk full")
        self.chunks.append(chunk)


def test_write_behind_writes_every_chunk_in_order_and_raises_a_writers_error():
    class Keeps:
        chunks: list[bytes] = []

        def write(self, chunk):
            self.chunks.append(chunk)

    keeps = Keeps()
    write_behind(keeps, (str(n).encode() for n in range(100)))
    assert keeps.chunks == [str(n).encode() for n in range(100)]
    made = []

    def chunks():
        for n in range(100):
            made.append(n)
            yield str(n).encode()

    breaks = _Breaks()
    with pytest.raises(OSError, match="disk full"):
        write_behind(breaks, chunks())
    assert breaks.chunks == [b"0", b"1"]
    assert len(made) < 100  # rows stop being made once writing failed
