"""IDs for imported actions: the source's own when it has them, new ones otherwise.

A tracker exported from an xltools master (or a revised plan someone kept the
ID column in) already says which action is which; re-importing it must not
renumber them, or every return, log row and archived action loses its match.
So a source ``ID`` column holding xltools IDs is kept, and only rows without
one get new IDs, numbered on from the highest in use. A column headed "ID"
that holds no xltools IDs at all (a council's own numbering) is left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .rows import Draft, text

ID = re.compile(r"^([A-Za-z]{1,4})-([0-9]{1,6})$")
DEFAULT = ("A", 4)


@dataclass
class IdResult:
    """Draft → ID, and the drafts whose source ID could not be kept (and why)."""

    ids: dict[int, str] = field(default_factory=dict)
    kept: int = 0
    problems: list[tuple[Draft, str, str]] = field(default_factory=list)  # draft, got, why


def assign_ids(drafts: list[Draft], taken: set[str] | None = None) -> IdResult:
    """Keep valid, unique source IDs (not in ``taken``); number the rest on."""
    result = IdResult()
    given = [(d, text(d.cells.get("id"))) for d in drafts]
    used = {v.upper() for v in taken or set()}
    if not any(ID.match(value) for _, value in given):
        given = [(d, "") for d in drafts]  # no xltools IDs: not an ID column
    for draft, value in given:
        if not value:
            continue
        if not ID.match(value):
            result.problems.append((draft, value, "is not an xltools ID (like A-0007)"))
        elif value.upper() in used:
            result.problems.append((draft, value, "is used by another action"))
        else:
            result.ids[id(draft)] = value
            used.add(value.upper())
            result.kept += 1
    prefix, width, top = scheme(used)
    for draft in drafts:
        if id(draft) not in result.ids:
            top += 1
            result.ids[id(draft)] = f"{prefix}-{top:0{width}d}"
    return result


def scheme(ids: set[str]) -> tuple[str, int, int]:
    """(prefix, digits, highest number) of the IDs in use; ``A-0001`` style if none."""
    numbers: dict[str, list[tuple[int, int]]] = {}
    for value in ids:
        match = ID.match(value)
        if match:
            numbers.setdefault(match[1].upper(), []).append((int(match[2]), len(match[2])))
    if not numbers:
        return (*DEFAULT, 0)
    prefix = max(numbers, key=lambda p: len(numbers[p]))
    return prefix, max(w for _, w in numbers[prefix]), max(n for n, _ in numbers[prefix])
