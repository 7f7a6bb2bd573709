"""Action references ("2.3") in legacy trackers: reading them and repairing them.

Copying a table out of Word or a PDF damages refs in a few repeatable ways: the
section prefix is lost ("10" for 2.10), the ref slides into the action text
("10 Ensuring that…"), or Excel stores "2.10" as the number 2.1. Each repair
here is made only when the neighbouring refs make it unambiguous, and the
caller reports it (REF_FIXED) so the PMO can check.
"""

from __future__ import annotations

import re

REF = re.compile(r"^(\d{1,3}(?:\.\d{1,3})*)([a-z]?)$")
EMBEDDED = re.compile(r"^\s*(\d{1,3}(?:\.\d{1,3})*)[.)]?\s+(?=[A-Z\"“‘'(])(.+)$", re.DOTALL)


OTHER_REF = re.compile(r"^[A-Za-z]{0,4}[-_ ]?\d{1,4}(?:[.\-_]\w{1,4}){0,3}$")


def as_ref(text: object) -> str | None:
    """``text`` as a ref ("2.3", "10", "3.1a", or a scheme like "CF-01"), or None."""
    value = " ".join(str(text or "").split()).rstrip(".)")
    return value if REF.match(value) or OTHER_REF.match(value) else None


def embedded(text: object) -> tuple[str, str] | None:
    """``("10", "Ensuring that…")`` when a cell starts with a ref then the text."""
    match = EMBEDDED.match(str(text or ""))
    return (match.group(1), match.group(2).strip()) if match else None


def parts(ref: str) -> list[int]:
    return [int(p) for p in REF.match(ref).group(1).split(".")] if REF.match(ref) else []


def successors(previous: str | None) -> set[str]:
    """Refs that may follow ``previous``: the next in its section, or a new section."""
    if previous is None:
        return set()
    nums = parts(previous)
    if not nums:
        return set()
    head = ".".join(str(n) for n in nums[:-1])
    nxt = {f"{head}.{nums[-1] + 1}" if head else str(nums[-1] + 1)}
    if len(nums) > 1:
        nxt |= {f"{nums[0] + 1}.1", str(nums[0] + 1)}
    return nxt


class RefTracker:
    """Remembers the refs read so far and repairs a new one in their light."""

    def __init__(self) -> None:
        self.previous: str | None = None
        self.seen: set[str] = set()
        self.heading_number: int | None = None  # a section heading read since `previous`

    def heading(self, number: int) -> None:
        self.heading_number = number

    def repair(self, ref: str) -> str:
        """The ref as it should read; unchanged unless the context is clear."""
        prev = parts(self.previous) if self.previous else []
        if not REF.match(ref):  # a council's own scheme ("CF-01"): kept as it is
            return ref
        if "." not in ref and len(prev) > 1:
            major = self.heading_number or prev[0]
            return f"{major}.{ref}"
        if ref in self.seen and len(prev) > 1:
            candidate = ".".join(str(n) for n in prev[:-1]) + f".{prev[-1] + 1}"
            if candidate.rstrip("0") == ref:  # Excel stored 2.10 as the number 2.1
                return candidate
        return ref

    def plausible(self, ref: str) -> bool:
        """Whether a ref found inside text is the one expected next."""
        return self.previous is None or ref in successors(self.previous)

    def accept(self, ref: str) -> None:
        self.previous = ref
        self.seen.add(ref)
        self.heading_number = None
