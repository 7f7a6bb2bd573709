"""Which action of a revised plan is which action of the master.

A revised plan renumbers, rewords and reorders; the master's IDs must follow
the actions, not the refs. Evidence is taken strongest first: the ID the
revised file gives (an ID column of xltools IDs), then its old ref (a "Was" /
"Old ref" column), then the action text — the first sentence and the whole
text, normalised (case, punctuation, spacing) and compared with difflib, the
best pairs taken first and nothing below ``THRESHOLD``. An action the revision
labels "NEW ACTION" is never matched by text. Section headings are matched by
their words, not their numbers, so a renumbered section keeps its name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from ..workbook.book import Row
from .columns import fold
from .importer import ImportReport
from .source import read_grid

THRESHOLD = 0.6  # below this a text match is too weak to claim
WAS_HEADERS = frozenset({"was", "old ref", "previous ref", "former ref", "original ref",
                         "was ref", "old no", "previous no", "old number", "formerly"})


@dataclass
class Match:
    """One revised action and the master action it was matched to (or None)."""

    revised: Row
    master: Row | None
    score: float
    how: str  # "id", "was", "text" or "new"
    new_id: str | None = None  # the ID a new action is given


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
