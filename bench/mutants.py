"""Do the tests catch the bugs they are there for? Plant each bug, run its tests.

Each record below is one small, realistic bug (a rule an auditor found no test
held, issue 28, or one planted since): a file, a piece of its text and what a
careless edit would turn it into, and the test files (or node IDs) of that
module. Run by hand, not in CI (each mutant runs pytest; the lot takes minutes):

    PYTHONPATH=$PWD .venv/bin/python bench/mutants.py            # every mutant
    PYTHONPATH=$PWD .venv/bin/python bench/mutants.py token origin  # names containing these
    PYTHONPATH=$PWD .venv/bin/python bench/mutants.py --list
    PYTHONPATH=$PWD .venv/bin/python bench/mutants.py --check     # still plantable? (fast)
    PYTHONPATH=$PWD .venv/bin/python bench/mutants.py --baseline chase  # tests pass first

For each mutant it checks the old text occurs exactly once, writes the new text,
runs the tests, and puts the file back (always, even on Ctrl-C). It prints
``caught`` (a test failed), ``MISSED`` (every test passed: a rule nobody pins) or
``ERROR`` (pytest could not run them), and exits 1 when any was missed. A mutant
whose old text is gone (the code moved) is ``STALE``: update the record.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Mutant:
    name: str
    file: str
    old: str
    new: str
    tests: tuple[str, ...]


M = Mutant
HOSTILE, SECURITY = "tests/test_server_hostile.py", "tests/test_server_security.py"
PINS = "tests/test_server_pins.py"
PROGRAMME_PDF = "tests/test_programme_pdf.py"
DOCS = "tests/test_import_documents.py::"  # (its other tests convert with LibreOffice: slow)
MUTANTS: list[Mutant] = [
    # -- issue 28: security and integrity --------------------------------------------
    M("token-file-deleted-fails-open", "xltools/excel/tokens.py",
      "return []  # file gone", "return self._entries  # file gone",
      ("tests/test_server_pins.py",)),
    M("origin-host-without-port", "xltools/excel/guard.py",
      "return bool(netloc) and netloc in hosts",
      "return bool(netloc) and netloc.split(':')[0] in {str(h).split(':')[0] for h in hosts}",
      ("tests/test_server_pins.py",)),
    M("wrong-plan-fallback-ignores-department", "xltools/plan.py",
      'for k in ("organisation", "department", "title"))',
      'for k in ("organisation", "title"))',
      ("tests/test_ownership.py",)),
    M("ownership-ignores-issued-by", "xltools/cycle/consolidate.py",
      'return by_column(rf.book.extra_settings.get("issued_by") or "")',
      'return self.by_key',
      ("tests/test_ownership.py",)),
    M("next-quarter-without-output-lock", "xltools/cycle/rollover.py",
      'with output_lock(out, "next-quarter"):', 'with __import__("contextlib").nullcontext():',
      ("tests/test_rollover.py",)),
    M("far-cell-bound-multiplied", "xltools/workbook/extent.py",
      "max_cols = width + SPARE_COLUMNS", "max_cols = width * SPARE_COLUMNS",
      ("tests/test_bounded_reading.py",)),
    # -- issue 28: the cycle -----------------------------------------------------------
    M("next-quarter-ignores-invalid-flags", "xltools/cycle/unresolved.py",
      'BLOCKING = ("CONFLICT", "INVALID")', 'BLOCKING = ("CONFLICT",)',
      ("tests/test_rollover_problems.py",)),
    M("next-quarter-skips-previous-rag", "xltools/cycle/unresolved.py",
      'for key in ("rag", "previous_rag"):', 'for key in ("rag",):',
      ("tests/test_rollover_problems.py",)),
    M("next-quarter-to-the-same-quarter", "xltools/cycle/rollover.py",
      "if quarter <= plan.quarter:", "if quarter < plan.quarter:",
      ("tests/test_rollover.py",)),
    M("check-stops-reporting-unfilled-rows", "xltools/cycle/check.py",
      "findings += unfilled(book, name)", "pass",
      ("tests/test_check_rules.py",)),
    M("future-date-excludes-the-as-of-day", "xltools/cycle/intake.py",
      "EARLIEST <= day <= as_of", "EARLIEST <= day < as_of",
      ("tests/test_check_rules.py",)),
    M("chase-skips-conflict", "xltools/cycle/chase.py",
      '"SLIPPED", "INVALID", "CONFLICT")', '"SLIPPED", "INVALID")',
      ("tests/test_chase.py",)),
    M("chase-repeats-missing-return-actions", "xltools/cycle/chase.py",
      "others = [(row, found) for row, found in chase.items if id(row) not in missing]",
      "others = list(chase.items)",
      ("tests/test_chase.py",)),
    M("savings-returns-to-first-lead-only", "xltools/cycle/savings_returns.py",
      'for name in split_officers(row.get("lead_officer")):',
      'for name in split_officers(row.get("lead_officer"))[:1]:',
      ("tests/test_savings_returns.py",)),
    # -- issue 28: import and revise ---------------------------------------------------
    M("revise-numbers-ignoring-the-archive", "xltools/legacy/revise.py",
      "for r in book.actions + archive", "for r in book.actions",
      ("tests/test_revise.py",)),
    M("revise-matches-a-ref-used-twice", "xltools/legacy/matching.py",
      'if r.get("ref") and refs.count(str(r["ref"])) == 1}', 'if r.get("ref")}',
      ("tests/test_revise.py",)),
    M("revise-review-threshold-lowered", "xltools/legacy/revise.py",
      "severity=INFO if match.score >= 0.85 else WARNING",
      "severity=INFO if match.score >= 0.5 else WARNING",
      ("tests/test_revise.py",)),
    M("tsv-many-line-cell-rule-removed", "xltools/legacy/source.py",
      'if any("\\t" in c or c.count("\\n") > 20 for c in cells)',
      'if any("\\t" in c for c in cells)',
      ("tests/test_import.py",)),
    M("pdf-line-join-inverted", "xltools/legacy/pdf_text.py",
      'if not wrapped:\n        return "\\n", doubt', 'if wrapped:\n        return "\\n", doubt',
      (DOCS + "test_pdf_wrapped_lines_join_with_a_space_real_breaks_stay",)),
    M("pdf-page-break-join-inverted", "xltools/legacy/pdf.py",
      'glue = " " if old.wraps_into(new) else "\\n"',
      'glue = "\\n" if old.wraps_into(new) else " "',
      (DOCS + "test_pdf_row_continued_over_a_page_joins_as_wrapped_or_on_a_new_line",)),
    # -- issue 28: outputs and fast paths ----------------------------------------------
    M("published-compares-absolute-values", "xltools/savings/published.py",
      "if abs(got - want) <= close:", "if abs(abs(got) - abs(want)) <= close:",
      ("tests/test_published.py",)),
    M("paper-drops-rows-missing-id-or-title", "xltools/reporting/paper.py",
      'if blank(row.get("id")) and blank(row.get("action")):',
      'if blank(row.get("id")) or blank(row.get("action")):',
      ("tests/test_paper.py",)),
    M("quick-check-passes-present-none", "xltools/workbook/validate.py",
      "if key in row and type(get(key)) not in types:",
      "if get(key) is not None and type(get(key)) not in types:",
      ("tests/test_validate.py",)),
    # -- planted since (issue 28): modules changed by the open issues -------------------
    M("callers-proxy-prefixes-ignored", "xltools/excel/callers.py",
      "if name in PROXY_HEADERS or name.startswith(PROXY_PREFIXES):",
      "if name in PROXY_HEADERS:",
      (HOSTILE, "-k", "any_proxy_header")),
    M("callers-host-port-not-checked", "xltools/excel/callers.py",
      'return name.rstrip(".") if colon and port.isdigit() else host',
      'return name.rstrip(".") if colon else host',
      (HOSTILE, "-k", "another_name")),
    M("callers-ipv6-wildcard-forgotten", "xltools/excel/callers.py",
      'WILDCARD_BINDS = ("0.0.0.0", "::", "[::]", "")', 'WILDCARD_BINDS = ("0.0.0.0", "")',
      (PINS, "-k", "ipv6")),
    M("guard-415-only-for-scripts", "xltools/excel/guard.py",
      'if call and media_type(headers) != "application/json":',
      'if path.startswith(SCRIPTS) and media_type(headers) != "application/json":',
      (SECURITY, "-k", "non_json")),
    M("guard-body-limit-per-chunk", "xltools/excel/guard.py",
      "if seen > limit:", "if len(chunk) > limit:",
      (SECURITY, "-k", "chunked_body")),
    M("guard-surrogates-only-top-level", "xltools/excel/guard.py",
      "return any(has_lone_surrogate(v) for v in value)", "return False",
      (SECURITY, "-k", "broken_character_in_a_function")),
    M("payload-values-not-counted", "xltools/excel/payload_extent.py",
      "return max(rows, held[0]), max(cols, held[1]), past", "return rows, cols, past",
      (HOSTILE, "-k", "past_the_plans_bounds")),
    M("payload-past-only-on-both-axes", "xltools/excel/payload_extent.py",
      "past = address_reach[0] > held[0] or address_reach[1] > held[1]",
      "past = address_reach[0] > held[0] and address_reach[1] > held[1]",
      (PINS, "-k", "past_the_values")),
    M("payload-bound-multiplied", "xltools/excel/payload_extent.py",
      "return width + SPARE_COLUMNS", "return width * SPARE_COLUMNS",
      (PINS, "-k", "spare_columns")),
    M("extent-rows-without-r-do-not-advance", "xltools/workbook/extent.py",
      "else self.row + 1  # empty rows", "else self.row  # empty rows",
      ("tests/test_bounded_reading.py",)),
    M("extent-prefixed-elements-missed", "xltools/workbook/extent.py",
      'if ":" in name:\n            name = name[name.index(":") + 1:]', "pass",
      ("tests/test_bounded_reading.py", "tests/test_hostile_files.py")),
    M("plain-extent-takes-any-cell", "xltools/workbook/extent.py",
      'if b"" in letters:', "if False:", ("tests/test_plain_extent.py",)),
    M("plain-extent-ignores-prefixes", "xltools/workbook/extent.py",
      "if _PREFIXED.search(data, 0, end):", "if False:", ("tests/test_plain_extent.py",)),
    M("plain-extent-any-encoding", "xltools/workbook/extent.py",
      "if not self.plain or self.encoding not in _PLAIN_ENCODINGS:", "if not self.plain:",
      ("tests/test_plain_extent.py",)),
    M("reader-refuses-on-the-cheap-measure", "xltools/workbook/reader.py",
      "if extent is None or too_large(extent, width, sheet):", "if extent is None:",
      ("tests/test_plain_extent.py",)),
    M("empty-progress-quick-answer-case-sensitive", "xltools/reporting/flags.py",
      '"".join(value[:40].split()).casefold()', '"".join(value[:40].split())',
      ("tests/test_empty_progress.py",)),
    M("intake-adopts-another-period", "xltools/cycle/intake.py",
      "if not same_names(theirs, ours) or is_wrong_period(rf, ours) or unknown:",
      "if not same_names(theirs, ours) or unknown:",
      ("tests/test_wrong_moves.py",)),
    M("intake-adopts-unknown-ids", "xltools/cycle/intake.py",
      "if not same_names(theirs, ours) or is_wrong_period(rf, ours) or unknown:",
      "if not same_names(theirs, ours) or is_wrong_period(rf, ours):",
      ("tests/test_wrong_moves.py",)),
    M("intake-issued-comment-counts-as-answer", "xltools/cycle/intake.py",
      'filled(r.get("comment")) and\n', 'filled(r.get("comment")) or\n',
      ("tests/test_wrong_moves.py",)),
    M("intake-folder-warning-on-any-blank", "xltools/cycle/intake.py",
      "if not blanks or len(blanks) < len(read):", "if not blanks:",
      ("tests/test_wrong_moves.py",)),
    M("tokens-damaged-file-keeps-old-tokens", "xltools/excel/tokens.py",
      "except UsageError:\n                    self._entries = []",
      "except UsageError:\n                    pass",
      (PINS, "-k", "damaged")),
    M("chase-draft-names-case-sensitive", "xltools/cycle/chase.py",
      "while name.casefold() in used:", "while name in used:",
      ("tests/test_chase.py",)),
    # -- issue 27: programme plans from PDF --------------------------------------------
    M("pdf-programme-rows-joined-as-a-trackers", "xltools/legacy/pdf.py",
      "return _own_programme_row if looks_like_programme_plan(texts) else None",
      "return None", (PROGRAMME_PDF,)),
    M("pdf-programme-row-starting-an-item-joined", "xltools/legacy/pdf.py",
      "if starts_item([c.text for c in after.cells]):\n        return True",
      "if False:\n        return True", (PROGRAMME_PDF, "-k", "seed")),
    M("pdf-programme-kpi-rows-joined", "xltools/legacy/pdf.py",
      "return not any(old.text and new.text", "return False and not any(old.text and new.text",
      (PROGRAMME_PDF, "-k", "kpis")),
    M("pdf-list-letter-joined-to-the-word-before", "xltools/legacy/pdf_words.py",
      "if LIST_MARK.fullmatch(first):", "if False:", ("tests/test_pdf_words.py",)),
    M("pdf-hyphen-line-break-keeps-a-space", "xltools/legacy/pdf_text.py",
      'return ("" if hyphened else " "), doubt', 'return " ", doubt',
      ("tests/test_pdf_words.py",)),
    # -- issue 27: a programme plan's activities late, slipped, not started -------------
    M("not-started-on-the-first-day-of-the-start-month", "xltools/reporting/flags.py",
      "if start is None or start.day >= ctx.as_of:", "if start is None or start.day > ctx.as_of:",
      ("tests/test_flags_programme.py",)),
    M("not-started-despite-started", "xltools/reporting/flags.py",
      "    if _BEGUN.match(_text(row.get(\"start\"))):\n        return None\n", "",
      ("tests/test_flags_programme.py",)),
    M("slipped-counted-in-days-between-months", "xltools/reporting/flags.py",
      "if earlier.by_month and later.by_month:", "if earlier.by_month and not later.by_month:",
      ("tests/test_flags_programme.py",)),
    M("next-quarter-forgets-the-forecast", "xltools/cycle/rollover.py",
      "    record_revised_ends(new)\n", "",
      ("tests/test_rollover_programme.py",)),
    M("risk-unscored-loses-its-previous-score", "xltools/workbook/risks.py",
      'if row.get("score") not in (None, ""):', "if True:",
      ("tests/test_rollover_programme.py",)),
]


def pytest(tests: tuple[str, ...], python: str) -> int:
    return subprocess.run([python, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests],
                          cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}).returncode


def run(mutant: Mutant, python: str) -> str:
    path = ROOT / mutant.file
    text = path.read_text(encoding="utf-8")
    if text.count(mutant.old) != 1:
        return "STALE"
    try:
        path.write_text(text.replace(mutant.old, mutant.new), encoding="utf-8")
        code = pytest(mutant.tests, python)
    finally:
        path.write_text(text, encoding="utf-8")
    return {0: "MISSED", 1: "caught"}.get(code, "ERROR")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="run only mutants whose name contains one")
    parser.add_argument("--list", action="store_true", help="list the mutants and stop")
    parser.add_argument("--baseline", action="store_true",
                        help="first run each mutant's tests unchanged: they must pass, or "
                        "'caught' would mean nothing")
    parser.add_argument("--check", action="store_true",
                        help="only check each bug can still be planted (after a merge)")
    args = parser.parse_args(argv)
    chosen = [m for m in MUTANTS if not args.names or any(n in m.name for n in args.names)]
    if args.list:
        for m in chosen:
            print(f"{m.name:45} {m.file}")
        return 0
    if args.check:
        stale = [m.name for m in chosen
                 if (ROOT / m.file).read_text(encoding="utf-8").count(m.old) != 1]
        print(f"{len(chosen) - len(stale)} of {len(chosen)} can be planted"
              + (f"; STALE: {', '.join(stale)}" if stale else ""))
        return 1 if stale else 0
    if args.baseline:
        failing = [m.name for m in chosen if pytest(m.tests, sys.executable) != 0]
        if failing:
            print(f"tests already failing without a bug planted: {', '.join(failing)}")
            return 1
    results = {}
    for m in chosen:
        results[m.name] = run(m, sys.executable)
        print(f"{results[m.name]:7} {m.name}  ({m.file})", flush=True)
    missed = [n for n, r in results.items() if r != "caught"]
    print(f"{len(results) - len(missed)} of {len(results)} caught"
          + (f"; not caught: {', '.join(missed)}" if missed else ""))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
