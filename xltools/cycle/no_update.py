"""Rows a return sent back with no progress update (NO_UPDATE at consolidation).

The officer guide promises that a row left empty is "reported as having no
update": consolidation says so at once, naming the return's cell, rather than
leaving it to a later ``xltools flags`` run. A return with no update on any row
(a blank issued return sent back) is not listed row by row here: that is a
return not filled in, which consolidation reports as such.
"""

from __future__ import annotations

from ..findings import Finding
from ..reporting.flags import empty_progress
from ..workbook.layout import ACTIONS_LAYOUT
from .merge import Candidate


def returned_without_update(actions: dict[str, list[Candidate]]) -> list[Finding]:
    """One NO_UPDATE per action whose returned rows all leave Progress update empty."""
    answered = {c.file for found in actions.values() for c in found
                if not empty_progress(c.row.get("progress_update"))}
    out = []
    for action_id, found in actions.items():
        if any(not empty_progress(c.row.get("progress_update")) for c in found):
            continue
        for c in found:
            if c.file not in answered:
                continue
            letter = c.letters.get("progress_update", "A")
            out.append(Finding(
                "NO_UPDATE", f"returned with no progress update (by {c.officer or c.file}); "
                "the master keeps its earlier text — chase the officer for this quarter's "
                "update", file=c.file, sheet=ACTIONS_LAYOUT.name,
                cell=f"{letter}{c.row.get('_row', '?')}", action_id=action_id,
                column=ACTIONS_LAYOUT.column("progress_update").name))
    return out
