"""What the board sees on a programme plan's Dashboard (and so its highlight report).

Two blocks, written only for a programme plan (``book.is_programme``); a tracker's
Dashboard is unchanged:

- RAG by programme, grouped under its aim, each programme with its SAO and RDL,
  and per programme the activities flagged OVERDUE, SLIPPED and NOT_STARTED. The
  counts are live COUNTIFS over the Actions sheet, as the tracker's section table
  is; the flag counts read the codes that start the Flags lines (``xltools
  flags`` writes them), they are never worked out again here.
- Risks: the 5×5 heat map (likelihood × impact, cells in the plan's threshold
  colours, each holding its count and risk IDs, every risk counted once), the
  risks not yet scored named beside it, and the top risks by score with owner
  and direction. These are values as at the time of writing (``heatmap``).

The Dashboard lends its COUNTIFS builders (``count``: a status within a section
criterion; ``rng``: an Actions column's range) so both tables count alike.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from openpyxl.styles import Alignment, Font, PatternFill

from ..workbook import fastrows, styles
from ..workbook.book import Book, blank
from ..workbook.grid import Formula, Grid
from ..workbook.grid import header_cell as _header
from ..workbook.layout import col_letter
from .heatmap import SIDE, HeatMap, Risk, heat_map
from .programmes import Programme, by_aim
from .rollup import NO_SECTION

# (code at the start of a Flags line, column heading on the Dashboard)
BOARD_FLAGS = (("OVERDUE", "Overdue"), ("SLIPPED", "Slipped"),
               ("NOT_STARTED", "Start passed, not started"))
# characters of column width the Dashboard may take: LibreOffice fits this to A4
# landscape at 81 %, so 10 pt text prints at 8 pt or more
PRINT_WIDTH = 133.5
NOT_RECORDED = "not recorded"
ALL_ACTIVITIES = "All activities"
LIKELIHOOD_WORDS = {5: "almost certain", 4: "likely", 3: "possible", 2: "unlikely", 1: "rare"}
_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
_WRAP = Alignment(horizontal="left", vertical="top", wrap_text=True)
_AIM_FILL = PatternFill("solid", fgColor="DEEAF6")
_TOTAL_FILL = PatternFill("solid", fgColor="D9E1F2")
_SMALL = Font(name="Arial", size=10, color="595959")
_AIM_FONT = Font(name="Arial", bold=True, size=10, color="1F3864")
_LINE = 12.6  # points a line of 10 pt Arial takes in a wrapped cell

CountFormula = Callable[[str, "str | None", list[str]], Formula]


@dataclass
class Lent:
    """The Dashboard's pieces the board blocks use (passed in: no import cycle)."""

    count: CountFormula  # COUNTIFS of one status, optionally within a section criterion
    rng: Callable[[str], str]  # absolute range of one Actions column
    colour: Callable[[Book, str], str]  # a status's colour (greys for no status)
    label: Callable[[str], str]  # a status as a committee reads it


def extra_columns(book: Book) -> int:
    """Columns the programme table adds to the Dashboard's width (the flag counts)."""
    return len(BOARD_FLAGS) if book.is_programme else 0


def fit_widths(widths: dict[str, float]) -> dict[str, float]:
    """The Dashboard's column widths narrowed, if need be, to ``PRINT_WIDTH``: with a
    "Not a RAG status" column as well, the programme table would print under 8 pt.
    Column A (the programme and its people) keeps its width; the counts give way."""
    rest = {k: v for k, v in widths.items() if k != "A"}
    room = PRINT_WIDTH - widths.get("A", 0)
    if sum(rest.values()) <= room:
        return widths
    each = room / len(rest)
    return {k: (v if k == "A" else round(each, 2)) for k, v in widths.items()}


def flag_counts(book: Book) -> dict[str, dict[str, int]]:
    """Per programme (its Section), how many activities carry each board flag code at the
    start of a Flags line — what the Dashboard's formulas count, for JSON and tests."""
    counts: dict[str, dict[str, int]] = {}
    for programme in [p for _, _, ps in by_aim(book) for p in ps]:
        found = counts.setdefault(programme.section, dict.fromkeys(c for c, _ in BOARD_FLAGS))
        for code in found:
            found[code] = sum(code in line_codes(a.get("flags")) for a in programme.activities)
    return counts


def flag_lists(book: Book) -> list[tuple[str, list]]:
    """The activities a board asks about after the overdue ones (listed by the
    Dashboard under it): slipped, and not started though their Start has passed.
    None for a tracker."""
    if not book.is_programme:
        return []
    return [(title, [a for a in book.actions if code in line_codes(a.get("flags"))])
            for code, title in (("SLIPPED", "Slipped activities"),
                                ("NOT_STARTED", "Not started though their Start has passed"))]


def revised_end_text(value: Any) -> str:
    """A Revised end as the board reads it: a date as "15 Jan 2025", a month as given."""
    if isinstance(value, datetime | date):
        return f"{value.day} {value:%b %Y}"
    return " ".join(str(value or "").split())


def revised_note(value: Any) -> str:
    """", revised to <end>" after an activity's due date, or nothing (trackers have no
    Revised end)."""
    text = revised_end_text(value)
    return f", revised to {text}" if text else ""


def line_codes(text: Any) -> set[str]:
    """The codes that start the lines of a Flags cell ("OVERDUE: …")."""
    return {line.split(":", 1)[0].strip() for line in str(text or "").splitlines()
            if ":" in line}


def programme_table(grid: Grid, book: Book, statuses: list[str], top: int, last_col: int,
                    lent: Lent) -> tuple[int, list[tuple[Any, int]]]:
    """RAG by programme under each aim, with SAO / RDL and the flag counts.

    Returns the next free row and the (label, row) of each programme and of the
    all-activities row, for the charts' data block."""
    grid.put(top, 1, "RAG status by programme, by aim", styles.SUBTITLE_FONT, border=False)
    head = top + 1
    heads = [("Programme (SAO / RDL)", None)] + [(lent.label(s), lent.colour(book, s))
                                                 for s in statuses]
    heads += [("Total", None), ("% complete", None)] + [(h, "#FCE4D6") for _, h in BOARD_FLAGS]
    for col, (text, colour) in enumerate(heads, start=1):
        _header(grid, head, col, text, colour)
    grid.heights[head] = 58  # "Start passed, not started" in four lines
    row, sources = head + 1, []
    for aim, title, programmes in by_aim(book):
        text = f"Aim {aim}: {title}" if aim else "Programmes under no aim"
        for col in range(1, last_col + 1):
            grid.put(row, col, text if col == 1 else None, _AIM_FONT, _AIM_FILL, _WRAP)
        grid.merge(row, 1, last_col)
        _fit(grid, row, text, 40 + 8.5 * (last_col - 1))
        row += 1
        for programme in programmes:
            _counts_row(grid, book, statuses, row, _people(programme), _criterion(programme),
                        lent)
            sources.append((_chart_label(programme), row))
            row += 1
    _counts_row(grid, book, statuses, row, ALL_ACTIVITIES, None, lent, total=True)
    sources.append((ALL_ACTIVITIES, row))
    return row + 1, sources


def _counts_row(grid: Grid, book: Book, statuses: list[str], row: int, label: str,
                criterion: str | None, lent: Lent, total: bool = False) -> None:
    """One programme's (or all activities') RAG counts, total, % complete, flags."""
    font, fill = (styles.BOLD_FONT, _TOTAL_FILL) if total else (styles.BODY_FONT, None)
    grid.put(row, 1, label, font, fill, _WRAP)
    _fit(grid, row, label, 40)
    for col, status in enumerate(statuses, start=2):
        grid.put(row, col, lent.count(status, criterion, statuses), font, fill, _CENTRE, "0")
    total_col = len(statuses) + 2
    first, last = col_letter(2), col_letter(total_col - 1)
    grid.put(row, total_col, Formula(f"=SUM({first}{row}:{last}{row})"), styles.BOLD_FONT,
             fill, _CENTRE, "0")
    done = "+".join(f"{col_letter(c)}{row}" for c, s in enumerate(statuses, start=2)
                    if s in book.plan.complete_statuses) or "0"
    t = f"{col_letter(total_col)}{row}"
    grid.put(row, total_col + 1, Formula(f"=IF({t}=0,0,({done})/{t})"), font, fill, _CENTRE,
             "0%")
    within = f"{lent.rng('section')},{criterion}," if criterion else ""
    for col, (code, _) in enumerate(BOARD_FLAGS, start=total_col + 2):
        formula = Formula(f'=COUNTIFS({within}{lent.rng("flags")},"*{code}:*")')
        grid.put(row, col, formula, styles.BOLD_FONT, fill, _CENTRE, "0;-0;")


def _people(programme: Programme) -> str:
    return (f"{programme.section}\nSAO: {programme.sao or NOT_RECORDED} · "
            f"RDL: {programme.rdl or NOT_RECORDED}")


def _chart_label(programme: Programme) -> str:
    """A programme as the bar chart names it: its number and the start of its name."""
    name = programme.section
    return name if len(name) <= 34 else name[:33].rsplit(" ", 1)[0] + "…"


def _criterion(programme: Programme) -> str:
    """A COUNTIFS criterion matching the programme's Section exactly (Excel's
    wildcards escaped; activities with no Section are matched as blank)."""
    if all(blank(a.get("section")) for a in programme.activities) and programme.activities:
        return '""'
    text = "".join("~" + ch if ch in "~*?" else ch for ch in programme.section)
    return '"' + text.replace('"', '""') + '"'


def risk_block(grid: Grid, book: Book, top: int, last_col: int, lent: Lent) -> int:
    """The heat map with its key, the risks not yet scored, the top risks."""
    found = heat_map(book)
    total = len(found.scored) + len(found.unscored)
    grid.put(top, 1, "Risks: likelihood × impact", styles.SUBTITLE_FONT, border=False)
    limits = found.limits
    note = (f"{len(found.scored)} of {total} risks scored; each risk is counted once, in the "
            f"cell of its likelihood and impact. Colours by the plan's thresholds: Red from "
            f"score {limits['Red']}, Amber from {limits['Amber']}.")
    grid.put(top + 1, 1, note, _SMALL, align=_WRAP, border=False)
    grid.merge(top + 1, 1, last_col)
    _fit(grid, top + 1, note, 40 + 8.5 * (last_col - 1))
    row = _heat_grid(grid, book, found, top + 2, lent)
    _key(grid, book, found, top + 3, last_col, lent)
    row = _unscored(grid, found, row, last_col)
    return _top_risks(grid, book, found, row + 1, last_col, lent)


def _heat_grid(grid: Grid, book: Book, found: HeatMap, top: int, lent: Lent) -> int:
    """Likelihood down (5 at the top), impact across (1–5), then the impact label."""
    _header(grid, top, 1, "Likelihood ↓   Impact →")
    for impact in range(1, SIDE + 1):
        _header(grid, top, 1 + impact, str(impact))
    row = top + 1
    for likelihood in range(SIDE, 0, -1):
        grid.put(row, 1, f"{likelihood} ({LIKELIHOOD_WORDS[likelihood]})", styles.BOLD_FONT,
                 align=Alignment(horizontal="left", vertical="center"))
        for impact in range(1, SIDE + 1):
            ids = found.ids(likelihood, impact)
            colour = lent.colour(book, found.rag(likelihood, impact) or "")
            text = f"{len(ids)}\n{', '.join(ids)}" if ids else None
            grid.put(row, 1 + impact, text, Font(name="Arial", bold=True, size=10,
                     color=styles.text_colour_for(colour)),
                     PatternFill("solid", fgColor=styles.hex_colour(colour)), _CENTRE)
            _fit(grid, row, text or "", 8.5)
        grid.heights[row] = max(grid.heights.get(row, 0), 2 * _LINE + 4)
        row += 1
    return row


def _key(grid: Grid, book: Book, found: HeatMap, top: int, last_col: int, lent: Lent) -> None:
    """Beside the map, what each colour means in scores (the plan's thresholds)."""
    first = SIDE + 3
    for row, rag in enumerate(("Red", "Amber", "Green"), start=top):
        band = found.band(rag)
        scores = f"score {band[0]} to {band[1]}" if band else "no score"
        colour = lent.colour(book, rag)
        font = Font(name="Arial", bold=True, size=10, color=styles.text_colour_for(colour))
        fill = PatternFill("solid", fgColor=styles.hex_colour(colour))
        for col in range(first, last_col + 1):
            grid.put(row, col, f"{rag}: {scores}" if col == first else None, font, fill,
                     _CENTRE)
        grid.merge(row, first, last_col)


def _unscored(grid: Grid, found: HeatMap, row: int, last_col: int) -> int:
    """The risks with no likelihood or impact yet (or one outside 1–5), by name."""
    if not found.unscored:
        text = ("Every risk on the Risks sheet is scored." if found.scored
                else "The Risks sheet has no risks yet.")
    else:
        names = "; ".join(f"{r.id} {r.title}".strip() for r in found.unscored)
        text = (f"Not yet scored ({len(found.unscored)}), so not on the map: {names}. "
                + _how_to_score(found.unscored))
    grid.put(row, 1, text, styles.BOLD_FONT if found.unscored else _SMALL, align=_WRAP,
             border=False)
    grid.merge(row, 1, last_col)
    _fit(grid, row, text, 40 + 8.5 * (last_col - 1))
    return row + 1


def _how_to_score(unscored: list) -> str:
    """What gets an unscored risk onto the map: its owner's return, or — with no owner,
    no return carries it — the PMO picking one first."""
    unowned = [r.id for r in unscored if not r.owner]
    if not unowned:
        return "Their owners give likelihood and impact (1–5) in their return."
    if len(unowned) == len(unscored):
        return ("None has an owner, so no return carries them: pick each one's Owner on "
                "the Risks sheet before issuing returns.")
    return (f"{', '.join(unowned)} {'has' if len(unowned) == 1 else 'have'} no owner: pick "
            "one on the Risks sheet before issuing returns; the others' owners give "
            "likelihood and impact (1–5) in their return.")


def _top_risks(grid: Grid, book: Book, found: HeatMap, top: int, last_col: int,
               lent: Lent) -> int:
    """The highest-scored risks: ID and title, owner, L, I, score, RAG, previous,
    direction (the owner spans what the page has left)."""
    shown = found.top()
    grid.put(top, 1, f"Top risks by score ({len(shown)} of {len(found.scored)} scored)",
             styles.SUBTITLE_FONT, border=False)
    spans = [(1, 1), (2, last_col - 6)] + [(c, c) for c in range(last_col - 5, last_col + 1)]
    heads = ("Risk", "Owner", "L", "I", "Score", "RAG", "Previous", "Direction")
    for (first, last), text in zip(spans, heads, strict=True):
        for col in range(first, last + 1):
            _header(grid, top + 1, col, text if col == first else "")
        if last > first:
            grid.merge(top + 1, first, last)
    row = top + 2
    for risk in shown:
        _risk_row(grid, book, risk, row, spans, lent)
        row += 1
    if not shown:
        grid.put(row, 1, "No risk is scored yet.", _SMALL, border=False)
        row += 1
    elif len(found.scored) > len(shown):
        grid.put(row, 1, f"…and {len(found.scored) - len(shown)} more: see the Risks sheet.",
                 _SMALL, border=False)
        row += 1
    return row


def _risk_row(grid: Grid, book: Book, risk: Risk, row: int, spans, lent: Lent) -> None:
    values = (f"{risk.id}  {risk.title}", risk.owner or NOT_RECORDED, risk.likelihood,
              risk.impact, risk.score, risk.rag or "", risk.previous, _direction(risk))
    for index, ((first, last), value) in enumerate(zip(spans, values, strict=True)):
        font, fill, align = styles.BODY_FONT, None, _CENTRE if index > 1 else _WRAP
        if index == 5 and risk.rag:  # the RAG cell, in the scheme's colour
            colour = lent.colour(book, risk.rag)
            font = Font(name="Arial", bold=True, size=10, color=styles.text_colour_for(colour))
            fill = PatternFill("solid", fgColor=styles.hex_colour(colour))
        for col in range(first, last + 1):
            grid.put(row, col, value if col == first else None, font, fill, align,
                     "0" if isinstance(value, int) else None)
        if last > first:
            grid.merge(row, first, last)
    _fit(grid, row, values[0], 40)
    _fit(grid, row, values[1], 8.5 * (spans[1][1] - spans[1][0] + 1))


def _direction(risk: Risk) -> str:
    arrows = {"Rising": "▲ Rising", "Falling": "▼ Falling", "Same": "► Same"}
    return arrows.get(risk.direction or "", "New" if risk.previous is None else "—")




def _fit(grid: Grid, row: int, text: str, width: float) -> None:
    """Row ``row`` tall enough for ``text`` wrapped in a column ``width`` wide."""
    lines = fastrows.text_lines(str(text or ""), max(1, int(width * 1.3)))
    grid.heights[row] = max(grid.heights.get(row, 0), _LINE * lines + 3)


def board_dict(book: Book, by_section: dict[str, dict[str, int]]) -> dict[str, Any]:
    """The board's view as JSON (``rollup --json`` on a programme plan): per aim its
    programmes with SAO, RDL, RAG counts (``by_section`` from the roll-up) and flag
    counts; the heat map as (likelihood, impact, IDs) cells, the unscored, the top."""
    flags = flag_counts(book)
    found = heat_map(book)
    aims = [{"aim": aim, "title": title, "programmes": [
        {"programme": p.section, "sao": p.sao, "rdl": p.rdl, "activities": len(p.activities),
         "rag": by_section.get(_section_key(p), {}), "flags": flags.get(p.section, {})}
        for p in programmes]} for aim, title, programmes in by_aim(book)]
    cells = [{"likelihood": lik, "impact": imp, "rag": found.rag(lik, imp),
              "risks": found.ids(lik, imp)}
             for lik in range(SIDE, 0, -1) for imp in range(1, SIDE + 1) if found.ids(lik, imp)]
    top = [{"id": r.id, "title": r.title, "owner": r.owner, "score": r.score, "rag": r.rag,
            "previous_score": r.previous, "direction": r.direction} for r in found.top()]
    return {"aims": aims, "risks": {
        "thresholds": found.limits, "scored": len(found.scored), "heat_map": cells,
        "not_yet_scored": [{"id": r.id, "title": r.title} for r in found.unscored],
        "top": top}}


def _section_key(programme: Programme) -> str:
    """The roll-up's name for the programme's Section (blank Sections are one group)."""
    if programme.activities and all(blank(a.get("section")) for a in programme.activities):
        return NO_SECTION
    return programme.section
