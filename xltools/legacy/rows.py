"""Turn a legacy tracker's grid into draft actions, noting every row's fate.

A tracker copied out of Word is a table broken into pages: intro paragraphs,
the header row again on every page (sometimes with a column fewer), section
heading lines between tables, and actions whose text runs over a page break
into a row with no ref. ``parse_grid`` walks the rows once, keeping the
current header (each repeated header re-sets the column positions, which is
what realigns a page whose columns shifted), and records for each row whether
it started an action, was merged into the one above, set a section, or was
skipped or could not be placed — so the import report can account for every
row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..workbook.layout import ACTIONS_LAYOUT, col_letter
from .column_values import infer_blank
from .columns import Header, HeaderMatcher
from .refs import RefTracker, as_ref, embedded
from .source import Grid

OFFICER_KEYS = ("accountable_officer", "lead_officer")
HEADING = re.compile(r"^(?:(?:section|priority|theme|part|objective)\s+)?(\d{1,2})\s*[.:)–-]\s*"
                     r"([A-Za-z].*)$", re.IGNORECASE | re.DOTALL)
FURNITURE = re.compile(r"^(page \d+( of \d+)?|\d+|official( sensitive)?|continued|cont'?d|"
                       r"\d{1,2}[/.]\d{1,2}[/.]\d{2,4})$", re.IGNORECASE)
MAX_HEADING = 250
# "NEW ACTION" in capitals anywhere, or "(New action)" / a line of its own in any case
NEW_LABEL = re.compile(r"\bNEW ACTION\b\s*[:\-–]?|(?i:[(\[]new action[)\]])|"
                       r"(?im:^\s*new action\s*[:\-–]?\s*$)")


@dataclass
class Note:
    """What happened to one source row (turned into a Finding once IDs exist)."""

    code: str
    message: str
    line: int
    column: int = 0
    draft: Draft | None = None
    got: Any = None
    header: str | None = None
    reason: str | None = None  # why a row was skipped: blank, intro, header, furniture


@dataclass
class Draft:
    """One action as read: cell values by column key, the lines it came from."""

    line: int
    cells: dict[str, Any]
    ref: str | None = None
    heading: int | None = None  # number of the section heading in effect
    lines: list[int] = field(default_factory=list)
    labelled_new: bool = False  # the source marked it "NEW ACTION"


@dataclass
class Parsed:
    drafts: list[Draft] = field(default_factory=list)
    headings: dict[int, str] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)
    first_header: Header | None = None
    header_lines: set[int] = field(default_factory=set)  # lines read as a header row


def text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ("" if value is None else str(value))


class _Walker:
    """The state of one pass over the grid."""

    def __init__(self, matcher: HeaderMatcher,
                 inferred: dict[int, dict[int, tuple[str | None, str]]] | None = None):
        self.matcher = matcher
        self.inferred = inferred or {}
        self.out = Parsed()
        self.header: Header | None = None
        self.width = 0
        self.refs = RefTracker()
        self.heading: int | None = None
        self.pre_headings: dict[int, str] = {}

    def row(self, line: int, cells: list[Any]) -> None:
        filled = [i for i, c in enumerate(cells) if text(c)]
        if not filled:
            self.note("SKIPPED_ROW", "blank row", line, reason="blank")
        elif self.matcher.is_header(cells):
            self.header_row(line, cells)
        elif len(filled) == 1 and self.single(line, cells[filled[0]], filled[0]):
            return
        elif self.header is None:
            self.note("SKIPPED_ROW", "text before the table's header row (introduction)",
                      line, got=_short(cells[filled[0]]), reason="intro")
        else:
            self.data_row(line, cells)

    def note(self, code: str, message: str, line: int, **kw: Any) -> None:
        self.out.notes.append(Note(code, message, line, **kw))

    def header_row(self, line: int, cells: list[Any]) -> None:
        header = self.matcher.header(cells, self.inferred.get(line))
        self.out.header_lines.add(line)
        if self.header is None:
            self.out.first_header = header
            for i, name in header.unmatched.items():
                self.note("EXTRA_COLUMN", f"column '{name}' matches no Actions column and is "
                          "not imported (map it with --mapping)", line, column=i, header=name)
            for i, words in header.decisions:
                lost = i in header.duplicates or i in header.blank
                self.note("EXTRA_COLUMN" if lost else "COLUMN_READ", words, line, column=i,
                          header=(text(cells[i]) if i < len(cells) else "") or f"#{i + 1}")
        elif header.signature() != self.out.first_header.signature():
            self.note("COLUMNS_SHIFTED", "header row repeated with its columns in other "
                      "positions than the first header; the rows after it are read with "
                      "this row's positions",
                      line, got=_short(" | ".join(text(c) for c in cells)))
        else:
            self.note("SKIPPED_ROW", "header row repeated (page break)", line, reason="header")
        self.header, self.width = header, len(cells)

    def single(self, line: int, value: Any, index: int) -> bool:
        """A lone cell: a section heading, page furniture or stray text. False when
        it is a data cell of an action (a continuation), to be read as a row."""
        value = text(value)
        match = HEADING.match(value)
        if match and len(value) <= MAX_HEADING and "\t" not in value:
            number = int(match.group(1))
            # a numbered line above the table may be an intro paragraph ("1. Purpose"):
            # headings inside the table win over it
            target = self.out.headings if self.header else self.pre_headings
            target.setdefault(number, " ".join(value.split()))
            self.heading = number
            self.refs.heading(number)
            return True
        if FURNITURE.match(value):
            self.note("SKIPPED_ROW", "page furniture (page number, date or marking)", line,
                      got=value, reason="furniture")
            return True
        key = self.header.positions.get(index) if self.header else None
        if key and key not in ("ref", "action") and self.out.drafts:
            return False
        if self.header is None:
            self.note("SKIPPED_ROW", "text before the table's header row (introduction)",
                      line, got=_short(value), reason="intro")
        else:
            self.note("UNPLACED_ROW", "text outside the table's columns; not imported",
                      line, column=index, got=value)
        return True

    def data_row(self, line: int, cells: list[Any]) -> None:
        cells = self.realign(line, cells)
        values = {key: cells[i] for i, key in self.header.positions.items()
                  if i < len(cells) and text(cells[i])}
        self.stray_cells(line, cells)
        labelled = self.new_label(line, values)
        ref = self.read_ref(line, values)
        if ref is None and not self.starts_action(values):
            if self.out.drafts:
                self.merge(line, values)
                return
            if not text(values.get("action")):
                self.note("UNPLACED_ROW", "row with no ref and no action before it; not "
                          "imported", line, got=_short(" | ".join(map(text, values.values()))))
                return
        draft = Draft(line, values, ref, self.heading, [line], labelled_new=labelled)
        if ref:
            self.refs.accept(ref)
        self.out.drafts.append(draft)
        for note in reversed(self.out.notes):
            if note.line != line:
                break
            note.draft = note.draft or draft

    def new_label(self, line: int, values: dict[str, Any]) -> bool:
        """Revised plans mark added actions "NEW ACTION" in the ref or action cell:
        the label is taken out of the text and remembered."""
        found = False
        for key in ("ref", "action"):
            value = values.get(key)
            if isinstance(value, str) and NEW_LABEL.search(value):
                values[key] = " ".join(NEW_LABEL.sub(" ", value).split(" ")).strip()
                values[key] = "\n".join(x.strip() for x in values[key].splitlines()
                                        if x.strip())
                if not values[key]:
                    del values[key]
                found = True
        if found:
            self.note("NEW_ACTION", "labelled 'NEW ACTION' in the source (label not kept in "
                      "the text)", line, reason="label")
        return found

    def realign(self, line: int, cells: list[Any]) -> list[Any]:
        """A row one cell short whose first cell is "ref + action" lost its ref cell."""
        ref_at = self.header.index_of("ref")
        if (ref_at == 0 and len(cells) == self.width - 1 and embedded(cells[0])
                and not as_ref(cells[0])):
            self.note("COLUMNS_SHIFTED", "row has one cell fewer than the header and starts "
                      "with its ref; read one column to the right", line,
                      got=_short(text(cells[0])))
            return [""] + list(cells)
        return cells

    def stray_cells(self, line: int, cells: list[Any]) -> None:
        for i in range(len(cells)):
            if text(cells[i]) and i not in self.header.positions and i not in \
                    self.header.unmatched and i not in self.header.duplicates \
                    and i not in self.header.ignored and i not in self.header.blank:
                self.note("UNPLACED_ROW", "cell beyond the header's columns; not imported",
                          line, column=i, got=text(cells[i]))

    def read_ref(self, line: int, values: dict[str, Any]) -> str | None:
        """The row's ref (repaired), taking it from the action text if needed."""
        raw = text(values.get("ref"))
        source = "ref"
        ref = as_ref(raw) if raw else None
        if ref is None and not raw:
            found = embedded(values.get("action"))
            if found is None:
                return None
            candidate = self.refs.repair(found[0])
            if not self.refs.plausible(candidate):
                return None
            ref, source = found[0], "action"
            values["action"] = found[1]
        elif ref is None:  # text in the ref column: the start of a shifted action
            values["action"] = " ".join(x for x in (raw, text(values.get("action"))) if x)
            values.pop("ref", None)
            self.note("COLUMNS_SHIFTED", "text in the Ref column is not a ref; read as the "
                      "start of the Improvement action", line,
                      column=self.header.index_of("ref") or 0, got=_short(raw))
            return None
        fixed = self.refs.repair(ref)
        if fixed != ref or source == "action":
            where = "at the start of the action text" if source == "action" else "in the source"
            self.note("REF_FIXED", f"ref '{ref}' {where} read as {fixed}", line,
                      column=self.header.index_of(source) or 0, got=ref)
        values["ref"] = fixed
        return fixed

    def starts_action(self, values: dict[str, Any]) -> bool:
        """Without a ref, a row starts an action if it has the action and its officers
        (a page-break continuation leaves those cells empty), or if the tracker
        has no refs at all."""
        if not text(values.get("action")):
            return False
        has_officer = any(text(values.get(k)) for k in OFFICER_KEYS)
        return has_officer or not self.refs.seen

    def merge(self, line: int, values: dict[str, Any]) -> None:
        draft = self.out.drafts[-1]
        for key, value in values.items():
            old = draft.cells.get(key)
            if not text(old):
                draft.cells[key] = value
            elif key in OFFICER_KEYS:
                draft.cells[key] = f"{text(old)}\n{text(value)}"
            elif isinstance(old, str) and isinstance(value, str):
                draft.cells[key] = f"{old.rstrip()} {value.strip()}"
        draft.lines.append(line)
        columns = ", ".join(ACTIONS_LAYOUT.column(k).name for k in values)
        self.note("MERGED_ROW", f"row without a ref merged into the action above "
                  f"(ref {draft.ref or 'none'}): {columns}", line, draft=draft)


def _short(value: Any, limit: int = 80) -> str:
    value = " ".join(text(value).split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


def parse_grid(grid: Grid, matcher: HeaderMatcher) -> Parsed:
    """Draft actions, section headings and a note for every row that needs one."""
    walker = _Walker(matcher, blank_columns(grid, matcher))
    for line, cells in grid.rows:
        walker.row(line, list(cells))
    walker.out.headings = {**walker.pre_headings, **walker.out.headings}
    return walker.out


def blank_columns(grid: Grid, matcher: HeaderMatcher
                  ) -> dict[int, dict[int, tuple[str | None, str]]]:
    """For each header row (by line), what its blank-headed columns hold, judged
    from the values under them down to the next header row."""
    out: dict[int, dict[int, tuple[str | None, str]]] = {}
    heads = [(n, line, cells) for n, (line, cells) in enumerate(grid.rows)
             if matcher.is_header(list(cells))]
    ends = [n for n, _, _ in heads[1:]] + [len(grid.rows)] if heads else []
    for (start, line, cells), end in zip(heads, ends, strict=True):
        below = [list(c) for _, c in grid.rows[start + 1:end]]
        below = [c for c in below if sum(1 for v in c if text(v)) > 1]  # not headings
        width = max([len(cells), *(len(c) for c in below)])  # a header row may stop short
        blanks = [i for i in range(width) if i >= len(cells) or not text(cells[i])]
        if not blanks:
            continue
        out[line] = {i: infer_blank([c[i] for c in below if i < len(c)], matcher.status_test)
                     for i in blanks}
    return out


def cell_ref(note: Note) -> str:
    return f"{col_letter(note.column + 1)}{note.line}"
