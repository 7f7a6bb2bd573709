"""Work out what the simple formulas xltools writes evaluate to.

openpyxl saves formulas without their results. Excel recalculates them when a
workbook is opened for editing — but not in Protected View, which is how every
emailed workbook opens, and calamine, pandas and previewers never do. So a
Dashboard built of live COUNTIFS formulas would show blank tiles and empty
charts to a committee member who only opens the attachment. This module
evaluates the small formula language our report sheets use, so the writer can
store each result beside its formula exactly as Excel does; Excel still
recalculates them once editing is enabled, so they stay live.

Supported: numbers, "text", cell and range references (optionally on another
sheet, ``$`` ignored), ``+ - * /``, ``= <> < > <= >=``, parentheses, and
SUM, COUNTIF, COUNTIFS, SUMIFS, IF, N, NA, ROUND with Excel's criteria rules
(blank ``""``, non-blank ``"<>"``, comparisons, ``*``/``?`` wildcards, case
ignored). Anything else raises ``Unsupported`` and the cell is simply left
without a stored result — never given a wrong one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .fastrows import NA, ExcelError, cache_values
from .layout import col_letter

Cells = Callable[[str | None, str, int], Any]  # (sheet or None, column letters, row) -> value

_TOKEN = re.compile(r"""
    \s*(?:
      (?P<str>"(?:[^"]|"")*")
    | (?P<ref>(?:(?P<sheet>[A-Za-z_][\w.]*|'[^']+')!)?\$?[A-Z]{1,3}\$?\d+(?::\$?[A-Z]{1,3}\$?\d+)?)
    | (?P<num>\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)
    | (?P<func>[A-Z][A-Z0-9.]*)\(
    | (?P<op><>|<=|>=|[-+*/=<>(),&])
    )""", re.X)
_CELL = re.compile(r"\$?([A-Z]{1,3})\$?(\d+)")


class Unsupported(ValueError):
    """A formula outside the subset this evaluator knows."""


def evaluate(formula: str, cells: Cells) -> Any:
    """The value of ``formula`` (with or without its leading ``=``)."""
    return _Parser(_tokens(formula.lstrip("=")), cells).parse()


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            if text[pos:].strip() == "":
                break
            raise Unsupported(f"cannot read {text[pos:pos + 12]!r}")
        kind = next(k for k in ("str", "ref", "num", "func", "op") if match.group(k))
        out.append((kind, match.group(kind)))
        pos = match.end()
    return out


class Range:
    """A rectangular block of cells, read lazily through ``cells``."""

    def __init__(self, sheet: str | None, first: tuple[str, int], last: tuple[str, int],
                 cells: Cells):
        self.sheet, self.cells = sheet, cells
        c1, c2 = _col_index(first[0]), _col_index(last[0])
        self.columns = [col_letter(c) for c in range(min(c1, c2), max(c1, c2) + 1)]
        self.rows = range(min(first[1], last[1]), max(first[1], last[1]) + 1)

    def values(self) -> list[Any]:
        return [self.cells(self.sheet, c, r) for r in self.rows for c in self.columns]


def _col_index(letters: str) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + ord(ch) - 64
    return index


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], cells: Cells):
        self.tokens, self.pos, self.cells = tokens, 0, cells

    def parse(self) -> Any:
        value = self.compare()
        if self.pos != len(self.tokens):
            raise Unsupported(f"unexpected {self.tokens[self.pos][1]!r}")
        return _single(value)

    def peek(self) -> str | None:
        return self.tokens[self.pos][1] if self.pos < len(self.tokens) else None

    def take(self, expected: str | None = None) -> tuple[str, str]:
        if self.pos >= len(self.tokens):
            raise Unsupported("formula ends too soon")
        token = self.tokens[self.pos]
        if expected is not None and token[1] != expected:
            raise Unsupported(f"expected {expected!r}, got {token[1]!r}")
        self.pos += 1
        return token

    def compare(self) -> Any:
        left = self.additive()
        while self.peek() in ("=", "<>", "<", ">", "<=", ">="):
            op = self.take()[1]
            left = _compare(op, _single(left), _single(self.additive()))
        return left

    def additive(self) -> Any:
        left = self.term()
        while self.peek() in ("+", "-", "&"):
            op = self.take()[1]
            left = _arith(op, _single(left), _single(self.term()))
        return left

    def term(self) -> Any:
        left = self.factor()
        while self.peek() in ("*", "/"):
            op = self.take()[1]
            left = _arith(op, _single(left), _single(self.factor()))
        return left

    def factor(self) -> Any:
        kind, text = self.take()
        if kind == "num":
            return float(text) if any(c in text for c in ".eE") else int(text)
        if kind == "str":
            return text[1:-1].replace('""', '"')
        if kind == "ref":
            return self.reference(text)
        if kind == "func":
            return self.call(text)
        if text == "(":
            value = self.compare()
            self.take(")")
            return value
        if text in ("-", "+"):
            value = _single(self.factor())
            return _arith("-", 0, value) if text == "-" else value
        raise Unsupported(f"unexpected {text!r}")

    def reference(self, text: str) -> Any:
        sheet, _, ref = text.rpartition("!")
        sheet = sheet.strip("'") or None
        ends = [(m.group(1), int(m.group(2))) for m in _CELL.finditer(ref)]
        if len(ends) == 1:
            return self.cells(sheet, *ends[0])
        return Range(sheet, ends[0], ends[1], self.cells)

    def call(self, name: str) -> Any:
        args = []
        if self.peek() != ")":
            args.append(self.compare())
            while self.peek() == ",":
                self.take(",")
                args.append(self.compare())
        self.take(")")
        if name not in _FUNCTIONS:
            raise Unsupported(f"function {name}")
        return _FUNCTIONS[name](*args)


def _single(value: Any) -> Any:
    if isinstance(value, Range):
        raise Unsupported("a range where one value belongs")
    return value


def _number(value: Any) -> float | ExcelError:
    if isinstance(value, ExcelError):
        return value
    if value is None or value == "":
        return 0
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)):
        return value
    try:
        return float(value)
    except ValueError as exc:
        raise Unsupported(f"arithmetic on text {value!r}") from exc


def _arith(op: str, a: Any, b: Any) -> Any:
    if op == "&":
        return f"{'' if a is None else a}{'' if b is None else b}"
    a, b = _number(a), _number(b)
    for v in (a, b):
        if isinstance(v, ExcelError):
            return v
    if op == "/" and b == 0:
        return ExcelError("#DIV/0!")
    result = {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b,
              "/": lambda: a / b}[op]()
    return int(result) if isinstance(result, float) and result.is_integer() and op != "/" \
        else result


def _compare(op: str, a: Any, b: Any) -> Any:
    for v in (a, b):
        if isinstance(v, ExcelError):
            return v
    a, b = _comparable(a), _comparable(b)
    if type(a) is not type(b):
        equal = False
        less = isinstance(a, (int, float))  # Excel: numbers sort before text
    else:
        equal, less = a == b, a < b
    return {"=": equal, "<>": not equal, "<": less and not equal, ">": not less and not equal,
            "<=": less or equal, ">=": not less or equal}[op]


def _comparable(value: Any) -> Any:
    if value is None or value == "":
        return 0 if value is None else ""
    if isinstance(value, bool):
        return int(value)
    return value.casefold() if isinstance(value, str) else value


def matches(value: Any, criterion: Any) -> bool:
    """Excel's COUNTIF criteria: "" blank, "<>" non-blank, comparisons, wildcards."""
    if isinstance(criterion, (int, float)) and not isinstance(criterion, bool):
        return _is_number(value) and float(value) == float(criterion)
    text = "" if criterion is None else str(criterion)
    for op in ("<>", "<=", ">=", "<", ">", "="):
        if text.startswith(op):
            return _matches_op(value, op, text[len(op):])
    return _matches_op(value, "=", text)


def _matches_op(value: Any, op: str, operand: str) -> bool:
    blank = value is None or value == ""
    if operand == "":
        return blank if op == "=" else (not blank if op == "<>" else False)
    number = _to_float(operand)
    if op in ("<", ">", "<=", ">="):
        if number is None or not _is_number(value):
            return False
        return _compare(op, float(value), number)
    if number is not None and _is_number(value):
        same = float(value) == number
    elif blank or _is_number(value):
        same = False
    else:
        same = _wildcard(operand).fullmatch(str(value).casefold()) is not None
    return same if op == "=" else not same


def _wildcard(pattern: str) -> re.Pattern:
    """Excel's wildcards: ``*`` any run, ``?`` one character, ``~`` escapes them."""
    out, chars = [], iter(pattern.casefold())
    for ch in chars:
        if ch == "~":
            out.append(re.escape(next(chars, "~")))
        elif ch == "*":
            out.append(".*")
        elif ch == "?":
            out.append(".")
        else:
            out.append(re.escape(ch))
    return re.compile("".join(out), re.S)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _to_float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _values(arg: Any) -> list[Any]:
    return arg.values() if isinstance(arg, Range) else [arg]


def _sum(*args: Any) -> Any:
    total: float = 0
    for arg in args:
        for value in _values(arg):
            if isinstance(value, ExcelError):
                return value
            if _is_number(value):
                total += value
            elif not isinstance(arg, Range) and value not in (None, ""):
                total += _number(value)
    return total


def _pairs(args: tuple) -> list[tuple[list[Any], Any]]:
    if len(args) % 2 or not all(isinstance(r, Range) for r in args[::2]):
        raise Unsupported("criteria must come in (range, criterion) pairs")
    return [(r.values(), c) for r, c in zip(args[::2], args[1::2], strict=True)]


def _countifs(*args: Any) -> int:
    pairs = _pairs(args)
    size = len(pairs[0][0])
    return sum(all(matches(vals[i], crit) for vals, crit in pairs) for i in range(size))


def _sumifs(sum_range: Any, *args: Any) -> Any:
    pairs = _pairs(args)
    values = _values(sum_range)
    total: float = 0
    for i, value in enumerate(values):
        if all(matches(vals[i], crit) for vals, crit in pairs) and _is_number(value):
            total += value
    return total


def _if(condition: Any, then: Any = True, otherwise: Any = False) -> Any:
    if isinstance(condition, ExcelError):
        return condition
    truth = condition if isinstance(condition, bool) else _number(condition) != 0
    return then if truth else otherwise


def _round(value: Any, digits: Any = 0) -> Any:
    value = _number(value)
    if isinstance(value, ExcelError):
        return value
    return round(value, int(_number(digits)))


_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "SUM": _sum,
    "COUNTIF": _countifs,
    "COUNTIFS": _countifs,
    "SUMIFS": _sumifs,
    "IF": _if,
    "N": lambda v: v if _is_number(v) else 0,
    "NA": lambda: NA,
    "ROUND": _round,
}


class SheetFormulas:
    """The cells of one sheet as it is written, so its formulas' results can be stored.

    Add every cell (``add``); ``store`` then works out each formula — lazily, so
    a total may point at rows below it — and hands the results to the writer.
    ``sources`` gives other sheets' columns: sheet -> column letter -> values
    from row 2 down.
    """

    def __init__(self, title: str, sources: dict[str, dict[str, list[Any]]] | None = None):
        self.title, self.sources = title, sources or {}
        self.values: dict[tuple[str, int], Any] = {}
        self.formulas: dict[tuple[str, int], str] = {}

    def add(self, col: str, row: int, cell: Any) -> None:
        value = getattr(cell, "value", cell)
        if getattr(cell, "data_type", None) == "f" and isinstance(value, str):
            self.formulas[(col, row)] = value
        else:
            self.values[(col, row)] = value

    def results(self) -> dict[str, Any]:
        """A1 ref -> result, for every formula this module can work out."""
        done: dict[tuple[str, int], Any] = {}
        busy: set[tuple[str, int]] = set()

        def cell(sheet: str | None, col: str, row: int) -> Any:
            if sheet is not None and sheet != self.title:
                column = self.sources.get(sheet, {}).get(col)
                if column is None:
                    raise Unsupported(f"no values for {sheet}!{col}")
                return column[row - 2] if 0 <= row - 2 < len(column) else None
            where = (col, row)
            if where not in self.formulas:
                return self.values.get(where)
            if where not in done:
                if where in busy:
                    raise Unsupported(f"circular reference at {col}{row}")
                busy.add(where)
                done[where] = evaluate(self.formulas[where], cell)
            return done[where]

        out = {}
        for col, row in self.formulas:
            try:
                out[f"{col}{row}"] = cell(None, col, row)
            except Unsupported:
                continue
        return out

    def store(self, wb) -> None:
        """Give the results to the writer, which saves them beside their formulas."""
        if self.formulas:
            cache_values(wb, self.title, self.results())
