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
   pairs are taken first, and a pair below ``THRESHOLD`` is not a match.

Every match is reported with its score for the PMO to review (``--dry-run``
shows them without writing). A matched action keeps its ID, progress, RAG and
dates; its ref, section, officers and plan text follow the revision. A master
action the revision does not have is not deleted: it goes to the Archive as
**Withdrawn**, with the date and the reason. A revised action with no match is
new and gets the next free ID. Every change is one row of the Log.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..findings import INFO, WARNING, Finding, count_by_code
from ..plan import Plan, split_officers
from ..workbook.book import Book, Row, blank, clean_row
from ..workbook.layout import ACTIONS_LAYOUT, MASTER
from ..workbook.reader import read_book
from ..workbook.writer import write_book
from .columns import fold
from .ids import ID, scheme
from .importer import ImportReport, import_legacy
from .source import read_grid

THRESHOLD = 0.6  # below this a text match is too weak to claim
WAS_HEADERS = frozenset({"was", "old ref", "previous ref", "former ref", "original ref",
                         "was ref", "old no", "previous no", "old number", "formerly"})
WITHDRAWN = "Withdrawn"
PLAN_KEYS = ("ref", "section", "action", "accountable_officer", "lead_officer", "aim",
             "timeframe", "success_measure", "links")


@dataclass
class Match:
    """One revised action and the master action it was matched to (or None)."""

    revised: Row
    master: Row | None
    score: float
    how: str  # "id", "text" or "new"
    new_id: str | None = None  # the ID a new action is given

@dataclass
class RevisionReport:
    """What the revision did: matches, new and withdrawn actions, every change."""

    master: str
    revised: str
    matches: list[Match] = field(default_factory=list)
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
           mapping: dict[str, str] | None = None, today: date | None = None) -> RevisionReport:
    """Match ``revised`` to ``master`` and (unless ``out`` is None) write the new master."""
    master, revised = Path(master), Path(revised)
    if out is not None and Path(out).resolve() == master.resolve():
        raise UsageError(f"{out}: the revised master must go to a new file, not over the master")
    book = read_book(master)
    # the revision's own sections and officers: its numbering may have changed, so
    # matching headings to the master's sections by number would mislabel them
    blank_lists = book.plan.with_changes(sections=(), officers=())
    imported = import_legacy(revised, plan=blank_lists, mapping=mapping)
    report = RevisionReport(master.name, revised.name, imported=imported)
    namer = section_namer(book.plan.sections)
    for row in imported.book.actions:
        row["section"] = namer(row.get("section"))
    imported.book.plan = imported.book.plan.with_changes(
        sections=tuple(dict.fromkeys(namer(s) for s in imported.book.plan.sections)))
    report.matches = match_actions(book.actions, imported.book.actions, imported.source_ids,
                                   imported.labelled_new, old_refs(revised, imported))
    report.book = apply(book, report, today or date.today(), _sha256(master))
    if out is not None:
        report.output = str(write_book(report.book, out))
    return report


def section_namer(sections: tuple[str, ...]):
    """A revised heading that is a master section renumbered, or its longer or
    shorter wording ("2. Effective delivery…, accelerating pace…"), keeps the
    master's wording under its new number; other headings are new sections."""
    named = {_unnumbered(s): s for s in sections}

    def name(heading: Any) -> Any:
        if not heading:
            return heading
        words = _unnumbered(heading)
        same = next((m for m in named if m and (words == m or words.startswith(m)
                                                or m.startswith(words))), None)
        if same is None:
            return heading
        number = re.match(r"^\s*(\d{1,2}\s*[.:)–-]\s*)", str(heading))
        text = re.sub(r"^\s*\d{1,2}\s*[.:)–-]\s*", "", named[same])
        return (number.group(1) if number else "") + text

    return name


def _unnumbered(section: Any) -> str:
    return normalise(re.sub(r"^\s*\d{1,2}\s*[.:)–-]", "", str(section or "")))


# -- matching ------------------------------------------------------------------
def normalise(value: Any) -> str:
    """Action text as compared: lower case, words only, single spaces."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", str(value or "").casefold()).split())


def first_sentence(value: Any) -> str:
    return normalise(re.split(r"(?<=[.!?])\s", str(value or "").strip(), maxsplit=1)[0])


def similarity(a: Any, b: Any) -> float:
    """How alike two actions' texts are (0–1): the better of the first sentences'
    and the whole texts' similarity."""
    pairs = ((first_sentence(a), first_sentence(b)), (normalise(a), normalise(b)))
    return max((SequenceMatcher(None, x, y, autojunk=False).ratio() for x, y in pairs
                if x and y), default=0.0)


def old_refs(path: Path, imported: ImportReport) -> dict[int, str]:
    """Revised action (by position) → its old ref, from a "Was" / "Old ref" column.

    Such a column is not an Actions column, so the import leaves it out; it is
    read here from the same grid, under the header row that names it."""
    grid = read_grid(path)
    column: int | None = None
    by_line: dict[int, str] = {}
    for line, cells in grid.rows:
        names = [fold(c) for c in cells]
        found = next((i for i, n in enumerate(names) if n in WAS_HEADERS), None)
        if found is not None:
            column = found
        elif column is not None and column < len(cells):
            by_line[line] = " ".join(str(cells[column] or "").split()).rstrip(".")
    return {i: by_line[line] for i, line in enumerate(imported.lines)
            if by_line.get(line)}


def match_actions(master: list[Row], revised: list[Row], source_ids: set[str] = frozenset(),
                  labelled_new: set[str] = frozenset(),
                  was: dict[int, str] | None = None) -> list[Match]:
    """Each revised action's master action: by the ID the revised file gives, then
    by its old ref ("Was" column), then the best text pairs; an action the
    revision labels "NEW ACTION" is new."""
    by_id = {str(r["id"]).upper(): r for r in master if r.get("id")}
    refs = [str(r.get("ref")) for r in master if r.get("ref")]
    by_ref = {str(r["ref"]): r for r in master if r.get("ref") and refs.count(str(r["ref"])) == 1}
    taken: set[int] = set()
    result: dict[int, Match] = {}
    for i, row in enumerate(revised):
        own = str(row.get("id") or "").upper() if row.get("id") in source_ids else ""
        if own in by_id and id(by_id[own]) not in taken:
            result[i] = Match(row, by_id[own], 1.0, "id")
            taken.add(id(by_id[own]))
    for i, old in (was or {}).items():
        if i not in result and old in by_ref and id(by_ref[old]) not in taken:
            result[i] = Match(revised[i], by_ref[old], 1.0, "was")
            taken.add(id(by_ref[old]))
    free = [i for i, r in enumerate(revised) if i not in result
            and r.get("id") not in labelled_new]
    pairs = sorted(((similarity(m.get("action"), revised[i].get("action")), i, j)
                    for i in free for j, m in enumerate(master) if id(m) not in taken),
                   reverse=True)
    for score, i, j in pairs:
        if score < THRESHOLD:
            break
        if i in result or id(master[j]) in taken:
            continue
        result[i] = Match(revised[i], master[j], score, "text")
        taken.add(id(master[j]))
    return [result.get(i) or Match(row, None, 0.0, "new") for i, row in enumerate(revised)]


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
    for old in book.actions:
        if id(old) not in kept:
            gone = _withdrawn(old, today, report.revised)
            report.withdrawn.append(gone)
            archive.append(gone)
            report.findings.append(_finding(
                "WITHDRAWN", f"{gone['id']} {old.get('ref') or ''} '{_short(old.get('action'))}'"
                " is not in the revised plan: moved to the Archive as Withdrawn", gone, report))
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


def _withdrawn(row: Row, today: date, source: str) -> Row:
    gone = clean_row(row)
    gone["rag"] = WITHDRAWN
    note = f"Withdrawn {today:%d/%m/%Y}: not in the revised plan ({source})"
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
    out += [row(f"{r['id']} withdrawn: not in the revised plan") for r in report.withdrawn]
    return out


def _finding(code: str, message: str, row: Row, report: RevisionReport, **kw: Any) -> Finding:
    return Finding(code, message, file=report.revised, action_id=row.get("id"), **kw)


def _short(value: Any, limit: int = 60) -> str:
    value = " ".join(str(value or "").split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
