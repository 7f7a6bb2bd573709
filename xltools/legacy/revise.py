"""Apply a revised version of the plan to a master (``xltools revise``).

Plans change between quarters: a section is dropped, the others renumbered,
actions reworded, officers changed, new actions added. The master's actions
carry IDs, progress and history that must survive that, so the revised plan
(any tracker ``import`` reads: docx, pdf, xlsx, csv) is imported on its own and
each of its actions is matched to the master's:

1. by ID, when the revised file has an ID column of xltools IDs;
2. by old ref, when it has a "Was" / "Old ref" column;
3. otherwise by the action text: the first sentence and the whole text,
   normalised (case, punctuation, spacing), compared with difflib; the best
   pairs are taken first, and a pair below ``matching.THRESHOLD`` is not a match.

Every match is reported with its score for the PMO to review (``--dry-run``
shows them without writing). A matched action keeps its ID, progress, RAG and
dates; its ref, section, officers and plan text follow the revision. A master
action the revision does not have is not deleted: it goes to the Archive as
**Withdrawn**, with the date and the reason. A revised action with no match is
new and gets the next free ID. Every change is one row of the Log.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..findings import INFO, WARNING, Finding, count_by_code
from ..plan import Plan, split_officers
from ..status import normalise
from ..workbook.book import Book, Row, blank, clean_row
from ..workbook.layout import ACTIONS_LAYOUT, MASTER
from ..workbook.reader import read_book
from ..workbook.writer import write_book
from .ids import ID, scheme
from .importer import ImportReport, import_legacy
from .matching import Match, match_actions, old_refs, section_namer

WITHDRAWN = "Withdrawn"
# statuses by which a revised plan says an action is no longer in it
WITHDRAWING = ("withdrawn", "closed", "deleted", "removed", "cancelled", "no longer required",
               "superseded")
PLAN_KEYS = ("ref", "section", "action", "accountable_officer", "lead_officer", "aim",
             "timeframe", "success_measure", "links")


@dataclass
class RevisionReport:
    """What the revision did: matches, new and withdrawn actions, every change."""

    master: str
    revised: str
    matches: list[Match] = field(default_factory=list)
    marked: list[Match] = field(default_factory=list)  # withdrawn by their revised status
    reasons: dict[str, str] = field(default_factory=dict)  # withdrawn ID → why, in words
    withdrawn: list[Row] = field(default_factory=list)
    changes: list[tuple[str, str, Any, Any]] = field(default_factory=list)  # id, key, old, new
    findings: list[Finding] = field(default_factory=list)
    imported: ImportReport | None = None
    book: Book | None = None
    output: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "master": self.master, "revised": self.revised, "output": self.output,
            "matches": [{"id": m.master.get("id") if m.master else m.new_id,
                         "ref": m.revised.get("ref"),
                         "was": m.master.get("ref") if m.master else None,
                         "how": m.how, "score": round(m.score, 2),
                         "action": _short(m.revised.get("action"))} for m in self.matches],
            "withdrawn": [{"id": r.get("id"), "ref": r.get("ref"),
                           "action": _short(r.get("action"))} for r in self.withdrawn],
            "changes": [{"id": i, "column": ACTIONS_LAYOUT.column(k).name, "old": o, "new": n}
                        for i, k, o, n in self.changes],
            "counts": count_by_code(self.findings),
            "findings": [f.to_dict() for f in self.findings],
        }


def revise(master: str | Path, revised: str | Path, out: str | Path | None = None, *,
           mapping: dict[str, str] | None = None, today: date | None = None,
           force: bool = False) -> RevisionReport:
    """Match ``revised`` to ``master`` and (unless ``out`` is None) write the new master.

    The revised plan's own import findings (REVIEW, NOT_AN_ACTION, unmapped
    statuses…) come first in the report and go into the Log: a revision read
    by a guess must not look clean. ``force`` is the import's ``--force``."""
    master, revised = Path(master), Path(revised)
    if out is not None and Path(out).resolve() == master.resolve():
        raise UsageError(f"{out}: the revised master must go to a new file, not over the master")
    book = read_book(master)
    # the revision's own sections and officers: its numbering may have changed, so
    # matching headings to the master's sections by number would mislabel them
    blank_lists = book.plan.with_changes(sections=(), officers=())
    imported = import_legacy(revised, plan=blank_lists, mapping=mapping, force=force,
                             known_names=tuple(book.plan.individual_officers))
    report = RevisionReport(master.name, revised.name, imported=imported,
                            findings=carried_findings(imported))
    namer = section_namer(book.plan.sections)
    for row in imported.book.actions:
        row["section"] = namer(row.get("section"))
    imported.book.plan = imported.book.plan.with_changes(
        sections=tuple(dict.fromkeys(namer(s) for s in imported.book.plan.sections)))
    matches = match_actions(book.actions, imported.book.actions, imported.source_ids,
                            imported.labelled_new, old_refs(revised, imported))
    said = imported.status_text
    report.marked = [m for m in matches if withdrawing(said.get(str(m.revised.get("id"))))]
    report.matches = [m for m in matches if m not in report.marked]
    report.book = apply(book, report, today or date.today(), _sha256(master))
    if out is not None:
        report.output = str(write_book(report.book, out))
    return report


def withdrawing(status: str | None) -> bool:
    """A revised plan's status that takes the action out ("Withdrawn", "Closed"…)."""
    said = normalise(status or "")
    return any(said == w or said.startswith(w + " ") for w in WITHDRAWING)


def carried_findings(imported: ImportReport) -> list[Finding]:
    """The revised file's import findings worth the PMO's eye (not skipped rows)."""
    return [f for f in imported.findings if f.code != "SKIPPED_ROW"]


# -- applying ------------------------------------------------------------------
def apply(book: Book, report: RevisionReport, today: date, sha256: str) -> Book:
    """The new master: revised order and plan text, the master's IDs and history."""
    archive = [clean_row(r) for r in book.archive]
    prefix, width, top = scheme({str(r.get("id")) for r in book.actions + archive
                                 if ID.match(str(r.get("id") or ""))})
    actions: list[Row] = []
    for match in report.matches:
        if match.master is None:
            top += 1
            row = {k: v for k, v in clean_row(match.revised).items() if k in ACTIONS_LAYOUT.keys}
            row["id"] = match.new_id = f"{prefix}-{top:0{width}d}"
            report.findings.append(_finding("NEW_ACTION", f"new action {row.get('ref') or ''} "
                                            f"'{_short(row.get('action'))}' given ID "
                                            f"{row['id']}", row, report))
        else:
            row = _updated(match, report)
            how = {"id": "its ID", "was": "its old ref"}.get(
                match.how, f"its text (score {match.score:.2f})")
            report.findings.append(_finding(
                "MATCHED", f"{row['id']} (was {match.master.get('ref') or 'no ref'}) matched "
                f"to revised {match.revised.get('ref') or 'no ref'} by {how}", row, report,
                severity=INFO if match.score >= 0.85 else WARNING,
                extra={"score": round(match.score, 2)}))
        actions.append(row)
    kept = {id(m.master) for m in report.matches if m.master is not None}
    marked = {id(m.master): report.imported.status_text.get(str(m.revised.get("id")))
              for m in report.marked if m.master is not None}
    for old in book.actions:
        if id(old) not in kept:
            said = marked.get(id(old))
            why = (f"marked '{said}' in the revised plan" if said else
                   "not in the revised plan")
            gone = _withdrawn(old, today, report.revised, why)
            report.reasons[str(gone["id"])] = why
            report.withdrawn.append(gone)
            archive.append(gone)
            report.findings.append(_finding(
                "WITHDRAWN", f"{gone['id']} {old.get('ref') or ''} '{_short(old.get('action'))}'"
                f" is {why}: moved to the Archive as Withdrawn", gone, report))
    for m in report.marked:
        if m.master is None:
            report.findings.append(_finding(
                "WITHDRAWN", f"revised {m.revised.get('ref') or 'action'} "
                f"'{_short(m.revised.get('action'))}' is marked "
                f"'{report.imported.status_text.get(str(m.revised.get('id')))}' and matches no "
                "master action: not added", m.revised, report))
    plan = _revised_plan(book.plan, report.imported.book.plan, actions)
    log = [clean_row(r) for r in book.log] + _log_rows(report, book.plan.period, sha256)
    extra = {**book.extra_settings, "revised_from": report.revised}
    return Book(plan=plan, kind=MASTER, actions=actions, savings=list(book.savings),
                kpis=list(book.kpis), archive=archive, log=log, extra_settings=extra)


def _updated(match: Match, report: RevisionReport) -> Row:
    """The master row with the revision's plan text; progress and dates kept."""
    row = clean_row(match.master)
    for key in PLAN_KEYS:
        new = match.revised.get(key)
        if blank(new) and key not in ("ref", "section"):
            continue  # a column the revision lacks is not a change
        if _same(row.get(key), new):
            continue
        report.changes.append((row["id"], key, row.get(key), new))
        row[key] = new
    return row


def _same(old: Any, new: Any) -> bool:
    return " ".join(str(old or "").split()) == " ".join(str(new or "").split())


def _withdrawn(row: Row, today: date, source: str, why: str = "not in the revised plan"
               ) -> Row:
    gone = clean_row(row)
    gone["rag"] = WITHDRAWN
    note = f"Withdrawn {today:%d/%m/%Y}: {why} ({source})"
    gone["flags"] = "\n".join(x for x in (note, gone.get("flags")) if x)
    return gone


def _revised_plan(plan: Plan, revised: Plan, actions: list[Row]) -> Plan:
    """Sections as the revision has them; officers: the master's, plus any new."""
    sections = tuple(dict.fromkeys([*(a["section"] for a in actions if a.get("section")),
                                    *revised.sections]))
    known = {o.casefold() for o in plan.officers}
    used = [a[k] for a in actions for k in ("accountable_officer", "lead_officer") if a.get(k)]
    singles = [n for entry in used for n in split_officers(entry)]
    added = [o for o in dict.fromkeys([*singles, *used]) if o.casefold() not in known]
    return plan.with_changes(sections=sections, officers=tuple(plan.officers) + tuple(added))


def _log_rows(report: RevisionReport, period: str, sha256: str) -> list[Row]:
    when = datetime.now().strftime("%Y-%m-%d %H:%M:%S")

    def row(notes: str) -> Row:
        return {"when": when, "file": report.revised, "sha256": sha256, "officer": None,
                "period": period, "accepted": None, "rejected": None, "notes": notes}

    out = [row(f"revise: {report.master} revised from {report.revised}: "
               f"{sum(1 for m in report.matches if m.master)} matched, "
               f"{sum(1 for m in report.matches if not m.master)} new, "
               f"{len(report.withdrawn)} withdrawn")]
    for action_id, key, old, new in report.changes:
        out.append(row(f"{action_id} {ACTIONS_LAYOUT.column(key).name}: "
                       f"'{_short(old)}' → '{_short(new)}'"))
    out += [row(f"{m.new_id} new: '{_short(m.revised.get('action'))}'")
            for m in report.matches if m.master is None]
    out += [row(f"{r['id']} withdrawn: "
                f"{report.reasons.get(str(r['id']), 'not in the revised plan')}")
            for r in report.withdrawn]
    carried = [f for f in report.imported.findings if f.code != "SKIPPED_ROW"
               and f.severity != INFO] if report.imported else []
    if carried:
        counts = ", ".join(f"{n} {code}" for code, n in count_by_code(carried).items())
        out.append(row(f"revise: reading {report.revised} found {counts} — check these cells "
                       "against the revised plan"))
        out += [row(f"{report.revised} {f.cell or ''} {f.code}: {_short(f.message, 200)}")
                for f in carried]
    return out


def _finding(code: str, message: str, row: Row, report: RevisionReport, **kw: Any) -> Finding:
    return Finding(code, message, file=report.revised, action_id=row.get("id"), **kw)


def _short(value: Any, limit: int = 60) -> str:
    value = " ".join(str(value or "").split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
