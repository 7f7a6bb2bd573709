"""The ribbon's scripts for the Office.js add-in, served by xlwings Server.

xlwings Server calls ``POST /xlwings/custom-scripts-call/<name>`` with the
calling workbook's content; xlwings turns it into ``book`` and sends back the
actions each script queues (cells written, sheets added, alerts). The work is
in ``actions``, shared with the desktop add-in.

Each script declares the sheets it reads (``include``, from ``sheets_needed``):
the task pane and the ribbon (static/js/ribbon.js, from
``custom-scripts-meta.json``) send only those, so a big master's request stays
under Excel on the web's 5 MB limit. The action reads only those sheets too
(``bridge.read_xwbook(book, SHEETS[...])``), never the empty stand-ins of the
ones left out.
"""

from __future__ import annotations

import xlwings as xw
from xlwings.server import script

from . import actions
from .sheets_needed import SHEETS

__all__ = ["check_return", "issue_returns", "consolidate", "flag_stale", "refresh_dashboard",
           "next_quarter", "reconcile_savings"]


@script(include=SHEETS["check_return"])
def check_return(book: xw.Book):
    """Check my return: problems by cell on a Check sheet."""
    actions.check_return(book)


@script(include=SHEETS["issue_returns"])
def issue_returns(book: xw.Book):
    """Issue one return per officer into the server's output folder."""
    actions.issue_returns(book)


@script(include=SHEETS["consolidate"])
def consolidate(book: xw.Book):
    """Merge the server's returns folder into this master."""
    actions.consolidate(book)


@script(include=SHEETS["flag_stale"])
def flag_stale(book: xw.Book):
    """Rewrite the Flags column."""
    actions.flag_stale(book)


@script(include=SHEETS["refresh_dashboard"])
def refresh_dashboard(book: xw.Book):
    """KPI RAG/trend and the Dashboard sheet."""
    actions.refresh_dashboard(book)


@script(include=SHEETS["next_quarter"])
def next_quarter(book: xw.Book):
    """Next quarter's workbook into the server's output folder."""
    actions.next_quarter(book)


@script(include=SHEETS["reconcile_savings"])
def reconcile_savings(book: xw.Book):
    """Savings vs the MTFS baseline: Reconciliation sheet and committee workbook."""
    actions.reconcile_savings(book)
