"""Three quarters of one council plan as masters, for the history acceptance tests:
the Aug 2019 tracker (seed 002, imported, Q2 2019/20), its Feb 2020 update (Q4 2019/20,
RAGs moved as a PMO's quarter would move them) and the Sep 2020 revision (Q2 2020/21,
applied with `revise`: section 1 withdrawn, sections renumbered, six new actions)."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import SAMPLE_PLAN
from test_revise import NEW_TEXTS, SEED  # the Sep 2020 revision's new actions
from tracker_docs import write_docx

from xltools.legacy.importer import import_legacy, write_import
from xltools.legacy.revise import revise
from xltools.plan import Plan
from xltools.workbook.reader import read_book
from xltools.workbook.writer import write_book

AUG_RAG = ("Green", "Amber", "Green", "Red")   # by position, repeating
FEB_RAG = ("Amber", "Amber", "Green", "Red")   # 1st worsens, 3rd and 4th stay
SEP_RAG = ("Red", "Green", "Green", "Red")     # 1st worsens again, 2nd improves


SLIPPING = 7  # the 8th action (in section 2, so it survives the revision) slips


KPI = {"measure": "Children in care per 10,000", "target": 50, "good_is": "Low"}


def _next(book, period: str, rags: tuple[str, ...], timeframe: str, kpi: float):
    book.plan = book.plan.with_changes(period=period)
    book.kpis = [dict(KPI, previous=book.kpis[0]["latest"], latest=kpi)]
    book.actions[SLIPPING]["timeframe"] = timeframe
    for n, action in enumerate(book.actions):
        action["previous_rag"], action["previous_progress"] = (action.get("rag"),
                                                                action.get("progress_update"))
        action["rag"] = rags[n % len(rags)]
        action["progress_update"] = f"{period} update {n + 1}"
    return book


def three_quarters(folder: Path, work: Path) -> dict[str, Path]:
    """The three masters in ``folder`` (the backfill folder); drafts in ``work``."""
    folder.mkdir(parents=True, exist_ok=True)
    work.mkdir(parents=True, exist_ok=True)
    report = import_legacy(SEED, plan=Plan.load(SAMPLE_PLAN), period="Q2 2019/20")
    for n, action in enumerate(report.book.actions):
        action["rag"] = AUG_RAG[n % len(AUG_RAG)]
        action["progress_update"] = f"Aug 2019 update {n + 1}"
    report.book.kpis = [dict(KPI, latest=60)]
    aug = write_import(report, folder / "tracker_aug2019.xlsx")
    feb = write_book(_next(read_book(aug), "Q4 2019/20", FEB_RAG, "June 2020", 57),
                     folder / "update_feb2020.xlsx", backup=False)
    pre = write_book(_next(read_book(feb), "Q2 2020/21", SEP_RAG, "December 2020", 52),
                     work / "before_sep.xlsx", backup=False)
    sep = revise(pre, _revised_plan(pre, work), folder / "revised_sep2020.xlsx").output
    return {"aug": aug, "feb": feb, "sep": Path(sep)}


def _revised_plan(master: Path, work: Path) -> Path:
    """The Sep 2020 version of the plan as its Word tracker (as tests/test_revise.py)."""
    actions = [dict(a) for a in read_book(master).actions if not a["ref"].startswith("1.")]
    for action in actions:
        major, minor = action["ref"].split(".")
        action["ref"] = f"{int(major) - 1}.{minor}"
        action["section"] = re.sub(r"^(\d)\.", lambda m: f"{int(m[1]) - 1}.",
                                   action["section"])
        action["progress_update"] = None
    last = actions[-1]
    for i, text in enumerate(NEW_TEXTS, start=7):
        actions.append(dict(last, ref=f"2.{i}", action=text, lead_officer="Jane Doe"))
    return write_docx(work / "plan_sep2020.docx", actions,
                      new_labels=("2.7", "2.8", "2.9", "2.10"))
