"""What kind of change a project asks for, and what is wrong with how it was asked.

Classification is by the figures, year by year (Δ = Revised − Expected, £000,
compared to the nearest pound), the way a committee paper classes them, so it
does not depend on what anyone typed:

- **No change** — every Δ is 0.
- **Re-profile** — some Δ ≠ 0 but they net to 0 across the years. *Acceleration*
  when the earliest change is an increase (a later year's saving delivered
  sooner), *slippage* when it is a decrease (delivered later).
- **Extension** — the total rises on a project the baseline has (an Expected
  figure, 0 included, in any year), even when the rise is in years with no
  target of their own.
- **New** — the total rises on a project the baseline does not have (or has
  only as rows with Expected blank: a new project merged in by an earlier run).
- **Mitigation** — the total falls, but a loss is replaced: a year *after* a
  fall rises, or the officer marked a changed row *Mitigation* (replacement
  savings netted into the same year).
- **Write-off** — the total falls and nothing replaces the loss. Early
  over-delivery followed by a larger shortfall is a write-off of the net
  shortfall: delivering sooner does not replace a later loss.

The officer's Change type on each row is then checked against that (see
``ALLOWED``); a mismatch is a TYPE_MISMATCH, and the figures decide.
"""

from __future__ import annotations

from ..findings import Finding
from ..workbook.book import blank
from .results import (
    ALLOWED,
    EXTENSION,
    MITIGATION,
    NEW,
    NO_CHANGE,
    RE_PROFILE,
    WRITE_OFF,
    ProjectResult,
    YearResult,
)
from .rows import TOL, amount, change_type, fmt, out_of_range

# summary key → classification; "change requests" = re-profiles + write-offs + mitigations
SUMMARY_ROWS = (("re_profiles", RE_PROFILE), ("write_offs", WRITE_OFF),
                ("mitigations", MITIGATION), ("extensions", EXTENSION), ("new", NEW))
CHANGE_REQUESTS = (RE_PROFILE, WRITE_OFF, MITIGATION)

def classify(project: ProjectResult) -> tuple[str, str]:
    """(classification, detail) of a project's change, from its figures."""
    changes = [y.change for y in project.years if abs(y.change) > TOL]
    total = sum(changes)
    if not changes:
        return NO_CHANGE, ""
    if abs(total) <= TOL:
        return RE_PROFILE, "acceleration" if changes[0] > 0 else "slippage"
    if total > 0:
        return (EXTENSION, "") if in_baseline_profile(project) else (NEW, "")
    if replaces_a_loss(changes) or MITIGATION in project.declared:
        return MITIGATION, ""
    return WRITE_OFF, ""


def in_baseline_profile(project: ProjectResult) -> bool:
    """True when the baseline has an Expected figure (0 included) for the project in any
    year. Rows with Expected blank are not a profile: they are a new project's rows
    that an earlier reconciliation merged into the master, still New."""
    return any(y.base is not None and y.base.expected is not None for y in project.years)


def replaces_a_loss(changes: list[float]) -> bool:
    """True when some year rises *after* a year that fell (changes in year order).

    A rise before the first fall is early over-delivery: the committee counts
    the project as a write-off of the net shortfall, not a mitigation."""
    fell = False
    for change in changes:
        if change < 0:
            fell = True
        elif fell:
            return True
    return False


def project_findings(project: ProjectResult, have_returns: bool) -> list[Finding]:
    """Every flag about one project: presence, years, Expected, types, approval."""
    out = presence_findings(project, have_returns)
    for y in project.years:
        out += year_findings(project, y)
    out += approval_findings(project)
    return out


def presence_findings(project: ProjectResult, have_returns: bool) -> list[Finding]:
    first = project.years[0]
    line = first.line or first.base
    if not project.in_baseline:
        return [line.finding("NOT_IN_BASELINE", f"{project.ref} is in {line.file} but not in "
                             "the baseline; its figures are counted as "
                             f"{project.classification}", "project_ref")]
    if have_returns and not project.returned_in:
        return [line.finding("NOT_RETURNED", f"{project.ref} is in the baseline but no return "
                             "has it; counted as no change", "project_ref")]
    return []


def year_findings(project: ProjectResult, y: YearResult) -> list[Finding]:
    out = []
    line = y.line
    if not y.in_range and y.year_start is not None:
        out.append(out_of_range(line))
    ret = y.line if y.line is not y.base else None
    if ret is not None and y.base is not None and ret.expected is not None \
            and abs(ret.expected - y.expected) > TOL:
        out.append(ret.finding("BASELINE_MISMATCH", f"Expected {fmt(ret.expected)} for "
                               f"{y.year} differs from the baseline's {fmt(y.expected)}; the "
                               "baseline figure is used", "expected", expected=amount(y.expected),
                               got=amount(ret.expected)))
    out += type_findings(project, y)
    return out


def type_findings(project: ProjectResult, y: YearResult) -> list[Finding]:
    """TYPE_MISMATCH when a row's Change type does not fit the project's figures."""
    given = change_type(y.value("change_type"))
    allowed = ALLOWED[project.classification]
    changed = abs(y.change) > TOL
    if given is None and not changed:
        return []
    if given is None:
        message = (f"{y.year} changes by {fmt(y.change)} but has no Change type; the figures "
                   f"make this a {project.classification}")
    elif given in allowed:
        return []
    elif project.classification == NO_CHANGE:
        message = f"Change type {given} but Revised equals Expected for every year"
    else:
        message = (f"Change type {given} does not fit the figures: {project.ref} counts as "
                   f"{_described(project)}")
    return [y.line.finding("TYPE_MISMATCH", message, "change_type", got=given,
                           expected=" or ".join(sorted(allowed)) or "blank")]


def _described(project: ProjectResult) -> str:
    total = project.total("change")
    what = f"{project.classification}" + (f" ({project.detail})" if project.detail else "")
    return f"{what}, total change {fmt(total)}"


def approval_findings(project: ProjectResult) -> list[Finding]:
    """One NO_APPROVAL per changed project with no approver (or no date) on any changed row."""
    changed = [y for y in project.years if abs(y.change) > TOL]
    if not changed:
        return []
    by = [y for y in changed if not blank(y.value("approved_by"))]
    if not by:
        return [changed[0].line.finding(
            "NO_APPROVAL", f"{project.ref} changes by {fmt(project.total('change'))} "
            f"({project.classification}) but no row says who approved it", "approved_by")]
    if not any(not blank(y.value("approved_on")) for y in by):
        return [by[0].line.finding(
            "NO_APPROVAL", f"{project.ref}: approved by {by[0].value('approved_by')} but no "
            "approval date is given", "approved_on")]
    return []
