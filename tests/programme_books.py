"""A small programme plan's master, built in memory (issue 27): three key activities
with Start and End across two RDLs, and three risks — one owned by each RDL, one by
nobody. Shared by the programme layout, returns and consolidation tests."""

from __future__ import annotations

from xltools.plan import Plan
from xltools.workbook.book import PROGRAMME_SHAPE, Book
from xltools.workbook.layout import ACTIONS_LAYOUT, MASTER, RISKS_LAYOUT
from xltools.workbook.risks import DEFAULT_THRESHOLDS, THRESHOLDS_SETTING, score_risk

STEVE, LUCY, SAO = "Steve Edwards", "Lucy Peel", "Adrian Smith"


def _action(n: int, ref: str, action: str, lead: str, start, end, **more) -> dict:
    row = {key: None for key in ACTIONS_LAYOUT.keys}
    row.update(id=f"A-{n:04d}", ref=ref, action=action, accountable_officer=SAO,
               lead_officer=lead, start=start, timeframe=end, **more)
    return row


def _risk(n: int, title: str, owner, likelihood, impact) -> dict:
    row = {key: None for key in RISKS_LAYOUT.keys}
    row.update(id=f"R{n}", title=title, description=f"{title} may slip.",
               mitigation="Monthly review.", owner=owner, likelihood=likelihood,
               impact=impact)
    return score_risk(row, DEFAULT_THRESHOLDS)


def programme_master(plan: Plan) -> Book:
    """The master as the importer would make it (Timeframe = End, Start as printed)."""
    section = plan.sections[0]
    actions = [
        _action(1, "1.1", "Agree the savings programme", STEVE, "July 2024",
                "Oct 2024 (and ongoing)", section=section,
                progress_update="Savings agreed in principle.", rag="Green"),
        _action(2, "1.2", "Monitor delivery monthly", STEVE, "Started", "Ongoing",
                section=section, revised_end="Dec 2024"),
        _action(3, "1.3", "Review the constitution", LUCY, "June 2024", "Dec 2024",
                section=section),
    ]
    risks = [_risk(1, "Capacity", STEVE, 3, 4), _risk(2, "Data", LUCY, 2, 2),
             _risk(3, "Perception", None, 4, 4)]
    return Book(plan=plan, kind=MASTER, actions=actions, risks=risks,
                extra_settings={"plan_shape": PROGRAMME_SHAPE,
                                THRESHOLDS_SETTING: dict(DEFAULT_THRESHOLDS)})
