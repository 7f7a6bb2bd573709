"""What a column with no header holds, judged from its values.

Many real trackers leave the header above their Status column blank. A reader
still sees a column of "Green", "Amber", "Complete"; so does ``infer_blank``:
when most of a blank-headed column's values are statuses (RAG words, or what the
plan's status mapping maps) it is the RAG status, when most are dates or
timeframes it is the Timeframe; otherwise it is reported, to be named in
``--mapping`` by position.
"""

from __future__ import annotations

from typing import Any

from ..timeframes import DATED, RECURRING, read_timeframe
from .columns import fold

SHARE = 0.7  # of a column's values that must say what it is

STATUS_WORDS = frozenset(
    "red amber green blue complete completed done achieved closed withdrawn deleted "
    "delayed ongoing on-going started".split())
STATUS_PHRASES = ("on track", "off track", "at risk", "not started", "in progress",
                  "on target", "behind schedule", "not yet started")


def looks_like_status(value: Any, test=None) -> bool:
    """A RAG word or a short status phrase (or what the plan's mapping maps)."""
    words = fold(value)
    if not words or len(words.split()) > 5:
        return False
    return (words in STATUS_WORDS or words in STATUS_PHRASES
            or any(words.startswith(p) for p in STATUS_PHRASES)
            or bool(test and test(value)))


def infer_blank(values: list[Any], status_test=None) -> tuple[str | None, str]:
    """What a blank-headed column holds, from its values: (key or None, in words)."""
    filled = [v for v in values if str(v or "").strip()]
    if len(filled) < 2:
        return None, "" if not filled else "it has too few values to tell what they are"
    kinds = {
        "rag": ("statuses", sum(1 for v in filled if looks_like_status(v, status_test))),
        "timeframe": ("dates", sum(1 for v in filled if len(str(v)) < 60 and read_timeframe(
            v).kind in (DATED, RECURRING))),
    }
    key, (what, hits) = max(kinds.items(), key=lambda kv: kv[1][1])
    if hits >= SHARE * len(filled):
        return key, f"its values are {what} ({hits} of {len(filled)})"
    return None, "its values are not statuses or dates"
