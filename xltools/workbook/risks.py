"""A programme plan's risks: score, RAG and direction, as the Risks sheet shows them.

Score is likelihood × impact (each 1–5, so 1–25). The RAG comes from the score
by the plan's thresholds (hidden Settings ``risk_thresholds``: the lowest score
that is Red, and the lowest that is Amber), because councils draw the line in
different places; the default is the common 5×5 matrix's (Red from 15, Amber
from 8). Direction compares the score with last period's.
"""

from __future__ import annotations

from typing import Any

from .book import Book, Row

DEFAULT_THRESHOLDS = {"Red": 15, "Amber": 8}
THRESHOLDS_SETTING = "risk_thresholds"


def thresholds(book: Book) -> dict[str, int]:
    """The plan's thresholds (from Settings), else the default."""
    given = book.extra_settings.get(THRESHOLDS_SETTING) or {}
    return {**DEFAULT_THRESHOLDS, **{k: int(v) for k, v in given.items()}}


def rag_for(score: int | None, limits: dict[str, int]) -> str | None:
    if score is None:
        return None
    if score >= limits["Red"]:
        return "Red"
    return "Amber" if score >= limits["Amber"] else "Green"


def _score_part(value: Any) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if 1 <= number <= 5 else None


def score_risk(row: Row, limits: dict[str, int]) -> Row:
    """Fill ``row``'s score, RAG and direction from its likelihood, impact and previous
    score (blank when either part is missing or outside 1–5: never a made-up score)."""
    likelihood, impact = _score_part(row.get("likelihood")), _score_part(row.get("impact"))
    score = likelihood * impact if likelihood and impact else None
    row["score"] = score
    row["rag"] = rag_for(score, limits)
    previous = row.get("previous_score")
    if score is None or previous in (None, ""):
        row["direction"] = None
    else:
        before = int(previous)
        row["direction"] = "Rising" if score > before else "Falling" if score < before else "Same"
    return row


def roll_risks(rows: list[Row], limits: dict[str, int]) -> list[Row]:
    """Next quarter's risks: this quarter's score becomes the previous score (a risk not
    scored this quarter keeps its older previous score); likelihood and impact stay as
    last assessed (the owner reviews them), so Direction reads Same until they change.
    Without this a rollover would drop the Risks sheet."""
    rolled = []
    for row in rows:
        new = {k: v for k, v in row.items() if not k.startswith("_")}
        if row.get("score") not in (None, ""):
            new["previous_score"] = row.get("score")
        rolled.append(score_risk(new, limits))
    return rolled
