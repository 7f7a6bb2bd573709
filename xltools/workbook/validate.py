"""The one validator: every row of a Book against its row schema and the lists.

Each data sheet's row schema (JSON Schema, generated from ``layout`` so it can
never drift from the workbook) checks types and shapes; the workbook's own
lists (officers, RAG scheme, sections…) are folded in as enums. Officer cells
may hold several names joined by ``/``: each name must be on the list.

Validation never drops or edits a row's meaning. It does tidy what Excel
itself would accept (``green`` → ``Green``) so later steps compare like with
like, and reports everything else as a finding naming the file, sheet, cell
and rule.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime
from functools import cache
from typing import Any

from ..errors import PlanError
from ..findings import Finding
from ..plan import Plan, split_officers
from ..status import StatusMapper
from . import programme_rules
from .book import Book, Row, blank, cell_ref
from .dropdowns import list_columns
from .layout import (
    ACTIONS_LAYOUT,
    EXCEL_MAX_TEXT,
    KPIS_LAYOUT,
    MASTER,
    RETURN,
    SAVINGS_LAYOUT,
    Column,
    SheetLayout,
    col_letter,
)

ID_PATTERN = r"^[A-Za-z]{1,4}-[0-9]{1,6}$"


_KIND_TYPES = {
    "text": ["string", "number", "null"],
    "date": ["date", "null"],
    "number": ["number", "null"],
    "integer": ["integer", "null"],
}


def row_schema(layout: SheetLayout) -> dict[str, Any]:
    """The JSON Schema of one row of ``layout`` (``date`` is a Python date)."""
    props: dict[str, Any] = {}
    for col in layout.columns:
        prop: dict[str, Any] = {"title": col.name}
        if col.kind in _KIND_TYPES:
            prop["type"] = list(_KIND_TYPES[col.kind])
        if col.required:
            prop["type"] = [t for t in prop.get("type", []) if t != "null"] or ["string"]
        if col.key == "id":
            prop["pattern"] = ID_PATTERN
        props[col.key] = prop
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"xltools {layout.name} row",
        "type": "object",
        "properties": props,
        "required": [c.key for c in layout.columns if c.required],
    }


@cache
def _validator(layout: SheetLayout):
    """jsonschema's validator for ``layout``'s rows (``date`` and ``number`` as Python
    has them). Imported here, not at the top: clean rows never need it, and a
    consolidation's start-up is shorter without it."""
    import jsonschema
    from jsonschema import Draft202012Validator

    def is_date(_checker, value: Any) -> bool:
        return isinstance(value, date)

    def is_number(_checker, value: Any) -> bool:
        return isinstance(value, (int, float)) and not isinstance(value, bool)

    types = Draft202012Validator.TYPE_CHECKER.redefine_many(
        {"date": is_date, "number": is_number})
    row_validator = jsonschema.validators.extend(Draft202012Validator, type_checker=types)
    return row_validator(row_schema(layout))


# The exact Python types each JSON type admits in the quick check. Exact (``type(v) in``)
# rather than ``isinstance``: a subclass (or a bool as a number) is left to jsonschema.
_PY_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "number": (int, float),
    "integer": (int,),
    "null": (type(None),),
    "date": (date, datetime),
}
_FAST_KEYWORDS = {"title", "type", "pattern"}


@cache
def _quick_check(layout: SheetLayout):
    """A fast yes/no compiled from the same row schema, for the common clean row.

    jsonschema costs ~100 µs a row, most of a 12,000-row consolidation. Clean
    rows only need a yes, so this predicate answers that from the schema's
    own ``type``/``pattern``/``required``; rows it rejects go to jsonschema,
    which stays the authority on what is wrong. It refuses to compile a schema
    using any other keyword, and admits only the exact types listed, so it can
    never wave through what jsonschema would reject. Keys that are not columns
    (``_row``) are not looked at, and a ``datetime`` passes as the date it holds.
    """
    schema = row_schema(layout)
    typed, patterned = [], []
    for key, prop in schema["properties"].items():
        unknown = set(prop) - _FAST_KEYWORDS
        if unknown:
            raise ValueError(f"quick check can't compile {key}: {sorted(unknown)}")
        if "type" in prop:
            typed.append((key, frozenset(t for name in prop["type"] for t in _PY_TYPES[name])))
        if "pattern" in prop:
            patterned.append((key, re.compile(prop["pattern"]).search))
    required = tuple(schema["required"])

    def ok(row: dict[str, Any]) -> bool:
        get = row.get
        for key in required:
            if key not in row:
                return False
        for key, types in typed:
            if key in row and type(get(key)) not in types:
                return False
        for key, search in patterned:
            value = get(key)
            if type(value) is str and not search(value):  # noqa: E721
                return False
        return True

    return ok


def validate_book(book: Book, *, file: str | None = None) -> list[Finding]:
    """Findings for every row of Actions, Savings and KPIs (tidying RAG case)."""
    file = file or (book.path and _name(book.path))
    findings: list[Finding] = []
    for layout, rows in ((ACTIONS_LAYOUT.for_book(book), book.actions),
                         (SAVINGS_LAYOUT, book.savings), (KPIS_LAYOUT, book.kpis)):
        findings += validate_rows(rows, layout, book.plan, file=file, kind=book.kind,
                                  letters=book.letters(layout))
    findings += duplicate_ids(book.actions, file, book.letters(ACTIONS_LAYOUT))
    if book.is_programme:  # Revised end, and the Risks sheet (docs/decisions.md)
        findings += programme_rules.revised_end_findings(book, file)
        findings += programme_rules.risk_findings(book, file)
    if book.kind == MASTER:
        findings += incomplete_actions(book, file)
    return findings


def incomplete_actions(book: Book, file: str | None) -> list[Finding]:
    """Plan-level integrity of a master: when most actions have a ref (a section),
    the ones without are gaps in the plan's structure — typical of a master
    imported from something that was not a tracker, where every cell is valid."""
    letters = book.letters(ACTIONS_LAYOUT)
    out = []
    for key, name in (("ref", "Ref"), ("section", "Section")):
        filled = sum(1 for r in book.actions if not blank(r.get(key)))
        if filled <= len(book.actions) / 2 or (key == "section" and not book.plan.sections):
            continue
        out += [Finding("INCOMPLETE_ACTION", f"{name} is empty, though the plan's other "
                        f"actions have one", file=file, sheet=ACTIONS_LAYOUT.name,
                        cell=f"{letters.get(key, '?')}{row.get('_row', '?')}",
                        action_id=row.get("id") or None, column=name)
                for row in book.actions if blank(row.get(key))]
    return out


def _name(path: str) -> str:
    return path.replace("\\", "/").rsplit("/", 1)[-1]


def validate_rows(rows: list[Row], layout: SheetLayout, plan: Plan, *, file: str | None,
                  kind: str = "master", letters: dict[str, str] | None = None) -> list[Finding]:
    """Findings for ``rows``; ``letters`` maps column keys to the file's own letters."""
    lists = _lists(plan)
    listed = [col for col in layout.columns if col.list_name]
    where = _Where(layout, file, letters or default_letters(layout))
    out: list[Finding] = []
    dates = [col.key for col in layout.columns if col.kind == "date"]
    for row in rows:
        for key in dates:
            if type(row.get(key)) is str:  # noqa: E721 - typed as text (US Excel, text cell)
                read_date_text(row, key)
        found = schema_findings(row, where)
        if layout.name == ACTIONS_LAYOUT.name and kind == RETURN and blank(row.get("id")):
            found = [f for f in found if f.column != "ID"]  # one finding for the cell: why
            found.append(where.finding(row, layout.column("id"),
                                       "has no ID; the PMO cannot match it to the plan", None,
                                       "an ID"))
        elif layout.name == ACTIONS_LAYOUT.name and kind != RETURN and new_action(row.get("id")):
            # the PMO adds an action to the master with the ID left empty (as the
            # guide says): not an error — next quarter gives it the next free ID
            found = [f for f in found if f.column != "ID"]
            found.append(Finding("NEW_ACTION", "new action with no ID yet: next-quarter gives "
                                 "it the next free ID", file=where.file, sheet=layout.name,
                                 cell=f"{where.letters.get('id', 'A')}{row.get('_row', '?')}",
                                 column="ID"))
        out += found
        out += text_findings(row, where)
        for col in listed:
            if not blank(row.get(col.key)):
                out += list_findings(row, col, where, lists)
    return out


def text_findings(row: Row, where: _Where) -> list[Finding]:
    """Text too long for a cell, and control characters: one look at each text for the
    common row that has neither, the detailed findings only for a row that has."""
    texts = [value for value in row.values() if isinstance(value, str)]
    joined = " ".join(texts)  # isprintable() (C speed) clears most rows without the regex
    if max(map(len, texts), default=0) > EXCEL_MAX_TEXT or (
            not joined.isprintable() and _CONTROL.search(joined)):
        return too_long_findings(row, where) + control_findings(row, where)
    return []


NEW_MARKERS = frozenset({"new", "new action"})


def new_action(value: Any) -> bool:
    """An ID cell left empty (or marked "New") for an action added to the master."""
    return blank(value) or " ".join(str(value).split()).casefold() in NEW_MARKERS


def too_long_findings(row: Row, where: _Where) -> list[Finding]:
    """Text over Excel's cell limit (pasted in LibreOffice, or written by a script):
    the writer has to cut it, so the cell it came from is reported, never cut silently."""
    out = []
    for key, value in row.items():
        if isinstance(value, str) and len(value) > EXCEL_MAX_TEXT and key in where.layout.keys:
            out.append(where.finding(
                row, where.layout.column(key), f"is {len(value):,} characters, over Excel's "
                "cell limit of 32,767: shorten it — where xltools writes it, it is cut to fit "
                "and marked as cut", f"{len(value):,} characters", "at most 32,767 characters"))
    return out


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def control_findings(row: Row, where: _Where) -> list[Finding]:
    """Control characters (a bell, a NUL pasted from another system) cannot be kept in
    a workbook: the writer drops them, so the cell is named rather than changed silently."""
    out = []
    for key, value in row.items():  # rare: searched first, the layout's keys asked after
        if isinstance(value, str) and _CONTROL.search(value) and key in where.layout.keys:
            found = sorted(set(_CONTROL.findall(value)))
            if found:
                names = ", ".join(f"U+{ord(c):04X}" for c in found)
                col = where.layout.column(key)
                base = where.finding(row, col, "", None, None)
                out.append(Finding("CONTROL_CHARS", f"{col.name} holds control characters "
                                   f"({names}) that a workbook cannot keep; they are dropped "
                                   "when xltools writes it", file=base.file, sheet=base.sheet,
                                   cell=base.cell, action_id=base.action_id, column=col.name,
                                   got=names))
    return out


def default_letters(layout: SheetLayout) -> dict[str, str]:
    return {key: col_letter(i) for i, key in enumerate(layout.keys, start=1)}


def schema_findings(row: Row, where: _Where) -> list[Finding]:
    layout = where.layout
    if where.quick_check(row):
        return []
    data = {k: v for k, v in row.items() if not k.startswith("_")}
    data = {k: (v.date() if isinstance(v, datetime) else v) for k, v in data.items()}
    out = []
    for err in _validator(layout).iter_errors(data):
        key = err.path[0] if err.path else (err.validator_value[0] if err.validator ==
                                            "required" else None)
        col = layout.column(key) if key in layout.keys else layout.columns[0]
        got = data.get(col.key)
        out.append(where.finding(row, col, _describe(err, col, got), got, _expected(col)))
    return out


def _describe(err, col: Column, got: Any) -> str:
    if err.validator == "required" or (got is None and col.required):
        return "is required"
    if col.kind == "date" and isinstance(got, (int, float)):
        return (f"'{got:g}' is a number, not a date — format the cell as a date and type a "
                "real date such as 14/10/2019")
    if col.kind == "date" and isinstance(got, str) and uk_date(got, strict=False):
        return f"'{got}' is not a real day — type the date as day/month/year"
    if col.kind == "date":
        return (f"'{got}' is text xltools can't read as a date — type the day, month and "
                "year, e.g. 14/10/2019 (day/month/year)")
    if col.kind in ("number", "integer"):
        return f"'{got}' is not a number"
    if err.validator == "pattern":
        return f"'{got}' is not an xltools ID (like A-0007)"
    return err.message


DATE_TEXT = "_date_text"  # row key: date column -> the text read as a date
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_WORDS = ("%d %B %Y", "%d %b %Y", "%d %B, %Y")


def uk_date(text: str, *, strict: bool = True) -> date | bool | None:
    """The day ``text`` names when it can only mean one in the UK: 14/10/2019 (day
    first, as the plan's locale writes it), 2019-10-14, 14 October 2019. A US-locale
    Excel, or a cell formatted as text, stores such a date as text. With
    ``strict=False``: True for a text shaped like a date whose day does not exist."""
    text = " ".join(text.split())
    for pattern, order in ((_DMY, (2, 1, 0)), (_YMD, (0, 1, 2))):
        match = pattern.match(text)
        if match:
            year, month, day = (int(match.group(i + 1)) for i in order)
            try:
                return date(year, month, day)
            except ValueError:
                return None if strict else True
    for form in _WORDS:
        try:
            return datetime.strptime(text, form).date()
        except ValueError:
            continue
    return None


def read_date_text(row: Row, key: str) -> None:
    """A date column's text that names one day unambiguously becomes that date (as
    ``green`` becomes ``Green``): the officer typed a real date."""
    day = uk_date(row[key])
    if isinstance(day, date):
        row.setdefault(DATE_TEXT, {})[key] = row[key]  # what was typed, for check's note
        row[key] = day


def _expected(col: Column) -> str:
    return {"date": "a date", "number": "a number", "integer": "a whole number"}.get(
        col.kind, col.name)


_LISTS_CACHE: dict[int, tuple[Plan, dict]] = {}


def _lists(plan: Plan) -> dict[str, dict[str, str]]:
    """The workbook's dropdown lists (the same ones Lists holds), folded for matching.

    Returns of one plan share one Plan object (the reader caches it), so the
    folded lists are built once per plan, not once per sheet."""
    cached = _LISTS_CACHE.get(id(plan))
    if cached is not None and cached[0] is plan:
        return cached[1]
    if len(_LISTS_CACHE) > 32:
        _LISTS_CACHE.clear()
    lists = _build_lists(plan)
    _LISTS_CACHE[id(plan)] = (plan, lists)
    return lists


def _build_lists(plan: Plan) -> dict[str, dict[str, str]]:
    columns = list_columns(Book(plan=plan))
    folded = {name: {_fold(v): v for v in values} for name, values in columns.items()}
    folded["_officers"] = {_fold(v): v for v in plan.individual_officers}
    folded[_MEMO] = {}
    try:
        folded[_MAPPER] = StatusMapper(plan)  # type: ignore[assignment]
    except PlanError:  # a mapping that does not fit the scheme: no suggestion from it
        folded[_MAPPER] = None  # type: ignore[assignment]
    return folded


def _fold(value: Any) -> str:
    return " ".join(str(value).split()).casefold()


def list_findings(row: Row, col: Column, where: _Where, lists) -> list[Finding]:
    """Check a dropdown cell against its list; tidy case and spacing when it matches.

    The same few values fill a column (a RAG, an officer), so a value's verdict is
    kept per plan: a value seen before and accepted is tidied without folding it again."""
    value = row[col.key]
    memo = lists[_MEMO]
    key = (col.list_name, col.officers, col.strict_list, type(value), value)
    try:
        seen = memo.get(key, _UNSEEN)
    except TypeError:  # not hashable: judged afresh
        seen = _UNSEEN
    if seen is not _UNSEEN:
        if seen is not _KEEP:
            row[col.key] = seen
        return []
    found = _list_findings(row, col, where, lists)
    if not found:
        if len(memo) > MEMO_LIMIT:
            memo.clear()
        tidied = row[col.key]
        memo[key] = _KEEP if tidied is value else tidied
    return found


_MEMO = "_memo"  # lists' entry holding list_findings' verdicts
_MAPPER = "_status"  # lists' entry: the plan's StatusMapper, for "did you mean"
_UNSEEN, _KEEP = object(), object()
MEMO_LIMIT = 50_000


def _list_findings(row: Row, col: Column, where: _Where, lists) -> list[Finding]:
    value = row[col.key]
    allowed = lists.get(col.list_name, {})
    if col.officers:
        names = split_officers(value)
        unknown = [n for n in names if _fold(n) not in lists["_officers"]]
        if unknown:
            return [where.finding(row, col, f"'{', '.join(unknown)}' is not on the officer list",
                                  value, "officers on the Lists sheet")]
        row[col.key] = " / ".join(lists["_officers"][_fold(n)] for n in names)
        return []
    match = allowed.get(_fold(value))
    if match is not None:
        row[col.key] = match
        return []
    if not col.strict_list:
        return []
    options = ", ".join(list(allowed.values())[:8])
    hint = suggestion(value, col, lists)
    hint = f" — did you mean {hint}?" if hint else ""
    return [where.finding(row, col, f"'{value}' is not one of the allowed values "
                          f"({options}){hint}", value, col.list_name)]


def suggestion(value: Any, col: Column, lists) -> str | None:
    """What an officer most likely meant by a value not on a strict list: for a RAG,
    the plan's status mapping ("On track" → Green, "G" → Green), then the closest
    spelling ("Gren" → Green); for other lists the closest spelling."""
    import difflib

    allowed = lists.get(col.list_name, {})
    if col.list_name == "RAGList" and lists.get(_MAPPER) is not None:
        mapped = lists[_MAPPER].map(value)
        if mapped:
            return mapped
    close = difflib.get_close_matches(_fold(value), list(allowed), n=1, cutoff=0.6)
    return allowed[close[0]] if close else None


def duplicate_ids(rows: list[Row], file: str | None,
                  letters: dict[str, str] | None = None) -> list[Finding]:
    letter = (letters or default_letters(ACTIONS_LAYOUT))["id"]
    counts = Counter(r.get("id") for r in rows if not blank(r.get("id")))
    return [
        Finding("DUPLICATE_ID", f"ID {row['id']} appears {counts[row['id']]} times; each "
                "action needs its own", file=file, sheet=ACTIONS_LAYOUT.name,
                cell=f"{letter}{row.get('_row', '?')}", action_id=row["id"], column="ID")
        for row in rows
        if counts.get(row.get("id"), 0) > 1
    ]


class _Where:
    """Where a sheet's rows came from, so findings name the file's real cells."""

    def __init__(self, layout: SheetLayout, file: str | None, letters: dict[str, str]):
        self.layout, self.file, self.letters = layout, file, letters
        self.quick_check = _quick_check(layout)  # looked up once: hashing a layout is slow

    def finding(self, row: Row, col: Column, message: str, got: Any, expected: Any) -> Finding:
        key_col = "id" if self.layout.name == ACTIONS_LAYOUT.name else self.layout.keys[0]
        action_id = row.get(key_col)
        return Finding(
            "INVALID",
            f"{col.name} {message}",
            file=self.file,
            sheet=self.layout.name,
            cell=cell_ref(self.letters, col.key, row),
            action_id=str(action_id) if not blank(action_id) else None,
            column=col.name,
            expected=expected,
            got=got,
        )
