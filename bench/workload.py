"""The bench's workloads: a plan, a master of returns × actions, and filled returns.

Two workloads share one shape (one officer per return, ``actions`` actions each):

* ``light`` — short texts (a line each), the original ``make bench`` workload;
* ``heavy`` — the issue-17 workload: the improvement action, the success measure
  and every progress update are paragraphs of several sentences in council
  wording, different on every row, drawn from a seeded generator so two runs
  write the same files.

Generating is setup, not measured: the master is written with xltools' own
writer and the officers' answers with its own return writer (fast, so a
3,000-return run spends its time on the steps that are timed).
"""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

from xltools.cycle.returns import plan_returns, write_returns
from xltools.plan import Plan
from xltools.workbook.book import Book
from xltools.workbook.layout import MASTER
from xltools.workbook.reader import read_book
from xltools.workbook.writer import write_book

WORKLOADS = ("light", "heavy")
RAGS = ("Green", "Green", "Amber", "Red", "Complete", "Not started")
SEED = 17

SERVICES = ("adult social care", "children's services", "highways", "waste and recycling",
            "libraries", "housing benefit", "council tax collection", "school transport",
            "planning", "building control", "parks and open spaces", "customer services",
            "procurement", "the property estate", "public health", "trading standards")
VERBS = ("Review", "Redesign", "Reduce", "Consolidate", "Commission", "Bring in-house",
         "Digitise", "Re-procure", "Rationalise", "Strengthen", "Integrate", "Streamline")
OBJECTS = ("agency staffing", "the contract for {s}", "demand for {s}", "back-office support "
           "to {s}", "the management structure of {s}", "income collection in {s}",
           "the vehicle fleet used by {s}", "spot-purchased placements", "printing and postage",
           "office accommodation", "the duty rota in {s}", "the use of consultants")
MEANS = ("through the Agency Challenge Panel", "with the {p} partnership board",
         "using the benchmarking from CIPFA nearest neighbours", "by moving to a single "
         "digital front door", "alongside the voluntary and community sector",
         "in line with the Medium Term Financial Strategy", "through a joint procurement with "
         "neighbouring districts", "as part of the Smarter Working programme")
WHY = ("so that spend returns to budget by the end of {y}.", "to release £{k}k a year from "
       "{y}.", "so that residents get a decision within {d} working days.", "to meet the "
       "statutory duties that apply from April {y2}.", "so that the service is sustainable "
       "beyond the current spending review.", "and report the outcome to Cabinet in {m}.")
PROGRESS = (
    "The project board met on {dd} {m} and agreed the revised business case.",
    "{n} posts have been released and a further {n2} are under review by the panel.",
    "Spend in the quarter was £{k}k against a profile of £{k2}k, a variance of {pc}%.",
    "Consultation with staff and the trade unions closed on {dd} {m} with {n} responses.",
    "The new case management system went live in {s} and early feedback is positive.",
    "Procurement has been delayed because the framework expired; a waiver is being sought.",
    "Benchmarking against our statistical neighbours shows we remain in the top quartile "
    "for cost but the bottom quartile for timeliness.",
    "A report goes to the Corporate Leadership Team in {m} setting out the options.",
    "Demand rose by {pc}% over the same quarter last year, which puts the saving at risk.",
    "Recruitment to the permanent team is complete and agency use fell by {pc}%.",
    "The pilot in {s} finished in {m}; the evaluation recommends rolling it out county-wide.",
    "Legal advice has been received on the contract variation and negotiations continue.",
    "Members were briefed at the Overview and Scrutiny Committee on {dd} {m}.",
    "Data quality issues mean the quarter's figures are provisional until the audit closes.",
    "Savings of £{k}k have been banked to date; the remainder depends on the restructure.",
    "The action is on track and the next milestone is the go-live review in {m}.",
)
MEASURES = ("Agency spend below £{k}k a quarter by {m} {y}.", "{pc}% of cases closed within "
            "{d} working days, measured monthly.", "Net saving of £{k}k a year confirmed by "
            "Finance at outturn.", "Customer satisfaction at or above {pc}% in the annual "
            "survey.", "No increase in complaints or Ombudsman findings in the year.",
            "Caseloads within the agreed limit of {n} per worker.", "The new model is in "
            "place for every team in {s} by {m} {y}.", "Budget monitoring shows the service "
            "within {pc2}% of its profile for three successive quarters.")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "September",
          "October", "November", "December")


def _fill(rng: random.Random, text: str) -> str:
    """One template sentence with its blanks filled from ``rng``."""
    return text.format(s=rng.choice(SERVICES), p=rng.choice(("Health and Wellbeing",
                       "Safeguarding", "Local Enterprise")), y=rng.choice(("2019/20",
                       "2020/21", "2021/22")), y2=rng.choice(("2020", "2021")),
                       k=rng.randrange(20, 900), k2=rng.randrange(20, 900),
                       d=rng.choice((5, 10, 15, 20, 28)), m=rng.choice(MONTHS),
                       dd=rng.randrange(1, 29), n=rng.randrange(2, 40),
                       n2=rng.randrange(2, 20), pc=rng.randrange(2, 35),
                       pc2=rng.randrange(1, 6))


def _sentences(rng: random.Random, pool: tuple[str, ...], low: int, high: int) -> str:
    return " ".join(_fill(rng, s) for s in rng.sample(pool, rng.randint(low, high)))


def action_text(seed: str) -> str:
    """An improvement action of two to four sentences."""
    rng = random.Random(f"action:{seed}")
    first = (f"{rng.choice(VERBS)} {_fill(rng, rng.choice(OBJECTS))} "
             f"{_fill(rng, rng.choice(MEANS))} {_fill(rng, rng.choice(WHY))}")
    return f"{first} {_sentences(rng, PROGRESS[:8], 1, 3)}"


def measure_text(seed: str) -> str:
    """A success measure of two or three sentences."""
    return _sentences(random.Random(f"measure:{seed}"), MEASURES, 2, 3)


def progress_text(seed: str) -> str:
    """A progress update of four to seven sentences."""
    return _sentences(random.Random(f"progress:{seed}"), PROGRESS, 4, 7)


def make_plan(n_officers: int) -> Plan:
    officers = tuple(f"Officer {i:04d}" for i in range(n_officers))
    return Plan(organisation="Bench Council", title="Benchmark plan", period="Q2 2019/20",
                officers=officers, sections=("1. Finance", "2. Change", "3. Practice"),
                deadline="2019-10-14")


def master_row(plan: Plan, officer: str, n: int, a: int, heavy: bool) -> dict:
    """Action ``n`` (the ``a``-th of ``officer``), light or heavy."""
    seed = f"{SEED}:{n}"
    return {
        "id": f"A-{n:06d}", "ref": f"{a % 3 + 1}.{a + 1}", "section": plan.sections[a % 3],
        "action": action_text(seed) if heavy else f"Improvement action {n}: " * 3,
        "accountable_officer": officer, "lead_officer": officer,
        "aim": "What we hope to achieve, in a sentence or two. " * 2,
        "timeframe": "Quarterly",
        "success_measure": measure_text(seed) if heavy else "A measurable outcome. " * 2,
        "progress_update": (progress_text(f"{seed}:q1") if heavy
                            else f"Last quarter's progress on action {n}."),
        "rag": "Green",
    }


def make_master(plan: Plan, actions_each: int, path: Path, heavy: bool = False) -> Path:
    rows = [master_row(plan, officer, o * actions_each + a + 1, a, heavy)
            for o, officer in enumerate(plan.officers) for a in range(actions_each)]
    return write_book(Book(plan=plan, kind=MASTER, actions=rows), path)


def fill_returns(master: Path, folder: Path, heavy: bool = False) -> int:
    """Every officer's return, answered (updates, RAG, dates — some invalid on purpose),
    written with xltools' return writer into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    jobs, _ = plan_returns(read_book(master), folder, "lead")
    for i, (book, _path) in enumerate(jobs):
        for j, row in enumerate(book.actions):
            row["progress_update"] = (progress_text(f"{SEED}:{row['id']}:q2") if heavy
                                      else f"Update {i}-{j}: work continues; see highlight "
                                      "report.")
            row["rag"] = RAGS[(i + j) % len(RAGS)] if (i + j) % 97 else "Purple"  # invalid
            row["last_updated"] = date(2019, 9, 20) if (i + j) % 89 else "20th Sept"
            row["updated_by"] = book.officer
    write_returns(jobs)
    return len(jobs)
