"""The plain functions behind xltools' Excel cell functions (XLT.RAG_COUNT …).

Excel hands a custom function raw cell values: numbers, text, dates as
serial numbers or datetimes, blanks as None. These functions take exactly
that, answer what the command line would answer, and raise ``ValueError``
naming the argument when the input cannot mean anything — the add-in turns
that into a ``#VALUE!`` whose tooltip is the message. No xlwings here: the
same functions are tested and used without Excel.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from .errors import PeriodError
from .periods import Quarter

EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 = 1900-01-01 (with Excel's 1900 leap bug)


def fold(value: Any) -> str:
    """Case- and spacing-insensitive form of a cell's text (as dropdown matching does)."""
    return " ".join(str(value).split()).casefold()


def flat(values: Any) -> list[Any]:
    """A range (list of rows), a row, or a single value as one flat list."""
    if isinstance(values, (list, tuple)):
        out: list[Any] = []
        for item in values:
            out.extend(flat(item))
        return out
    return [values]


def count_status(values: Iterable[Any] | Any, status: Any) -> int:
    """How many cells hold ``status`` ("green" counts "Green "); blank cells never count."""
    if status is None or not str(status).strip():
        raise ValueError("status is empty; give a RAG status such as \"Green\"")
    wanted = fold(status)
    rows = values if isinstance(values, (list, tuple)) else [values]
    count = 0
    for row in rows:  # a whole column is 1,048,576 rows, mostly empty: skip those fast
        for v in (row if isinstance(row, (list, tuple)) else (row,)):
            if v is not None and v != "" and fold(v) == wanted:
                count += 1
    return count


def as_date(value: Any, name: str) -> dt.date:
    """A date from a cell: a date, a datetime, an Excel serial number or ISO text."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return from_serial(value, name)
    if isinstance(value, str) and value.strip():
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            pass
    raise ValueError(f"{name} {value!r} is not a date; use a real date cell such as 14/10/2019")


def from_serial(serial: float, name: str = "date") -> dt.date:
    """Excel's day number → date (1 = 1900-01-01; 60 is Excel's non-existent 29 Feb 1900)."""
    day = int(serial)
    if not 1 <= day < 2958466 or day == 60:  # 1900-01-01 … 9999-12-31
        raise ValueError(f"{name} {serial!r} is not a date")
    if day < 60:
        return dt.date(1899, 12, 31) + dt.timedelta(days=day)
    return EXCEL_EPOCH + dt.timedelta(days=day)


def to_serial(day: dt.date) -> int:
    """Date → Excel's day number (for dates from 1 March 1900, where Excel is exact)."""
    return (day - EXCEL_EPOCH).days


def days_since(day: Any, as_of: Any = None) -> int:
    """Whole days from ``day`` to ``as_of`` (today by default); negative if in the future."""
    if day is None or (isinstance(day, str) and not day.strip()):
        raise ValueError("date is empty")
    start = as_date(day, "date")
    end = dt.date.today() if as_of is None else as_date(as_of, "as_of")
    return (end - start).days


def start_month(value: Any) -> int:
    """The financial-year start month argument (1–12; April when left out)."""
    if value is None:
        return 4
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
        raise ValueError(f"fy_start_month must be a whole number 1-12, got {value!r}")
    if not 1 <= int(value) <= 12:
        raise ValueError(f"fy_start_month must be 1-12, got {int(value)}")
    return int(value)


def quarter(period: Any, fy_start_month: Any = None) -> Quarter:
    """A reporting period from a cell ("Q3 2019/20", "Quarter 3 2019-20" …)."""
    if period is None or not str(period).strip():
        raise ValueError("period is empty; write it like 'Q3 2019/20'")
    try:
        return Quarter.parse(str(period), start_month(fy_start_month))
    except PeriodError as exc:
        raise ValueError(str(exc)) from None


def next_period(period: Any, fy_start_month: Any = None) -> str:
    return str(quarter(period, fy_start_month).next())


def period_start(period: Any, fy_start_month: Any = None) -> dt.date:
    return quarter(period, fy_start_month).start


def period_end(period: Any, fy_start_month: Any = None) -> dt.date:
    return quarter(period, fy_start_month).end
