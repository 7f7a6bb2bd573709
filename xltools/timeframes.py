"""Due dates from the free-text timeframes real plans are written in.

Officers write "November 2019", "Q3 2019/20", "by April 2020", "Quarterly.",
"End of September 2019 for Ofsted reporting Further development by June 2020"
or "Pilot commences June 2019. Full rollout January 2020". The OVERDUE flag
needs one date from that, so:

- a stated date is due at the end of what it names: a month → its last day, a
  quarter → the quarter's last day, a financial year → 31 March (for an April
  year), a season → the end of its last month, a day → that day;
- when several are stated the latest one is due (the action is not finished
  until its last milestone is);
- dates that only say when work *starts* ("from September 2019", "Pilot
  commences June 2019") and the next occurrence of a recurring event ("Next
  meeting 24 September 2019") are not due dates;
- recurring work ("Quarterly", "Monthly", "Ongoing", "Completed every
  quarter", "Rolling") with no end date is never overdue;
- anything else ("Details", "To be determined.") has no due date, and the
  caller says so (NO_DUE_DATE) rather than guessing.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime

from .periods import Quarter

DATED, RECURRING, UNKNOWN = "dated", "recurring", "unknown"

_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
_MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})
_MONTHS["sept"] = 9
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_SEASONS = {"spring": 5, "summer": 8, "autumn": 11, "fall": 11, "winter": 14}  # end month

_PATTERNS = (  # (kind, regex); tried in this order and matched text is blanked out
    ("numeric", r"\b(?P<d>\d{1,2})[/.](?P<m>\d{1,2})[/.](?P<y>\d{4}|\d{2})\b"),
    ("iso", r"\b(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})\b"),
    ("quarter", r"\b(?:q|qtr|quarter)\s*(?P<q>[1-4])\s*(?:of\s+)?(?:fy\s*)?(?P<y1>\d{4})"
                r"\s*[/\-–]\s*(?P<y2>\d{2,4})\b"),
    ("quarter", r"\b(?:fy\s*)?(?P<y1>\d{4})\s*[/\-–]\s*(?P<y2>\d{2,4})\s*,?\s*"
                r"(?:q|qtr|quarter)\s*(?P<q>[1-4])\b"),
    ("quarter", r"\b(?:q|qtr|quarter)\s*(?P<q>[1-4])\s*(?:of\s+)?(?P<y1>\d{4})(?P<y2>)\b"),
    ("fy", r"\b(?:fy\s*)?(?P<y1>(?:19|20)\d{2})\s*[/\-–]\s*(?P<y2>\d{2}|(?:19|20)\d{2})\b"),
    ("day", rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?\s+(?P<y>\d{{4}})\b"),
    ("month", rf"\b{_MONTH},?\s+(?P<y>\d{{4}})\b"),
    ("day", rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?\s+(?P<y>\d{{2}})\b"),
    # "Dec-20", "Mar 21", "Sept '21": a month with a two-digit year (as Excel shows mmm-yy)
    ("month", rf"\b{_MONTH}\s*[-\s']\s*'?(?P<y>\d{{2}})\b(?![/:.]\d)"),
    ("season", r"\b(?P<season>spring|summer|autumn|fall|winter)\s+(?P<y>\d{4})\b"),
    ("year", r"\b(?:by|in|during|end\s+of|until|before)\s+(?P<y>(?:19|20)\d{2})\b"),
)
_COMPILED = tuple((kind, re.compile(rx, re.I)) for kind, rx in _PATTERNS)

# Words just before a date that make it a start, not a deadline.
_START_CUE = re.compile(r"(?:\bfrom|\bcommenc\w*|\bstart\w*|\bbegin\w*|\bsince|\blaunch\w*)"
                        r"(?:\s+(?:in|on|at|the|end\s+of|early|mid|late))*\s*$", re.I)
# Words just before a date that make it the next occurrence of recurring work.
_NEXT_CUE = re.compile(r"\bnext\s+(?:meeting|review|panel|board|report\w*|session)"
                       r"(?:\s+(?:is|on|in|due|scheduled))*\s*:?\s*$", re.I)
_RECURRING = re.compile(
    r"\b(?:quarterly|monthly|weekly|fortnightly|annually|annual|yearly|ongoing|on-going|"
    r"rolling|continuous|continual|business\s+as\s+usual|bau|"
    r"every\s+(?:quarter|month|week|year))\b", re.I)


@dataclass(frozen=True)
class Timeframe:
    """What a timeframe cell says about when an action is due.

    ``kind`` is ``dated`` (``due`` is set), ``recurring`` (never overdue) or
    ``unknown`` (no due date could be read; ``reason`` says why).
    """

    text: str
    kind: str
    due: date | None = None
    matched: str = ""
    reason: str = ""

    @property
    def can_be_overdue(self) -> bool:
        return self.kind == DATED


def read_timeframe(value: object, fy_start_month: int = 4) -> Timeframe:
    """Read a Timeframe cell (text, or a real date if someone typed one)."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return Timeframe(value.isoformat(), DATED, value, value.isoformat())
    text = " ".join(str(value or "").split())
    if not text:
        return Timeframe(text, UNKNOWN, reason="no timeframe given")
    dues, starts = _dates_in(text, fy_start_month)
    if dues:
        due, matched = max(dues)
        return Timeframe(text, DATED, due, matched)
    if _RECURRING.search(text):
        return Timeframe(text, RECURRING, reason="recurring work has no end date")
    if starts:
        return Timeframe(text, UNKNOWN, reason=f"'{starts[-1][1]}' is when work starts, "
                         "not when it is due")
    return Timeframe(text, UNKNOWN, reason="no date, month, quarter or year could be read")


def due_date(value: object, fy_start_month: int = 4) -> date | None:
    """The due date of a timeframe, or None when it is recurring or unreadable."""
    return read_timeframe(value, fy_start_month).due


def _dates_in(text: str, fy_start_month: int) -> tuple[list, list]:
    """(due dates, start dates) stated in ``text``, each as (date, matched text)."""
    dues: list[tuple[date, str]] = []
    starts: list[tuple[date, str]] = []
    remaining = text
    for kind, pattern in _COMPILED:
        for match in pattern.finditer(remaining):
            day = _end_date(kind, match, fy_start_month)
            if day is None:
                continue
            before = text[: match.start()]
            if _NEXT_CUE.search(before):
                continue
            (starts if _START_CUE.search(before) else dues).append((day, match.group(0)))
        remaining = pattern.sub(lambda m: " " * len(m.group(0)), remaining)
    return dues, starts


def _end_date(kind: str, m: re.Match, fy_start_month: int) -> date | None:
    """The last day of what one match names; None when it is not a real date."""
    try:
        if kind in ("numeric", "iso"):
            year = int(m["y"]) + (2000 if len(m["y"]) == 2 else 0)
            return date(year, int(m["m"]), int(m["d"]))
        if kind == "day":
            year = int(m["y"]) + (2000 if len(m["y"]) == 2 else 0)
            return date(year, _MONTHS[m["month"].lower()], int(m["d"]))
        if kind == "month":
            year = int(m["y"]) + (2000 if len(m["y"]) == 2 else 0)
            return _month_end(year, _MONTHS[m["month"].lower()])
        if kind == "season":
            return _month_end(int(m["y"]), _SEASONS[m["season"].lower()])
        if kind == "year":
            return date(int(m["y"]), 12, 31)
        y1 = m["y1"]
        label = f"{y1}/{m['y2']}" if m["y2"] else y1  # one year: calendar-year plans
        if kind == "quarter":
            return Quarter.parse(f"Q{m['q']} {label}", fy_start_month).end
        return Quarter.parse(f"Q4 {label}", fy_start_month).end
    except ValueError:  # 31/02/2020, 2019/25, a year followed by the wrong one
        return None


def _month_end(year: int, month: int) -> date:
    """Last day of ``month`` (13, 14 run into the next year: winter ends in February)."""
    year += (month - 1) // 12
    month = (month - 1) % 12 + 1
    return date(year, month, calendar.monthrange(year, month)[1])


@dataclass(frozen=True)
class StatedEnd:
    """The last day a month text or a date names, and whether it was named by the month
    (a month, quarter, season or year) or by the day — so a difference between two of
    them is told in months or in days, as the plan's people wrote them."""

    day: date
    by_month: bool
    text: str


_DAY_KINDS = ("numeric", "iso", "day")


def stated_end(value: object, fy_start_month: int = 4, *, first: bool = False
               ) -> StatedEnd | None:
    """The end of the latest date ``value`` names (``first``: of the earliest), cue words
    ignored ("Oct 2024 (and ongoing)" → 31 Oct 2024, by month; a typed date → that day);
    None for blank, "Ongoing", "TBC", "Started" — anything that names no date."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return StatedEnd(value, False, f"{value.day} {value:%B %Y}")
    text = " ".join(str(value or "").split())
    dues, starts = _dates_in(text, fy_start_month)
    if not dues and not starts:
        return None
    day, matched = (min if first else max)(dues + starts)
    if any(kind in _DAY_KINDS and pattern.fullmatch(matched) for kind, pattern in _COMPILED):
        return StatedEnd(day, False, f"{day.day} {day:%B %Y}")  # 03/04/2025 said unambiguously
    return StatedEnd(day, True, matched)


def months_between(earlier: date, later: date) -> int:
    """Whole calendar months from ``earlier``'s month to ``later``'s (Oct → Dec is 2)."""
    return (later.year - earlier.year) * 12 + later.month - earlier.month
