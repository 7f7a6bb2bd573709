"""Which column of a legacy tracker is which canonical Actions column.

Trackers name their columns in many ways ("CLT Accountable Officer",
"Progress", "Status", "Links to other plans and strategies", a ref column
with no header at all). Headers are matched by name — the canonical name
(``layout.ACTION_COLUMNS``) or a known synonym — after lower-casing and
dropping punctuation and bracketed notes ("Progress (Q2)"). A mapping file
``{"source header": "Canonical column"}`` overrides the built-in matching;
mapping a header to "" ignores that column.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..workbook.layout import ACTION_COLUMNS, ACTIONS_LAYOUT

SYNONYMS: dict[str, tuple[str, ...]] = {
    "id": ("action id", "xltools id"),
    "ref": ("ref", "ref no", "reference", "no", "number", "action no", "action number",
            "action ref", "item", "rec no"),
    "section": ("theme", "priority", "priority area", "workstream", "work stream", "area",
                "objective area", "programme"),
    "action": ("improvement action", "action", "actions", "description", "action description",
               "what we will do", "activity", "recommendation", "task"),
    "accountable_officer": ("clt accountable officer", "accountable", "accountable lead",
                            "accountable director", "sro", "senior responsible officer",
                            "responsible officer", "executive lead", "director"),
    "lead_officer": ("lead", "officer", "action owner", "owner", "lead person", "led by",
                     "responsible lead", "lead officers", "responsible"),
    "aim": ("what we hope to achieve", "outcome", "outcomes", "expected outcome",
            "intended outcome", "aim", "aims", "objective", "benefits"),
    "timeframe": ("timescale", "timescales", "time frame", "timeframes", "deadline",
                  "due date", "due", "target date", "completion date", "by when", "when"),
    "success_measure": ("success measures", "measure of success", "measures of success",
                        "how will we know", "kpi", "evidence of impact", "measure"),
    "previous_progress": ("previous update", "last update", "progress last quarter"),
    "previous_rag": ("previous status", "last rag", "previous rag status", "last status"),
    "progress_update": ("progress", "update", "latest update", "progress to date",
                        "commentary", "comments", "comment", "current progress",
                        "progress this quarter", "progress made"),
    "rag": ("rag", "status", "rag rating", "rating", "brag", "current status",
            "overall status", "progress status", "delivery status", "rag status"),
    "last_updated": ("date updated", "updated on", "date of update", "update date"),
    "updated_by": ("update by", "author"),
    "links": ("links to other plans and strategies", "links", "related plans",
              "links to strategy", "strategic links", "link to other plans",
              "links to other strategies", "dependencies"),
}
IGNORE = "__ignore__"


def fold(text: Any) -> str:
    """Header text as compared: lower case, no brackets or punctuation."""
    text = re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", str(text or ""))
    text = re.sub(r"[^0-9a-z#]+", " ", text.casefold())
    return " ".join(text.split())


def builtin_names() -> dict[str, str]:
    """Folded header → column key, from canonical names then synonyms."""
    names = {fold(c.name): c.key for c in ACTION_COLUMNS}
    for key, words in SYNONYMS.items():
        for word in words:
            names.setdefault(fold(word), key)
    return names


def load_mapping(path: str | Path) -> dict[str, str]:
    """A mapping file: {source header: canonical column name (or key, or "")}."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise UsageError(f"{path}: mapping file not found") from exc
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path}: not valid JSON (line {exc.lineno}: {exc.msg})") from exc
    if not isinstance(data, dict):
        raise UsageError(f"{path}: a mapping file is a JSON object "
                         '{"source header": "Canonical column"}')
    return resolve_mapping(data, str(path))


def resolve_mapping(data: dict[str, Any], source: str = "mapping") -> dict[str, str]:
    """Folded source header → column key; unknown targets are refused by name."""
    by_name = {fold(c.name): c.key for c in ACTION_COLUMNS}
    keys = set(ACTIONS_LAYOUT.keys)
    out: dict[str, str] = {}
    for header, target in data.items():
        if target in (None, ""):
            out[fold(header)] = IGNORE
        elif target in keys:
            out[fold(header)] = target
        elif fold(target) in by_name:
            out[fold(header)] = by_name[fold(target)]
        else:
            raise UsageError(f"{source}: '{header}' maps to '{target}', which is not an "
                             f"Actions column ({', '.join(ACTIONS_LAYOUT.headers)})")
    return out


@dataclass
class Header:
    """One header row: column position → key, and what could not be matched."""

    positions: dict[int, str]
    unmatched: dict[int, str] = field(default_factory=dict)
    duplicates: dict[int, str] = field(default_factory=dict)
    ignored: set[int] = field(default_factory=set)  # mapped to "" on purpose

    def signature(self) -> tuple[tuple[int, str], ...]:
        return tuple(sorted(self.positions.items()))

    def index_of(self, key: str) -> int | None:
        return next((i for i, k in self.positions.items() if k == key), None)


class HeaderMatcher:
    """Recognises header rows and maps their cells to column keys."""

    def __init__(self, mapping: dict[str, str] | None = None):
        self.mapping = mapping or {}
        self.names = builtin_names()

    def key_for(self, text: Any) -> str | None:
        folded = fold(text)
        if not folded:
            return None
        return self.mapping.get(folded) or self.names.get(folded)

    def is_header(self, cells: list[Any]) -> bool:
        """At least two cells name columns, and most of the non-empty ones do."""
        texts = [c for c in cells if isinstance(c, str) and c.strip()]
        if len(texts) < 2 or any(len(t) > 80 for t in texts):
            return False
        hits = sum(1 for t in texts if self.key_for(t))
        return hits >= 2 and hits * 2 >= len(texts)

    def header(self, cells: list[Any]) -> Header:
        """Positions of known columns; a blank first cell is the ref column."""
        result = Header({})
        for i, cell in enumerate(cells):
            key = self.key_for(cell)
            if key == IGNORE:
                result.ignored.add(i)
                continue
            if key is None:
                if str(cell or "").strip():
                    result.unmatched[i] = str(cell).strip()
                continue
            if key in result.positions.values():
                result.duplicates[i] = str(cell).strip()
                continue
            result.positions[i] = key
        first = next(iter(sorted(result.positions)), None)
        if ("ref" not in result.positions.values() and first
                and not str(cells[first - 1] or "").strip()):
            result.positions[first - 1] = "ref"
        return result
