"""Problems next quarter must not drop: an unresolved CONFLICT (two officers' different
updates, neither merged) or INVALID value (a RAG not on the scheme…) in the master.

Rolling forward clears the update cells and the Flags, so such a problem would
vanish with both officers' words. Next quarter therefore stops and lists them, or
— when the PMO asks (``--carry-problems``) — carries each into the new quarter:
the unmerged texts in full in Previous progress, no Previous RAG from a value that
was in dispute or invalid, and a ``CARRIED`` flag that stays until the PMO clears it.
"""

from __future__ import annotations

from typing import Any

from ..findings import Finding, codes_in, row_reference
from ..plan import Plan
from ..workbook.book import Book, Row, blank
from ..workbook.layout import ACTIONS, ACTIONS_LAYOUT
from .returns import STATE_KEY

BLOCKING = ("CONFLICT", "INVALID")
SHOWN = 8  # problems named in the one-line refusal


def unresolved(book: Book, file: str) -> list[Finding]:
    """Each action's CONFLICT / INVALID flag lines, and RAG values not on the scheme."""
    letters = book.letters(ACTIONS_LAYOUT)
    out = []
    for row in book.actions:
        where = row.get("_row", "?")
        for line in str(row.get("flags") or "").splitlines():
            code = next(iter(codes_in(line)), None)
            if code in BLOCKING:
                out.append(Finding(code, line.split(":", 1)[1].strip(), file=file, sheet=ACTIONS,
                                   cell=f"{letters.get('flags', 'A')}{where}",
                                   action_id=row.get("id"), column="Flags",
                                   action=row_reference(row)))
        for key in ("rag", "previous_rag"):
            value = row.get(key)
            if not blank(value) and book.plan.rag(value) is None:
                name = ACTIONS_LAYOUT.column(key).name
                out.append(Finding("INVALID", f"{name} '{value}' is not on the RAG scheme",
                                   file=file, sheet=ACTIONS, cell=f"{letters.get(key, 'A')}"
                                   f"{where}", action_id=row.get("id"), column=name, got=value,
                                   action=row_reference(row)))
    return out


CARRY_HINT = "run again with --carry-problems"
# what officers read in Previous progress: the cells by the names they see, not field keys
IN_WORDS = (("progress_update", "progress update"), ("rag", "RAG status"))


def refusal(problems: list[Finding], file: str, next_period: str,
            carry_hint: str = CARRY_HINT) -> str:
    """The one line next-quarter stops with; ``carry_hint`` says how this front end
    carries the problems instead (the add-in has no command-line option)."""
    named = "; ".join(_named(p) for p in problems[:SHOWN])
    more = f" and {len(problems) - SHOWN} more" if len(problems) > SHOWN else ""
    return (f"{file}: {len(problems)} unresolved problem{'s' if len(problems) != 1 else ''} "
            f"would be lost: {named}{more}. Resolve them in the master (agree the update, "
            f"correct the value, delete the flag line), or {carry_hint} "
            f"to carry them into {next_period} flagged CARRIED")


def _named(problem: Finding) -> str:
    """One problem as the PMO finds it on the master's screen: the action by Ref and
    title, and the column by its header (the cell address names a column they may
    not see), with the row number to go to."""
    row = "".join(ch for ch in str(problem.cell or "") if ch.isdigit())
    what = (f"{problem.column} '{problem.got}' is not on the RAG scheme" if problem.got
            else f"{problem.code} in its {problem.column} column")
    at = f" (row {row})" if row else ""
    return f"{problem.action or problem.action_id or '?'}: {what}{at}"


def conflict_texts(book: Book) -> dict[str, list[dict[str, Any]]]:
    """The full texts of this period's conflicts, as consolidation kept them."""
    state = book.extra_settings.get(STATE_KEY)
    if not isinstance(state, dict) or state.get("period") != book.plan.period:
        return {}
    texts = state.get("conflicts")
    return texts if isinstance(texts, dict) else {}


def carry(new: Row, row: Row, problems: list[Finding], plan: Plan,
          texts: list[dict[str, Any]]) -> None:
    """Carry one action's problems into its next-quarter row (in place)."""
    said = []
    for p in problems:
        if p.code == "CONFLICT" and texts:
            said.append("CONFLICT, not merged: " + "; ".join(
                f"{t.get('officer') or t.get('file')}: "
                + ", ".join(f"{words} '{t[k]}'" for k, words in IN_WORDS if t.get(k))
                for t in texts))
        else:
            said.append(f"{p.code}: {p.message}")
    note = f"[Unresolved in {plan.period}] " + " | ".join(dict.fromkeys(said))
    before = new.get("previous_progress")
    new["previous_progress"] = f"{before}\n{note}" if not blank(before) else note
    new["previous_rag"] = None  # a RAG in dispute or off the scheme is no one's last RAG
    new["flags"] = "CARRIED: " + ", ".join(dict.fromkeys(
        f"{p.code} from {plan.period}" for p in problems)) + \
        "; what was said is at the end of Previous progress (shown on the return; " \
        "unhide it on the master). Resolve it, then delete this line."
