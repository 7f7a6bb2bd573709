"""Which column of a legacy tracker is which canonical Actions column.

Trackers name their columns in many ways ("CLT Accountable Officer",
"Progress", "Status", "Links to other plans and strategies", a ref column
with no header at all). Headers are matched by name — the canonical name
(``layout.ACTION_COLUMNS``) or a known synonym — after lower-casing and
dropping punctuation and bracketed notes ("Progress (Q2)").

The header row is read as a person reads it: every cell scores each field its
name could mean (the canonical name or a synonym fits best, a looser word such
as "Recommendation" less, a name that merely contains a known one least), and
the fields are handed out best fit first, one column per field — so of
"Recommendation" and "Action" the Action column gets the action text and
Recommendation falls to its next field (the section). A column with no header
inside the table is identified from its values (statuses → RAG status, dates →
Timeframe; ``infer_blank``). Every such decision is kept in words for the
import report.

A mapping file ``{"source header": "Canonical column"}`` overrides all of
this; a column can be named by position ("#9", or its letter "I") when its
header is blank; mapping a header to "" ignores that column.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..workbook.layout import ACTIONS_LAYOUT as _EVERY_SHAPE
from ..workbook.layout import TRACKER

ACTIONS_LAYOUT = _EVERY_SHAPE.for_shape(TRACKER)  # a legacy tracker's columns: no Start
ACTION_COLUMNS = ACTIONS_LAYOUT.columns

SYNONYMS: dict[str, tuple[str, ...]] = {
    "id": ("action id", "xltools id"),
    "ref": ("ref", "ref no", "reference", "no", "number", "action no", "action number",
            "action ref", "item", "rec no"),
    "section": ("theme", "priority", "priority area", "workstream", "work stream", "area",
                "objective area", "programme"),
    "action": ("improvement action", "action", "actions", "description", "action description",
               "what we will do", "activity", "task", "actions to be taken",
               "action to be taken", "proposed action", "agreed action", "agreed actions"),
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
EXACT, SYNONYM = 1.0, 0.9
# looser words: a field they may mean, with how well they fit it (below any synonym)
LOOSE: dict[str, tuple[tuple[str, float], ...]] = {
    "recommendation": (("action", 0.6), ("section", 0.5)),
    "recommendations": (("action", 0.6), ("section", 0.5)),
    "finding": (("section", 0.5),),
    "issue": (("section", 0.4),),
}
POSITION = re.compile(r"^#(\d{1,3})$|^([A-Z]{1,2})$")


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


def position_key(header: str) -> str | None:
    """A mapping key naming a column by position: "#9" or its letter "I" → "#9"."""
    match = POSITION.match(str(header).strip())
    if not match:
        return None
    if match.group(1):
        return f"#{int(match.group(1))}"
    number = 0
    for ch in match.group(2):
        number = number * 26 + ord(ch) - 64
    return f"#{number}"


def resolve_mapping(data: dict[str, Any], source: str = "mapping") -> dict[str, str]:
    """Folded source header (or "#n" for a position) → column key; unknown targets
    are refused by name."""
    by_name = {fold(c.name): c.key for c in ACTION_COLUMNS}
    keys = set(ACTIONS_LAYOUT.keys)
    out: dict[str, str] = {}
    for header, target in data.items():
        name = position_key(header) or fold(header)
        if target in (None, ""):
            out[name] = IGNORE
        elif target in keys:
            out[name] = target
        elif fold(target) in by_name:
            out[name] = by_name[fold(target)]
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
    blank: set[int] = field(default_factory=set)  # no header, values not identified
    decisions: list[tuple[int, str]] = field(default_factory=list)  # (column, in words)

    def signature(self) -> tuple[tuple[int, str], ...]:
        return tuple(sorted(self.positions.items()))

    def index_of(self, key: str) -> int | None:
        return next((i for i, k in self.positions.items() if k == key), None)


def column_name(key: str) -> str:
    return ACTIONS_LAYOUT.column(key).name


class HeaderMatcher:
    """Recognises header rows and maps their cells to column keys."""

    def __init__(self, mapping: dict[str, str] | None = None):
        self.mapping = mapping or {}
        self.names = builtin_names()
        self.squashed = {name.replace(" ", ""): key for name, key in self.names.items()}
        self.status_test = None  # value → is it a status? (set by the importer)

    def key_for(self, text: Any) -> str | None:
        """The column a header names; spaces are not significant ("Timefra me",
        "Account able": a PDF's narrow header cell breaks words at its edge)."""
        folded = fold(text)
        if not folded:
            return None
        return (self.mapping.get(folded) or self.names.get(folded)
                or self.squashed.get(folded.replace(" ", "")))

    def candidates(self, text: Any) -> list[tuple[float, str]]:
        """Every field a header could name, with how well it fits (best first)."""
        folded = fold(text)
        if not folded:
            return []
        if folded in self.mapping:
            return [(2.0, self.mapping[folded])]
        found: dict[str, float] = {}
        exact = self.names.get(folded) or self.squashed.get(folded.replace(" ", ""))
        if exact:
            canonical = any(fold(c.name) == folded for c in ACTION_COLUMNS)
            found[exact] = EXACT if canonical else SYNONYM
        for key, score in LOOSE.get(folded, ()):
            found.setdefault(key, score)
        if not found:  # "Target date for completion" contains "target date"
            words = f" {folded} "
            for name, key in self.names.items():
                if len(name) >= 4 and f" {name} " in words:
                    score = 0.3 + 0.3 * len(name) / len(folded)
                    found[key] = max(found.get(key, 0.0), score)
        return sorted(((v, k) for k, v in found.items()), reverse=True)

    def is_header(self, cells: list[Any]) -> bool:
        """At least two cells name columns, and most of the non-empty ones do."""
        texts = [c for c in cells if isinstance(c, str) and c.strip()]
        if len(texts) < 2 or any(len(t) > 80 for t in texts):
            return False
        hits = sum(1 for t in texts if self.key_for(t))
        return hits >= 2 and hits * 2 >= len(texts)

    def header(self, cells: list[Any], inferred: dict[int, tuple[str, str]] | None = None
               ) -> Header:
        """Positions of known columns, handed out best fit first (one column per
        field); blank-headed columns from ``inferred`` ({position: (key, why)}); a
        blank first cell is the ref column."""
        inferred = inferred or {}
        found = [i for i, (key, _) in inferred.items() if key]
        cells = list(cells) + [""] * (max(found, default=-1) + 1 - len(cells))
        result = Header({})
        offers: list[tuple[float, int, str]] = []
        for i, cell in enumerate(cells):
            by_place = self.mapping.get(f"#{i + 1}")
            if by_place == IGNORE or (by_place is None and self.key_for(cell) == IGNORE):
                result.ignored.add(i)
            elif by_place:
                offers.append((3.0, i, by_place))
            elif str(cell or "").strip():
                offers += [(score, i, key) for score, key in self.candidates(cell)]
                if not self.candidates(cell):
                    result.unmatched[i] = str(cell).strip()
        claims = _claims(offers)
        for score, i, key in sorted(offers, key=lambda o: (-o[0], o[1])):
            if i in result.positions or key in result.positions.values():
                continue
            result.positions[i] = key
            _explain(result, cells, i, key, score, claims)
        for i in {i for _, i, _ in offers} - set(result.positions):
            name = str(cells[i]).strip()
            result.duplicates[i] = name
            rivals = [f"'{cells[j]}'" for j, k in result.positions.items()
                      if (k in claims.get(i, ()))]
            result.decisions.append((i, f"column '{name}' names {_fields(claims.get(i, ()))}, "
                                     f"which {' and '.join(rivals) or 'other columns'} fit "
                                     "better; not imported (map it with --mapping)"))
        self._blanks(result, cells, inferred)
        return result

    def _blanks(self, result: Header, cells: list[Any], inferred: dict[int, tuple[str, str]]
                ) -> None:
        """Blank-headed columns: the ref when first, else what their values say."""
        taken = set(result.positions) | result.ignored
        named = [i for i, c in enumerate(cells) if str(c or "").strip()]
        first = next(iter(sorted(result.positions)), None)
        for i, cell in enumerate(cells):
            if i in taken or str(cell or "").strip() or not named:
                continue
            key, why = inferred.get(i, (None, ""))
            if key is None and i > max(named):
                continue  # cells beyond the table: reported where they are
            if key is None and first is not None and i == first - 1 \
                    and "ref" not in result.positions.values():
                key, why = "ref", "it is the first column"
            if key and key not in result.positions.values():
                result.positions[i] = key
                result.decisions.append((i, f"column {i + 1} has no header; {why}, so it was "
                                         f"read as {column_name(key)}"))
            elif key:
                result.blank.add(i)
                result.decisions.append((i, f"column {i + 1} has no header; {why}, but "
                                         f"'{cells[result.index_of(key)]}' is already "
                                         f"{column_name(key)}: not imported (name it in "
                                         f"--mapping as \"#{i + 1}\")"))
            elif why:
                result.blank.add(i)
                result.decisions.append((i, f"column {i + 1} has no header and {why}: not "
                                         f"imported (name it in --mapping as \"#{i + 1}\")"))


def _claims(offers: list[tuple[float, int, str]]) -> dict[int, tuple[str, ...]]:
    out: dict[int, tuple[str, ...]] = {}
    for _, i, key in offers:
        out[i] = (*out.get(i, ()), key)
    return out


def _fields(keys: tuple[str, ...]) -> str:
    return " or ".join(column_name(k) for k in keys) or "a column"


def _explain(result: Header, cells: list[Any], i: int, key: str, score: float,
             claims: dict[int, tuple[str, ...]]) -> None:
    """Say why a column got its field when it was not the obvious reading: another
    column wanted the same field, or the header only loosely names it."""
    name = str(cells[i]).strip()
    rivals = [j for j, keys in claims.items() if j != i and key in keys]
    if rivals:
        others = " and ".join(f"'{cells[j]}'" for j in rivals)
        result.decisions.append((i, f"'{name}' and {others} could both be "
                                 f"{column_name(key)}; '{name}' is the closer name, so it "
                                 f"was read as {column_name(key)}"))
    elif claims.get(i, (key,))[0] != key:
        first = claims[i][0]
        holder = result.index_of(first)
        result.decisions.append((i, f"'{name}' could also be {column_name(first)}, which "
                                 f"'{cells[holder]}' fits better, so it was read as "
                                 f"{column_name(key)}"))
    elif score < SYNONYM:
        result.decisions.append((i, f"column '{name}' was read as {column_name(key)}"))
