"""Free-text statuses from legacy trackers → the plan's RAG scheme.

Legacy plans say "Ongoing programme of work" or "Delayed but nearing full
implementation." where a RAG status belongs. A PMO needs those mapped the same
way every time, editably, and never guessed: the mapping is a table (shipped
defaults in ``xltools/data/status_mapping.json``, then the plan's
``status_mapping``, then an import's ``--status-mapping`` file, later ones
winning). Text that no entry matches is reported, not mapped.

Keys are compared after lower-casing, collapsing spaces and dropping trailing
punctuation. A key containing ``*`` is a pattern (``delayed*`` = starts with
"delayed", ``*compromised*`` = contains "compromised"). Exact keys beat
patterns; among patterns the longest (most specific) wins; a tie between
patterns naming different statuses is ambiguous and reported as unmapped.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import PlanError
from .plan import Plan

DEFAULTS_FILE = "data/status_mapping.json"


def normalise(text: Any) -> str:
    """The form keys and statuses are compared in: lower case, single spaces, no
    trailing full stop or dash (Word often leaves them)."""
    folded = " ".join(str(text).split()).casefold()
    return re.sub(r"[\s.;:,!\-–—]+$", "", folded)


@cache
def default_mapping() -> dict[str, str]:
    """The shipped defaults (keys starting with ``_`` are comments)."""
    text = resources.files("xltools").joinpath(DEFAULTS_FILE).read_text("utf-8")
    return {k: v for k, v in json.loads(text).items() if not k.startswith("_")}


def load_mapping_file(path: str | Path) -> dict[str, str]:
    """A JSON object {status text: RAG name}; raise PlanError naming the file."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise PlanError(f"{path}: status mapping file not found") from exc
    except json.JSONDecodeError as exc:
        raise PlanError(f"{path}: not valid JSON (line {exc.lineno}: {exc.msg})") from exc
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise PlanError(f"{path}: a status mapping is a JSON object of "
                        '{"status text": "RAG name"} pairs')
    return {k: v for k, v in data.items() if not k.startswith("_")}


@dataclass
class StatusMapper:
    """Maps free text to a RAG name of ``plan``'s scheme (or None)."""

    plan: Plan
    extra: dict[str, str] = field(default_factory=dict)
    exact: dict[str, str] = field(init=False, default_factory=dict)
    patterns: dict[str, str] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        layers = (default_mapping(), self.plan.status_mapping, self.extra)
        for layer, source in zip(layers, ("defaults", "plan", "mapping file"), strict=True):
            for key, value in layer.items():
                self._add(key, value, source)

    def _add(self, key: str, value: str, source: str) -> None:
        status = self.plan.rag(value)
        if status is None:
            if source == "defaults":  # a custom scheme without e.g. "Not started"
                return
            raise PlanError(f"status mapping ({source}): '{key}' maps to '{value}', which is "
                            f"not in the RAG scheme ({', '.join(self.plan.rag_names)})")
        target = self.patterns if "*" in key else self.exact
        target[normalise(key)] = status.name

    def map(self, text: Any) -> str | None:
        """The RAG name for ``text``; None when nothing (or only a tie) matches."""
        if text is None or not str(text).strip():
            return None
        key = normalise(text)
        named = self.plan.rag(key)
        if named is not None:
            return named.name
        if key in self.exact:
            return self.exact[key]
        hits = [(len(p.replace("*", "")), rag) for p, rag in self.patterns.items()
                if fnmatchcase(key, p)]
        if not hits:
            return None
        best = max(length for length, _ in hits)
        winners = {rag for length, rag in hits if length == best}
        return winners.pop() if len(winners) == 1 else None

    def to_dict(self) -> dict[str, str]:
        """The effective mapping (exact then patterns), for reports and docs."""
        return {**self.exact, **self.patterns}
