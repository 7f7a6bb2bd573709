"""KPI RAG and trend: latest vs target in the direction of "Good is".

``kpi_rag`` and ``kpi_trend`` are plain, typed functions of numbers and text
so the Excel add-in can expose them as cell functions (XLT_KPI_RAG…) and give
the same answer as the command. Bad input raises ``ValueError`` naming the
argument; ``assess_kpis`` turns that into an INVALID finding for the cell and
leaves the row's RAG blank — the row is kept, never dropped.

Tolerance is a fraction of the target (0.05 = 5%): with a target of 85% and
High is good, 81% is Amber (within 4.25 points) and 80% is Red. It is given
as a fraction (0.05, or a cell formatted 5%, which holds 0.05) or as text
with a per cent sign ("5%"). A bare number of 1 or more (5) is refused, never
scaled: 5 could mean 5% or 500%, and a tolerance of 100% or more would make
every miss Amber (DESIGN.md §7: "within a tolerance, default 5%").
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import PlanError, UsageError
from ..findings import Finding
from ..workbook.book import Book, Row, blank, cell_ref
from ..workbook.layout import KPIS_LAYOUT

GREEN, AMBER, RED = "Green", "Amber", "Red"
IMPROVED, WORSENED, NO_CHANGE = "Improved", "Worsened", "No change"
_EPS = 1e-9


def kpi_rag(latest: float | None, target: float | None, good_is: str,
            tolerance: float = 0.05) -> str | None:
    """Green when the target is met, Amber within ``tolerance`` × |target| of it,
    Red otherwise; None when there is no latest value or no target."""
    high = _direction(good_is)
    tol = read_tolerance(tolerance)
    latest_n, target_n = _number(latest, "latest"), _number(target, "target")
    if latest_n is None or target_n is None:
        return None
    gap = (latest_n - target_n) if high else (target_n - latest_n)  # >= 0 means met
    if gap >= -_EPS:
        return GREEN
    if -gap <= tol * abs(target_n) + _EPS:
        return AMBER
    return RED


def read_tolerance(value: Any) -> float:
    """A tolerance as a fraction: 0.05, or "5%" text; blank is the default 5%.

    A number of 1 or more is ambiguous (5 = 5% or 500%?) and is refused with the
    two ways to say it, never silently scaled.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return 0.05
    text = value.strip() if isinstance(value, str) else None
    if text and text.endswith("%"):
        number = _number(text[:-1], "tolerance")
        if number is None or number < 0:
            raise ValueError(f"tolerance must be 0% or more, got {value!r}")
        return number / 100
    number = _number(value, "tolerance")
    if number is None or number < 0:
        raise ValueError(f"tolerance must be a fraction of 0 or more (0.05 = 5%), got {value!r}")
    if number >= 1:
        raise ValueError(f"tolerance {value!r} is ambiguous (5% or 500%?): give a fraction "
                         f"such as {number / 100:g}, or {number:g}% as a percentage")
    return number


def kpi_trend(latest: float | None, previous: float | None, good_is: str) -> str | None:
    """Improved / Worsened / No change vs the previous value; None without both."""
    high = _direction(good_is)
    latest_n, previous_n = _number(latest, "latest"), _number(previous, "previous")
    if latest_n is None or previous_n is None:
        return None
    if math.isclose(latest_n, previous_n, rel_tol=1e-9, abs_tol=_EPS):
        return NO_CHANGE
    return IMPROVED if (latest_n > previous_n) == high else WORSENED


def _direction(good_is: Any) -> bool:
    """True when higher is better; ValueError for anything but High or Low."""
    text = str(good_is or "").strip().casefold()
    if text in ("high", "higher"):
        return True
    if text in ("low", "lower"):
        return False
    raise ValueError(f"good_is must be 'High' or 'Low', got {good_is!r}")


def _number(value: Any, name: str) -> float | None:
    """A finite number from a cell value; None for blank; ValueError for anything else."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a number, got {value!r}")
    if isinstance(value, str):  # typed as printed: "1,262,601", "64.0%" (a percentage
        value = value.replace(",", "").strip().removesuffix("%").strip()  # as written)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(number):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return number


@dataclass
class KpiReport:
    """RAG and trend of each KPI row, plus findings for rows that could not be judged."""

    tolerance: float
    rows: list[dict[str, Any]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        out = {GREEN: 0, AMBER: 0, RED: 0, "No RAG": 0}
        for row in self.rows:
            out[row["rag"] or "No RAG"] += 1
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"tolerance": self.tolerance, "counts": self.counts, "kpis": self.rows,
                "findings": [f.to_dict() for f in self.findings]}


def assess_kpis(book: Book, *, file: str | None = None) -> KpiReport:
    """RAG and trend for every KPI row of ``book`` (does not change the book)."""
    try:
        tolerance = read_tolerance(book.plan.kpi_tolerance)
    except ValueError as exc:
        raise PlanError(f"{book.path or 'plan'}: kpi_tolerance: {exc}") from None
    file = file or (Path(book.path).name if book.path else None)
    letters = book.letters(KPIS_LAYOUT)
    report = KpiReport(tolerance)
    for row in book.kpis:
        rag = trend = None
        try:
            if not (blank(row.get("target")) or blank(row.get("latest"))):
                rag = kpi_rag(row.get("latest"), row.get("target"), row.get("good_is"),
                              tolerance)
            if not (blank(row.get("previous")) or blank(row.get("latest"))):
                trend = kpi_trend(row.get("latest"), row.get("previous"), row.get("good_is"))
        except ValueError as exc:
            report.findings.append(_invalid(row, exc, file, letters))
        report.rows.append(_summary(row, rag, trend))
    return report


def apply_kpis(book: Book, report: KpiReport) -> None:
    """Write RAG and Trend into the book's KPI rows (same order as ``book.kpis``)."""
    for row, result in zip(book.kpis, report.rows, strict=True):
        row["rag"], row["trend"] = result["rag"], result["trend"]


def _summary(row: Row, rag: str | None, trend: str | None) -> dict[str, Any]:
    keys = ("measure", "department", "latest", "latest_period", "target", "good_is",
            "previous", "national")
    return {**{k: row.get(k) for k in keys}, "rag": rag, "trend": trend, "row": row.get("_row")}


_ARG_COLUMNS = {"latest": "latest", "target": "target", "previous": "previous",
                "good_is": "good_is"}


def _invalid(row: Row, exc: ValueError, file: str | None, letters: dict[str, str]) -> Finding:
    """An INVALID finding on the cell the ValueError names."""
    arg = str(exc).split(" ", 1)[0]
    key = _ARG_COLUMNS.get(arg, "latest")
    column = KPIS_LAYOUT.column(key)
    return Finding("INVALID", f"{column.name} {str(exc).split(' ', 1)[1]}; RAG not set for "
                   f"'{row.get('measure')}'", file=file, sheet=KPIS_LAYOUT.name,
                   cell=cell_ref(letters, key, row), column=column.name,
                   got=row.get(key))


def load_kpi_rows(path: str | Path) -> list[Row]:
    """KPI rows from a JSON file: a list of objects keyed by column key or header
    (``{"measure": …, "latest": …}`` or ``{"Measure": …, "Latest": …}``)."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise UsageError(f"{path}: cannot read KPI file ({exc})") from exc
    items = data.get("kpis", []) if isinstance(data, dict) else data
    by_header = {c.name.casefold(): c.key for c in KPIS_LAYOUT.columns}
    keys = set(KPIS_LAYOUT.keys)
    rows = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise UsageError(f"{path}: KPI {index + 1} is not an object")
        row = {by_header.get(str(k).casefold(), k): v for k, v in item.items()}
        unknown = sorted(set(row) - keys)
        if unknown or blank(row.get("measure")):
            raise UsageError(f"{path}: KPI {index + 1} has no 'measure' or unknown fields "
                             f"{', '.join(unknown)}")
        rows.append(row)
    return rows


def merge_kpis(book: Book, rows: list[Row]) -> tuple[int, int]:
    """Update KPI rows with the same Measure (ignoring case), append the rest.
    Returns (updated, added)."""
    existing = {str(r.get("measure")).casefold().strip(): r for r in book.kpis}
    updated = added = 0
    for row in rows:
        match = existing.get(str(row["measure"]).casefold().strip())
        if match is not None:
            match.update(row)
            updated += 1
        else:
            book.kpis.append(dict(row))
            added += 1
    return updated, added
