"""The ribbon's scripts for the Office.js add-in, served by xlwings Server.

xlwings Server calls ``POST /xlwings/custom-scripts-call/<name>`` with the
calling workbook's content; xlwings turns it into ``book`` and sends back the
actions each script queues (cells written, sheets added, alerts). The work is
in ``actions``, shared with the desktop add-in.
"""

from __future__ import annotations

import xlwings as xw
from xlwings.server import script

from . import actions

__all__ = ["check_return", "issue_returns", "consolidate", "flag_stale", "chase_officers",
           "refresh_dashboard", "next_quarter", "reconcile_savings"]


@script
def check_return(book: xw.Book):
    """Check my return: problems by cell on a Check sheet."""
    actions.check_return(book)


@script
def issue_returns(book: xw.Book):
    """Issue one return per officer into the server's output folder."""
    actions.issue_returns(book)


@script
def consolidate(book: xw.Book):
    """Merge the server's returns folder into this master."""
    actions.consolidate(book)


@script
def flag_stale(book: xw.Book):
    """Rewrite the Flags column."""
    actions.flag_stale(book)


@script
def chase_officers(book: xw.Book):
    """A draft chase e-mail per officer into the server's output folder."""
    actions.chase_officers(book)


@script
def refresh_dashboard(book: xw.Book):
    """KPI RAG/trend and the Dashboard sheet."""
    actions.refresh_dashboard(book)


@script
def next_quarter(book: xw.Book):
    """Next quarter's workbook into the server's output folder."""
    actions.next_quarter(book)


@script
def reconcile_savings(book: xw.Book):
    """Savings vs the MTFS baseline: Reconciliation sheet and committee workbook."""
    actions.reconcile_savings(book)
