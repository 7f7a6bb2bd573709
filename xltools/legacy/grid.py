"""What every reader of a legacy tracker produces: a grid of cells.

Text, workbook, Word and PDF readers (``source``, ``word``, ``pdf``) each turn
their file into a ``Grid`` — rows as lists of cells, each with the line or row
number it started on — so one parser (``rows.py``) reads them all. Notes are
what a reader decided or was unsure of; places say where a grid row came from
in a document without lines ("table 2, row 5", "page 3").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Grid:
    """Rows of cells from one source (one sheet of a workbook)."""

    file: str
    rows: list[tuple[int, list[Any]]]
    sheet: str | None = None
    encoding: str | None = None
    notes: list[SourceNote] = field(default_factory=list)
    places: dict[int, str] = field(default_factory=dict)  # line → "table 2, row 5", "page 3"


@dataclass
class SourceNote:
    """Something the reader itself decided or was unsure of (a finding once the
    import has IDs): ``line`` and ``column`` locate it in the grid, ``extra``
    holds what the grid cannot (a PDF's page and position)."""

    code: str
    message: str
    line: int | None = None
    column: int = 0
    got: Any = None
    extra: dict[str, Any] = field(default_factory=dict)
