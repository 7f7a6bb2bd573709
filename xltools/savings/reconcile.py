"""Reconcile savings returns against the MTFS baseline (DESIGN.md §5 item 9).

The baseline (finance's master) holds the approved profile: Expected, £000, per
project and financial year. Returns hold each project's Revised forecast, the
Change type the officer picked and who approved it. For each project and year
this works out Expected, Revised and Change, classifies the project's change
from its figures (see ``classify``), checks the officer's Change type and
arithmetic against that, and sums the committee's summary table by year —
showing, never folding, a year the plan's range does not cover.

The baseline's own Revised cells count as revisions too (a master that already
has revisions merged in), and a return's row replaces them; so reconciling the
workbook this writes, with no returns, gives the same figures again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import UsageError, WorkbookError
from ..findings import Finding, count_by_code
from ..plan import Plan
from ..workbook.book import Book, Row, blank, clean_row
from ..workbook.layout import SAVINGS_LAYOUT
from ..workbook.reader import RETURN_LIMITS, read_book
from ..workbook.sandbox import each_capped
from .classify import SUMMARY_ROWS, classify, project_findings
from .results import ProjectResult, YearResult, money
from .rows import Line, book_lines, check_stated_change, fmt, fold, parse_year

Key = tuple[str, str]


@dataclass
class Reconciliation:
    """Everything ``xltools savings`` reports: projects, summary, flags, merged rows."""

    baseline: Book
    baseline_file: str
    return_files: list[str]
    range_years: list[str]
    years: list[str]
    projects: list[ProjectResult]
    findings: list[Finding]
    merged: list[Row]
    unread: list[str] = field(default_factory=list)  # returns that could not be read

    @property
    def complete(self) -> bool:
        """False when a return could not be read: its savings are missing from every total."""
        return not self.unread

    @property
    def incomplete_note(self) -> str:
        """One line saying why the summary is incomplete ('' when it is complete)."""
        if self.complete:
            return ""
        n = len(self.unread)
        return (f"INCOMPLETE: {n} return{'' if n == 1 else 's'} could not be read "
                f"({', '.join(self.unread)}); the totals leave out their savings")

    @cached_property
    def summary(self) -> dict[str, Any]:
        """The committee table (computed once: the projects do not change after reconcile)."""
        return summarise(self.projects, self.years, self.range_years)

    @property
    def outside_years(self) -> list[str]:
        return [y for y in self.years if y not in self.range_years]

    def merged_book(self) -> Book:
        """The baseline with the returned revisions merged into its Savings sheet."""
        return replace(self.baseline, savings=self.merged, findings=[])

    def to_dict(self) -> dict[str, Any]:
        return {
            "baseline": self.baseline_file, "returns": self.return_files,
            "complete": self.complete, "unread": self.unread,
            "units": "£000", "plan_years": self.range_years,
            "years_outside_plan": self.outside_years,
            "projects": [p.to_dict() for p in self.projects], "summary": self.summary,
            "counts": count_by_code(self.findings),
            "flags": [f.to_dict() for f in self.findings],
        }


# -- reading -------------------------------------------------------------------


def reconcile_files(baseline: str | Path, returns: list[str | Path], *,
                    years: list[str] | None = None, plan: Plan | None = None) -> Reconciliation:
    """Read the baseline and every return, then ``reconcile``.

    An unreadable baseline stops the job (WorkbookError); an unreadable return
    is reported as UNREADABLE and the others are reconciled without it.
    """
    return reconcile_returns(read_book(baseline, plan), returns, years=years)


def reconcile_returns(base: Book, returns: list[str | Path], *,
                      years: list[str] | None = None) -> Reconciliation:
    """Read each return against ``base``'s plan and reconcile; an unreadable return is
    reported as UNREADABLE, the others are reconciled without it and the result says it
    is incomplete (the command and the add-in's ribbon button both come here).

    A return that does not exist at all is a mistyped name, not a finding: the job
    stops (UsageError) rather than print a clean-looking "No change"."""
    missing = [str(p) for p in returns if not Path(p).exists()]
    if missing:
        raise UsageError(f"no such return: {', '.join(missing)}")
    books, problems = [], []
    # officers' files: read in a memory-capped worker, so one file never stops the run
    for path, got in zip(returns, each_capped([Path(p) for p in returns], read_book, base.plan,
                                              limits=RETURN_LIMITS), strict=True):
        if isinstance(got, WorkbookError):
            problems.append(Finding("UNREADABLE", f"{got} (reason {got.reason}); its savings "
                                    "are not reconciled", file=Path(path).name, got=got.reason))
        elif (skipped := _savings_not_read(got)) is not None:
            problems.append(Finding("UNREADABLE", f"{Path(path).name}: {skipped.message}; its "
                                    "savings are not reconciled", file=Path(path).name,
                                    sheet=skipped.sheet, cell=skipped.cell, got=skipped.code))
        else:
            books.append(got)
    rec = reconcile(base, books, years=years)
    rec.findings[:0] = problems
    rec.unread = [f.file for f in problems]
    return rec


def _savings_not_read(book: Book) -> Finding | None:
    """The reader's finding when it skipped a return's Savings sheet (too large, or XML
    it refuses): that return is unread for finance, not one with no savings."""
    return next((f for f in book.findings if f.sheet == SAVINGS_LAYOUT.name
                 and f.code in ("UNREADABLE", "TOO_LARGE")), None)


def parse_years_option(text: str, start_month: int = 4) -> list[str]:
    """``2019/20-2022/23`` (a range) or ``2019/20,2020/21`` (a list) → year labels."""
    parts = [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]
    if len(parts) == 1 and text.count("-") == 1 and "/" in text:
        first, last = (parse_year(p.strip(), start_month) for p in text.split("-"))
        if first[1] is None or last[1] is None or last[1] < first[1]:
            raise UsageError(f"--years '{text}': write a range like 2019/20-2022/23")
        return [parse_year(str(y) + f"/{(y + 1) % 100:02d}", start_month)[0]
                for y in range(first[1], last[1] + 1)]
    labels = [parse_year(p, start_month) for p in parts]
    bad = [label for label, start in labels if start is None]
    if bad or not labels:
        raise UsageError(f"--years '{text}': {', '.join(bad) or 'no years'} is not a "
                         "financial year like 2019/20")
    return [label for label, _ in labels]


# -- reconciling ---------------------------------------------------------------


def reconcile(baseline: Book, returns: list[Book], *,
              years: list[str] | None = None) -> Reconciliation:
    """Reconcile ``returns`` against ``baseline`` (both already read)."""
    findings = [f for f in baseline.findings if f.sheet == "Savings"]
    base_lines, found = book_lines(baseline, baseline=True)
    findings += found
    ret_lines: list[Line] = []
    for book in returns:
        findings += [f for f in book.findings if f.sheet == "Savings"]
        lines, found = book_lines(book, baseline=False)
        ret_lines += lines
        findings += found
    range_years = list(years or baseline.plan.savings_year_list())
    all_lines = base_lines + ret_lines
    findings += [f for line in all_lines for f in check_stated_change(line)]
    findings += total_findings(all_lines)
    base_index, base_dups = index_lines(base_lines, findings)
    ret_index, ret_dups = index_lines(ret_lines, findings)
    projects = build_projects(base_index, ret_index, range_years)
    for project in projects:
        findings += project_findings(project, bool(returns))
    _tag_codes(projects, findings)
    used = {y.year: y.year_start for p in projects for y in p.years}
    start_month = baseline.plan.fy_start_month
    columns = order_years({**{y: parse_year(y, start_month)[1] for y in range_years}, **used})
    merged = merged_rows(projects, base_dups + ret_dups)
    base_name = Path(baseline.path or "baseline").name
    findings.sort(key=lambda f: (f.file != base_name, f.file or "", *_place(f)))
    return Reconciliation(baseline, base_name,
                          sorted({line.file for line in ret_lines} |
                                 {Path(b.path or "return").name for b in returns}),
                          range_years, columns, projects, findings, merged)


def _place(f: Finding) -> tuple:
    """(row, column) of a finding's cell, so findings sort in reading order."""
    match = re.fullmatch(r"([A-Z]+)(\d+)", f.cell or "")
    return (int(match[2]), len(match[1]), match[1]) if match else (0, 0, "")


def index_lines(lines: list[Line], findings: list[Finding]):
    """First row per (project, year) wins; later ones are DUPLICATE_ROW, kept, not counted."""
    index: dict[Key, Line] = {}
    dups: list[Line] = []
    for line in lines:
        if line.is_total:
            continue
        first = index.get(line.key)
        if first is None:
            index[line.key] = line
            continue
        dups.append(line)
        findings.append(line.finding(
            "DUPLICATE_ROW", f"{line.ref} {line.year} is already at {first.file} › "
            f"Savings!{first.cell('project_ref')}; this row is kept but not counted",
            "project_ref", expected=f"{first.file} › Savings!{first.cell('project_ref')}"))
    return index, dups


def order_years(starts: dict[str, int | None]) -> list[str]:
    """Financial years in time order; labels that are not years go last."""
    return sorted(starts, key=lambda y: (starts[y] is None, starts[y] or 0, y))


def build_projects(base: dict[Key, Line], ret: dict[Key, Line],
                   range_years: list[str]) -> list[ProjectResult]:
    by_ref: dict[str, dict[Key, None]] = {}
    for key in [*base, *ret]:
        by_ref.setdefault(key[0], {})[key] = None
    in_range = set(range_years)
    projects = []
    for keys in (list(k) for k in by_ref.values()):
        first = next((base[k] for k in keys if k in base), None) or ret[keys[0]]
        in_baseline = any(k in base for k in keys)
        rows = [_year(base.get(k), ret.get(k), in_baseline, in_range) for k in keys]
        starts = {y.year: y.year_start for y in rows}
        order = order_years(starts)
        rows.sort(key=lambda y: order.index(y.year))
        project = ProjectResult(
            first.ref, _text(first.raw.get("project")), _text(first.raw.get("department")),
            _text(first.raw.get("lead_officer")), in_baseline,
            sorted({ret[k].file for k in keys if k in ret}), rows)
        project.classification, project.detail = classify(project)
        projects.append(project)
    return projects


def _year(base: Line | None, ret: Line | None, in_baseline: bool,
          in_range: set[str]) -> YearResult:
    """Expected from the baseline (0 if it has no row; the return's own for a project
    the baseline lacks); Revised from the return, else the baseline; blank = no change."""
    line = ret or base
    if base is not None:
        expected = base.expected or 0.0
    elif not in_baseline:
        expected = ret.expected or 0.0
    else:
        expected = 0.0
    revised = expected if line.revised is None else line.revised
    return YearResult(line.year, line.year_start, expected, revised, line.year in in_range,
                      base=base, line=line)


def _text(value: Any) -> str:
    return "" if blank(value) else str(value)


def _tag_codes(projects: list[ProjectResult], findings: list[Finding]) -> None:
    """Copy each finding's code onto the project-year it is about (for tables and JSON)."""
    by_key = {(fold(p.ref), y.year): y for p in projects for y in p.years}
    firsts = {fold(p.ref): p.years[0] for p in projects if p.years}
    for f in findings:
        if not f.action_id:
            continue
        target = by_key.get((fold(f.action_id), f.extra.get("year"))) or firsts.get(
            fold(f.action_id))
        if target is not None and f.code not in target.codes:
            target.codes.append(f.code)


def total_findings(lines: list[Line]) -> list[Finding]:
    """A 'Total' row someone typed must equal the sum of its project's rows in that file."""
    sums: dict[tuple[str, str], dict[str, float]] = {}
    for line in lines:
        if line.is_total:
            continue
        s = sums.setdefault((line.file, fold(line.ref)), {"expected": 0.0, "revised": 0.0})
        s["expected"] += line.expected or 0.0
        s["revised"] += line.revised if line.revised is not None else (line.expected or 0.0)
    out = []
    for line in (ln for ln in lines if ln.is_total):
        s = sums.get((line.file, fold(line.ref)), {"expected": 0.0, "revised": 0.0})
        s = {**s, "change": s["revised"] - s["expected"]}
        stated = {"expected": line.expected, "revised": line.revised,
                  "change": line.stated_change}
        for key, value in stated.items():
            if value is not None and abs(value - s[key]) > 0.0005:
                out.append(line.finding(
                    "TOTAL_MISMATCH", f"Total {key} {fmt(value)} for {line.ref} is not the sum of "
                    f"its years ({fmt(s[key])}); the reconciliation uses the years",
                    key, expected=money(s[key]), got=money(value)))
    return out


def merged_rows(projects: list[ProjectResult], duplicates: list[Line]) -> list[Row]:
    """The master's Savings rows: baseline rows with the returned revision laid over."""
    revision_keys = ("revised", "change_type", "approved_by", "approved_on", "comment")
    extra: dict[Key, list[Row]] = {}
    for line in duplicates:
        extra.setdefault(line.key, []).append(clean_row(line.raw))
    rows: list[Row] = []
    for project in projects:
        for y in project.years:
            row = clean_row((y.base or y.line).raw)
            if y.line is not None and y.line is not y.base:
                row.update({k: y.line.raw.get(k) for k in revision_keys})
                for key in ("project", "department", "lead_officer", "expected"):
                    if blank(row.get(key)):
                        row[key] = y.line.raw.get(key)
            row["year"] = y.year if y.year_start is not None else row.get("year")
            row.pop("change", None)
            rows.append(row)
            rows += [{k: v for k, v in r.items() if k != "change"}
                     for r in extra.pop((fold(project.ref), y.year), [])]
    return rows


# -- summary -------------------------------------------------------------------


def summarise(projects: list[ProjectResult], years: list[str],
              range_years: list[str]) -> dict[str, Any]:
    """The committee table: change by year and kind, with a grand total (pandas pivot)."""
    records = [(y.year, p.classification, y.expected, y.revised, y.change)
               for p in projects for y in p.years]
    df = pd.DataFrame.from_records(records, columns=["year", "kind", "expected", "revised",
                                                     "change"])
    by_kind = df.pivot_table(index="kind", columns="year", values="change", aggfunc="sum",
                             fill_value=0.0)
    money_by_year = df.groupby("year")[["expected", "revised"]].sum()

    def cell(kind: str, year: str) -> float:
        if kind in by_kind.index and year in by_kind.columns:
            return float(by_kind.at[kind, year])
        return 0.0

    by_year = {}
    for year in years:
        kinds = {key: money(cell(kind, year)) for key, kind in SUMMARY_ROWS}
        requests = money(kinds["re_profiles"] + kinds["write_offs"] + kinds["mitigations"])
        row = {"re_profiles": kinds["re_profiles"], "write_offs": kinds["write_offs"],
               "mitigations": kinds["mitigations"], "change_requests": requests,
               "extensions": kinds["extensions"], "new": kinds["new"],
               "total": money(requests + kinds["extensions"] + kinds["new"])}
        for key in ("expected", "revised"):
            row[key] = money(float(money_by_year[key].get(year, 0.0)))
        row["in_range"] = year in range_years
        by_year[year] = row
    keys = [k for k in next(iter(by_year.values()), {}) if k != "in_range"]
    grand = {k: money(sum(r[k] for r in by_year.values())) for k in keys}
    return {"by_year": by_year, "grand_total": grand}
