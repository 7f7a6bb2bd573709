"""Named cell styles shared by every sheet xltools writes.

Kept in one place so template, dashboard and reconciliation look like one
product: a dark header band, pale-yellow cells where people type, grey cells
that xltools or last quarter filled in.
"""

from __future__ import annotations

from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side

HEADER_FILL = PatternFill("solid", fgColor="1F3864")
HEADER_FONT = Font(name="Arial", bold=True, color="FFFFFF", size=10)
BODY_FONT = Font(name="Arial", size=10)
TITLE_FONT = Font(name="Arial", bold=True, size=16, color="1F3864")
SUBTITLE_FONT = Font(name="Arial", bold=True, size=12, color="1F3864")
BOLD_FONT = Font(name="Arial", bold=True, size=10)
INPUT_FILL = PatternFill("solid", fgColor="FFF9E5")
READONLY_FILL = PatternFill("solid", fgColor="F2F2F2")
NO_FILL = PatternFill(fill_type=None)
THIN = Side(style="thin", color="BFBFBF")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP_TOP = Alignment(wrap_text=True, vertical="top")
CENTRE_TOP = Alignment(wrap_text=True, vertical="top", horizontal="center")
NUMBER_TOP = Alignment(vertical="top", horizontal="right")
HEADER_ALIGN = Alignment(wrap_text=True, vertical="center", horizontal="center")
UNLOCKED = Protection(locked=False)
LOCKED = Protection(locked=True)
DATE_FORMAT = "dd/mm/yyyy"
MONEY_FORMAT = '#,##0.0;[Red]-#,##0.0;"-"'
# a data sheet's numbers keep a digit's width clear on their right, so a right-aligned
# "22.6" never runs into the next column's left-aligned "Green" (Excel and LibreOffice)
DATA_NUMBER_FORMAT = '#,##0.0_0;[Red]-#,##0.0_0;"-"_0'
WHOLE_MONEY_FORMAT = '#,##0;[Red]-#,##0;"-"'
NUMBER_FORMAT = "General"


def hex_colour(colour: str) -> str:
    """``#70AD47`` → ``70AD47`` as openpyxl wants it."""
    return colour.lstrip("#").upper()


def text_colour_for(fill: str) -> str:
    """Black or white text, whichever reads better on ``fill``."""
    rgb = hex_colour(fill)
    r, g, b = (int(rgb[i : i + 2], 16) for i in (0, 2, 4))
    return "000000" if (0.299 * r + 0.587 * g + 0.114 * b) > 150 else "FFFFFF"
