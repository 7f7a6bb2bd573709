"""Savings rows as finance reads them: money, years and the Change cell, parsed.

A Savings sheet comes from our writer (the Change column is a formula with no
cached value, so the reader sees it empty), from Excel or LibreOffice (cached
values), or from another tool (xlsxwriter caches 0 for every formula). So the
Change cell counts as *stated* only when a person typed a value there, or
when it holds a formula that is not the row's own Revised − Expected (then its
last calculated value is what the person saw). A formula that computes this
row's Revised − Expected is right by construction and never a mismatch.

Money that is not a number (``tbc``, ``£1,200``, a number stored as text) is
never guessed: Excel's SUM would ignore it too. It is flagged NOT_NUMERIC, kept
as typed in the merged workbook, and not counted (see ``docs/finance-guide.md``).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from openpyxl.formula.translate import Translator

from ..errors import PeriodError
from ..findings import Finding
from ..periods import fy_label, parse_fy
from ..workbook.book import Book, Row, blank
from ..workbook.layout import CHANGE_TYPES, SAVINGS, SAVINGS_LAYOUT
from ..workbook.package import sheet_xml

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
TOL = 0.0005  # £000: half a pound; money is compared to the nearest pound
_REF = re.compile(r"([A-Z]{1,3})(\d+)")
_WRAPPER = re.compile(r"\b(?:N|SUM|VALUE)\(([A-Z]{1,3}\d+)\)")
# IF(G7="","",…) or IF(AND(F7="",G7=""),"",…): blank while the inputs are blank
_BLANK_GUARD = re.compile(r'IF\((?:AND\()?[A-Z]+\d+=""(?:,[A-Z]+\d+="")?\)?,"",(?P<inner>.+)\)')
# IF(ISNUMBER(G7),G7-F7,"not a number"): text while Revised is not a number
_NUMBER_GUARD = re.compile(r'IF\(ISNUMBER\([A-Z]+\d+\),(?P<inner>.+),"[^"]*"\)')


@dataclass
class Line:
    """One Savings row of one file, with its money parsed and its cells named."""

    file: str
    row: int
    letters: dict[str, str]
    ref: str
    year: str
    year_start: int | None
    expected: float | None
    revised: float | None
    stated_change: float | None
    raw: Row
    baseline: bool = False
    is_total: bool = False
    bad: set[str] = field(default_factory=set)  # keys holding non-numeric money

    def cell(self, key: str) -> str:
        return f"{self.letters.get(key, '?')}{self.row}"

    @property
    def where(self) -> str:
        return f"{self.file} › {SAVINGS}!{self.cell('revised')}"

    @property
    def key(self) -> tuple[str, str]:
        return fold(self.ref), self.year

    def finding(self, code: str, message: str, key: str, **kw: Any) -> Finding:
        """A finding located at this row's ``key`` cell, tagged with its project and year."""
        return Finding(code, message, file=self.file, sheet=SAVINGS, cell=self.cell(key),
                       action_id=self.ref, column=SAVINGS_LAYOUT.column(key).name,
                       extra={"year": self.year}, **kw)


def fold(text: Any) -> str:
    """Project refs and change types compare ignoring case, spaces and hyphens."""
    return re.sub(r"[\s\-_]+", "", str(text)).casefold()


def money(value: Any) -> tuple[float | None, bool]:
    """(amount, is_bad): blank → (None, False); a real number → float; else bad."""
    if blank(value):
        return None, False
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None, True
    return float(value), False


def parse_year(value: Any, start_month: int = 4) -> tuple[str, int | None]:
    """``2019-20``, ``2019/2020``, ``19/20`` → (``2019/20``, 2019); otherwise (text, None)."""
    text = " ".join(str(value).split())
    short = re.fullmatch(r"(\d{2})\s*[/\-]\s*(\d{2})", text)
    if short and int(short[2]) == (int(short[1]) + 1) % 100:
        text = f"20{short[1]}/{short[2]}"
    try:
        start = parse_fy(text, start_month)
    except (PeriodError, ValueError):
        return text, None
    return fy_label(start, start_month), start


def change_type(value: Any) -> str | None:
    """The dropdown spelling of a change type (``reprofile`` → ``Re-profile``), else the text."""
    if blank(value):
        return None
    wanted = fold(value)
    return next((t for t in CHANGE_TYPES if fold(t) == wanted), str(value).strip())


def change_formulas(path: str | Path, column: str) -> dict[int, str]:
    """Sheet row → formula text of the Change cells that hold formulas.

    calamine gives cached values only, so the Savings sheet's XML is scanned
    for formulas in ``column`` (a few ms; openpyxl took 30 ms a file). Excel
    stores a filled-down formula once and shares it down the column: those are
    translated to each row, as Excel shows them.
    """
    try:
        with zipfile.ZipFile(path) as zf:
            xml = sheet_xml(zf, SAVINGS)
    except (zipfile.BadZipFile, KeyError, OSError):
        return {}
    if xml is None or "<f" not in xml:
        return {}
    cell_ref = re.compile(rf"{column}(\d+)")
    shared: dict[str, tuple[str, str]] = {}
    out: dict[int, str] = {}
    try:
        for _, el in ElementTree.iterparse(io.BytesIO(xml.encode("utf-8"))):
            if el.tag != _NS + "c":
                continue
            formula, ref = el.find(_NS + "f"), el.get("r", "")
            if formula is not None:
                text = _formula_text(formula, ref, shared)
                match = cell_ref.fullmatch(ref)
                if match and text:
                    out[int(match[1])] = text
            el.clear()
    except ElementTree.ParseError:  # damaged XML: the reader reported the sheet already
        return {}
    return out


def _formula_text(f, ref: str, shared: dict[str, tuple[str, str]]) -> str | None:
    """The formula of one cell; a shared formula's master is remembered for the others."""
    if f.get("t") != "shared":
        return "=" + f.text if f.text else None
    si = f.get("si", "")
    if f.text:
        shared[si] = ("=" + f.text, ref)
        return "=" + f.text
    if si in shared:
        text, origin = shared[si]
        return Translator(text, origin=origin).translate_formula(ref)
    return None


def computes_change(formula: str, row: int, letters: dict[str, str]) -> bool:
    """True when ``formula`` is this row's Revised − Expected (any usual spelling)."""
    text = _WRAPPER.sub(r"\1", formula.upper().replace("$", "").replace(" ", "").lstrip("="))
    rev = f"{letters.get('revised')}{row}"
    exp = f"{letters.get('expected')}{row}"
    guarded = _BLANK_GUARD.fullmatch(text)
    inner = guarded["inner"] if guarded else text
    number = _NUMBER_GUARD.fullmatch(inner)
    inner = number["inner"] if number else inner
    return inner in (f"{rev}-{exp}", f"-{exp}+{rev}") and \
        {a + b for a, b in _REF.findall(text)} == {rev, exp}


def book_lines(book: Book, *, baseline: bool) -> tuple[list[Line], list[Finding]]:
    """Every Savings row of ``book`` as a Line, and the findings reading them raised."""
    file = Path(book.path or "workbook").name
    letters = book.letters(SAVINGS_LAYOUT)
    formulas = change_formulas(book.path, letters["change"]) if book.path and \
        "change" in letters else {}
    start_month = book.plan.fy_start_month
    lines, findings = [], []
    for raw in book.savings:
        line = _line(raw, file, letters, formulas, start_month, baseline)
        if not line.ref:
            findings.append(line.finding("INVALID", "Project ref is blank; the row cannot be "
                                         "matched to a project and is not counted",
                                         "project_ref"))
            continue
        findings += _row_findings(line)
        lines.append(line)
    return lines, findings


def _line(raw: Row, file: str, letters: dict[str, str], formulas: dict[int, str],
          start_month: int, baseline: bool) -> Line:
    row = raw.get("_row", 0)
    ref = "" if blank(raw.get("project_ref")) else " ".join(str(raw["project_ref"]).split())
    year_cell = raw.get("year")
    is_total = isinstance(year_cell, str) and fold(year_cell) == "total"
    year, start = ("Total", None) if is_total else parse_year(
        "" if blank(year_cell) else year_cell, start_month)
    expected, bad_exp = money(raw.get("expected"))
    revised, bad_rev = money(raw.get("revised"))
    stated, bad_chg = money(raw.get("change"))
    formula = formulas.get(row)
    if formula and computes_change(formula, row, letters):
        stated, bad_chg = None, False  # calculated: right by construction, cache may be stale
    line = Line(file, row, letters, ref, year, start, expected, revised, stated, raw,
                baseline=baseline, is_total=is_total)
    line.bad = {k for k, bad in (("expected", bad_exp), ("revised", bad_rev),
                                 ("change", bad_chg)) if bad}
    return line


def _row_findings(line: Line) -> list[Finding]:
    out = []
    for key in sorted(line.bad):
        got = line.raw.get(key)
        counted = {"expected": "counted as 0", "revised": "counted as no change",
                   "change": "not checked"}[key]
        out.append(line.finding(
            "NOT_NUMERIC", f"{SAVINGS_LAYOUT.column(key).name} '{got}' is not a number "
            f"(type £000 as a plain number, no £ sign, commas or words); {counted}",
            key, got=got, expected="a number (£000)"))
    if not line.is_total and line.year_start is None:
        out.append(line.finding("INVALID", f"Year '{line.year}' is not a financial year "
                                "like 2019/20; shown as its own column", "year",
                                got=line.year, expected="a financial year"))
    return out


def year_findings(book: Book, file: str | None = None,
                  range_years: list[str] | None = None) -> list[Finding]:
    """What ``xltools check`` says about each Savings row's Year — the same as ``xltools
    savings`` says: a typed ``Total`` row is fine (the reconciliation checks its sum), a
    financial year outside the plan's savings years is YEAR_OUT_OF_RANGE (a warning: a
    prior-year line is legitimate and gets its own column), anything else is INVALID."""
    file = file or Path(book.path or "workbook").name
    letters = book.letters(SAVINGS_LAYOUT)
    years = set(range_years or book.plan.savings_year_list())
    out = []
    for raw in book.savings:
        line = _line(raw, file, letters, {}, book.plan.fy_start_month, baseline=False)
        if line.is_total or blank(raw.get("year")):
            continue  # a blank Year is the schema's "required" finding
        if line.year_start is None:
            out += [f for f in _row_findings(line) if f.code == "INVALID"]
        elif line.year not in years:
            out.append(out_of_range(line))
    return out


def out_of_range(line: Line) -> Finding:
    """YEAR_OUT_OF_RANGE for a row whose year the plan's savings years do not cover."""
    return line.finding("YEAR_OUT_OF_RANGE", f"{line.year} is outside the plan's years; "
                        "shown as its own column in the summary, not folded into another "
                        "year", "year", got=line.year)


def line_change(line: Line) -> float:
    """This row's own Revised − Expected, as its Change formula would show it."""
    expected = line.expected or 0.0
    revised = expected if line.revised is None else line.revised
    return revised - expected


def check_stated_change(line: Line) -> list[Finding]:
    """CHANGE_MISMATCH when a typed Change disagrees with the row's Revised − Expected."""
    if line.stated_change is None or line.is_total:
        return []
    computed = line_change(line)
    if abs(line.stated_change - computed) <= TOL:
        return []
    revised = "blank (no change)" if line.revised is None else fmt(line.revised)
    return [line.finding(
        "CHANGE_MISMATCH", f"Change {fmt(line.stated_change)} for {line.year} is not Revised "
        f"{revised} − Expected {fmt(line.expected or 0)} = {fmt(computed)}; the reconciliation "
        "uses Revised − Expected", "change", expected=amount(computed),
        got=amount(line.stated_change))]


def amount(value: float) -> float | int:
    """A £000 figure for JSON and findings: rounded to the pound; whole ones as ints."""
    value = round(value, 3) + 0.0
    return int(value) if value.is_integer() else value


def fmt(amount: float) -> str:
    """£000 as a committee paper writes it: 1,234.5 (no trailing .0, never -0)."""
    text = f"{round(amount, 1) + 0.0:,.1f}"
    return text[:-2] if text.endswith(".0") else text
