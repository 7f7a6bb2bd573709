"""Numbers the server reads from its environment: a bad value stops ``xltools serve``
with one line naming the variable, never a traceback at the first request."""

from __future__ import annotations

import math
import os

from ..errors import UsageError


def positive_number(env: str, default: str, what: str) -> float:
    """``$env`` (``default`` when unset) as a number above 0; ``what`` names its unit
    in the message, e.g. "a number of megabytes"."""
    text = os.environ.get(env, default).strip()
    try:
        value = float(text)
    except ValueError:
        raise UsageError(f"{env} must be {what}, not '{text}'") from None
    if not math.isfinite(value):  # nan, inf, 1e400: no limit at all, or every call refused
        raise UsageError(f"{env} must be {what}, not '{text}'")
    if value <= 0:
        raise UsageError(f"{env} must be above 0")
    return value
