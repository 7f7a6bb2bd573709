"""Check the committee's published summary table against the reconciliation.

A committee paper prints its own summary of savings changes: rows such as
*Change requests*, *Extensions* and *Total*, one column per financial year,
£000. ``xltools savings … --against SUMMARY`` reads that table (a .xlsx sheet,
a .csv, or a table in a .docx) and compares it cell by cell with the summary
xltools worked out from the returns. Every cell that differs is a
PUBLISHED_MISMATCH naming the table's cell. A year the paper has no column for
whose figures were added into the next year's column (the sums match across
the two years) is explained once as FOLDED_YEAR, naming the projects whose
changes in that year cause the difference — the usual case is a prior-year line
(2018/19) folded into the first plan year.

Money is read as committees print it (``money``): ``£``, ``k``, ``m``,
``bn``, thousands commas, brackets or a minus ("-", "−", "–") for a reduction,
"-" or "nil" for nothing — "-£846k", "£2.719m", "(150)k", "1,250". A figure with
no unit of its own is in the table's unit, read from its header or title
("£000", "£k", "£m", "£ million"; £000 when none is stated), and the unit used
is stated in the report. Figures agree when they are within half of the last
digit printed (half a £k for whole £000, £500 for "£2.719m", £50k for "£2.7m");
this is the committee's own print, not an officer's input.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..findings import Finding
from ..workbook.layout import col_letter
from .reconcile import Reconciliation
from .rows import fmt, fold, parse_year

ROUNDING = 0.5 + 0.0005  # papers print whole £k
MAX_BYTES = 50 * 2**20  # a committee paper with pictures is a few MB
# folded row label → summary key (labels are compared ignoring case, spaces, hyphens)
ROW_LABELS = {
    "changerequests": "change_requests", "changerequest": "change_requests",
    "extensions": "extensions", "extension": "extensions",
    "reprofiles": "re_profiles", "reprofile": "re_profiles",
    "writeoffs": "write_offs", "writeoff": "write_offs",
    "mitigations": "mitigations", "mitigation": "mitigations",
    "new": "new", "newsavings": "new", "newsavingsnotinbaseline": "new",
    "total": "total", "totalchange": "total", "netchange": "total", "totalnetchange": "total",
    "grandtotal": "total", "totalchanges": "total",
}
LABELS = {"change_requests": "Change requests", "extensions": "Extensions",
          "re_profiles": "Re-profiles", "write_offs": "Write-offs",
          "mitigations": "Mitigations", "new": "New savings", "total": "Total"}
GRAND = "Total"  # the key of a published grand-total column


@dataclass
class PublishedTable:
    """The figures of a published summary: row key → column (year, or Total) → value."""

    file: str
    sheet: str | None
    years: list[str]
    values: dict[str, dict[str, Any]] = field(default_factory=dict)
    cells: dict[tuple[str, str], str] = field(default_factory=dict)
    unit: str = "£000"  # what a figure with no unit of its own is in
    unit_from: str | None = None  # the header text that says so (None: assumed)

    def figure(self, raw: Any) -> tuple[float, float] | None:
        """A cell of this table in £000, with its printed precision (``money``)."""
        return money(raw, self.unit, self.unit_from is not None)

    def unit_note(self) -> str:
        """The unit, in words, for the report."""
        if self.unit_from:
            return f"figures read in {self.unit} (the table says '{self.unit_from}')"
        return f"figures read in {self.unit} (the table states no unit)"

    def finding(self, code: str, message: str, key: str | None = None,
                column: str | None = None, **kw: Any) -> Finding:
        cell = self.cells.get((key, column)) if key and column else None
        return Finding(code, message, file=self.file, sheet=self.sheet, cell=cell,
                       column=column, **kw)


# -- reading -------------------------------------------------------------------


def read_published(path: str | Path, start_month: int = 4) -> PublishedTable:
    """The first table in ``path`` with financial-year columns and summary rows."""
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"--against: no such file: {path}")
    if path.stat().st_size > MAX_BYTES:
        raise UsageError(f"--against {path.name}: {path.stat().st_size // 2**20} MB is not a "
                         "summary table; give the table itself (a sheet, .csv or the paper)")
    for sheet, grid, address in _grids(path):
        table = _table(grid, address, path.name, sheet, start_month)
        if table is not None:
            return table
    raise UsageError(f"--against {path.name}: no summary table found (a header row of "
                     "financial years such as 2019/20, and rows labelled Change requests, "
                     "Extensions or Total)")


def _grids(path: Path):
    """(sheet name, rows of cell values, cell → address) for each table in the file."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as fh:
            yield None, list(csv.reader(fh)), _a1
    elif suffix in (".xlsx", ".xlsm"):
        yield from _xlsx_grids(path)
    elif suffix == ".docx":
        yield from _docx_grids(path)
    else:
        raise UsageError(f"--against {path.name}: give the summary table as .xlsx, .csv "
                         "or .docx")


def _xlsx_grids(path: Path):
    from ..workbook.reader import open_measured

    measured = open_measured(path)  # every sheet is read: each measured first (one line)
    try:
        with measured as wb:
            sheets = [(name, wb.get_sheet_by_name(name).to_python(skip_empty_area=False))
                      for name in wb.sheet_names]
    except Exception as exc:  # calamine raises its own error types for corrupt files
        raise UsageError(f"--against {path.name}: cannot be read as a workbook") from exc
    for name, grid in sheets:
        yield name, grid, _a1


def _docx_grids(path: Path):
    import docx  # python-docx: loaded only when a Word table is given

    try:
        document = docx.Document(str(path))
    except Exception as exc:  # a corrupt or renamed file
        raise UsageError(f"--against {path.name}: cannot be read as a Word document") from exc
    for number, table in enumerate(document.tables, start=1):
        grid = [[cell.text for cell in row.cells] for row in table.rows]
        yield f"Table {number}", grid, _rc


def _a1(row: int, col: int) -> str:
    return f"{col_letter(col + 1)}{row + 1}"


def _rc(row: int, col: int) -> str:
    return f"row {row + 1}, column {col + 1}"


def _table(grid: list[list[Any]], address, file: str, sheet: str | None,
           start_month: int) -> PublishedTable | None:
    """Find the header row of years and the labelled rows under it."""
    for r, row in enumerate(grid):
        columns = _year_columns(row, start_month)
        if not any(label != GRAND for label in columns.values()):
            continue
        table = PublishedTable(file, sheet, [y for y in columns.values() if y != GRAND])
        table.unit, table.unit_from = table_unit(grid[: r + 1])
        for r2 in range(r + 1, len(grid)):
            key = _row_key(grid[r2])
            if key is None or key in table.values:
                continue
            table.values[key] = {}
            for c, label in columns.items():
                value = grid[r2][c] if c < len(grid[r2]) else None
                table.values[key][label] = value
                table.cells[(key, label)] = address(r2, c)
        if table.values:
            return table
    return None


def _year_columns(row: list[Any], start_month: int) -> dict[int, str]:
    out = {}
    for c, cell in enumerate(row):
        text = " ".join(UNIT_TEXT.sub(" ", str(cell or "")).split())
        label, start = parse_year(text, start_month)
        if start is not None:
            out[c] = label
        elif fold(text) == "total" and out:
            out[c] = GRAND
    return out


# words that name a row however the paper phrases it ("Total change requests")
ROW_WORDS = (("changerequest", "change_requests"), ("extension", "extensions"),
             ("reprofil", "re_profiles"), ("writeoff", "write_offs"),
             ("writtenoff", "write_offs"), ("mitigat", "mitigations"))


def _row_key(row: list[Any]) -> str | None:
    """The summary row a label names; None for rows the comparison does not know (a
    'Total savings target' row is not the total change, so 'total' must be the label)."""
    label = next((str(c) for c in row if isinstance(c, str) and c.strip()), "")
    text = fold(re.sub(r"[(:].*$", "", label))
    if text in ROW_LABELS:
        return ROW_LABELS[text]
    return next((key for word, key in ROW_WORDS if word in text), None)


UNITS = {"": 1.0, "k": 1.0, "000": 1.0, "m": 1_000.0, "mn": 1_000.0, "million": 1_000.0,
         "bn": 1_000_000.0, "billion": 1_000_000.0}  # → £000
UNIT_TEXT = re.compile(r"[(\[]?\s*£\s*(?:'?000s?|k|m|mn|million|bn|billion)\b\s*[)\]]?"
                       r"|\b(?:in\s+)?£\s*(?:thousands?|millions?)\b", re.I)
MONEY = re.compile(r"^(?P<sign>[-−–])?\s*(?P<open>\()?\s*(?P<sign2>[-−–])?\s*"
                   r"(?P<digits>\d[\d,]*(?:\.\d+)?|\.\d+)\s*(?P<unit>k|m|mn|bn|million|"
                   r"billion)?\s*(?P<close>\))?\s*(?P<unit2>k|m|mn|bn)?$", re.I)


def table_unit(rows: list[list[Any]]) -> tuple[str, str | None]:
    """The unit the table's header or title states ("£000", "£m"), and the text
    that states it; £000 (and None) when none does."""
    for row in reversed(rows):
        for cell in row:
            found = UNIT_TEXT.search(str(cell or ""))
            if found:
                said = found.group(0).strip()
                word = re.sub(r"[^a-z0-9]", "", said.casefold().replace("£", ""))
                word = {"thousand": "k", "thousands": "k", "inthousands": "k", "000s": "000",
                        "millions": "m", "inmillions": "m", "million": "m"}.get(word, word)
                return ("£m" if UNITS.get(word, 1.0) == 1_000.0 else
                        "£bn" if UNITS.get(word, 1.0) > 1_000.0 else "£000"), said
    return "£000", None


def money(value: Any, unit: str = "£000", stated: bool = True
          ) -> tuple[float, float] | None:
    """A printed figure in £000, and how precisely it was printed (half its last
    digit, in £000); None when it is not money. ``unit``: the table's, for a
    figure with no unit of its own; when the table states none (``stated``
    False), "£846,000" is pounds."""
    if isinstance(value, bool):
        return None
    scale = UNITS[unit.replace("£", "").replace("000", "k")]
    if isinstance(value, (int, float)):
        return float(value) * scale, 0.5 * scale if float(value).is_integer() else 0.0
    text = " ".join(str(value or "").split())
    if text.casefold() in ("", "-", "−", "–", "nil", "—"):
        return 0.0, 0.0
    pounds = "£" in text
    match = MONEY.match(text.replace("£", "").strip())
    if not match or bool(match["open"]) != bool(match["close"]):
        return None
    said = (match["unit"] or match["unit2"] or "").casefold()
    scale = UNITS[said] if said else (0.001 if pounds and not stated else scale)
    digits = match["digits"].replace(",", "")
    places = len(digits.split(".")[1]) if "." in digits else 0
    amount = float(digits) * scale
    if match["open"] or match["sign"] or match["sign2"]:
        amount = -amount
    return amount, 0.5 * 10 ** -places * scale


def number(value: Any, unit: str = "£000", stated: bool = True) -> float | None:
    """A published figure in £000 (see ``money``); None when it is not money."""
    read = money(value, unit, stated)
    return None if read is None else read[0]


# -- comparing -----------------------------------------------------------------


def compare_published(rec: Reconciliation, table: PublishedTable) -> list[Finding]:
    """Every published cell that differs from the reconciliation, and each folded year."""
    folds = fold_targets(rec, table)
    findings: list[Finding] = []
    status: dict[tuple[str, str], str] = {}  # (row, year column) → plain / folded / differs
    for key, columns in table.values.items():
        for column, raw in columns.items():
            outcome, finding = _compare_cell(rec, table, key, column, raw,
                                             folds.get(column, []))
            status[(key, column)] = outcome
            if finding is not None:
                findings.append(finding)
    for target, years in folds.items():
        if any(status.get((key, target)) == "folded" for key in table.values):
            findings += [_folded(rec, table, year, target, status) for year in years]
        findings += _dropped(rec, table, years, target, status)
    return findings


def fold_targets(rec: Reconciliation, table: PublishedTable) -> dict[str, list[str]]:
    """Published year → the reconciled years it has no column for that a paper would fold
    into it: the next published year, else (a year after them all) the last one."""
    start = rec.baseline.plan.fy_start_month
    published = [(parse_year(y, start)[1], y) for y in table.years]
    published = sorted((s, y) for s, y in published if s is not None)
    out: dict[str, list[str]] = {}
    for year in rec.years:
        begins = parse_year(year, start)[1]
        if year in table.years or begins is None or not published:
            continue
        later = [y for s, y in published if s > begins]
        out.setdefault(later[0] if later else published[-1][1], []).append(year)
    return out


def _ours(rec: Reconciliation, key: str, column: str) -> float:
    if column == GRAND:
        return rec.summary["grand_total"][key]
    row = rec.summary["by_year"].get(column)
    return 0.0 if row is None else row[key]


def _compare_cell(rec: Reconciliation, table: PublishedTable, key: str, column: str,
                  raw: Any, folded: list[str]) -> tuple[str, Finding | None]:
    want = _ours(rec, key, column)
    read = table.figure(raw)
    where = f"{LABELS[key]} {'in total' if column == GRAND else 'for ' + column}"
    if read is None:
        return "differs", table.finding(
            "PUBLISHED_MISMATCH", f"{where} is published as '{raw}', not a figure; the "
            f"reconciliation has {fmt(want)}", key, column, expected=want, got=raw)
    got, printed = read
    close = max(ROUNDING, printed + 0.0005)  # as precisely as the paper prints it
    if abs(got - want) <= close:
        return "plain", None
    with_folded = want + sum(_ours(rec, key, y) for y in folded)
    if folded and abs(got - with_folded) <= close:
        return "folded", None
    return "differs", table.finding(
        "PUBLISHED_MISMATCH", f"{where} is published as {fmt(got)}; the reconciliation has "
        f"{fmt(want)} (difference {fmt(got - want)}; £000, {table.unit_note()})", key, column,
        expected=want, got=got)


def _folded(rec: Reconciliation, table: PublishedTable, year: str, target: str,
            status: dict[tuple[str, str], str]) -> Finding:
    sums = [f"{LABELS[key]} {fmt((table.figure(table.values[key][target]) or (0.0, 0.0))[0])} = "
            f"{fmt(_ours(rec, key, year))} + {fmt(_ours(rec, key, target))}"
            for key in table.values if status.get((key, target)) == "folded"]
    causes = [(p, sum(y.change for y in p.years if y.year == year)) for p in rec.projects]
    causes = [(p, change) for p, change in causes if abs(change) > 0.0005]
    named = ", ".join(f"{p.ref} ({p.classification}, {fmt(c)})" for p, c in causes)
    return table.finding(
        "FOLDED_YEAR", f"{year} has no column in the published table: its figures are folded "
        f"into {target} ({'; '.join(sums)}). The {year} change comes from {named or 'no project'}"
        ". The reconciliation shows the years separately", next(iter(table.values)), target,
        action_id=causes[0][0].ref if causes else None,
        extra={"year": year, "into": target, "projects": [p.ref for p, _ in causes]})


def _dropped(rec: Reconciliation, table: PublishedTable, years: list[str], target: str,
             status: dict[tuple[str, str], str]) -> list[Finding]:
    """Rows whose figures for a year with no column appear nowhere in the published table."""
    out = []
    for key in table.values:
        for year in years:
            ours = _ours(rec, key, year)
            if abs(ours) > 0.0005 and status.get((key, target)) == "plain":
                out.append(table.finding(
                    "PUBLISHED_MISMATCH", f"{LABELS[key]} for {year} is {fmt(ours)} in the "
                    f"reconciliation; the published table has no {year} column and does not "
                    f"add it into {target}", key, target, expected=ours, got=None,
                    extra={"year": year}))
    return out
