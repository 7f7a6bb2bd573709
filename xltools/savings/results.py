"""What reconciliation produces: each project's years as reconciled, and the
classifications a project's change can take (the words the committee uses).

Kept apart from ``reconcile`` (which builds them) and ``classify`` (which judges
them) so each of those can import these without importing the other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .rows import TOL, Line, amount, change_type

NO_CHANGE = "No change"
RE_PROFILE = "Re-profile"
WRITE_OFF = "Write-off"
MITIGATION = "Mitigation"
EXTENSION = "Extension"
NEW = "New"
CLASSIFICATIONS = (NO_CHANGE, RE_PROFILE, WRITE_OFF, MITIGATION, EXTENSION, NEW)

# Change types an officer may give on the rows of a project of each classification.
ALLOWED = {
    NO_CHANGE: frozenset(),
    RE_PROFILE: frozenset({RE_PROFILE}),
    WRITE_OFF: frozenset({WRITE_OFF}),
    MITIGATION: frozenset({MITIGATION, WRITE_OFF}),
    EXTENSION: frozenset({EXTENSION}),
    NEW: frozenset({NEW, EXTENSION}),
}


@dataclass
class YearResult:
    """One project-year as reconciled: the figures used and where they came from."""

    year: str
    year_start: int | None
    expected: float
    revised: float
    in_range: bool
    base: Line | None = None
    line: Line | None = None  # the row that supplied the revision (return, else baseline)
    codes: list[str] = field(default_factory=list)

    @property
    def change(self) -> float:
        return self.revised - self.expected

    def value(self, key: str) -> Any:
        return None if self.line is None else self.line.raw.get(key)

    @property
    def source(self) -> str:
        """Where Revised came from, in words finance can follow back to the cell."""
        line = self.line
        if line is None or (line.baseline and line.revised is None and not line.bad):
            return "baseline (no revision)"
        if "revised" in line.bad:
            return f"{line.where} (not a number: counted as no change)"
        if line.revised is None:
            return f"{line.where} (blank: no change)"
        return line.where

    def to_dict(self) -> dict[str, Any]:
        approved_on = self.value("approved_on")
        return {
            "year": self.year, "in_range": self.in_range, "expected": money(self.expected),
            "revised": money(self.revised), "change": money(self.change),
            "change_type": self.value("change_type"), "approved_by": self.value("approved_by"),
            "approved_on": approved_on.isoformat() if isinstance(approved_on, date)
            else approved_on,
            "comment": self.value("comment"), "source": self.source, "flags": self.codes,
            # text typed as Revised (tbc), shown as typed beside the figure counted
            "revised_given": self.value("revised") if self.line is not None
            and "revised" in self.line.bad else None,
        }


@dataclass
class ProjectResult:
    """One project's reconciled profile and its classification."""

    ref: str
    project: str
    department: str
    lead_officer: str
    in_baseline: bool
    returned_in: list[str]
    years: list[YearResult]
    classification: str = NO_CHANGE
    detail: str = ""

    def total(self, key: str) -> float:
        return sum(getattr(y, key) for y in self.years)

    @property
    def codes(self) -> list[str]:
        return list(dict.fromkeys(c for y in self.years for c in y.codes))

    @property
    def declared(self) -> list[str]:
        """The Change types the officer gave on the rows that change, in year order."""
        typed = (change_type(y.value("change_type")) for y in self.years
                 if abs(y.change) > TOL)
        return list(dict.fromkeys(t for t in typed if t))

    @property
    def counted_as(self) -> str:
        """The classification in words, with the officer's declared type where it differs:
        ``Write-off (declared Mitigation)``."""
        text = self.classification + (f" ({self.detail})" if self.detail else "")
        other = [t for t in self.declared if t not in ALLOWED[self.classification]]
        return text + (f" (declared {' / '.join(other)})" if other else "")

    def to_dict(self) -> dict[str, Any]:
        return {
            "ref": self.ref, "project": self.project, "department": self.department,
            "lead_officer": self.lead_officer, "classification": self.classification,
            "detail": self.detail, "declared": self.declared,
            "counted_as": self.counted_as, "in_baseline": self.in_baseline,
            "returned_in": self.returned_in,
            "totals": {k: money(self.total(k)) for k in ("expected", "revised", "change")},
            "years": [y.to_dict() for y in self.years], "flags": self.codes,
        }


def money(value: float) -> float | int:
    """£000 rounded to the pound for reports, never -0.0; whole figures as ints, so JSON
    and the terminal show 250, not 250.0."""
    return amount(value)
