"""The sheets each ribbon script reads (all the task pane sends it) and writes.

xlwings Server's task pane sends the whole workbook with every call unless the
script says which sheets it needs (``@script(include=...)``). Each list here is
what ``bridge.read_xwbook`` reads for that script (required sheets first) plus
the sheets it compares or appends to; Guidance, Check and Reconciliation are
never sent, Archive and Log only where they must be carried. The Actions sheet
is most of a master (about 520 bytes an action), so this keeps requests to
what is needed but cannot bring a 12,000-action master under Excel on the
web's 5 MB limit: measured sizes and the limits are in docs/it-guide.md.
"""

from __future__ import annotations

from ..workbook.layout import (
                               ACTIONS_LAYOUT,
                               ARCHIVE_LAYOUT,
                               DASHBOARD,
                               KPIS_LAYOUT,
                               LISTS,
                               LOG_LAYOUT,
                               RISKS,
                               SAVINGS_LAYOUT,
                               SETTINGS,
)

PLAN = [SETTINGS, LISTS]  # the plan: statuses, officers, periods
ACTIONS, SAVINGS, KPIS = ACTIONS_LAYOUT.name, SAVINGS_LAYOUT.name, KPIS_LAYOUT.name
ARCHIVE, LOG = ARCHIVE_LAYOUT.name, LOG_LAYOUT.name

SHEETS: dict[str, list[str]] = {
    # a return: everything the officer fills in is checked
    # (Risks: a programme plan's; a tracker has none, and a sheet it lacks is not sent)
    "check_return": [*PLAN, ACTIONS, SAVINGS, KPIS, RISKS],
    # returns carry the officer's actions, savings lines and KPIs (and risks they own)
    "issue_returns": [*PLAN, ACTIONS, SAVINGS, KPIS, RISKS],
    # merged columns, Log rows appended after the last; Archive for a complete backup
    "consolidate": [*PLAN, ACTIONS, SAVINGS, KPIS, ARCHIVE, LOG, RISKS],
    "flag_stale": [*PLAN, ACTIONS],
    # the Flags column and consolidation's notes say who has something to do
    "chase_officers": [*PLAN, ACTIONS],
    # the open Dashboard is compared with the fresh one (dashboard_sheet)
    "refresh_dashboard": [*PLAN, ACTIONS, KPIS, DASHBOARD],
    # next quarter's workbook carries every data sheet forward
    "next_quarter": [*PLAN, ACTIONS, SAVINGS, KPIS, ARCHIVE, LOG, RISKS],
    # Actions is required by the reader; savings are what is reconciled
    "reconcile_savings": [*PLAN, ACTIONS, SAVINGS],
    # finance's baseline: the savings rows are what is issued
    "issue_savings_returns": [*PLAN, ACTIONS, SAVINGS],
}

# The locked sheets each button writes to: protection is lifted around those writes
# (``bridge.unprotected``; on a Mac, ``mac_protection.lifted`` around the button).
WRITES: dict[str, list[str]] = {
    "check_return": [],
    "flag_stale": [ACTIONS],
    "chase_officers": [],
    "refresh_dashboard": [KPIS, DASHBOARD],
    "consolidate": [ACTIONS, SAVINGS, LOG, SETTINGS, RISKS],
    "next_quarter": [],
    "issue_returns": [],
    "reconcile_savings": ["Reconciliation"],
    "issue_savings_returns": [],
}
