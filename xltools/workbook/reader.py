"""The one reader: an .xlsx in the xltools format → a ``Book``.

Reads with python-calamine (fast, never runs macros). Columns are found by
header name, not position, so a return whose columns were reordered still
reads; missing and extra columns become findings. Pre-flight checks turn every
kind of unreadable file into a ``WorkbookError`` with a stable reason code.
"""

from __future__ import annotations

import contextlib
import json
import re
import zipfile
import zlib
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import python_calamine as calamine

from ..errors import PlanError, WorkbookError
from ..findings import Finding
from ..plan import Plan
from .book import Book, blank
from .extent import XmlRefused, has_formula, parse_part, sheet_extent, too_large
from .layout import (
    ACTIONS_LAYOUT,
    ARCHIVE_LAYOUT,
    KPIS_LAYOUT,
    LIST_HEADERS,
    LISTS,
    LOG_LAYOUT,
    MASTER,
    RISKS_LAYOUT,
    SAVINGS_LAYOUT,
    SETTINGS,
    SheetLayout,
    col_letter,
)
from .package import sheet_targets, sheet_xml
from .settings import SCALAR_SETTINGS, extra_settings, read_settings

MAX_RATIO = 200


@dataclass(frozen=True)
class Limits:
    """How big a workbook may be before it is refused unread (``preflight``).

    A *return* comes from someone else and hundreds are read in one run, so it is
    held to a tight limit; the PMO's own master or baseline may be far bigger
    (120,000 paragraph-long actions are ~60 MB) and is read once.
    """

    file_bytes: int
    unpacked_bytes: int
    what: str


RETURN_LIMITS = Limits(50 * 1024 * 1024, 500 * 1024 * 1024, "a return")
WORKBOOK_LIMITS = Limits(512 * 1024 * 1024, 4 * 1024**3, "a workbook")
MAX_FILE_BYTES = RETURN_LIMITS.file_bytes
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_LIST_KEYS = {
    "OfficerList": "officers",
    "TimeframeList": "timeframes",
    "SectionList": "sections",
    "DepartmentList": "departments",
    "YearList": "savings_years",
}


def preflight(path: str | Path, limits: Limits = WORKBOOK_LIMITS) -> Path:
    """Refuse files we must not or cannot open, saying why in one line (``limits``:
    RETURN_LIMITS for officers' returns)."""
    path, package = preflight_package(path, limits)
    package.close()
    return path


def preflight_package(path: str | Path, limits: Limits = WORKBOOK_LIMITS,
                      ) -> tuple[Path, zipfile.ZipFile]:
    """``preflight``, and the package it checked left open for the caller to scan
    (and close): reading a return's zip directory once, not twice."""
    path = Path(path)
    name = path.name
    if name.startswith("~$"):
        raise WorkbookError(f"{name}: Office lock file (the workbook is open somewhere); "
                            "skipped", path=str(path), reason="LOCK_FILE")
    if not path.is_file():
        raise WorkbookError(f"{path}: file not found", path=str(path), reason="NOT_FOUND")
    size = path.stat().st_size
    if size > limits.file_bytes:
        raise WorkbookError(f"{name}: {size / 1e6:.0f} MB is over the "
                            f"{limits.file_bytes // 10**6} MB limit for {limits.what}",
                            path=str(path), reason="TOO_LARGE")
    with path.open("rb") as fh:
        head = fh.read(8)
    if head == _OLE_MAGIC:
        _refuse_ole(path)
    if not head.startswith(b"PK"):
        raise WorkbookError(f"{name}: not an .xlsx workbook", path=str(path), reason="NOT_XLSX")
    return path, _check_zip(path, limits.unpacked_bytes)


_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")  # an encrypted .xlsx's stream
_BIFF = ("Workbook".encode("utf-16-le"), "Book".encode("utf-16-le"))  # an .xls's stream


def _refuse_ole(path: Path) -> None:
    """An OLE compound file is an encrypted .xlsx or an old .xls (whatever its name
    says): the stream names in its directory tell which, so the message is right."""
    name = path.name
    data = path.read_bytes()  # under the file limit: checked before
    if _ENCRYPTED in data:
        raise WorkbookError(f"{name}: password-protected (encrypted); remove the password "
                            "and send it again", path=str(path), reason="PASSWORD")
    if path.suffix.lower() == ".xls" or any(b in data for b in _BIFF):
        renamed = "" if path.suffix.lower() == ".xls" else " saved with an .xlsx name"
        raise WorkbookError(f"{name}: old .xls format{renamed}; open it in Excel and save "
                            "as .xlsx (Excel Workbook)", path=str(path), reason="XLS")
    raise WorkbookError(f"{name}: not an .xlsx workbook (an Office file of another kind)",
                        path=str(path), reason="NOT_XLSX")


def _check_zip(path: Path, max_unpacked: int) -> zipfile.ZipFile:
    """The package, open, once its directory passes (size, zip bomb, a workbook part)."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise WorkbookError(f"{path.name}: corrupt workbook ({exc})", path=str(path),
                            reason="CORRUPT") from exc
    try:
        _check_members(path, zf.infolist(), max_unpacked)
    except BaseException:
        zf.close()
        raise
    return zf


def _check_members(path: Path, infos: list[zipfile.ZipInfo], max_unpacked: int) -> None:
    """Damaged parts are caught when calamine reads them; here only what the directory
    says: how much it unpacks to, and that it is a workbook."""
    unpacked = sum(i.file_size for i in infos)
    packed = max(1, sum(i.compress_size for i in infos))
    if unpacked > max_unpacked or unpacked / packed > MAX_RATIO:
        raise WorkbookError(f"{path.name}: refused, unpacks to {unpacked / 1e6:.0f} MB "
                            f"({unpacked / packed:.0f}× its size) — possible zip bomb",
                            path=str(path), reason="TOO_LARGE")
    names = [i.filename.casefold() for i in infos]
    if len(set(names)) != len(names):  # which copy would calamine read? not the one measured
        raise WorkbookError(f"{path.name}: refused, it holds two parts of the same name — "
                            "no spreadsheet program writes that; open it in Excel and save "
                            "it again", path=str(path), reason="BAD_XML")
    if not any(i.filename == "xl/workbook.xml" for i in infos):
        raise WorkbookError(f"{path.name}: not an Excel workbook (no xl/workbook.xml)",
                            path=str(path), reason="NOT_XLSX")


def open_workbook(path: str | Path, *, checked: bool = False,
                  limits: Limits = WORKBOOK_LIMITS) -> calamine.CalamineWorkbook:
    """Open ``path`` with calamine; ``checked``: ``preflight`` has passed already."""
    path = Path(path) if checked else preflight(path, limits)
    try:
        return calamine.CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises several unrelated types
        raise WorkbookError(f"{path.name}: corrupt workbook ({exc})", path=str(path),
                            reason="CORRUPT") from exc


ANY_SHEET_WIDTH = 200  # a sheet not in xltools' layout (a legacy tracker, a summary table)


def open_measured(path: str | Path, limits: Limits = WORKBOOK_LIMITS,
                  width: int = ANY_SHEET_WIDTH) -> calamine.CalamineWorkbook:
    """``open_workbook`` for a file whose every sheet will be read (not in xltools'
    layout): each sheet's extent is measured first, and one reaching past ``width``
    (+ spare) columns or the row limit is refused (TOO_LARGE, naming sheet and cell)."""
    path, package = preflight_package(path, limits)
    with package as zf:
        _check_text_parts(path, zf)
        for sheet, part in _sheet_parts(path, zf).items():
            if part not in zf.NameToInfo:
                raise WorkbookError(f"{path.name}: its sheet {sheet} is missing from the file "
                                    "(damaged)", path=str(path), reason="CORRUPT", sheet=sheet)
            measured = measure(zf, part, sheet, width)
            if measured.why:
                raise WorkbookError(f"{path.name}: {measured.why}", path=str(path),
                                    reason=measured.reason, sheet=sheet, cell=measured.cell)
    return open_workbook(path, checked=True)


def read_book(path: str | Path, plan: Plan | None = None, *,
              only: Collection[str] | None = None, own_lists: bool = True,
              workbook: calamine.CalamineWorkbook | None = None,
              limits: Limits = WORKBOOK_LIMITS) -> Book:
    """Read every sheet xltools knows from ``path``.

    The plan comes from the workbook's own Settings and Lists sheets; pass
    ``plan`` to read a workbook that has none (one not made by xltools).
    ``only`` names the data sheets wanted (Actions is always read) and
    ``own_lists=False`` skips the Lists sheet (the plan then carries Settings
    only): consolidation reads hundreds of returns and validates them against
    the master's lists, so it needs neither. ``workbook``: ``path`` already open (from
    ``open_plan``), so a workbook's shared strings are not parsed twice; closed here.
    ``limits``: RETURN_LIMITS when ``path`` is someone else's return.
    """
    with contextlib.ExitStack() as stack:
        if workbook is not None:
            stack.enter_context(workbook)
        wanted = [SETTINGS, *([LISTS] if own_lists else []),
                  *(layout.name for layout, _, required in _SHEETS
                    if required or only is None or layout.name in only)]
        path, oversized, with_formulas = checked_extents(path, wanted, limits)
        wb = workbook or stack.enter_context(open_workbook(path, checked=True))
        try:
            book = book_from_sheets(wb, Path(path).name, plan, only=only,
                                    own_lists=own_lists, skip=oversized)
        except calamine.CalamineError as exc:  # a damaged cell the scan let through
            raise WorkbookError(f"{Path(path).name}: corrupt workbook ({exc})",
                                path=str(path), reason="CORRUPT") from None
    book.path = str(path)
    book.findings.extend(active_content(path))
    if ACTIONS_LAYOUT.name in with_formulas:  # the scan already read the XML: re-read rarely
        book.findings.extend(formula_findings(path, layout=ACTIONS_LAYOUT, headers=None))
    return book


_REQUIRED = (SETTINGS, ACTIONS_LAYOUT.name)
_ACTIVE = (("xl/vbaProject.bin", "macros (VBA)"), ("xl/activeX/", "ActiveX controls"),
           ("xl/externalLinks/", "links to other workbooks"),
           ("xl/embeddings/", "embedded objects"))


def active_content(path: Path) -> list[Finding]:
    """REVIEW_CONTENT when the package holds macros, ActiveX, external links or embedded
    objects: never run or followed here (calamine reads values only), but a return
    should not carry them, and whoever opens it in Excel may be asked to enable them."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
    except (zipfile.BadZipFile, OSError):
        return []
    kinds = [what for part, what in _ACTIVE
             if any(n == part or (part.endswith("/") and n.startswith(part)) for n in names)]
    if not kinds:
        return []
    return [Finding("REVIEW_CONTENT", f"{path.name} holds {' and '.join(kinds)}; its values "
                    "were read, nothing in it was run — ask for it saved as a plain .xlsx "
                    "without them", file=path.name, got=", ".join(kinds))]


def sheet_width(sheet: str) -> int:
    """How many columns the layout gives ``sheet``."""
    if sheet == SETTINGS:
        return 2
    if sheet == LISTS:
        return len(LIST_HEADERS)
    return next(len(layout.columns) for layout, _, _ in _SHEETS if layout.name == sheet)


def checked_extents(path: str | Path, sheets: Collection[str], limits: Limits,
                    ) -> tuple[Path, dict[str, Finding], set[str]]:
    """``preflight`` then ``bounded`` over one opening of the package: the checked
    path, the sheets too large to read, and the sheets holding formulas."""
    path, package = preflight_package(path, limits)
    with package:
        return (path, *bounded(path, sheets, package))


def bounded(path: Path, sheets: Collection[str], package: zipfile.ZipFile | None = None,
            ) -> tuple[dict[str, Finding], set[str]]:
    """Check the real extent of each of ``sheets`` before calamine builds it.

    A required sheet (Settings, Actions) far larger than its layout raises
    ``WorkbookError`` (reason ``TOO_LARGE``, with the sheet and cell); any other
    comes back as sheet → its TOO_LARGE finding, to be skipped. XML no spreadsheet
    program writes (a DTD, an undefined entity) is refused the same way, reason
    ``BAD_XML``; in the shared strings it refuses the file. Also returns the sheets
    that hold formulas (all of them when the package could not be scanned).
    ``package``: ``path`` already open (``preflight_package``)."""
    out: dict[str, Finding] = {}
    formulas: set[str] = set()
    try:
        with (contextlib.nullcontext(package) if package is not None
              else zipfile.ZipFile(path)) as zf:
            parts = _sheet_parts(path, zf)
            _check_text_parts(path, zf)
            for sheet in sheets:
                part = parts.get(sheet)
                if part is None:
                    continue
                if part not in zf.NameToInfo:  # what is not measured is not read
                    raise WorkbookError(f"{path.name}: its sheet {sheet} is missing from the "
                                        "file (damaged); open it in Excel and save it again",
                                        path=str(path), reason="CORRUPT", sheet=sheet)
                refused = _refused_sheet(path, zf, part, sheet, formulas)
                if refused is not None:
                    out[sheet] = refused
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, zlib.error):
        formulas = set(sheets)  # a damaged package (calamine reports it): look anyway
    return out, formulas


def _sheet_parts(path: Path, zf: zipfile.ZipFile) -> dict[str, str]:
    """``sheet_targets``, a package it refuses being BAD_XML naming the file."""
    try:
        return sheet_targets(zf)
    except XmlRefused as exc:
        raise WorkbookError(f"{path.name}: cannot be read safely — {exc}; open it in Excel "
                            "and save it again", path=str(path), reason="BAD_XML") from None


def _check_text_parts(path: Path, zf: zipfile.ZipFile) -> None:
    """The workbook part and the shared strings (every sheet's text) parse as plain
    XML: no DTD, no undefined entity — else the file is refused (BAD_XML)."""
    for part in ("xl/workbook.xml", "xl/sharedStrings.xml"):
        if part in zf.NameToInfo:
            try:
                parse_part(zf, part)
            except XmlRefused as exc:
                raise WorkbookError(f"{path.name}: cannot be read safely — {part} {exc}; "
                                    "open it in Excel and save it again", path=str(path),
                                    reason="BAD_XML") from None


@dataclass(frozen=True)
class Measured:
    """One sheet measured before it is read: why it must not be (None: it may)."""

    why: str | None
    cell: str | None = None
    reason: str = "TOO_LARGE"  # or BAD_XML
    formulas: bool = False


def measure(zf: zipfile.ZipFile, part: str, sheet: str, width: int) -> Measured:
    """``sheet`` (zip member ``part``, ``width`` columns in its layout) measured."""
    try:
        extent = sheet_extent(zf, part)
    except XmlRefused as exc:
        return Measured(f"{sheet} cannot be read safely: {exc}; open the file in Excel "
                        "and save it again", reason="BAD_XML")
    return Measured(too_large(extent, width, sheet), extent.far_col_ref or extent.far_row_ref,
                    formulas=extent.formulas)


def _refused_sheet(path: Path, zf: zipfile.ZipFile, part: str, sheet: str,
                   formulas: set[str]) -> Finding | None:
    """``sheet``'s finding when it must not be read (a required sheet raises)."""
    measured = measure(zf, part, sheet, sheet_width(sheet))
    if measured.formulas:
        formulas.add(sheet)
    why, cell, reason = measured.why, measured.cell, measured.reason
    if why is None:
        return None
    if sheet in _REQUIRED:
        raise WorkbookError(f"{path.name}: {why}", path=str(path), reason=reason,
                            sheet=sheet, cell=cell)
    code = "TOO_LARGE" if reason == "TOO_LARGE" else "UNREADABLE"
    return Finding(code, f"{why}; the sheet was not read", file=path.name, sheet=sheet,
                   cell=cell, got=None if code == "TOO_LARGE" else reason)


def book_from_sheets(wb, name: str, plan: Plan | None = None, *,
                     only: Collection[str] | None = None, own_lists: bool = True,
                     skip: dict[str, Finding] | None = None) -> Book:
    """A Book from any workbook shaped like calamine's (``sheet_names`` and
    ``get_sheet_by_name(n).to_python()``): a file, or the sheet values Excel sends
    the add-in — so a workbook open in Excel reads exactly like the same file.
    ``skip``: sheets found too large to read (``bounded``), with their findings."""
    skip = skip or {}
    sheets = set(wb.sheet_names) - set(skip)
    settings = read_settings(wb, name) if SETTINGS in sheets else None
    if settings is None and plan is None:
        raise WorkbookError(f"{name}: no {SETTINGS} sheet — not made by xltools, or its "
                            f"hidden {SETTINGS} sheet was deleted: start again from the copy "
                            "the PMO sent (consolidation still reads it against the master)",
                            path=name, reason="NOT_XLTOOLS")
    if settings is not None:
        lists = _read_lists(wb) if own_lists and LISTS in sheets else {}
        plan = _plan_from(settings, lists, name)
    book = Book(plan=plan, path=name)
    book.findings.extend(skip.values())
    if settings:
        book.own_settings = True
        book.kind = settings.get("kind", MASTER)
        book.officer = settings.get("officer", "") or ""
        book.extra_settings = extra_settings(settings)
    for layout, attr, required in _SHEETS:
        if only is not None and not required and layout.name not in only:
            continue
        if layout.name in skip:
            continue
        if layout.name not in sheets:
            if required:
                raise WorkbookError(f"{name}: sheet '{layout.name}' is missing (the workbook "
                                    f"has {', '.join(repr(s) for s in wb.sheet_names)}); if it "
                                    f"was renamed, rename it back to '{layout.name}'",
                                    path=name, reason="MISSING_SHEET")
            continue
        rows, findings, letters = read_rows(wb, layout.for_book(book), name)
        setattr(book, attr, rows)
        book.column_letters[layout.name] = letters
        book.findings.extend(findings)
    return book


def read_plan(path: str | Path) -> Plan:
    """Only the plan a workbook carries (Settings and Lists): a few milliseconds, so a
    caller can start work that needs the plan before the big sheets are read."""
    plan, wb = open_plan(path)
    wb.close()
    return plan


def open_plan(path: str | Path) -> tuple[Plan, calamine.CalamineWorkbook]:
    """``read_plan``, and the workbook still open for ``read_book(path, workbook=…)``:
    opening a workbook saved by Excel parses all its text (the shared strings, ~0.15 s
    for a 12,000-row master), so a caller reading the plan first opens it once."""
    path, oversized, _ = checked_extents(path, (SETTINGS, LISTS), WORKBOOK_LIMITS)
    wb = open_workbook(path, checked=True)
    name = Path(path).name
    try:
        sheets = set(wb.sheet_names)
        if SETTINGS not in sheets:
            raise WorkbookError(f"{name}: no {SETTINGS} sheet — not made by xltools; "
                                "pass its plan file", path=str(path), reason="NOT_XLTOOLS")
        settings = read_settings(wb, name)
        lists = _read_lists(wb) if LISTS in sheets and LISTS not in oversized else {}
        return _plan_from(settings, lists, name), wb
    except BaseException:
        wb.close()
        raise


_SHEETS = (
    (ACTIONS_LAYOUT, "actions", True),
    (SAVINGS_LAYOUT, "savings", False),
    (KPIS_LAYOUT, "kpis", False),
    (ARCHIVE_LAYOUT, "archive", False),
    (LOG_LAYOUT, "log", False),
    (RISKS_LAYOUT, "risks", False),  # programme plans only
)


def plan_from_sheets(wb, name: str) -> Plan:
    """The plan a calamine-shaped workbook carries (its Settings and Lists sheets) without
    reading its data sheets: what the task pane sends when it uploads returns, so each is
    checked against the master open in Excel."""
    if SETTINGS not in wb.sheet_names:
        raise WorkbookError(f"{name}: no {SETTINGS} sheet — not made by xltools", path=name,
                            reason="NOT_XLTOOLS")
    lists = _read_lists(wb) if LISTS in wb.sheet_names else {}
    return _plan_from(read_settings(wb, name), lists, name)


def _read_lists(wb) -> dict[str, list[str]]:
    rows = wb.get_sheet_by_name(LISTS).to_python(skip_empty_area=False)
    if not rows:
        return {}
    header = [str(h).strip() for h in rows[0]]
    lists: dict[str, list[str]] = {}
    for name, title in LIST_HEADERS.items():
        if title in header:
            i = header.index(title)
            values = [_text_value(r[i]) for r in rows[1:] if i < len(r) and not blank(r[i])]
            lists[name] = values
    return lists


def _text_value(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _plan_from(settings: dict[str, Any], lists: dict[str, list[str]], name: str) -> Plan:
    data = {k: settings[k] for k in SCALAR_SETTINGS if settings.get(k) not in (None, "")}
    if settings.get("protective_marking") == "":
        data["protective_marking"] = ""  # a plan that prints no marking, not the default
    for key in ("rag_scheme", "status_mapping", "officer_emails", "delegates"):
        if settings.get(key):
            data[key] = settings[key]
    for list_name, key in _LIST_KEYS.items():
        if lists.get(list_name):
            data[key] = list(dict.fromkeys(lists[list_name]))
    try:
        return _cached_plan(json.dumps(data, sort_keys=True, default=str))
    except PlanError as exc:
        raise WorkbookError(f"{name} › {SETTINGS}: {exc}", path=name,
                            reason="BAD_SETTINGS") from exc


@lru_cache(maxsize=64)
def _cached_plan(settings_json: str) -> Plan:
    """Returns of one plan carry identical settings: validate them once."""
    return Plan.from_dict(json.loads(settings_json), "settings")


SHARED_TEXT = 64  # texts up to this long (names, RAGs) are held once where they repeat


def read_rows(wb, layout: SheetLayout, file: str):
    """Rows of one data sheet keyed by column key (blank rows dropped), findings, and
    the letter each column key has in this file.

    calamine's copy of the sheet is let go as soon as its values are in Python, and
    short texts repeated down a column (officers, sections, RAGs) are held once: a
    12,000-row master's rows are then little more than their own long texts."""
    sheet = wb.get_sheet_by_name(layout.name)
    grid = sheet.to_python(skip_empty_area=False)
    findings = merged_findings(sheet, layout, file)
    del sheet
    if not grid:
        return [], findings + [Finding("MISSING_COLUMN", f"{layout.name} has no header row",
                                       file=file, sheet=layout.name, cell="A1")], {}
    header = [_text_value(h) for h in grid[0]]
    positions, col_findings = match_headers(header, layout, file)
    findings += col_findings
    body, texts = grid[1:], {}
    del grid
    keys = list(positions)
    columns = [_column(body, i, layout.column(key).kind, texts) for key, i in positions.items()]
    del body
    rows = []
    width = len(keys)
    for offset, values in enumerate(zip(*columns, strict=True), start=2):
        if values.count(None) == width:  # a blank row: every cell reads as None
            continue
        row = dict(zip(keys, values, strict=True))
        row["_row"] = offset
        rows.append(row)
    return rows, findings, {key: col_letter(i + 1) for key, i in positions.items()}


def _column(body: list[list[Any]], index: int, kind: str, texts: dict[str, str]) -> list[Any]:
    """Column ``index`` of ``body`` as ``_cell`` reads each cell, a column at a time (a
    call per cell was most of the reading); texts up to SHARED_TEXT long held once."""
    out: list[Any] = []
    append = out.append
    for raw in body:
        value = raw[index] if index < len(raw) else None
        if type(value) is str:  # noqa: E721 - exact: text is most cells
            value = value.strip() or None
            if value is not None and len(value) <= SHARED_TEXT:
                value = texts.setdefault(value, value)
        elif value is not None:
            value = _cell(value, kind)
        append(value)
    return out


def match_headers(header: list[str], layout: SheetLayout, file: str):
    """Map column keys to positions by header text (case and spacing ignored)."""
    folded = {h.casefold(): i for i, h in reversed(list(enumerate(header))) if h}
    positions: dict[str, int] = {}
    findings = []
    for col in layout.columns:
        index = folded.get(col.name.casefold())
        if index is None and col.optional:
            continue  # a column of one plan shape: a workbook made before it still reads
        if index is None:
            findings.append(Finding("MISSING_COLUMN", f"{layout.name} has no '{col.name}' column",
                                    file=file, sheet=layout.name, column=col.name))
        else:
            positions[col.key] = index
    known = {c.name.casefold() for c in layout.columns}
    for i, h in enumerate(header):
        if h and h.casefold() not in known:
            findings.append(Finding("EXTRA_COLUMN", f"{layout.name} has an extra column '{h}'; "
                                    "it is ignored", file=file, sheet=layout.name,
                                    cell=f"{col_letter(i + 1)}1", column=h))
    return positions, findings


def _cell(value: Any, kind: str) -> Any:
    """A cell's value as the reader gives it: text trimmed (empty is None), a
    midnight datetime as a date, a whole float as an int in text and integer columns."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        return value.date()
    if isinstance(value, float) and value.is_integer() and kind in ("text", "integer"):
        return int(value)
    return value


def merged_findings(sheet, layout: SheetLayout, file: str) -> list[Finding]:
    ranges = sheet.merged_cell_ranges or []
    out = []
    for (r1, c1), (r2, c2) in ranges:
        ref = f"{col_letter(c1 + 1)}{r1 + 1}:{col_letter(c2 + 1)}{r2 + 1}"
        out.append(Finding("MERGED_CELLS", f"merged cells {ref} in {layout.name}: only the "
                           "first cell's value is read", file=file, sheet=layout.name, cell=ref))
    return out


_FORMULA_CELL = re.compile(r'<(?:\w+:)?c r="([A-Z]+)(\d+)"[^>]*>\s*<(?:\w+:)?f[ >]')


def formula_findings(path: str | Path, layout: SheetLayout, headers=None) -> list[Finding]:
    """Formulas typed into an Actions sheet where values belong (values still read)."""
    try:
        with zipfile.ZipFile(path) as zf:
            xml = sheet_xml(zf, layout.name)
    except (zipfile.BadZipFile, KeyError, OSError):
        return []
    if xml is None or not has_formula(xml.encode()):
        return []
    name = Path(path).name
    return [
        Finding("FORMULA", f"{layout.name}!{col}{row} holds a formula; its last calculated "
                "value is used", file=name, sheet=layout.name, cell=f"{col}{row}")
        for col, row in _FORMULA_CELL.findall(xml)
        if row != "1"
    ]


def give_back_memory() -> None:
    """Return freed heap pages to the OS (glibc's ``malloc_trim``; elsewhere nothing).

    calamine's copy of a big sheet is freed once read, but glibc keeps the pages:
    after a 12,000-row master that is ~25 MB the process would carry to the end."""
    try:
        import ctypes

        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError, TypeError):  # Windows: no CDLL(None); macOS: no trim
        pass


def as_date(value: Any) -> date | None:
    """A real date cell's value as a ``date``; None for anything else."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return None
