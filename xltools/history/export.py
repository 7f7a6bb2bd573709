"""Exporting a plan's history: an .xlsx with a sheet per kind of record, or a .csv
of the action points (one row per action per quarter), written atomically."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from ..errors import UsageError
from ..workbook.files import replacing
from . import query
from . import schema as t
from .store import Store

ACTION_HEADERS = ("period", "action_id", "ref", "section", "title", "accountable_officer",
                  "lead_officer", "timeframe", "rag", "previous_rag", "progress",
                  "last_updated", "updated_by", "flags", "archived")
_SKIP = {"id", "revision_pk", "plan_pk", "sort_key", "event_key"}


def export(store: Store, plan_id: str | None, out: Path) -> dict[str, int]:
    """Write ``out`` (.xlsx or .csv); the count of rows per sheet."""
    kind = out.suffix.lower()
    if kind not in (".xlsx", ".csv"):
        raise UsageError(f"{out}: export writes .xlsx or .csv")
    with store.engine.connect() as conn:
        plan = query.pick_plan(conn, plan_id, store.name)
        sheets = {"Actions": query.action_rows(conn, plan.pk)}
        if kind == ".xlsx":
            sheets["Quarters"] = query.recorded_periods(conn, plan.pk)
            sheets["KPIs"] = query.table_rows(conn, plan.pk, t.kpis)
            sheets["Savings"] = query.table_rows(conn, plan.pk, t.savings)
            sheets["Events"] = query.event_rows(conn, plan.pk)
    with replacing(out) as tmp:
        if kind == ".csv":
            _csv(tmp, sheets["Actions"])
        else:
            _xlsx(tmp, sheets)
    return {name: len(rows) for name, rows in sheets.items()}


def _headers(rows: list[dict[str, Any]], preferred: tuple[str, ...] = ()) -> list[str]:
    if not rows:
        return list(preferred)
    keys = [k for k in rows[0] if k not in _SKIP]
    return [k for k in preferred if k in keys] + [k for k in keys if k not in preferred]


def _csv(path: Path, rows: list[dict[str, Any]]) -> None:
    headers = _headers(rows, ACTION_HEADERS)
    with path.open("w", newline="", encoding="utf-8-sig") as fh:
        writer = csv.writer(fh)
        writer.writerow(headers)
        for row in rows:
            writer.writerow(["" if row.get(h) is None else row.get(h) for h in headers])


def _xlsx(path: Path, sheets: dict[str, list[dict[str, Any]]]) -> None:
    book = Workbook(write_only=True)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        headers = _headers(rows, ACTION_HEADERS if name == "Actions" else ())
        sheet.append(headers)
        for row in rows:
            sheet.append([_cell(row.get(h)) for h in headers])
    book.save(path)


def _cell(value: Any) -> Any:
    if hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None:
        return value.replace(tzinfo=None)  # Excel has no time zones: UTC, as recorded
    return value
