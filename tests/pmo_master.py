"""A hand-built Q2 2019/20 master for the roll-up, flags, KPI and Dashboard tests.

Twelve actions from the sample plan's three sections, chosen so every count and
flag can be worked out by hand (the expected values are in the tests). As of
14 October 2019 (the return deadline), the period runs 1 July – 30 September
2019 and the stale threshold is 90 days.
"""

from __future__ import annotations

from datetime import date

from xltools.plan import Plan
from xltools.workbook.book import Book

S1 = "1. Addressing the in-year financial challenges"
S2 = "2. Effective delivery of change programmes"
S3 = "3. Creating the conditions for good practice to flourish"
AS_OF = date(2019, 10, 14)

# id, ref, section, accountable, lead, timeframe, previous progress, progress,
# RAG, previous RAG, last updated, flags already in the cell
ACTIONS = [
    ("A-0001", "1.1", S1, "Colin Pettigrew", "Steve Edwards",
     "Quarterly. Next meeting 24 September 2019", "Quarterly reviews in place.",
     "Quarterly reviews in place. Agency spend down 4%.", "Green", "Amber",
     date(2019, 10, 1), None),
    ("A-0002", "1.2", S1, "Colin Pettigrew / Nigel Stevenson",
     "Laurence Jones / Sue Summerscales", "Completed every quarter.",
     "Quarterly reviews in place.", "quarterly reviews   in place.", "Green", "Green",
     date(2019, 9, 20), None),
    ("A-0003", "1.3", S1, "Colin Pettigrew / Nigel Stevenson", "Simon Lacey", "November 2019",
     "Fieldwork has commenced.", None, "Amber", "Green", None, None),
    ("A-0004", "1.5", S1, "Colin Pettigrew", "Steve Edwards", "Report completed July 2019",
     "Audit undertaken.", "Draft report with the Service Director.", "Amber", "Amber",
     date(2019, 6, 28), None),
    ("A-0005", "2.3", S2, "Colin Pettigrew", "Jon Hawketts", "First two homes by September 2019",
     "First home open.", "Both homes open.", "Complete", "Green", date(2019, 10, 2), None),
    ("A-0006", "2.1", S2, "Marje Toward", "Luke Barrett / Catherine Kelly", "Details", None,
     "Campaign launched in September.", "Red", None, date(2019, 9, 15), None),
    ("A-0007", "2.4", S2, "Colin Pettigrew", "Jon Hawketts", "Q3 2019/20",
     "Tenders due back.", "Tenders evaluated.", None, "Green", date(2019, 10, 10), None),
    ("A-0008", "3.1", S3, "Adrian Smith", "Derek Higton", "To be determined.", None, "-",
     "Not started", "Not started", None, None),
    ("A-0009", "3.5", S3, "Colin Pettigrew", "Lucy Peel",
     "Pilot commences June 2019. Full rollout out January 2020 pending evaluation.",
     "Initial Schwartz Rounds held.", "Schwartz Rounds running monthly.", "Green", "Red",
     date(2019, 7, 1), None),
    ("A-0010", "3.6", S3, "Colin Pettigrew / Marje Toward", "Lucy Peel / Helen Richardson",
     "14/10/2019", "Steering group planned.", "Steering group established.", "Red", "Amber",
     date(2019, 10, 14),
     "INVALID: RAG status 'Red/Amber' was typed over the dropdown\n"
     "OVERDUE: a stale line from an earlier run"),
    ("A-0011", "3.2", S3, "Nigel Stevenson", "Nigel Harlow", "Implementation from September 2019",
     "Pilot agreed.", "Pilot running in two teams.", "Green", "Green", date(2019, 9, 30), None),
    ("A-0012", "2.8", S2, "Nigel Stevenson", "Rob Disney",
     "End of September 2019 for Ofsted reporting Further development by June 2020", None,
     "Meeting scheduled 19 August to progress.", "Amber", None, date(2019, 8, 19), None),
]

KEYS = ("id", "ref", "section", "accountable_officer", "lead_officer", "timeframe",
        "previous_progress", "progress_update", "rag", "previous_rag", "last_updated", "flags")

KPIS = [
    # measure, latest, target, good is, previous → RAG, trend (5% tolerance)
    ("Re-referrals within 12 months (%)", 21.8, 22.0, "Low", 23.4),       # Green, Improved
    ("Assessments within 45 working days (%)", 81.2, 85.0, "High", 83.5),  # Amber, Worsened
    ("Children looked after with 3+ placements (%)", 11.4, 10.0, "Low", 10.9),  # Red, Worsened
    ("Children looked after per 10,000", 55.2, None, "Low", 55.2),         # none, No change
]


def master_book(plan: Plan) -> Book:
    """The twelve actions and four KPIs as a master Book."""
    actions = [{**dict(zip(KEYS, values, strict=True)), "action": f"Action {values[1]}",
                "updated_by": None} for values in ACTIONS]
    kpis = [{"measure": m, "department": "Children and Families", "latest": latest,
             "latest_period": "Q2 2019/20", "target": target, "good_is": good,
             "previous": prev, "national": None} for m, latest, target, good, prev in KPIS]
    return Book(plan=plan, kind="master", actions=actions, kpis=kpis)
