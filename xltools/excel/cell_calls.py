"""Cell function calls off the server's event loop, each with a time budget.

xlwings Server's route awaits ``xlwings.server.custom_functions_call``, which
converts every argument cell and calls the function right on the event loop:
one ``=XLT.DAYS_SINCE(N:N)`` (1,048,576 cells) held every other request for
60-97 s. ``install`` swaps that call for one that runs it — conversion and
function alike — in a worker thread (its own small event loop there), at most
$XLTOOLS_SCRIPT_WORKERS at once (apart from the buttons' workers, so a long
consolidation never queues a cell), and answers ``#VALUE!`` when it takes
longer than $XLTOOLS_FUNCTION_SECONDS. The guard has already refused a call
of more than $XLTOOLS_FUNCTION_MAX_CELLS cells, so an abandoned call is short.
"""

from __future__ import annotations

import asyncio

import anyio
import xlwings as xw
import xlwings.server

from .request_limits import function_seconds

_limiter: anyio.CapacityLimiter | None = None


def install(workers: int) -> None:
    """Route every cell function call through ``off_loop`` (once per process)."""
    current = xlwings.server.custom_functions_call
    original = getattr(current, "__wrapped__", current)

    async def off_loop(data, module, current_user=None, **kwargs):
        global _limiter
        if _limiter is None:  # created inside the running event loop
            _limiter = anyio.CapacityLimiter(workers)
        seconds = function_seconds()

        def run():
            return asyncio.run(original(data, module, current_user, **kwargs))

        with anyio.move_on_after(seconds):
            return await anyio.to_thread.run_sync(run, limiter=_limiter,
                                                  abandon_on_cancel=True)
        name = str(data.get("func_name", "")).upper()
        raise xw.XlwingsError(f"#VALUE! XLT.{name}: took longer than {seconds:g} seconds; "
                              "give it fewer cells (a table column, not a whole column)")

    off_loop.__wrapped__ = original
    xlwings.server.custom_functions_call = off_loop
