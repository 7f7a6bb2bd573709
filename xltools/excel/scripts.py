"""The ribbon's scripts for the Office.js add-in, served by xlwings Server.

xlwings Server calls ``POST /xlwings/custom-scripts-call/<name>`` with the
calling workbook's content; xlwings turns it into ``book`` and sends back the
actions each script queues (cells written, sheets added, alerts). The work is
in ``actions``, shared with the desktop add-in.

Each script runs in a worker thread (``in_worker``), not on the server's event
loop, so one long consolidation never stalls other users' calls. That is safe
because ``bridge`` queues every action on the calling book itself.

Who may press which button: ``required_roles`` from ``Button.roles`` (any one
of them), checked by xlwings Server before the script runs; the server's
``User`` model (server_project/models/user.py) answers 403 with a sentence.

Each script declares the sheets it reads (``include``, from ``sheets_needed``):
the task pane and the ribbon (static/js/ribbon.js, from
``custom-scripts-meta.json``) send only those, so a big master's request stays
under Excel on the web's 5 MB limit. The action reads only those sheets too
(``bridge.read_xwbook(book, SHEETS[...])``), never the empty stand-ins of the
ones left out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import anyio
import xlwings as xw
from xlwings.server import script
from xlwings_server.models import CurrentUser

from ..addin.buttons import by_script
from . import actions, downloads
from .guard import BASE_URL
from .server import script_workers
from .sheets_needed import SHEETS

__all__ = ["check_return", "issue_returns", "consolidate", "flag_stale", "chase_officers",
           "refresh_dashboard", "next_quarter", "reconcile_savings", "issue_savings_returns"]

T = TypeVar("T")
_limiter: anyio.CapacityLimiter | None = None


async def in_worker(action: Callable[..., None], book: xw.Book, user, *options) -> None:
    """Run ``action(book, *options)`` in a worker thread as ``user`` (``as_caller``);
    ``options``: what the task pane sent beside the button (its ``xw-args``)."""
    await as_caller(user, action, book, *options)


async def as_caller(user, job: Callable[..., T], *args) -> T:
    """``job(*args)`` in a worker thread, at most $XLTOOLS_SCRIPT_WORKERS (4) at once
    (buttons and consolidate-by-file share them), as ``user``: the files it offers for
    download are theirs alone (``downloads``)."""
    global _limiter
    if _limiter is None:  # created inside the running event loop
        _limiter = anyio.CapacityLimiter(script_workers())
    who = downloads.Caller(downloads.owner_of(user), BASE_URL.get())

    def run() -> T:
        with downloads.calling(who):
            return job(*args)

    return await anyio.to_thread.run_sync(run, limiter=_limiter)


def roles(name: str) -> list[str] | None:
    """The roles that may run script ``name`` (None: anyone signed in)."""
    return list(by_script(name).roles) or None


def button_script(fn):
    """``@script`` for the ribbon button named like ``fn``: the sheets it reads
    (``sheets_needed``) and the roles its button needs (``buttons``)."""
    name = fn.__name__
    return script(include=SHEETS[name], required_roles=roles(name))(fn)


@button_script
async def check_return(book: xw.Book, current_user: CurrentUser):
    """Check my return: problems by cell on a Check sheet."""
    await in_worker(actions.check_return, book, current_user)


@button_script
async def issue_returns(book: xw.Book, current_user: CurrentUser):
    """Issue one return per officer; a zip of them to download."""
    await in_worker(actions.issue_returns, book, current_user)


@button_script
async def consolidate(book: xw.Book, current_user: CurrentUser, as_of: str = "",
                      adopt_returns: bool = False):
    """Merge the server's returns folder into this master (as at the pane's As of date;
    returns from a rebuilt master adopted if the pane's Consolidate card says so)."""
    await in_worker(actions.consolidate, book, current_user, as_of, adopt_returns)


@button_script
async def flag_stale(book: xw.Book, current_user: CurrentUser, as_of: str = ""):
    """Rewrite the Flags column (as at the pane's As of date; empty: today)."""
    await in_worker(actions.flag_stale, book, current_user, as_of)


@button_script
async def chase_officers(book: xw.Book, current_user: CurrentUser):
    """A draft chase e-mail per officer into the server's output folder."""
    await in_worker(actions.chase_officers, book, current_user)


@button_script
async def refresh_dashboard(book: xw.Book, current_user: CurrentUser):
    """KPI RAG/trend and the Dashboard sheet."""
    await in_worker(actions.refresh_dashboard, book, current_user)


@button_script
async def next_quarter(book: xw.Book, current_user: CurrentUser,
                       carry_problems: bool = False, unconsolidated: bool = False):
    """Next quarter's workbook into the server's output folder (problems carried, or a
    quarter with no returns rolled on, if the pane's Next quarter card says so)."""
    await in_worker(actions.next_quarter, book, current_user, carry_problems,
                    unconsolidated)


@button_script
async def reconcile_savings(book: xw.Book, current_user: CurrentUser):
    """Savings vs the MTFS baseline: Reconciliation sheet and committee workbook."""
    await in_worker(actions.reconcile_savings, book, current_user)


@button_script
async def issue_savings_returns(book: xw.Book, current_user: CurrentUser):
    """One savings return per project lead officer, offered as a zip."""
    await in_worker(actions.issue_savings_returns, book, current_user)
