"""Place cells anywhere on a write-only sheet, then stream them in row order.

openpyxl's write-only sheets (the writer's mode, DESIGN.md §7) accept rows only
in order; report-style sheets such as the Dashboard are laid out in blocks.
``Grid`` collects styled cells by (row, column) and appends them at the end.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill

from . import styles
from .formula_values import SheetFormulas
from .layout import col_letter


class Formula(str):
    """Cell text that *is* a formula. Every other string is written as text, even one
    starting with '=' (it may come from a return: DESIGN.md §7)."""


LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)


def header_cell(grid: Grid, row: int, col: int, text: str, colour: str | None = None) -> None:
    """A table heading as the reports draw one: bold 10 pt on the header fill, or on a
    status ``colour`` (its text black or white, whichever reads on it)."""
    fill = PatternFill("solid", fgColor=styles.hex_colour(colour)) if colour \
        else styles.HEADER_FILL
    font = Font(name="Arial", bold=True, size=10,
                color=styles.text_colour_for(colour) if colour else "FFFFFF")
    grid.put(row, col, text, font, fill, CENTRE)


@dataclass
class Grid:
    """Cells placed anywhere, streamed row by row (write-only sheets need order).

    ``sources`` gives other sheets' columns (sheet -> column letter -> values
    from row 2 down) so the results of formulas can be worked out and stored
    with them (``formula_values``): without them Excel's Protected View, and any
    reader that doesn't recalculate, would show blank cells.
    """

    ws: Any
    cells: dict[int, dict[int, WriteOnlyCell]] = field(default_factory=dict)
    heights: dict[int, float] = field(default_factory=dict)
    sources: dict[str, dict[str, list[Any]]] | None = None

    def put(self, row: int, col: int, value: Any, font: Font = styles.BODY_FONT,
            fill: PatternFill | None = None, align: Alignment = LEFT,
            fmt: str | None = None, border: bool = True) -> None:
        cell = WriteOnlyCell(self.ws, value=value)
        cell.font, cell.alignment = font, align
        if isinstance(value, str) and not isinstance(value, Formula):
            cell.data_type = "s"
            cell.quotePrefix = value.startswith(("=", "+", "-", "@"))
        if fill is not None:
            cell.fill = fill
        if border:
            cell.border = styles.BORDER
        if fmt:
            cell.number_format = fmt
        self.cells.setdefault(row, {})[col] = cell

    def merge(self, row: int, col1: int, col2: int) -> None:
        self.ws.merged_cells.add(f"{col_letter(col1)}{row}:{col_letter(col2)}{row}")

    def flush(self) -> None:
        if self.sources is not None:
            known = SheetFormulas(self.ws.title, self.sources)
            for row, cols in self.cells.items():
                for col, cell in cols.items():
                    known.add(col_letter(col), row, cell)
            known.store(self.ws.parent)
        for row in range(1, max(self.cells, default=0) + 1):
            if row in self.heights:
                self.ws.row_dimensions[row].height = self.heights[row]
            cols = self.cells.get(row, {})
            self.ws.append([cols.get(c) for c in range(1, max(cols, default=0) + 1)])
