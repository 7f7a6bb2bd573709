"""Stale-update flags: what the PMO has to chase before the highlight report.

Each flag is a ``Finding`` with the action's ID, ref and officer (in
``extra``) and a sentence the PMO can paste into a chasing email. Flags go
into the Actions sheet's Flags column, one ``CODE: sentence`` line each.

Flags computed here (DESIGN.md §4): NO_UPDATE, OUT_OF_DATE, UNCHANGED,
OVERDUE, NO_NARRATIVE and NO_DUE_DATE (info); on a programme plan's activities
(rows with Start and Revised end) also NOT_STARTED and SLIPPED
(docs/decisions.md "Programme plans: when an activity is late"). Re-running
replaces those lines and keeps every other line already in the cell —
INVALID, CONFLICT and MISSING_RETURN written by consolidation, or a note
someone typed.

The *as-of* date decides what is overdue or out of date. By default it is
today, but never later than the later of the period end and the return
deadline: a Q2 master flagged a year later is judged as at its own reporting
deadline, not as if every action had rotted since.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ..findings import (
    CATALOGUE,
    Finding,
    codes_in,
    count_by_code,
    flags_text,
    row_reference,
    with_references,
)
from ..plan import Plan
from ..timeframes import DATED, RECURRING, StatedEnd, months_between, read_timeframe, stated_end
from ..workbook.book import PREVIOUS_REVISED_END, Book, Row, blank, cell_ref
from ..workbook.layout import ACTIONS_LAYOUT
from ..workbook.reader import as_date

COMPUTED = ("NO_UPDATE", "OUT_OF_DATE", "UNCHANGED", "OVERDUE", "NO_NARRATIVE", "NO_DUE_DATE",
            "NOT_STARTED", "SLIPPED")
NARRATIVE_NEEDED = ("Red", "Amber")
# A Start that says the work was already under way when the plan was written.
_BEGUN = re.compile(r"^(?:already\s+)?(?:started|ongoing|on-going|in\s+progress|under\s*way)\b",
                    re.I)
_PLACEHOLDERS = {"", "-", "--", ".", "x", "n/a", "na", "tbc", "tba", "none", "nil", "no update"}


@dataclass
class FlagReport:
    """Every flag of one master and the new Flags cell of each action (by position)."""

    as_of: date
    findings: list[Finding] = field(default_factory=list)
    cells: list[str] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return count_by_code(self.findings)

    def to_dict(self) -> dict[str, Any]:
        return {"as_of": self.as_of.isoformat(), "counts": self.counts,
                "flags": [flag_dict(f) for f in self.findings]}


def flag_dict(finding: Finding) -> dict[str, Any]:
    """A finding as JSON with ``ref`` and ``officer`` lifted to the top level."""
    data = finding.to_dict()
    data.update(data.pop("extra", {}))
    return data


def default_as_of(plan: Plan, today: date | None = None) -> date:
    """Today, clipped to the later of the period end and the return deadline."""
    today = today or date.today()
    latest = max(plan.quarter.end, plan.deadline_date or plan.quarter.end)
    return min(today, latest)


@dataclass
class _Context:
    """What every check of one book needs, worked out once."""

    plan: Plan
    as_of: date
    file: str | None
    letters: dict[str, str]
    previous_progress: dict[str, Any] | None
    previous_revised_end: dict[str, Any] = field(default_factory=dict)
    programme: bool = False  # a programme plan: its activities can be NOT_STARTED, SLIPPED

    def finding(self, code: str, row: Row, key: str, message: str, **kw: Any) -> Finding:
        return Finding(code, message, file=self.file, sheet=ACTIONS_LAYOUT.name,
                       cell=cell_ref(self.letters, key, row),
                       action_id=_text(row.get("id")) or None,
                       column=ACTIONS_LAYOUT.column(key).name,
                       extra={"ref": _text(row.get("ref")), "officer": officer_of(row, self.plan)},
                       **kw)


def flag_book(book: Book, *, as_of: date | None = None, previous: Book | None = None,
              file: str | None = None) -> FlagReport:
    """Flag every action of ``book``; ``previous`` is last quarter's workbook, if given."""
    plan = book.plan
    ctx = _Context(
        plan=plan,
        as_of=as_of or default_as_of(plan),
        file=file or (Path(book.path).name if book.path else None),
        letters=book.letters(ACTIONS_LAYOUT.for_book(book)),
        previous_progress=None if previous is None else {
            _text(r.get("id")): r.get("progress_update") for r in previous.actions},
        previous_revised_end=previous_revised_ends(book, previous),
        programme=book.is_programme,
    )
    report = FlagReport(ctx.as_of)
    for row in book.actions:
        kept_findings, kept_lines = kept_flags(row, ctx)
        new = flag_action(row, ctx)
        report.findings += kept_findings + new
        report.cells.append("\n".join(filter(None, ["\n".join(kept_lines), flags_text(new)])))
    report.findings = with_references(report.findings, book.actions)
    return report


def apply_flags(book: Book, report: FlagReport) -> None:
    """Write each action's Flags cell from ``report`` (same order as ``book.actions``)."""
    for row, text in zip(book.actions, report.cells, strict=True):
        row["flags"] = text or None


def kept_flags(row: Row, ctx: _Context) -> tuple[list[Finding], list[str]]:
    """Lines of the Flags cell this module does not own, as findings and as text."""
    findings, lines = [], []
    for line in str(row.get("flags") or "").splitlines():
        if not line.strip():
            continue
        codes = codes_in(line)
        if codes and codes[0] in COMPUTED:
            continue
        lines.append(line)
        if codes:
            message = line.split(":", 1)[1].strip() if ":" in line else CATALOGUE[codes[0]].title
            findings.append(ctx.finding(codes[0], row, "flags", message))
    return findings, lines


def flag_action(row: Row, ctx: _Context) -> list[Finding]:
    """The computed flags of one action, in a stable order. An action in CONFLICT
    holds last quarter's update until the PMO decides, so what its update cells say
    (no date, no narrative…) is not what its officers did: only OVERDUE applies."""
    status = ctx.plan.rag(str(row.get("rag") or ""))
    complete = status is not None and status.complete
    out: list[Finding] = []
    checks = PROGRAMME_CHECKS if ctx.programme else TRACKER_CHECKS
    if "CONFLICT" in codes_in(row.get("flags")):
        checks = (_overdue,)
    for check in checks:
        found = check(row, ctx, status, complete)
        if found:
            out.append(found)
    return out


def _no_update(row: Row, ctx: _Context, status, complete: bool) -> Finding | None:
    if not empty_progress(row.get("progress_update")):
        return None
    return ctx.finding("NO_UPDATE", row, "progress_update",
                       f"{_label(row)} has no progress update for {ctx.plan.period}; "
                       f"{_who(row, ctx)}, please send one {_by(ctx)}.")


def _out_of_date(row: Row, ctx: _Context, status, complete: bool) -> Finding | None:
    if complete or empty_progress(row.get("progress_update")):
        return None
    updated = as_date(row.get("last_updated"))
    if updated is None:
        if not blank(row.get("last_updated")):
            return None  # a text date: validation reports it as INVALID
        return ctx.finding("OUT_OF_DATE", row, "last_updated",
                           f"{_label(row)} has no 'Last updated' date, so we cannot tell the "
                           f"update is current; {_who(row, ctx)}, please add the date.")
    start = ctx.plan.quarter.start
    age = (ctx.as_of - updated).days
    if updated < start:
        why = f"before {ctx.plan.period} began on {_day(start)}"
    elif age > ctx.plan.stale_days:
        why = f"{age} days before {_day(ctx.as_of)}, over the {ctx.plan.stale_days}-day limit"
    else:
        return None
    return ctx.finding("OUT_OF_DATE", row, "last_updated",
                       f"{_label(row)} was last updated on {_day(updated)}, {why}; "
                       f"{_who(row, ctx)}, please send a current update.",
                       expected=f"on or after {start.isoformat()}", got=updated)


def _unchanged(row: Row, ctx: _Context, status, complete: bool) -> Finding | None:
    now = row.get("progress_update")
    if ctx.previous_progress is None:
        before = row.get("previous_progress")
    else:
        before = ctx.previous_progress.get(_text(row.get("id")))
    if complete or empty_progress(now) or empty_progress(before):
        return None
    if _fold(now) != _fold(before):
        return None
    return ctx.finding("UNCHANGED", row, "progress_update",
                       f"{_label(row)} has the same progress update as last quarter; "
                       f"{_who(row, ctx)}, please say what has happened in {ctx.plan.period}.")


def _overdue(row: Row, ctx: _Context, status, complete: bool) -> Finding | None:
    if complete:
        return None
    frame = read_timeframe(row.get("timeframe"), ctx.plan.fy_start_month)
    if frame.kind == RECURRING:
        return None
    if frame.kind != DATED:
        quoted = f"'{_short(frame.text)}'" if frame.text else "(blank)"
        return ctx.finding("NO_DUE_DATE", row, "timeframe",
                           f"No due date can be read from the timeframe of {_lower(row)} "
                           f"{quoted}: {frame.reason}; please give a month, quarter or date.",
                           got=frame.text or None)
    if frame.due >= ctx.as_of:
        return None
    revised = stated_end(row.get("revised_end"), ctx.plan.fy_start_month)
    ask = "please give a revised date or confirm it is complete" if revised is None else \
        f"please confirm its revised end, {revised.text}, or that it is complete"
    return ctx.finding("OVERDUE", row, "timeframe",
                       f"{_label(row)} was due by {_day(frame.due)} ('{frame.matched}') and is "
                       f"{_shown_as(row, status)}, not Complete; {_who(row, ctx)}, {ask}.",
                       expected=f"complete by {frame.due.isoformat()}", got=row.get("rag"))


def _not_started(row: Row, ctx: _Context, status, complete: bool) -> Finding | None:
    """A programme activity whose Start month (or day) is over by the as-of date and
    that shows no sign of work: no progress text, RAG blank or Not started. A Start
    that says the work had begun ("Started", "Ongoing") is never this: NO_UPDATE
    chases the missing update."""
    if not empty_progress(row.get("progress_update")):
        return None
    raw = _text(row.get("rag"))
    if raw and (status is None or status.name.casefold() != "not started"):
        return None  # a RAG says how it is going (or is INVALID, reported as such)
    if _BEGUN.match(_text(row.get("start"))):
        return None
    start = stated_end(row.get("start"), ctx.plan.fy_start_month, first=True)
    if start is None or start.day >= ctx.as_of:
        return None
    shown = f"shown as {status.name}" if status is not None else "no RAG status"
    return ctx.finding("NOT_STARTED", row, "start",
                       f"{_label(row)}: Start {start.text} has passed with no update (no "
                       f"progress, {shown}); {_who(row, ctx)}, please say whether work has "
                       "begun, and if not, when it will.",
                       expected=f"under way after {start.day.isoformat()}", got=raw or None)


def _slipped(row: Row, ctx: _Context, status, complete: bool) -> Finding | None:
    """A programme activity whose Revised end is later than its End, or than the
    revised end it had last quarter — by how much, in months when both are months
    and in days otherwise. Ongoing/TBC Ends give nothing to slip from."""
    if complete:
        return None
    revised = stated_end(row.get("revised_end"), ctx.plan.fy_start_month)
    if revised is None:
        return None  # blank, or not a date: check reports that (INVALID)
    frame = read_timeframe(row.get("timeframe"), ctx.plan.fy_start_month)
    end = stated_end(frame.matched, ctx.plan.fy_start_month) if frame.kind == DATED else None
    before = stated_end(ctx.previous_revised_end.get(_text(row.get("id"))),
                        ctx.plan.fy_start_month)
    later, limit = [], None
    if end is not None and revised.day > end.day:
        later.append(f"{_gap(end, revised)} later than End {_text(frame.text)}")
        limit = end
    if before is not None and revised.day > before.day:
        later.append(f"{_gap(before, revised)} later than last quarter's revised end "
                     f"{before.text}")
        limit = limit or before
    if limit is None:
        return None
    return ctx.finding("SLIPPED", row, "revised_end",
                       f"{_label(row)}: Revised end {revised.text} is {' and '.join(later)}; "
                       f"{_who(row, ctx)}, please say what is holding it up and what will "
                       "bring it back.",
                       expected=f"by {limit.day.isoformat()}",
                       got=row.get("revised_end"))


def _gap(earlier: StatedEnd, later: StatedEnd) -> str:
    """How much later, as the plan counts: months between months, else days."""
    if earlier.by_month and later.by_month:
        n, unit = months_between(earlier.day, later.day), "month"
    else:
        n, unit = (later.day - earlier.day).days, "day"
    return f"{n} {unit}{'' if n == 1 else 's'}"


def previous_revised_ends(book: Book, previous: Book | None) -> dict[str, Any]:
    """Each activity's revised end last quarter: from last quarter's workbook when given,
    else as next quarter recorded it in Settings (empty for a tracker)."""
    if previous is not None:
        return {_text(r.get("id")): r.get("revised_end") for r in previous.actions
                if not blank(r.get("revised_end"))}
    recorded = book.extra_settings.get(PREVIOUS_REVISED_END)
    return {str(k): v for k, v in recorded.items()} if isinstance(recorded, dict) else {}


def _no_narrative(row: Row, ctx: _Context, status, complete: bool) -> Finding | None:
    if status is None or status.name not in NARRATIVE_NEEDED:
        return None
    if not empty_progress(row.get("progress_update")):
        return None
    return ctx.finding("NO_NARRATIVE", row, "progress_update",
                       f"{_label(row)} is {status.name} but has no explanation; "
                       f"{_who(row, ctx)}, please say why and what will bring it back on track.")


def _shown_as(row: Row, status) -> str:
    if status is not None:
        return f"shown as {status.name}"
    raw = _text(row.get("rag"))
    return f"shown as '{raw}' (not a RAG status)" if raw else "without a RAG status"


def officer_of(row: Row, plan: Plan) -> str:
    """Who the PMO chases: the officer the plan issues returns to (lead by default)."""
    first, second = ("accountable_officer", "lead_officer") if plan.return_by == "accountable" \
        else ("lead_officer", "accountable_officer")
    return _text(row.get(first)) or _text(row.get(second))


_PLACEHOLDER_CHARS = frozenset("".join(_PLACEHOLDERS) + ".")


def empty_progress(value: Any) -> bool:
    """Blank, or a placeholder people type instead of an update ('-', 'n/a', 'tbc').
    Asked of every returned row, mostly paragraphs: one character no placeholder holds
    among the first few (folding keeps every character but spaces) answers at once,
    without folding the whole text."""
    if type(value) is str and not _PLACEHOLDER_CHARS.issuperset(  # noqa: E721 - exact
            "".join(value[:40].split()).casefold()):
        return False
    folded = _fold(value)
    return folded.strip(" .") in _PLACEHOLDERS or folded in _PLACEHOLDERS


def _fold(value: Any) -> str:
    return " ".join(str(value or "").split()).casefold()


def _text(value: Any) -> str:
    return "" if blank(value) else " ".join(str(value).split())


def _label(row: Row) -> str:
    """The action as people read it: its Ref (the message sits beside its title in the
    Flags cell, a table or an e-mail), or its Ref and title — never its internal ID alone."""
    ref = _text(row.get("ref"))
    return f"Action {ref}" if ref else f"Action {row_reference(row)}"


def _lower(row: Row) -> str:
    return "a" + _label(row)[1:]


def _who(row: Row, ctx: _Context) -> str:
    return officer_of(row, ctx.plan) or "lead officer"


def _by(ctx: _Context) -> str:
    deadline = ctx.plan.deadline_date
    return f"by {_day(deadline)}" if deadline and deadline >= ctx.as_of else "as soon as possible"


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# The checks in the order their lines appear in a Flags cell (a programme plan's add
# NOT_STARTED and SLIPPED: docs/decisions.md "Programme plans: when an activity is late").
TRACKER_CHECKS = (_no_update, _out_of_date, _unchanged, _overdue, _no_narrative)
PROGRAMME_CHECKS = (_no_update, _not_started, _out_of_date, _unchanged, _overdue, _slipped,
                    _no_narrative)
