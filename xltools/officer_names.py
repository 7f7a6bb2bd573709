"""Officer cells from legacy trackers → lists of individual names.

Text copied out of Word loses the line breaks between names, so a cell may
read "Marje Toward Anthony May/ Adrian Smith". Separators ("/", line breaks,
";") are split first, then "&" and " and " where both sides are names — never
inside a job title ("Director of Finance & Resources"); a piece that still holds several names is
split only where known names anchor it (the plan's officers and names that
appear on their own elsewhere in the tracker). Whatever is left between known
names must be one name of two or three words, and the split must be the only
one possible; otherwise the piece is kept whole and reported as unclear.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_SEPARATORS = re.compile(r"\s*(?:/|\n|;)\s*")
_JOINERS = re.compile(r"\s*(?:&|\band\b)\s*", re.IGNORECASE)  # also inside job titles
_NAME_WORD = re.compile(r"^[A-Z][A-Za-z'’\-.]*$")
CHUNK_WORDS = (2, 3)
# words of job titles and teams, never of a person's name ("Finance & Resources")
TITLE_WORDS = frozenset("""
    director directors head heads manager managers officer officers chief executive
    service services resources finance team teams group board department assistant
    deputy corporate strategic lead leader council commissioning commissioner
    operations policy performance programme project people children adults adult
    education health care social housing planning legal hr od ict it digital
    transformation improvement safeguarding partnership partnerships communities
""".split())


@dataclass(frozen=True)
class Split:
    """How one officer cell was read."""

    names: tuple[str, ...]
    split: tuple[str, ...] = ()  # pieces that were split on known names
    unclear: tuple[str, ...] = ()  # pieces kept whole that look like several names


def pieces(text: str | None) -> list[str]:
    """The cell split on explicit separators ("/", line breaks, ";"), spaces and
    bullets tidied; "&" and "and" split only between names (``_joined``)."""
    if not text:
        return []
    found = (" ".join(p.split()).lstrip("•·▪*–- ") for p in _SEPARATORS.split(str(text)))
    return [part for p in found if p for part in _joined(p)]


def _joined(piece: str) -> list[str]:
    """"Ann Lee & Bob Roe" → two names; "Director of Finance & Resources" stays
    whole: every side of the "&"/"and" must be two or more capitalised words
    with no job-title word."""
    parts = [p for p in _JOINERS.split(piece) if p]
    if len(parts) < 2:
        return [piece]
    for part in parts:
        words = part.split()
        if len(words) < 2 or not all(_NAME_WORD.match(w) for w in words) or any(
                w.casefold() in TITLE_WORDS for w in words):
            return [piece]
    return parts


def looks_like_name(piece: str) -> bool:
    """Two or three capitalised words: what a lone officer name looks like."""
    words = piece.split()
    return (len(words) in CHUNK_WORDS and all(_NAME_WORD.match(w) for w in words)
            and not any(w.casefold() in TITLE_WORDS for w in words))


def is_title(words: list[str]) -> bool:
    """A job title or team ("Head of Service", "Finance & Resources"), kept whole."""
    return any(w.casefold() in TITLE_WORDS or not _NAME_WORD.match(w) for w in words)


def learn_names(cells: Iterable[str | None]) -> set[str]:
    """Names that stand alone in some cell — anchors for splitting the others."""
    return {p for cell in cells for p in pieces(cell) if looks_like_name(p)}


def split_cell(text: str | None, known: Iterable[str]) -> Split:
    """Read one officer cell; ``known`` names anchor juxtaposed names."""
    index = {tuple(n.casefold().split()): n for n in known}
    names: list[str] = []
    split: list[str] = []
    unclear: list[str] = []
    for piece in pieces(text):
        words = piece.split()
        if (tuple(w.casefold() for w in words) in index or len(words) <= max(CHUNK_WORDS)
                or is_title(words)):
            names.append(index.get(tuple(w.casefold() for w in words), piece))
            continue
        parts = segment(words, index)
        if parts is None:
            names.append(piece)
            unclear.append(piece)
        else:
            names.extend(parts)
            split.append(piece)
    return Split(tuple(dict.fromkeys(names)), tuple(split), tuple(unclear))


def segment(words: list[str], index: dict[tuple[str, ...], str]) -> list[str] | None:
    """The unique split of ``words`` into known names and 2–3-word unknown names
    that uses at least one known name, as few unknown ones as possible and then
    as many known ones as possible."""
    n = len(words)
    folded = [w.casefold() for w in words]
    # best[i]: ((unknown names, -known names), number of ways, parts) for words[:i]
    best: list[tuple[tuple[int, int], int, list[str]] | None] = [None] * (n + 1)
    best[0] = ((0, 0), 1, [])
    for i in range(n):
        if best[i] is None:
            continue
        (unknown, known), ways, parts = best[i]
        for length in range(1, n - i + 1):
            span = tuple(folded[i:i + length])
            if span in index:
                _relax(best, i + length, (unknown, known - 1), ways, parts + [index[span]])
            elif length in CHUNK_WORDS and all(_NAME_WORD.match(w) for w in words[i:i + length]):
                _relax(best, i + length, (unknown + 1, known), ways,
                       parts + [" ".join(words[i:i + length])])
    result = best[n]
    if result is None or result[1] != 1 or result[0][1] == 0:
        return None  # impossible, ambiguous, or no known name to anchor it
    return result[2]


def _relax(best, j: int, cost: tuple[int, int], ways: int, parts: list[str]) -> None:
    current = best[j]
    if current is None or cost < current[0]:
        best[j] = (cost, ways, parts)
    elif cost == current[0] and parts != current[2]:
        best[j] = (cost, current[1] + ways, current[2])
