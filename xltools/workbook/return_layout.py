"""The parts of the layout only a return has: its column widths (with the joint
action's co-owners shown), and read-only texts too long for one row.

Excel's tallest row is 409 pt (about 31 lines of 10-point text). A legacy tracker's
"Previous progress" can be a page long (action 2.9 of the demo is 1,036 characters;
its action, timeframe and success measure are nearly as long), and a row can't grow
past that limit: the text overprinted the next row in print and its last sentences
were lost. So a text that does not fit is shown in the cell up to a sentence that
fits, with a note that it continues, and in full on a visible "Full text" sheet, in a
wide column split into rows that each fit (docs/decisions.md, "Long texts in a
return are never clipped").
"""

from __future__ import annotations

import re
from typing import Any

from .book import Book, Row, blank
from .layout import ACTIONS_LAYOUT, RETURN, SAVINGS_LAYOUT, SheetLayout

FULL_TEXT = "Full text"  # the visible continuation sheet
MORE = " … [continued on the Full text sheet]"
# A return's widths (the master's are in layout.py): the officer's columns, Lead and
# Accountable officer shown, within the 140 units A4 landscape prints at >= 8 pt.
RETURN_WIDTHS = {"ref": 5, "action": 18, "accountable_officer": 11, "lead_officer": 10,
                 "timeframe": 9, "success_measure": 11, "previous_progress": 21,
                 "previous_rag": 7, "progress_update": 22, "rag": 8, "last_updated": 11,
                 "updated_by": 8}
RETURN_SHOWN = frozenset(RETURN_WIDTHS)
# A programme RDL's return also shows Start (locked) and Revised end (theirs to fill),
# after Updated by as the sheet has them; the texts give up the room, so it still
# prints within the same 141 units at >= 8 pt.
PROGRAMME_RETURN_WIDTHS = {"ref": 5, "action": 18, "accountable_officer": 9,
                           "lead_officer": 9, "timeframe": 9, "success_measure": 7,
                           "previous_progress": 16, "previous_rag": 7, "progress_update": 19,
                           "rag": 8, "last_updated": 10, "updated_by": 8, "start": 8,
                           "revised_end": 8}
# A return's Savings: the officer's projects (department and lead are theirs already),
# 138 units so it prints at >= 8 pt; money in £000 as typed (150, not 150.0).
SAVINGS_WIDTHS = {"project_ref": 9, "project": 24, "year": 8, "expected": 10, "revised": 10,
                  "change": 10, "change_type": 12, "approved_by": 14, "approved_on": 11,
                  "comment": 30}
SAVINGS_MONEY = "General"
# The read-only texts that can be too long for a row (a legacy tracker's action,
# timeframe, success measure or last quarter's progress can each run to a page).
CUT_KEYS = ("action", "timeframe", "success_measure", "previous_progress")
CHARS_PER_WIDTH = 1.4  # of 10-point Arial per width unit, a little under what prints
MAX_LINES = 30  # of 10-point text in a 409 pt row, less a line's margin
FULL_TEXT_WIDTH = 100  # the continuation sheet's text column
_SENTENCE_END = re.compile(r"(?<=[.;!?])\s+")


def _own(layout: SheetLayout, kind: str) -> dict[str, float] | None:
    """A return's own widths for ``layout`` (None: the layout's)."""
    if kind != RETURN:
        return None
    if layout.name == ACTIONS_LAYOUT.name:
        return actions_widths("start" in layout.keys)
    return {SAVINGS_LAYOUT.name: SAVINGS_WIDTHS}.get(layout.name)


def actions_widths(programme: bool) -> dict[str, float]:
    """A return's Actions widths: a tracker's, or a programme plan's (with Start and
    Revised end)."""
    return PROGRAMME_RETURN_WIDTHS if programme else RETURN_WIDTHS


def book_widths(book: Book) -> dict[str, float]:
    """``actions_widths`` of ``book``'s plan shape."""
    return actions_widths(book.is_programme)


def widths(layout: SheetLayout, kind: str) -> dict[str, float]:
    """Column key -> width for ``layout`` in a workbook of ``kind`` (a return's Actions
    and Savings differ from the master's)."""
    own = _own(layout, kind) or {}
    return {c.key: own.get(c.key) or c.width_in(kind) for c in layout.columns}


def shown(layout: SheetLayout, kind: str, key: str) -> bool:
    """Whether column ``key`` is shown (and printed) in ``kind``."""
    own = _own(layout, kind)
    if own is not None:
        return key in own
    return kind in layout.column(key).shown


def number_format(layout: SheetLayout, kind: str, default: str) -> str:
    """A return's Savings money as typed: 150, not 150.0 (12.5 stays 12.5)."""
    if kind == RETURN and layout.name == SAVINGS_LAYOUT.name and default != "General":
        return SAVINGS_MONEY if default != "dd/mm/yyyy" else default
    return default


def per_line(width: float) -> int:
    return max(1, int(width * CHARS_PER_WIDTH))


def lines_of(text: str, width: float) -> int:
    """Lines ``text`` takes wrapped in a return column of ``width``, word by word."""
    return wrapped_lines(text, per_line(width))


def wrapped_lines(text: str, chars: int) -> int:
    """Lines ``text`` takes wrapped word by word at ``chars`` characters a line (a
    return's few rows can afford what a 12,000-row master's estimate can't)."""
    total = 0
    for paragraph in str(text).split("\n"):
        line, count = 0, 1
        for word in paragraph.split():
            need = len(word) + (1 if line else 0)
            if line + need > chars and line:
                count, line = count + 1, len(word)
            else:
                line += need
        total += count
    return total


def fits(text: Any, width: float) -> bool:
    if blank(text):
        return True
    text = str(text)
    chars = per_line(width)
    if most_lines(text, chars) <= MAX_LINES or estimated_lines(text, chars) <= MAX_LINES - 6:
        return True  # clearly short enough: no word-by-word count (the common case)
    return wrapped_lines(text, chars) <= MAX_LINES


def most_lines(text: str, chars: int) -> int:
    """The most lines ``text`` can wrap to at ``chars`` a line: word wrap leaves at most
    one line part-empty for each full one (a word longer than a line is broken)."""
    return 2 * (len(text) // chars + 1) + 2 * text.count("\n")


def usable(chars: int) -> int:
    """Characters a wrapped line of prose holds on average: about three are lost to
    the word that did not fit."""
    return max(chars - 3, int(chars * 0.75), 1)


def estimated_lines(text: str, chars: int) -> int:
    """Lines ``text`` wraps to, from its length (within a line or two of the
    word-by-word count, and rarely under it; rows are sized with 10 % to spare)."""
    return -(-len(text) // usable(chars)) + text.count("\n")


def row_fits(row: Row, widths: dict[str, float] = RETURN_WIDTHS) -> bool:
    """Whether every read-only text of ``row`` fits its cell in a return."""
    return all(fits(row.get(key), widths[key]) for key in CUT_KEYS)


def cut(text: str, width: float) -> str:
    """``text`` as the return's cell shows it: whole when it fits, else its sentences
    up to the last that fits, and MORE."""
    if fits(text, width):
        return text
    kept = ""
    for sentence in _SENTENCE_END.split(text):
        trial = f"{kept} {sentence}".strip()
        if lines_of(trial + MORE, width) > MAX_LINES:
            break
        kept = trial
    if not kept:  # one long sentence: cut between words
        for word in text.split():
            trial = f"{kept} {word}".strip()
            if lines_of(trial + MORE, width) > MAX_LINES:
                break
            kept = trial
    return kept + MORE


def is_cut_of(value: Any, full: Any) -> bool:
    """Whether ``value`` is ``full`` as ``cut`` shows it (spacing ignored): the
    return's cell still holds what was issued."""
    if not isinstance(value, str) or not isinstance(full, str) or not value.endswith(MORE):
        return False
    start = " ".join(value[: -len(MORE)].split())
    return bool(start) and " ".join(full.split()).startswith(start)


def continued(rows: list[Row], widths: dict[str, float] = RETURN_WIDTHS) -> list[Row]:
    """The rows with a read-only text that does not fit in the return's cell."""
    return [r for r in rows if not row_fits(r, widths)]


def pieces(text: str) -> list[str]:
    """``text`` in pieces that each fit one row of the Full text sheet: whole sentences,
    or words where one sentence alone is longer than a row."""
    out, piece = [], ""
    for sentence in _units(text):
        trial = f"{piece} {sentence}".strip()
        if piece and lines_of(trial, FULL_TEXT_WIDTH) > MAX_LINES:
            out.append(piece)
            trial = sentence
        piece = trial
    return [*out, piece] if piece else out


def _units(text: str) -> list[str]:
    """Sentences, each short enough for a row of the Full text sheet (a longer one as
    its words)."""
    out = []
    for sentence in _SENTENCE_END.split(text):
        fits_row = lines_of(sentence, FULL_TEXT_WIDTH) <= MAX_LINES
        out += [sentence] if fits_row else sentence.split()
    return out


def write_full_text(wb, book: Book) -> None:
    """The visible "Full text" sheet: each read-only text too long for its cell on
    Actions, in full, by Ref and column, split over rows that each fit (the cell on
    Actions says it continues here)."""
    from openpyxl.styles import Alignment  # openpyxl only where a return is written

    from . import styles
    from .fastrows import row_height
    from .sheet_setup import protect_and_print, text_cell

    own = book_widths(book)
    rows = continued(book.actions, own) if book.kind == RETURN else []
    if not rows:
        return
    ws = wb.create_sheet(FULL_TEXT)
    for letter, width in (("A", 6), ("B", 18), ("C", FULL_TEXT_WIDTH)):
        ws.column_dimensions[letter].width = width
    protect_and_print(ws, title_rows="1:1", plan=book.plan)
    header = [text_cell(ws, name, styles.HEADER_FONT, styles.HEADER_FILL)
              for name in ("Ref", "Column", "Text in full")]
    for cell in header:
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    ws.append(header)
    number = 1
    for row in rows:
        for key in CUT_KEYS:
            text = row.get(key)
            if fits(text, own[key]):
                continue
            for n, part in enumerate(pieces(str(text))):
                number += 1
                more = "" if n == 0 else " (cont.)"
                ws.row_dimensions[number].height = row_height(
                    lines_of(part, FULL_TEXT_WIDTH) + 1)
                ws.append([text_cell(ws, f"{row.get('ref') or row.get('id')}{more}"),
                           text_cell(ws, ACTIONS_LAYOUT.column(key).name + more),
                           text_cell(ws, part)])


def line_widths(layout: SheetLayout, kind: str) -> dict[str, int]:
    """Characters a line holds per column, for sizing a return's rows from each text's
    length as fastrows does (``estimated_lines``: a 12,000-row issue can't count every
    text word by word); empty: the master's own estimate."""
    if kind != RETURN or layout.name != ACTIONS_LAYOUT.name:
        return {}
    return {key: usable(per_line(width)) for key, width in widths(layout, kind).items()}


def as_shown(rows: list[Row], layout: SheetLayout, kind: str) -> list[Row]:
    """A return's Actions rows as written: a Previous progress too long for its row
    cut (see ``cut``); any other sheet's rows as they are."""
    if kind != RETURN or layout.name != ACTIONS_LAYOUT.name:
        return rows
    own = actions_widths("start" in layout.keys)
    return [r if row_fits(r, own) else {**r, **{key: cut(str(r[key]), own[key])
                                               for key in CUT_KEYS if not blank(r.get(key))}}
            for r in rows]

