"""What a return was issued with, kept in its own hidden Settings: a short fingerprint
of each action's locked cells.

Plain ``xltools check`` (and "Check my return") has no master to compare with, yet an
officer who types over the Improvement action or the Timeframe — the sheet's protection
has no password — must hear it before sending, as consolidation will tell the PMO
(LOCKED_CHANGED). Storing the values themselves would double a return's size (last
quarter's progress is most of it); a few hex digits per cell say *which* cell changed,
which is all the officer needs: "put back what was issued".
"""

from __future__ import annotations

import zlib
from datetime import date, datetime
from typing import Any

from .book import Row, blank
from .layout import ACTIONS_LAYOUT, RETURN
from .return_layout import RETURN_SHOWN

ISSUED_KEY = "issued_cells"  # Settings key: action ID -> fingerprint of its locked cells
ISSUED_TOKEN = "@@XLTOOLS-ISSUED@@"  # a Stamp's placeholder, replaced per return
# The cells of a return's row the officer sees and may not change (consolidation also
# compares the hidden ones: Section, aims and links, which the officer must unhide first).
LOCKED_KEYS = tuple(c.key for c in ACTIONS_LAYOUT.columns
                    if RETURN not in c.editable and c.key in RETURN_SHOWN)
# A programme RDL's return also has Start locked: its fingerprint is one cell longer,
# so a tracker's (and every return issued before) is exactly as it was.
PROGRAMME_LOCKED_KEYS = (*LOCKED_KEYS, *(c.key for c in ACTIONS_LAYOUT.columns
                                         if RETURN not in c.editable and c.optional))
_DIGITS = 6  # per cell: a chance of 1 in 16 million that a change goes unseen
LIMIT = 30000  # characters: a bigger fingerprint (thousands of actions) is not kept


def _plain(value: Any) -> str:
    """A cell's value as compared: spacing ignored, a date as its day, blank as ''."""
    if type(value) is str:  # noqa: E721 - nearly every cell: spacing normalised only if needed
        if value.isprintable() and "  " not in value and value[:1] != " " != value[-1:]:
            return value
        return " ".join(value.split())
    if blank(value):
        return ""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def cell_print(value: Any) -> str:
    """Six hex digits of a cell (CRC-32: a change detector, not a secret — the officer
    could recompute it, but gains nothing: consolidation compares with the master)."""
    return f"{zlib.crc32(_plain(value).encode()) & 0xFFFFFF:06x}"


_EMPTY = f"{zlib.crc32(b'') & 0xFFFFFF:06x}"


def locked_keys(book: Any) -> tuple[str, ...]:
    """The locked cells fingerprinted in ``book``'s returns (a ``Book``)."""
    return PROGRAMME_LOCKED_KEYS if getattr(book, "is_programme", False) else LOCKED_KEYS


def fingerprint(row: Row, keys: tuple[str, ...] = LOCKED_KEYS) -> str:
    """One action's locked cells, as issued, in LOCKED_KEYS order. Written for every
    row of a 12,000-row issue, so the common cells (empty, or tidy text) are hashed here
    without a call: ~10 % of issuing's CPU otherwise."""
    parts = []
    crc = zlib.crc32
    for key in keys:
        value = row.get(key)
        if value is None:
            parts.append(_EMPTY)
        elif type(value) is str and value.isprintable() and "  " not in value \
                and value[:1] != " " != value[-1:]:  # noqa: E721 - as ``_plain``
            parts.append("%06x" % (crc(value.encode()) & 0xFFFFFF))
        else:
            parts.append(cell_print(value))
    return "".join(parts)


def issued_cells(rows: list[Row], keys: tuple[str, ...] = LOCKED_KEYS,
                 ) -> dict[str, str] | None:
    """Action ID -> fingerprint for a return's rows (None when too big to keep)."""
    out = {str(r["id"]): fingerprint(r, keys) for r in rows if not blank(r.get("id"))}
    return out if len(out) * (len(keys) * _DIGITS + 14) < LIMIT else None


def changed_keys(row: Row, issued: str, keys: tuple[str, ...] = LOCKED_KEYS) -> list[str]:
    """The locked cells of ``row`` that no longer hold what was issued."""
    if len(issued) != len(keys) * _DIGITS:
        return []  # another version's fingerprint: nothing can be told
    return [key for n, key in enumerate(keys)
            if cell_print(row.get(key)) != issued[n * _DIGITS:(n + 1) * _DIGITS]]
