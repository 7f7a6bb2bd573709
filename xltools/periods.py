"""Financial-year quarters: the reporting periods every return is stamped with.

Councils report by financial-year quarter. With the UK default (the year starts
in April) ``Q1 2019/20`` is April–June 2019 and ``Q4 2019/20`` is January–March
2020. The start month is a plan setting, so the same value object serves a body
whose year starts in January (``Q1 2020``) or July.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from .errors import PeriodError

_MONTHS = (
    "january february march april may june july august september october november december"
).split()

_Q = r"(?:q|qtr|quarter)\s*\.?\s*(?P<q>[1-4])"
_FY = r"(?:fy\s*)?(?P<y1>\d{4})(?:\s*[/\-–]\s*(?P<y2>\d{2}|\d{4}))?"
_PATTERNS = (
    re.compile(rf"^\s*{_Q}\s*[,:]?\s*{_FY}\s*$", re.I),
    re.compile(rf"^\s*{_FY}\s*[,:]?\s*{_Q}\s*$", re.I),
)


@dataclass(frozen=True, order=True)
class Quarter:
    """One quarter of a financial year.

    ``year`` is the calendar year in which the financial year starts (2019 for
    2019/20); ``number`` is 1–4; ``start_month`` is the month the financial year
    starts (4 = April). Ordering compares (year, number), so only compare
    quarters that share a start month.
    """

    year: int
    number: int
    start_month: int = 4

    def __post_init__(self) -> None:
        if not 1 <= self.number <= 4:
            raise PeriodError(f"quarter number must be 1-4, got {self.number}")
        if not 1 <= self.start_month <= 12:
            raise PeriodError(f"financial-year start month must be 1-12, got {self.start_month}")

    # -- text ---------------------------------------------------------------
    @property
    def fy_label(self) -> str:
        """``2019/20``, or ``2020`` when the financial year is the calendar year."""
        if self.start_month == 1:
            return str(self.year)
        return f"{self.year}/{(self.year + 1) % 100:02d}"

    def __str__(self) -> str:
        return f"Q{self.number} {self.fy_label}"

    @classmethod
    def parse(cls, text: str, start_month: int = 4) -> Quarter:
        """Read ``Q3 2019/20`` and the variants people type.

        Accepted: ``Quarter 3 2019-20``, ``2019/20 Q3``, ``Q3 2019/2020``,
        ``qtr 3 FY2019/20``; ``Q3 2020`` when the year starts in January.
        """
        if isinstance(text, Quarter):
            return text
        for pattern in _PATTERNS:
            match = pattern.match(str(text))
            if match:
                return cls._from_match(match, str(text), start_month)
        raise PeriodError(
            f"'{text}' is not a reporting period; write it like 'Q3 2019/20'"
        )

    @classmethod
    def _from_match(cls, match: re.Match, text: str, start_month: int) -> Quarter:
        y1 = int(match["y1"])
        y2 = match["y2"]
        if y2 is not None:
            second = int(y2) if len(y2) == 4 else (y1 // 100) * 100 + int(y2)
            if len(y2) == 2 and second < y1:
                second += 100
            if second != y1 + 1:
                raise PeriodError(f"'{text}': {y1} is not followed by {y2}")
        elif start_month != 1:
            raise PeriodError(
                f"'{text}' has one year but the financial year starts in "
                f"{_MONTHS[start_month - 1].title()}; write it like 'Q3 {y1}/{(y1 + 1) % 100:02d}'"
            )
        return cls(y1, int(match["q"]), start_month)

    # -- dates --------------------------------------------------------------
    @property
    def start(self) -> date:
        """First day of the quarter."""
        months = self.start_month - 1 + (self.number - 1) * 3
        return date(self.year + months // 12, months % 12 + 1, 1)

    @property
    def end(self) -> date:
        """Last day of the quarter."""
        return self.next().start - timedelta(days=1)

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    @classmethod
    def containing(cls, day: date, start_month: int = 4) -> Quarter:
        """The quarter a date falls in."""
        offset = (day.month - start_month) % 12
        year = day.year if day.month >= start_month else day.year - 1
        return cls(year, offset // 3 + 1, start_month)

    # -- arithmetic ---------------------------------------------------------
    def next(self) -> Quarter:
        return self.shift(1)

    def previous(self) -> Quarter:
        return self.shift(-1)

    def shift(self, quarters: int) -> Quarter:
        index = self.year * 4 + (self.number - 1) + quarters
        return Quarter(index // 4, index % 4 + 1, self.start_month)


def fy_label(year: int, start_month: int = 4) -> str:
    """The label of the financial year starting in ``year`` (``2019/20``)."""
    return Quarter(year, 1, start_month).fy_label


def parse_fy(text: str, start_month: int = 4) -> int:
    """Return the starting year of a financial-year label like ``2019/20``."""
    match = re.fullmatch(rf"\s*{_FY}\s*", str(text))
    if not match or (match["y2"] is None and start_month != 1):
        raise PeriodError(f"'{text}' is not a financial year; write it like '2019/20'")
    return Quarter.parse(f"Q1 {text.strip()}", start_month).year


_DMY = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$")


def parse_day(text: str) -> date:
    """A date typed as ``YYYY-MM-DD`` or ``DD/MM/YYYY`` (the form xltools prints).

    Raises ``PeriodError`` (a ``ValueError``) naming both forms."""
    text = str(text).strip()
    match = _DMY.match(text)
    try:
        if match:
            day, month, year = (int(g) for g in match.groups())
            return date(year, month, day)
        return date.fromisoformat(text)
    except ValueError:
        raise PeriodError(f"'{text}' is not a date; write it as 21/10/2019 or 2019-10-21"
                          ) from None
