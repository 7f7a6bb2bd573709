"""The plan: one improvement plan's settings, validated against a shipped schema.

A plan lives in a JSON file (``workbook_templates/sample_plan.json``) and is
also written into every workbook built from it (the hidden ``Settings`` sheet
plus the ``Lists`` sheet), so a workbook can be read without its plan file.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import PlanError
from .periods import Quarter, fy_label

OFFICER_SEPARATOR = "/"


@dataclass(frozen=True)
class RagStatus:
    """One value of the RAG scheme."""

    name: str
    colour: str
    meaning: str = ""
    complete: bool = False
    rank: int = 0


DEFAULT_RAG = (
    RagStatus("Complete", "#5B9BD5", "The action is finished and its success measure met.",
              True, 4),
    RagStatus("Green", "#70AD47", "On track: on time and delivering what was planned.", False, 3),
    RagStatus("Amber", "#FFC000", "At risk: slipping or facing issues that need attention.",
              False, 2),
    RagStatus("Red", "#FF0000", "Off track: will not be delivered as planned without help.",
              False, 1),
    RagStatus("Not started", "#BFBFBF", "Work has not begun yet.", False, 2),
)

def mint_plan_id() -> str:
    """A new plan's identity: random, so two councils' plans never share one."""
    return "P-" + secrets.token_hex(8)


def _folded(text: str) -> str:
    return " ".join(str(text or "").split()).casefold()


RECURRING_TIMEFRAMES = ("Ongoing", "Quarterly", "Monthly", "Annually")


@dataclass(frozen=True)
class Plan:
    """Everything a workbook needs to know about the plan it belongs to."""

    organisation: str
    title: str
    period: str
    department: str = ""
    fy_start_month: int = 4
    deadline: str = ""
    contact: str = ""
    officers: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    departments: tuple[str, ...] = ()
    timeframes: tuple[str, ...] = ()
    savings_years: tuple[str, ...] = ()
    rag_scheme: tuple[RagStatus, ...] = DEFAULT_RAG
    status_mapping: dict[str, str] = field(default_factory=dict)
    stale_days: int = 90
    kpi_tolerance: float = 0.05
    prefill_rag: bool = False
    return_by: str = "lead"
    protective_marking: str = "OFFICIAL"
    officer_emails: dict[str, str] = field(default_factory=dict)
    plan_id: str = ""  # minted once (template, import): which plan a return belongs to
    delegates: dict[str, tuple[str, ...]] = field(default_factory=dict)

    # -- loading -----------------------------------------------------------
    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "plan") -> Plan:
        """Validate ``data`` against the plan schema and build a Plan."""
        validate_plan_dict(data, source)
        values = {k: v for k, v in data.items() if k != "$schema"}
        for key in ("officers", "sections", "departments", "timeframes", "savings_years"):
            if key in values:
                values[key] = tuple(values[key])
        if "rag_scheme" in values:
            values["rag_scheme"] = tuple(RagStatus(**r) for r in values["rag_scheme"])
        if "delegates" in values:
            values["delegates"] = {k: tuple(v) for k, v in values["delegates"].items()}
        plan = cls(**values)
        plan.quarter  # noqa: B018 - raises PlanError for a period the schema let through
        return plan

    @classmethod
    def load(cls, path: str | Path) -> Plan:
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise PlanError(f"{path}: plan file not found") from exc
        except json.JSONDecodeError as exc:
            raise PlanError(f"{path}: not valid JSON (line {exc.lineno}: {exc.msg})") from exc
        return cls.from_dict(data, str(path))

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["rag_scheme"] = [asdict(r) for r in self.rag_scheme]
        for key in ("officers", "sections", "departments", "timeframes", "savings_years"):
            data[key] = list(data[key])
        data["delegates"] = {k: list(v) for k, v in self.delegates.items()}
        if not self.plan_id:
            del data["plan_id"]  # not minted yet: "" is not a valid ID to load back
        return data

    def with_changes(self, **changes: Any) -> Plan:
        return replace(self, **changes)

    def with_plan_id(self) -> Plan:
        """This plan with its identity: kept if it has one, else a new random one."""
        return self if self.plan_id else replace(self, plan_id=mint_plan_id())

    def same_plan(self, other: Plan) -> bool:
        """Is ``other`` (a return's settings) this plan? By ID when both carry one,
        else by organisation, department and title (spacing and case ignored)."""
        if self.plan_id and other.plan_id:
            return self.plan_id == other.plan_id
        return all(_folded(getattr(self, k)) == _folded(getattr(other, k))
                   for k in ("organisation", "department", "title"))

    def identity(self) -> str:
        """The plan in words, for messages: organisation › title (plan ID)."""
        who = " › ".join(p for p in (self.organisation, self.department, self.title) if p)
        return f"{who} (plan {self.plan_id})" if self.plan_id else who

    # -- derived -----------------------------------------------------------
    @property
    def quarter(self) -> Quarter:
        try:
            return Quarter.parse(self.period, self.fy_start_month)
        except ValueError as exc:
            raise PlanError(f"plan field 'period': {exc}") from exc

    @property
    def deadline_date(self) -> date | None:
        return date.fromisoformat(self.deadline) if self.deadline else None

    @property
    def rag_names(self) -> list[str]:
        return [r.name for r in self.rag_scheme]

    @property
    def complete_statuses(self) -> set[str]:
        return {r.name for r in self.rag_scheme if r.complete}

    def rag(self, name: str) -> RagStatus | None:
        """The scheme entry for ``name``, matched ignoring case and spaces."""
        wanted = " ".join(str(name).split()).casefold()
        return next((r for r in self.rag_scheme if r.name.casefold() == wanted), None)

    @property
    def individual_officers(self) -> list[str]:
        """Every single name on the officer list, joint entries split."""
        names: dict[str, None] = {}
        for entry in self.officers:
            for name in split_officers(entry):
                names.setdefault(name, None)
        return list(names)

    def email_of(self, officer: str) -> str:
        """The officer's e-mail address from ``officer_emails`` (name matched ignoring
        case and spaces), or "" when the plan has none for them."""
        wanted = " ".join(str(officer).split()).casefold()
        for name, address in self.officer_emails.items():
            if " ".join(name.split()).casefold() == wanted:
                return address
        return ""

    def timeframe_list(self) -> list[str]:
        """The Timeframe dropdown: the plan's, or quarters from now plus recurring terms."""
        if self.timeframes:
            return list(self.timeframes)
        return default_timeframes(self.quarter)

    def savings_year_list(self) -> list[str]:
        if self.savings_years:
            return list(self.savings_years)
        start = self.quarter.year
        return [fy_label(y, self.fy_start_month) for y in range(start - 1, start + 4)]


def split_officers(entry: Any) -> list[str]:
    """``"Colin Pettigrew / Nigel Stevenson"`` → both names, trimmed (a new list, the
    caller's to change)."""
    if entry is None:
        return []
    return list(_split_officers(str(entry)))


@lru_cache(maxsize=4096)
def _split_officers(text: str) -> tuple[str, ...]:
    """A plan names a few hundred officers over thousands of rows — and consolidating
    asks for each row's owners several times — so each entry is split once."""
    parts = text.replace("\n", OFFICER_SEPARATOR).split(OFFICER_SEPARATOR)
    return tuple(" ".join(p.split()) for p in parts if p.strip())


def join_officers(names: list[str]) -> str:
    return f" {OFFICER_SEPARATOR} ".join(names)


def default_timeframes(current: Quarter) -> list[str]:
    """Quarters from the current one to the end of next financial year, then recurring."""
    quarters = []
    q = current
    while q.year <= current.year + 1:
        quarters.append(str(q))
        q = q.next()
    return quarters + list(RECURRING_TIMEFRAMES)


@cache
def plan_schema() -> dict[str, Any]:
    text = resources.files("xltools").joinpath("schemas/plan.schema.json").read_text("utf-8")
    return json.loads(text)


def validate_plan_dict(data: Any, source: str = "plan") -> None:
    """Raise PlanError naming the field and the rule of the first problem found."""
    import jsonschema  # only when a plan is checked: keeps `xltools --help` light

    validator = jsonschema.Draft202012Validator(
        plan_schema(), format_checker=jsonschema.FormatChecker()
    )
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if not errors:
        _check_joint_officers(data, source)
        _check_emails(data, source)
        return
    err = errors[0]
    where = "/".join(str(p) for p in err.absolute_path) or "(top level)"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    raise PlanError(f"{source}: field '{where}' breaks rule '{err.validator}': {err.message}{more}")


_ADDRESS = re.compile(r"[^\s<>,;\"@]+@[^\s<>,;\"@]+")


def _check_emails(data: dict[str, Any], source: str) -> None:
    """One plain address per officer: a line break (CR/LF) would let a plan write its
    own e-mail headers (``Bcc:``) into every chase draft; a space or comma, a second
    recipient."""
    emails = data.get("officer_emails") or {}
    for name, address in emails.items():
        if not _ADDRESS.fullmatch(address):
            shown = address.replace("\r", "\\r").replace("\n", "\\n")
            raise PlanError(f"{source}: field 'officer_emails/{name}' breaks rule 'one e-mail "
                            f"address, no spaces or line breaks': '{shown}' — give an address "
                            "like name@council.gov.uk")


def _check_joint_officers(data: dict[str, Any], source: str) -> None:
    """A joint entry may only name officers who are on the list by themselves."""
    officers = data.get("officers", [])
    singles = {o.strip() for o in officers if OFFICER_SEPARATOR not in o}
    for i, entry in enumerate(officers):
        names = split_officers(entry)
        if len(names) > 1:
            unknown = [n for n in names if n not in singles]
            if unknown:
                raise PlanError(
                    f"{source}: field 'officers/{i}' breaks rule 'joint entries name listed "
                    f"officers': {', '.join(unknown)} in '{entry}' is not on the list by itself"
                )
