"""What the buttons say: answers in sentences, not codes.

Every button's answer (the alert, and the task pane's Last run) is built from
these, for the in-book buttons (``actions``) and the by-file ones (``by_file``,
``book_jobs``) alike: counts only where they are not zero, findings by their
catalogue titles, every file Consolidate did not merge with why, every officer
whose return is missing by name, and a refusal titled by what did not happen
("Next quarter was not built"). No xlwings here.
"""

from __future__ import annotations

from datetime import date

from ..errors import UsageError
from ..findings import CATALOGUE, Finding, count_by_code


def summary(findings: list[Finding]) -> str:
    """Findings counted by kind, in words (the catalogue's titles), not codes."""

    def title(code: str) -> str:
        text = CATALOGUE[code].title if code in CATALOGUE else code
        return text if text[:2].isupper() else text[:1].lower() + text[1:]

    counts = count_by_code(findings)
    return "; ".join(f"{title(code)} ({n})" for code, n in counts.items()) or "nothing to note"


def plural(n: int, one: str, many: str | None = None) -> str:
    """``1 action``, ``3 actions`` (``many`` when the plural is not just ``one`` + s)."""
    return f"{n} {one if n == 1 else (many or one + 's')}"


def listed(parts: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


# what consolidation did to rows, in words; only the counts that are not zero are said
ROW_WORDS = (
    ("rows_updated", "action updated", "actions updated"),
    ("rows_unchanged", "action returned unchanged", "actions returned unchanged"),
    ("rows_no_update", "action returned with no update", "actions returned with no update"),
    ("savings_updated", "savings line updated", "savings lines updated"),
    ("risks_updated", "risk rescored", "risks rescored"),  # a programme plan's only
    ("delegated", "row returned by a deputy for a colleague",
     "rows returned by a deputy for a colleague"),
)
PROBLEM_WORDS = (
    ("conflicts", "conflict: two returns disagree on an action (flagged CONFLICT; "
     "decide which is right)", "conflicts: two returns disagree on an action (flagged "
     "CONFLICT; decide which is right)"),
    ("savings_conflicts", "savings line two returns disagree on", "savings lines two "
     "returns disagree on"),
    ("rows_invalid", "invalid row, kept and flagged INVALID for the officer to correct",
     "invalid rows, kept and flagged INVALID for the officers to correct"),
    ("unknown_ids", "row for an action not in the master (not merged)",
     "rows for actions not in the master (not merged)"),
    ("not_owner", "row for an action its officer does not own (not merged)",
     "rows for actions their officers do not own (not merged)"),
)


def consolidation_words(report, source: str) -> str:
    """What a consolidation did, in sentences, as the in-book and by-file buttons say it:
    counts only where not zero; every file not merged, with why; every officer whose
    return is missing, by name."""
    counts = report.counts()
    if not counts["files"]:
        return (f"Nothing was merged: there are no returns in {source}. Upload the "
                "officers' returns first.")
    if counts["returns_merged"] == counts["files"]:
        merged = "The one file" if counts["files"] == 1 else f"All {counts['files']} files"
    else:
        merged = f"{counts['returns_merged']} of {plural(counts['files'], 'file')}"
    done = [plural(counts[key], one, many) for key, one, many in ROW_WORDS
            if counts.get(key)]
    lines = [f"{merged} in {source} merged" + (f": {listed(done)}." if done else ".")]
    problems = [plural(counts[key], one, many) for key, one, many in PROBLEM_WORDS
                if counts[key]]
    if problems:
        lines.append(f"To look at: {listed(problems)}.")
    lines += not_merged_lines(report)
    if report.as_of != date.today():
        lines.append(f"Judged as at {report.as_of:%d %B %Y} (the As of date).")
    if report.missing:
        lines.append("No return from " + listed([
            f"{officer} ({plural(len(ids), 'action')})"
            for officer, ids in report.missing.items()]) + ".")
    return "\n".join(lines)


def not_merged_lines(report) -> list[str]:
    """One line per file nothing was merged from, saying why."""
    out = []
    for rf in report.files:
        if rf.name in report.merge.per_file:
            continue
        out.append(f"• {rf.name}: {why_not_merged(rf)}")
    return ([f"Not merged ({plural(len(out), 'file')}):", *out]) if out else []


def why_not_merged(rf) -> str:
    if rf.skipped:
        return rf.skipped
    if not rf.readable:
        return rf.error.removeprefix(f"{rf.path}: ").removeprefix(f"{rf.name}: ") or \
            "could not be read"
    whole = next((f for f in rf.findings
                  if f.code in ("WRONG_PLAN", "WRONG_PERIOD", "NOT_A_RETURN")), None)
    if whole is not None:
        return whole.message
    if not rf.officer:
        return "it does not say whose return it is, and no officer is named on every row"
    return "it holds no rows to merge"


def flag_words(findings: list[Finding]) -> str:
    """The flags of Flag stale in words (the Flags column's titles), one per line."""
    counts = count_by_code(findings)
    return "\n".join(f"• {CATALOGUE[code].title if code in CATALOGUE else code}: {n}"
                     for code, n in counts.items())


def shown_counts(counts: dict[str, int]) -> dict[str, int]:
    """Counts as the task pane's table shows them (``rows_updated`` → "rows updated"),
    only those that are not zero."""
    return {key.replace("_", " "): value for key, value in counts.items() if value}


# the title of a button's answer when it could not run: what did not happen, in words
REFUSED = {
    "check_return": "The return was not checked",
    "issue_returns": "No returns were issued",
    "consolidate": "Nothing was consolidated",
    "flag_stale": "The flags were not updated",
    "chase_officers": "No chase e-mails were written",
    "refresh_dashboard": "The dashboard was not refreshed",
    "next_quarter": "Next quarter was not built",
    "reconcile_savings": "The savings were not reconciled",
    "issue_savings_returns": "No savings returns were issued",
}


def refused_title(script: str) -> str:
    return REFUSED.get(script, f"{script.replace('_', ' ').capitalize()} did not run")


def parse_as_of(text: str) -> date | None:
    """The pane's As of box (``2019-10-14``; empty: today)."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"'{text[:20]}' in the As of box is not a date: pick one, or leave "
                         "it empty for today") from None
