"""A programme plan's master held in memory, for the flags and next-quarter tests.

Twelve activities of one programme (Q2 2024/25), each with a Start, an End as printed
(the Timeframe) and a Revised end, chosen so every flag can be worked out by hand
(tests/test_flags_programme.py lists them); last quarter's revised end of 5.5 is
recorded in Settings as next quarter records it.
"""

from __future__ import annotations

from datetime import date

from xltools.plan import Plan
from xltools.reporting.flags import PREVIOUS_REVISED_END
from xltools.workbook.book import Book

AS_OF = date(2024, 10, 15)
SECTION = "3. Manage and monitor our delivery"
SAO, RDL = "Chief Executive", "Assistant Chief Executive"
UPDATED = date(2024, 10, 1)

# ref, start, end (Timeframe), revised end, progress, RAG
ACTIVITIES = [
    ("3.1", "June 2024", "Oct 2024 (and ongoing)", None, None, None),
    ("3.2", "Oct 2024", "Dec 2024", None, None, None),
    ("3.3", "Started", "Sept 2024", "Dec 2024", "Recruitment under way.", "Amber"),
    ("4.1", "July 2024", "Ongoing", "Mar 2025", "Monthly TCOB meetings held.", "Green"),
    ("4.2", "April 2024", "TBC", None, "Budget strategy drafted.", "Green"),
    ("5.1", "July 2024", "Aug 2024", None, None, "Not started"),
    ("5.2", "May 2024", "Aug 2024", "Sept 2024", "Report agreed by Cabinet.", "Complete"),
    ("5.3", "June 2024", "Dec 2024", date(2025, 1, 15), "Tender out.", "Green"),
    ("5.4", date(2024, 10, 1), "March 2025", None, "-", None),
    ("5.5", "Aug 2024", "Nov 2024", "Nov 2024", "Second draft with CLT.", "Amber"),
    ("5.6", "Ongoing", "Ongoing", None, None, None),
    ("5.7", "July 2024", "March 2025", None, None, "Green"),
]


def programme_book(plan: Plan) -> Book:
    """The activities above as a programme master held in memory (ID = P-<ref>)."""
    actions = []
    for ref, start, end, revised, progress, rag in ACTIVITIES:
        actions.append({
            "id": f"P-{ref}", "ref": ref, "section": SECTION, "action": f"Activity {ref}",
            "accountable_officer": SAO, "lead_officer": RDL, "timeframe": end,
            "start": start, "revised_end": revised, "previous_progress": None,
            "progress_update": progress, "rag": rag, "previous_rag": None,
            "last_updated": UPDATED if progress else None, "updated_by": None, "flags": None})
    plan = plan.with_changes(period="Q2 2024/25", deadline="2024-10-14")
    return Book(plan=plan, kind="master", actions=actions,
                extra_settings={"plan_shape": "programme",
                                PREVIOUS_REVISED_END: {"P-5.5": "Oct 2024"}})
