"""Is this a tracker? Rows of an import that do not look like tracker actions.

A plan written as prose — programmes with key activities, risks, chapter
headings — can be pushed through a column mapping and come out as "actions":
headings as actions, risks as actions, fragments of sentences as officers. The
master would pass every cell check and be garbage. So each imported row is
looked at as a whole, and the import stops (``TooUnlike``) when more than a few
look wrong, rather than write a master nobody can trust:

* **no ref** where the rest of the tracker numbers its actions;
* **a heading**: a short line with no full stop, in capitals — or, with nothing
  else in the row (no officer, date, progress), in title case or starting
  "Chapter", "Programme", "Section", "Part", "Theme", "Priority";
* **a risk**: text that starts "Risk" or says "risk that" / "risk of";
* **an officer cell that is a sentence**: more than six words in one name, or
  a name ending in a full stop.
"""

from __future__ import annotations

import re
from typing import Any

from ..plan import split_officers
from ..workbook.book import Row, blank

HEADING_WORDS = re.compile(r"^(chapter|programme|program|section|part|theme|priority|"
                           r"appendix|annex|objective)\b", re.IGNORECASE)
RISK = re.compile(r"^\s*risks?\b|\brisks? (that|of)\b|\bmitigation\b", re.IGNORECASE)
MINOR = frozenset("a an and the of for to in on at by with & or".split())
MAX_NAME_WORDS = 6
OTHER_KEYS = ("accountable_officer", "lead_officer", "timeframe", "progress_update", "rag",
              "aim", "success_measure")
ALLOWED_SHARE = 0.1  # more than this share of the rows (and more than a few) stops the import
ALLOWED_ROWS = 3


def row_problems(row: Row, tracker_has_refs: bool) -> list[str]:
    """Why ``row`` does not look like a tracker action (empty when it does)."""
    problems = []
    action = " ".join(str(row.get("action") or "").split())
    if tracker_has_refs and blank(row.get("ref")):
        problems.append("no ref")
    alone = not any(not blank(row.get(k)) for k in OTHER_KEYS)
    if action and looks_like_heading(action, alone):
        problems.append("looks like a heading")
    if RISK.search(action):
        problems.append("looks like a risk")
    for key in ("accountable_officer", "lead_officer"):
        for name in split_officers(row.get(key)):
            if sentence(name):
                problems.append(f"officer '{_short(name)}' is a sentence, not a name")
    return problems


def looks_like_heading(text: str, alone: bool = True) -> bool:
    """Short, no full stop, in capitals — or, when nothing else in the row is filled
    (no officer, date or progress), title case or "Chapter…"/"Programme…"."""
    words = text.split()
    if len(words) > 8 or text.endswith((".", ":", ";")):
        return False
    if text.isupper() and len(words) >= 2:
        return True
    if not alone:
        return False
    if HEADING_WORDS.match(text):
        return True
    capitalised = all(w[:1].isupper() or w.casefold() in MINOR or not w[:1].isalpha()
                      for w in words)
    return capitalised and 2 <= len(words) <= 6


def sentence(name: str) -> bool:
    words = name.split()
    return len(words) > MAX_NAME_WORDS or (name.rstrip().endswith(".") and len(words) >= 3)


def too_many(problem_rows: int, rows: int) -> bool:
    return problem_rows > ALLOWED_ROWS and problem_rows > ALLOWED_SHARE * rows


def _short(value: Any, limit: int = 40) -> str:
    value = " ".join(str(value).split())
    return value if len(value) <= limit else value[: limit - 1] + "…"
