"""Import a legacy tracker (Word, PDF, xlsx, or CSV/TSV text) as a master.

DESIGN.md §5.2. The PMO's existing plan becomes the first master: every action
with a stable ID (the source's own ``ID`` column when it holds xltools IDs —
``ids.py`` — else ``A-0001``… in the order of the source), its section, its
officers split into names the Lists sheet can hold, and its free-text status
mapped to the RAG scheme. The tracker's progress column is the latest
progress, so it goes to ``Progress update`` (and its status to ``RAG status``);
``Previous progress`` stays empty until the first next-quarter roll-forward.

Nothing is dropped silently: the report accounts for every source row that
was merged, skipped, realigned, repaired or could not be placed, and every
status that could not be mapped (kept in the Progress update and Flags).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..findings import Finding, count_by_code, flags_text
from ..officer_names import learn_names, split_cell
from ..periods import Quarter
from ..plan import OFFICER_SEPARATOR, Plan, join_officers, split_officers
from ..status import StatusMapper, normalise
from ..workbook.book import Book, Row
from ..workbook.layout import ACTIONS_LAYOUT, LIST_HEADERS, LISTS, MASTER, col_letter
from ..workbook.validate import validate_book
from ..workbook.writer import write_book
from .columns import HeaderMatcher
from .ids import assign_ids
from .programme import build_programme_book
from .programme_parse import looks_like_programme_plan
from .rows import Draft, Parsed, cell_ref, parse_grid, text
from .shape import row_problems, too_many
from .source import Grid, SourceNote, read_grid

DATE_FORMATS = ("%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d", "%d %B %Y", "%d %b %Y", "%d.%m.%Y")
OFFICER_KEYS = ("accountable_officer", "lead_officer")


@dataclass
class ImportReport:
    """The imported master and everything the PMO should know about the import."""

    source: str
    book: Book
    findings: list[Finding] = field(default_factory=list)
    statuses: dict[str, str | None] = field(default_factory=dict)
    rows_read: int = 0
    lines: list[int] = field(default_factory=list)  # each action's first source line
    source_ids: set[str] = field(default_factory=set)  # IDs kept from the source's ID column
    labelled_new: set[str] = field(default_factory=set)  # IDs of rows labelled "NEW ACTION"
    status_text: dict[str, str] = field(default_factory=dict)  # ID → status as the source says

    def to_dict(self) -> dict[str, Any]:
        plan = self.book.plan
        return {
            "source": self.source,
            "period": plan.period,
            "rows_read": self.rows_read,
            "actions": len(self.book.actions),
            "refs": [a.get("ref") for a in self.book.actions],
            "sections": list(plan.sections),
            "officers": list(plan.officers),
            "statuses": self.statuses,
            "counts": count_by_code(self.findings),
            "findings": [f.to_dict() for f in self.findings],
        }


def import_legacy(source: str | Path, *, plan: Plan | None = None, period: str | None = None,
                  mapping: dict[str, str] | None = None,
                  status_mapping: dict[str, str] | None = None,
                  force: bool = False, known_names: tuple[str, ...] = ()) -> ImportReport:
    """Read ``source`` and build the master Book (not written; see ``write_import``).

    ``mapping`` is a resolved header mapping (``columns.load_mapping``);
    ``status_mapping`` extra {status text: RAG} entries on top of the plan's.
    More than a few rows that do not look like tracker actions stop the import
    (``shape.py``) unless ``force``; either way each is reported.
    ``known_names``: officers a PDF's wrapped lines must not split, besides the
    plan's (``revise`` gives the master's).
    """
    source = Path(source)
    matcher = HeaderMatcher(mapping)
    plan = _base_plan(plan, period, source, status_mapping)
    mapper = StatusMapper(plan)
    matcher.status_test = lambda value: mapper.map(value) is not None
    grid = read_grid(source, lambda rows: any(matcher.is_header(_texts(r)) for r in rows),
                     tuple(plan.individual_officers) + tuple(known_names))
    if looks_like_programme_plan(grid.rows):  # not a tracker: aims, programmes, risks
        return _import_programme(grid, plan)
    parsed = parse_grid(grid, matcher)
    if parsed.first_header is None:
        raise UsageError(_no_header(grid))
    report = _build(grid, parsed, plan, mapper)
    _check_shape(report, grid, force)
    return report


def _import_programme(grid: Grid, plan: Plan) -> ImportReport:
    """A programme plan (issue 27; ``programme.py``) as a master, with the same
    report as a tracker's import."""
    book, findings, lines = build_programme_book(grid, plan)
    notes = [_Where(grid, {}).source(n) for n in grid.notes]  # located as a tracker's are
    return ImportReport(grid.file, book, notes + findings + _validate(book), {},
                        len(grid.rows), lines)


def _check_shape(report: ImportReport, grid: Grid, force: bool) -> None:
    """Report rows that are not tracker actions; stop when there are too many."""
    actions = report.book.actions
    has_refs = sum(1 for a in actions if a.get("ref")) > len(actions) / 2
    odd = []
    for row, draft_line in zip(actions, report.lines, strict=True):
        problems = row_problems(row, has_refs)
        if problems:
            odd.append((draft_line, problems))
            report.findings.append(Finding(
                "NOT_AN_ACTION", f"{'; '.join(problems)} — check this is a tracker action",
                file=grid.file, sheet=grid.sheet, cell=f"A{draft_line}",
                action_id=row.get("id"), got=_short(row.get("action"))))
    unplaced = sorted({_line(f.cell) for f in report.findings if f.code == "UNPLACED_ROW"})
    forced = list(odd)
    odd += [(line, ["text outside the columns"]) for line in unplaced]
    total = len(actions) + len(unplaced)
    if odd and too_many(len(odd), total):
        if not force:
            raise UsageError(_shape_summary(grid.file, sorted(odd), total))
        _mark_forced(report, grid, dict(forced))


def _mark_forced(report: ImportReport, grid: Grid, problems: dict[int, list[str]]) -> None:
    """--force over a source that does not look like a tracker: every row that does
    not look like an action says so in its Flags (FORCED), so the master shows it
    and ``check`` counts it until the PMO corrects or deletes the row."""
    for row, line in zip(report.book.actions, report.lines, strict=True):
        if line not in problems:
            continue
        finding = Finding("FORCED", f"imported with --force: {'; '.join(problems[line])} — "
                          "correct it into a tracker action or delete the row",
                          file=grid.file, sheet=grid.sheet, cell=f"A{line}",
                          action_id=row.get("id"), got=_short(row.get("action")))
        report.findings.append(finding)
        row["flags"] = "\n".join(x for x in (row.get("flags"), flags_text([finding])) if x)


def _shape_summary(file: str, odd: list[tuple[int, list[str]]], total: int) -> str:
    kinds: dict[str, int] = {}
    for _, problems in odd:
        for problem in problems:
            kind = ("officer cells that are sentences" if problem.startswith("officer") else
                    "rows with " + problem if problem == "no ref" else
                    problem.replace("looks like a ", "") + "s" if "like" in problem else
                    "rows with " + problem)
            kinds[kind] = kinds.get(kind, 0) + 1
    summary = ", ".join(f"{n} {kind}" for kind, n in kinds.items())
    lines = ", ".join(str(line) for line, _ in odd[:8]) + ("…" if len(odd) > 8 else "")
    return (f"{file}: {len(odd)} of {total} rows do not look like tracker actions ({summary}; "
            f"rows from source lines {lines}) — this does not look like an action tracker, so "
            "no master was written. Import the tracker table itself, correct the --mapping, "
            "or use --force to import with those rows flagged (NOT_AN_ACTION)")


def _short(value: Any, limit: int = 60) -> str:
    value = " ".join(str(value or "").split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _no_header(grid: Grid) -> str:
    filled = [sum(1 for c in cells if text(c)) for _, cells in grid.rows]
    tabular = sum(1 for n in filled if n >= 3)
    if tabular < 0.05 * sum(1 for n in filled if n):  # a few commas in prose are not a table
        return (f"{grid.file}: no columns found (no tabs or commas between cells) — text "
                "extracted from a PDF loses its table; import the PDF itself "
                "(xltools import paper.pdf) or the Word document instead")
    return (f"{grid.file}: no header row found (looked for column names such as "
            "'Improvement action', 'Lead officer', 'Progress'); name the columns with "
            "--mapping")


def write_import(report: ImportReport, out: str | Path) -> Path:
    """Write the imported master atomically (an existing file is kept as a backup)."""
    return write_book(report.book, out)


def _texts(row: list[Any]) -> list[Any]:
    return [c if isinstance(c, str) else ("" if c is None else str(c)) for c in row]


def _base_plan(plan: Plan | None, period: str | None, source: Path,
               status_mapping: dict[str, str] | None) -> Plan:
    """The plan the master is built on: the given one (or a minimal one), with the
    import's period and status mapping."""
    if plan is None:
        if not period:
            raise UsageError("without --plan, give the reporting period with --period "
                             "(e.g. \"Q2 2019/20\")")
        plan = Plan(organisation="Organisation (set in the plan)",
                    title=f"Improvement plan imported from {source.name}", period="Q1 2000/01")
    changes: dict[str, Any] = {}
    if period:
        try:
            changes["period"] = str(Quarter.parse(period, plan.fy_start_month))
        except ValueError as exc:
            raise UsageError(f"--period: {exc}") from exc
    if status_mapping:
        extra = {normalise(k): v for k, v in status_mapping.items()}
        changes["status_mapping"] = {**plan.status_mapping, **extra}
    return (plan.with_changes(**changes) if changes else plan).with_plan_id()


def _build(grid: Grid, parsed: Parsed, plan: Plan, mapper: StatusMapper) -> ImportReport:
    findings: list[Finding] = []
    assigned = assign_ids(parsed.drafts)
    ids = assigned.ids
    where = _Where(grid, ids)
    for draft, got, why in assigned.problems:
        code = "DUPLICATE_ID" if "another" in why else "INVALID"
        findings.append(where.finding(code, f"ID '{got}' in the source {why}; the action is "
                                      f"given the new ID {ids[id(draft)]}", draft, got=got,
                                      column="ID"))
    sections = _sections(parsed, plan)
    officers = _Officers(plan, parsed.drafts)
    statuses: dict[str, str | None] = {}
    rows: list[Row] = []
    said: dict[str, str] = {}
    for draft in parsed.drafts:
        own: list[Finding] = []
        row = _row(draft, ids[id(draft)], sections, officers, where, own)
        if row.get("rag") is not None:
            said[row["id"]] = str(row["rag"])
        _status(row, draft, mapper, where, own, statuses)
        row["flags"] = flags_text(f for f in own if f.code == "UNMAPPED_STATUS") or None
        findings += own
        rows.append(row)
    plan, list_findings = officers.final_plan(plan, rows)
    if not plan.sections:
        used = [*sections.values(), *(r["section"] for r in rows if r["section"])]
        plan = plan.with_changes(sections=tuple(dict.fromkeys(used)))
    book = Book(plan=plan, kind=MASTER, actions=rows,
                extra_settings={"imported_from": grid.file})
    # a header cell's reading is confirmed by its matching a column: no REVIEW there
    notes = [where.note(n) for n in parsed.notes] + [
        where.source(n) for n in grid.notes
        if not (n.code == "REVIEW" and n.line in parsed.header_lines and "column" in n.extra
                and n.column in parsed.first_header.positions)]
    findings = sorted(notes + findings + list_findings,
                      key=lambda f: (f.cell is None, _line(f.cell)))
    findings += _validate(book)
    kept = {ids[id(d)] for d in parsed.drafts if ids[id(d)] == text(d.cells.get("id"))}
    labelled = {ids[id(d)] for d in parsed.drafts if d.labelled_new}
    return ImportReport(grid.file, book, findings, statuses, len(grid.rows),
                        [d.line for d in parsed.drafts], kept, labelled, said)


def _validate(book: Book) -> list[Finding]:
    """The master's own validation (unknown officers, sections…), located at the
    cells the rows will have on the Actions sheet."""
    for number, row in enumerate(book.actions, start=2):
        row["_row"] = number
    try:
        return validate_book(book, file=None)
    finally:
        for row in book.actions:
            row.pop("_row", None)


def _line(cell: str | None) -> int:
    digits = re.sub(r"\D", "", cell or "")
    return int(digits) if digits else 0


class _Where:
    """Locates findings in the source (file, sheet, cell of its first line)."""

    def __init__(self, grid: Grid, ids: dict[int, str]):
        self.grid, self.ids = grid, ids

    def finding(self, code: str, message: str, draft: Draft | None, cell: str | None = None,
                **kw: Any) -> Finding:
        cell = cell or (f"A{draft.line}" if draft else None)
        kw["extra"] = {**self.place(cell), **kw.get("extra", {})}
        return Finding(code, message, file=self.grid.file, sheet=self.grid.sheet, cell=cell,
                       action_id=self.ids.get(id(draft)) if draft else None, **kw)

    def source(self, note: SourceNote) -> Finding:
        cell = f"{col_letter(note.column + 1)}{note.line}" if note.line else None
        return Finding(note.code, note.message, file=self.grid.file, sheet=self.grid.sheet,
                       cell=cell, got=note.got, extra={**self.place(cell), **note.extra})

    def place(self, cell: str | None) -> dict[str, str]:
        """Where a grid row is in a document without lines ("table 2, row 5")."""
        place = self.grid.places.get(_line(cell)) if cell else None
        return {"place": place} if place else {}

    def note(self, note) -> Finding:
        column = note.header if note.code in ("EXTRA_COLUMN", "COLUMN_READ") else None
        return self.finding(note.code, note.message, note.draft, cell_ref(note), got=note.got,
                            column=column, extra={"reason": note.reason} if note.reason else {})


# -- sections ----------------------------------------------------------------
_NUMBER = re.compile(r"^\s*(\d{1,2})\s*[.:)–-]")


def _section_number(name: str) -> int | None:
    match = _NUMBER.match(name)
    return int(match.group(1)) if match else None


def _sections(parsed: Parsed, plan: Plan) -> dict[int, str]:
    """Heading number → section name (the plan's name when the plan lists it)."""
    return {number: match_section(heading, plan.sections) or heading
            for number, heading in sorted(parsed.headings.items())}


def match_section(value: str, sections: tuple[str, ...]) -> str | None:
    """The plan's section ``value`` refers to: same leading number, same text, or
    one a shortened form of the other ("2. Effective delivery…")."""
    folded = " ".join(value.split()).casefold().rstrip(".…")
    number = _section_number(value)
    for name in sections:
        other = " ".join(name.split()).casefold().rstrip(".…")
        if folded == other or (number is not None and number == _section_number(name)):
            return name
        if folded.startswith(other) or other.startswith(folded):
            return name
    return None


def _section_of(draft: Draft, sections: dict[int, str], plan: Plan) -> str | None:
    given = text(draft.cells.get("section"))
    if given:
        return match_section(given, plan.sections) or given
    major = draft.ref.split(".")[0] if draft.ref and "." in draft.ref else None
    if major and int(major) in sections:
        return sections[int(major)]
    return sections.get(draft.heading) if draft.heading is not None else None


# -- rows --------------------------------------------------------------------
def _row(draft: Draft, action_id: str, sections: dict[int, str], officers: _Officers,
         where: _Where, own: list[Finding]) -> Row:
    cells = draft.cells
    row: Row = {key: None for key in ACTIONS_LAYOUT.keys}
    for key, value in cells.items():
        if key in row and key != "id":
            row[key] = _clean(value, ACTIONS_LAYOUT.column(key).kind)
    row["id"] = action_id
    row["ref"] = draft.ref
    row["section"] = _section_of(draft, sections, officers.plan)
    for key in OFFICER_KEYS:
        row[key] = officers.cell(cells.get(key), draft, key, where, own)
    row["last_updated"] = _as_date(cells.get("last_updated"))
    return row


def _clean(value: Any, kind: str = "text") -> Any:
    """Text tidied of the double spaces and stray edges copying leaves; a date typed
    in a text column (a Timeframe) becomes text such as "31 March 2020"."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value if kind == "date" else f"{value.day} {value:%B %Y}"
    lines = [" ".join(line.split()) for line in str(value).splitlines()]
    tidy = "\n".join(line for line in lines if line)
    return tidy or None


def _as_date(value: Any) -> Any:
    """A date cell; UK-format text dates are read, anything else kept for validation."""
    if value is None or isinstance(value, date):
        return value.date() if isinstance(value, datetime) else value
    raw = " ".join(str(value).split())
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    return raw or None


STATUS_COLUMNS = {"rag": "progress_update", "previous_rag": "previous_progress"}


def _status(row: Row, draft: Draft, mapper: StatusMapper, where: _Where,
            own: list[Finding], statuses: dict[str, str | None]) -> None:
    """Map the source statuses; an unmapped one leaves the RAG blank and keeps the text
    in the matching progress column."""
    for key, progress in STATUS_COLUMNS.items():
        raw = row.get(key)
        if raw is None:
            continue
        rag = mapper.map(raw)
        first = str(raw) not in statuses
        statuses[str(raw)] = rag
        row[key] = rag
        column = ACTIONS_LAYOUT.column(key).name
        if rag is None:
            own.append(where.finding(
                "UNMAPPED_STATUS", f"{column} '{raw}' is not in the status mapping; left "
                "blank (add it to the plan's status_mapping or --status-mapping)", draft,
                got=raw, column=column))
            note = f"[Status in the imported tracker: {raw}]"
            row[progress] = "\n".join(x for x in (row[progress], note) if x)
        elif first and mapper.plan.rag(str(raw)) is None:  # once per wording, not per row
            own.append(where.finding("STATUS_MAPPED", f"status '{raw}' mapped to {rag} (here "
                                     "and wherever the tracker uses it)", draft, got=raw,
                                     expected=rag, column=column))


# -- officers ----------------------------------------------------------------
class _Officers:
    """Splits officer cells and works out the officer list the master needs."""

    def __init__(self, plan: Plan, drafts: list[Draft]):
        self.plan = plan
        cells = [text(d.cells.get(k)) for d in drafts for k in OFFICER_KEYS]
        self.known = set(plan.individual_officers) | learn_names(cells)
        self.entries: list[str] = []

    def cell(self, value: Any, draft: Draft, key: str, where: _Where,
             own: list[Finding]) -> str | None:
        result = split_cell(text(value) or None, self.known)
        column = ACTIONS_LAYOUT.column(key).name
        for piece in result.split:
            own.append(where.finding("OFFICERS_SPLIT", f"{column} '{piece}' read as "
                                     f"{join_officers(_parts_of(piece, result.names))}",
                                     draft, got=piece, column=column))
        for piece in result.unclear:
            own.append(where.finding("OFFICERS_UNCLEAR", f"{column} '{piece}' looks like "
                                     "several names with no separator; kept as one — "
                                     "separate them with '/'", draft, got=piece,
                                     column=column))
        if not result.names:
            return None
        entry = join_officers(list(result.names))
        self.entries.append(entry)
        return entry

    def final_plan(self, plan: Plan, rows: list[Row]) -> tuple[Plan, list[Finding]]:
        """The officer list: the tracker's names when the plan has none; otherwise the
        plan's, plus each joint entry used whose names are all on it (an Excel
        dropdown only accepts whole entries)."""
        used = list(dict.fromkeys(self.entries))
        if not plan.officers:
            singles = sorted({n for e in used for n in split_officers(e)})
            joints = [e for e in used if OFFICER_SEPARATOR in e]
            return plan.with_changes(officers=tuple(singles + joints)), []
        listed = {o.casefold() for o in plan.officers}
        singles = {o.casefold() for o in plan.individual_officers}
        added = [e for e in used if OFFICER_SEPARATOR in e and e.casefold() not in listed
                 and all(n.casefold() in singles for n in split_officers(e))]
        findings = [Finding("LIST_EXTENDED", f"joint entry '{e}' added to the officer list",
                            sheet=LISTS, got=e, column=LIST_HEADERS["OfficerList"])
                    for e in added]
        return plan.with_changes(officers=tuple(plan.officers) + tuple(added)), findings


def _parts_of(piece: str, names: tuple[str, ...]) -> list[str]:
    folded = " ".join(piece.split()).casefold()
    return [n for n in names if n.casefold() in folded]
