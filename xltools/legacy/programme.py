"""Import a programme plan (aims, programmes, key activities, KPIs, risks) as a master.

The same canonical workbook as an imported tracker (docs/decisions.md
"Programme plans"): each key activity is an action whose Section is its
programme, Accountable officer the programme's SAO, Lead officer its RDL, Start its
Start as printed ("July 2024", "Started") and Timeframe its End as printed
("Nov 2024", which the OVERDUE rules read as due at the end of Nov 2024;
"Oct 2024 (and ongoing)", "Ongoing" kept as such).
Lettered sub-items stay in their activity's text as milestones, each with its
own dates. Aims and programmes (purpose, SAO, RDL, Lead Member) are kept in
the hidden Settings; the risk register becomes the Risks sheet; the KPIs the
KPIs sheet (targets left blank: a programme plan often has none yet).

Where the printed Start and End runs do not line up with a row's activities,
no date is guessed: a REVIEW finding names the programme, the activities and
the dates printed, and the activities' Flags say to enter the dates by hand.
"""

from __future__ import annotations

from typing import Any

from ..findings import Finding
from ..plan import OFFICER_SEPARATOR, Plan
from ..workbook.book import PROGRAMME_SHAPE, Book, Row
from ..workbook.layout import ACTIONS_LAYOUT, KPIS_LAYOUT, MASTER, RISKS_LAYOUT
from ..workbook.risks import DEFAULT_THRESHOLDS, THRESHOLDS_SETTING, score_risk
from .grid import Grid
from .programme_parse import Activity, Mismatch, Programme, ProgrammePlan, parse_programme_plan

PLAN_SHAPE = PROGRAMME_SHAPE
ROLES = ("SAO", "RDL", "Lead Member")


def timeframe_text(start: str, end: str) -> str | None:
    """A milestone's Start and End in one phrase of its activity's text, worded so
    ``timeframes.read_timeframe`` takes End as the due date ("From …" marks a start)
    and "Ongoing" as recurring. (An activity's own Start and End have cells of their
    own: ``_action_row``.)"""
    start, end = start.strip(), end.strip()
    if start.casefold() == end.casefold() == "ongoing":
        return "Ongoing"
    begun = "Started" if start.casefold() == "started" else f"From {start}" if start else ""
    if begun and end:
        return f"{begun}, to {end}" if begun == "Started" else f"{begun} to {end}"
    return begun or end or None


def activity_text(activity: Activity) -> str:
    """The activity and its milestones, one a line ("a) … (July 2024 to Nov 2024)")."""
    lines = [activity.text]
    for m in activity.milestones:
        when = timeframe_text(m.start, m.end)
        lines.append(f"{m.letter}) {m.text}" + (f" ({when})" if when else ""))
    return "\n".join(line for line in lines if line)


def section_name(programme: Programme) -> str:
    return f"{programme.number}. {programme.name}"


def _officer(text: str) -> str | None:
    """A role as an officer-list entry ("/" separates joint officers, so not kept)."""
    text = " ".join(text.replace(OFFICER_SEPARATOR, " or ").split())
    return text or None


def build_programme_book(grid: Grid, plan: Plan) -> tuple[Book, list[Finding], list[int]]:
    """The master Book of the programme plan in ``grid``, its findings, and each
    action's source line."""
    parsed = parse_programme_plan(grid.rows)
    rows, lines, ids = [], [], {}
    for programme in parsed.programmes.values():
        roles = programme.roles
        for activity in programme.activities:
            action_id = f"A-{len(rows) + 1:04d}"
            ids[(programme.number, activity.ref)] = action_id
            rows.append(_action_row(action_id, programme, activity, roles))
            lines.append(activity.line)
    findings = _mismatch_findings(parsed, grid, ids, rows)
    findings += _people_findings(parsed, grid)
    officers = [o for p in parsed.programmes.values() for role in ("SAO", "RDL")
                if (o := _officer(p.roles.get(role, "")))]
    plan = plan.with_changes(
        title=parsed.title or plan.title,
        sections=tuple(section_name(p) for p in parsed.programmes.values()),
        officers=tuple(dict.fromkeys([*plan.officers, *officers])))
    book = Book(plan=plan, kind=MASTER, actions=rows, kpis=_kpi_rows(parsed),
                extra_settings=_settings(parsed, grid.file))
    book.risks = [score_risk(r, DEFAULT_THRESHOLDS) for r in _risk_rows(parsed)]
    return book, findings, lines


def _action_row(action_id: str, programme: Programme, activity: Activity,
                roles: dict[str, str]) -> Row:
    row: Row = {key: None for key in ACTIONS_LAYOUT.keys}
    row.update(id=action_id, ref=activity.ref, section=section_name(programme),
               action=activity_text(activity),
               accountable_officer=_officer(roles.get("SAO", "")),
               lead_officer=_officer(roles.get("RDL", "")),
               start=activity.start.strip() or None,  # as printed: "July 2024", "Started"
               timeframe=activity.end.strip() or None)  # End as printed: the due date
    return row


def _settings(parsed: ProgrammePlan, source: str) -> dict[str, Any]:
    """What the Actions sheet has no column for, kept in the hidden Settings."""
    return {
        "imported_from": source,
        "plan_shape": PLAN_SHAPE,
        "aims": {str(n): title for n, title in parsed.aims.items()},
        "programmes": [{"number": p.number, "section": section_name(p), "name": p.name,
                        "aim": p.aim, "purpose": p.purpose,
                        **{role.lower().replace(" ", "_"): p.roles.get(role, "")
                           for role in ROLES}}
                       for p in parsed.programmes.values()],
        "kpi_aims": {measure: aim for measure, aim in parsed.kpis if aim},
        THRESHOLDS_SETTING: dict(DEFAULT_THRESHOLDS),
    }


def _kpi_rows(parsed: ProgrammePlan) -> list[Row]:
    rows = []
    for measure, _aim in parsed.kpis:
        row: Row = {key: None for key in KPIS_LAYOUT.keys}
        row["measure"] = measure
        rows.append(row)
    return rows


def _risk_rows(parsed: ProgrammePlan) -> list[Row]:
    rows = []
    for risk in parsed.risks:
        row: Row = {key: None for key in RISKS_LAYOUT.keys}
        row.update(id=f"R{risk.number}", title=risk.title or None,
                   description=risk.description or None, mitigation=risk.mitigation or None)
        rows.append(row)
    return rows


def _mismatch_findings(parsed: ProgrammePlan, grid: Grid, ids: dict, rows: list[Row]
                       ) -> list[Finding]:
    by_id = {r["id"]: r for r in rows}
    findings = []
    for gap in parsed.mismatches:
        programme = parsed.programmes[gap.programme]
        action_id = ids.get((gap.programme, gap.refs[0].split()[0]))
        findings.append(Finding(
            "REVIEW", _mismatch_message(programme, gap), file=grid.file, sheet=grid.sheet,
            cell=f"A{gap.line}", action_id=action_id, column="Timeframe",
            got={"start": gap.starts, "end": gap.ends},
            extra={"programme": section_name(programme), "refs": gap.refs}))
        for ref in {r.split()[0] for r in gap.refs}:
            row = by_id.get(ids.get((gap.programme, ref)))
            if row is not None and not row.get("flags"):
                row["flags"] = ("REVIEW: the plan's Start and End dates for this row did "
                                "not line up; enter them by hand")
    return findings


def _mismatch_message(programme: Programme, gap: Mismatch) -> str:
    refs = ", ".join(gap.refs)
    return (f"Programme {section_name(programme)}: the Start and End dates printed against "
            f"{refs} do not line up ({len(gap.starts)} start, {len(gap.ends)} end for "
            f"{len(gap.refs)} items) — no dates were matched. Dates printed: start "
            f"{', '.join(gap.starts) or '(none)'}; end {', '.join(gap.ends) or '(none)'}. "
            "Enter each activity's Start and End by hand from the plan")


def _people_findings(parsed: ProgrammePlan, grid: Grid) -> list[Finding]:
    findings = []
    for programme in parsed.programmes.values():
        missing = [role for role in ROLES if not programme.roles.get(role)]
        if missing:
            findings.append(Finding(
                "REVIEW", f"Programme {section_name(programme)}: no {' / '.join(missing)} "
                "printed (or not labelled) in its plan-on-a-page table — add them to the "
                "plan's programmes before issuing returns", file=grid.file, sheet=grid.sheet,
                cell=f"A{programme.line}" if programme.line else None,
                extra={"programme": section_name(programme), "missing": missing}))
    return findings
