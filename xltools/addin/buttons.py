"""The ribbon buttons: one per script, in the order of the quarterly cycle."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Button:
    """One ribbon button.

    ``script`` is the Python function in ``xltools.excel.scripts`` (server) and
    ``xltools.excel.desktop`` (desktop add-in); ``image_mso`` is the built-in
    Office icon the desktop ribbon shows; ``group`` is the ribbon group.
    ``roles`` are the sign-in roles allowed to run it on the server (any one of
    them; empty = anyone signed in); the desktop add-in runs as the local user.
    """

    script: str
    label: str
    tip: str
    image_mso: str
    group: str
    roles: tuple[str, ...] = ()

    @property
    def control_id(self) -> str:
        """Ribbon control id (letters, digits, underscore — valid in both ribbons)."""
        return "xlt_" + self.script

    @property
    def function_name(self) -> str:
        """The Office.js action name the manifest binds to (Office.actions.associate)."""
        return "xltools-" + self.script.replace("_", "-")

    @property
    def vba_macro(self) -> str:
        """The VBA ribbon callback in the desktop add-in's module."""
        return "XLT_" + "".join(part.title() for part in self.script.split("_"))

    @property
    def python(self) -> str:
        """What the desktop button runs through xlwings' RunPython."""
        return f"import xltools.excel.desktop; xltools.excel.desktop.{self.script}()"


OFFICER, PMO, FINANCE = "Officer", "PMO", "Finance"
GROUPS = (OFFICER, PMO, FINANCE)

# sign-in roles (docs/it-guide.md, "Roles"): a token's role or an Entra ID app role
ROLES = ("officer", "pmo", "finance")
PMO_ONLY = ("pmo",)

BUTTONS = (
    Button("check_return", "Check return", "List every problem in this workbook by cell, "
           "on a Check sheet, before you send it.", "DataValidation", OFFICER),
    Button("issue_returns", "Issue returns", "Write one return per officer from this master "
           "into the output folder.", "FileSaveAs", PMO, PMO_ONLY),
    Button("consolidate", "Consolidate", "Merge the returns folder with this master (into "
           "this workbook on the desktop add-in; as a new master to download on the web "
           "add-in), flag invalid rows and conflicts, and log every file.", "TableInsert",
           PMO, PMO_ONLY),
    Button("flag_stale", "Flag stale", "Flag missing, out-of-date, unchanged and overdue "
           "updates in the Flags column.", "ConditionalFormattingMenu", PMO, PMO_ONLY),
    Button("chase_officers", "Chase e-mails", "Write a draft e-mail (.eml) to each officer "
           "with something to fix or send, their missing return attached, into the output "
           "folder.", "FileSendAsAttachment", PMO, PMO_ONLY),
    Button("refresh_dashboard", "Refresh dashboard", "Rate the KPIs and roll up RAG status by "
           "section and officer on the Dashboard sheet.", "RefreshAll", PMO, PMO_ONLY),
    Button("next_quarter", "Next quarter", "Write next quarter's workbook into the output "
           "folder: progress moved to Previous, Complete actions archived.", "FileNew",
           PMO, PMO_ONLY),
    Button("reconcile_savings", "Reconcile savings", "Compare the Savings sheet with the MTFS "
           "baseline and explain or flag every difference.", "AutoSum", FINANCE,
           ("finance", "pmo")),
    Button("issue_savings_returns", "Issue savings returns", "Write one savings return per "
           "project lead officer from this baseline: their projects, all years, Expected "
           "filled, Revised empty.", "FileSaveAs", FINANCE, ("finance", "pmo")),
)


def by_script(name: str) -> Button:
    return next(b for b in BUTTONS if b.script == name)
