"""A programme plan's risks: score, RAG and direction, as the Risks sheet shows them.

Score is likelihood × impact (each 1–5, so 1–25). The RAG comes from the score
by the plan's thresholds (hidden Settings ``risk_thresholds``: the lowest score
that is Red, and the lowest that is Amber), because councils draw the line in
different places; the default is the common 5×5 matrix's (Red from 15, Amber
from 8). Direction compares the score with last period's.
"""

from __future__ import annotations

import re
from typing import Any

from .book import Book, Row
from .layout import SCORES

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


def score_value(value: Any) -> int | None:
    """A Likelihood or Impact cell as its score, 1–5 (a whole number, or its digit typed
    as text); None for a blank or anything else. The one reading of a score part: check,
    consolidation, the scores on the Risks sheet and the heat map all use it."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip() if isinstance(value, (int, str)) else ""
    return int(text) if text in SCORES else None


def register_order(ident: Any) -> tuple[int, str]:
    """A risk ID's place in the register: R2 before R10 (by the number in the ID, then
    the ID); an ID with no number after every numbered one."""
    digits = re.search(r"\d+", str(ident or ""))
    return (int(digits.group()) if digits else 10**9, str(ident or ""))


def whole_number(value: Any) -> int | None:
    """A previous score as read (16, 16.0 or "16") as a whole number; None for a blank,
    a fraction or text — no direction then, rather than an error."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    return int(number) if number.is_integer() else None


def score_risk(row: Row, limits: dict[str, int]) -> Row:
    """Fill ``row``'s score, RAG and direction from its likelihood, impact and previous
    score (blank when either part is missing or outside 1–5: never a made-up score)."""
    likelihood, impact = score_value(row.get("likelihood")), score_value(row.get("impact"))
    score = likelihood * impact if likelihood and impact else None
    row["score"] = score
    row["rag"] = rag_for(score, limits)
    before = whole_number(row.get("previous_score"))
    if score is None or before is None:
        row["direction"] = None
    else:
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
