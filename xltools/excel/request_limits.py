"""What one request may cost before it is refused: time to send, JSON depth, cells.

Each limit is checked before the work it protects (pure functions, used by
``guard``): a body must keep arriving (``body_deadline``), a JSON body's
nesting is measured on its brackets before any parser recurses into it
(``too_deep``), and a cell function call's cells are counted before xlwings
converts them one by one on the way in (``cells``).
"""

from __future__ import annotations

import re

from .env import positive_number

READ_TIMEOUT_ENV = "XLTOOLS_READ_TIMEOUT"
FUNCTION_CELLS_ENV = "XLTOOLS_FUNCTION_MAX_CELLS"
FUNCTION_SECONDS_ENV = "XLTOOLS_FUNCTION_SECONDS"
MIN_RATE = 16 * 1024  # bytes a second a body must average once the grace time is over
MAX_DEPTH = 32  # a workbook call nests 5 deep, a function call 4

# a JSON string, unrolled so the regex runs without backtracking per character
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")
_PAIR = re.compile(rb"\[\]|\{\}")


def read_timeout() -> float:
    """Seconds a caller has to send its request head, and the grace before a body
    must average ``MIN_RATE`` ($XLTOOLS_READ_TIMEOUT, default 20)."""
    return positive_number(READ_TIMEOUT_ENV, "20", "a number of seconds")


def function_cells() -> int:
    """Most cells one cell-function call may pass in arguments xlwings converts cell by
    cell ($XLTOOLS_FUNCTION_MAX_CELLS, 200000); a "raw" argument (RAG_COUNT's range)
    may be a whole column."""
    return int(positive_number(FUNCTION_CELLS_ENV, "200000", "a number of cells"))


def function_seconds() -> float:
    """Longest one cell-function call may run ($XLTOOLS_FUNCTION_SECONDS, default 10)."""
    return positive_number(FUNCTION_SECONDS_ENV, "10", "a number of seconds")


def body_deadline(grace: float, seen: int) -> float:
    """Seconds since the body started by which it must have gone past ``seen`` bytes:
    a slow network is fine, a caller sending a byte a second is not."""
    return grace + seen / MIN_RATE


def too_deep(raw: bytes, limit: int = MAX_DEPTH) -> bool:
    """True if the JSON text ``raw`` nests arrays/objects more than ``limit`` deep (or
    its brackets do not pair up). Strings are dropped first (a ``[`` inside text is
    text), then innermost pairs are removed one level a pass."""
    skeleton = _STRING.sub(b"", raw).translate(None, _NOT_BRACKET)
    for _ in range(limit):
        if not skeleton:
            return False
        shorter = _PAIR.sub(b"", skeleton)
        if len(shorter) == len(skeleton):
            return True  # unpaired: not JSON anyway
        skeleton = shorter
    return bool(skeleton)


def cells(value) -> int:
    """How many cells a function argument (a 2-D array, a scalar) holds."""
    if isinstance(value, list):
        return sum(cells(v) for v in value) if value else 0
    return 1
