"""Reading someone else's file in a worker process with a memory cap.

The extent check (``extent.py``) refuses any sheet whose grid would be too big
before calamine builds it; this is the second wall, for whatever a future file
finds that the check does not. Every reader of an untrusted file (consolidation's
returns, ``check``, finance's savings returns, the server's uploads and its
by-file master) runs in a worker whose address space is capped
(``resource.setrlimit(RLIMIT_AS)``): a file that makes the reader ask for 100 GB
makes the *worker* fail (a MemoryError, or an abort inside calamine), never the
command or the server, and the file is named in a finding (reason ``CRASHED``).

The cap is the worker's size when it starts plus ``XLTOOLS_READER_MB`` (default
2048): a return at the reader's limits needs ~350 MB.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, TypeVar

from ..errors import UsageError, WorkbookError

READER_MB_ENV = "XLTOOLS_READER_MB"
DEFAULT_READER_MB = 2048
T = TypeVar("T")


def reader_mb() -> int:
    """The reader's memory allowance in MB (``$XLTOOLS_READER_MB``); a bad value is one
    line (UsageError), never a traceback."""
    text = os.environ.get(READER_MB_ENV, "").strip()
    if not text:
        return DEFAULT_READER_MB
    if not text.isdecimal() or not 64 <= int(text) <= 1_048_576:
        raise UsageError(f"{READER_MB_ENV}={text!r}: give a whole number of MB from 64 "
                         f"(the default is {DEFAULT_READER_MB})")
    return int(text)


def cap_worker(allowance: int) -> None:
    """A pool's initializer: end with the parent, and cap the worker's address space at
    its present size plus ``allowance`` bytes (Linux; elsewhere no cap is set)."""
    die_with_parent()
    start = _address_space()
    try:
        import resource
    except ImportError:  # Windows: no setrlimit
        return
    if not start:  # no /proc (macOS, which does not enforce RLIMIT_AS anyway): no cap
        return
    limit = start + allowance
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    if soft == resource.RLIM_INFINITY or soft > limit:
        try:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
        except (ValueError, OSError):  # refused by the system: read uncapped, never fail
            pass


def _address_space() -> int:
    """This process's virtual size in bytes (0 where /proc cannot tell)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def die_with_parent() -> None:
    """A worker must not outlive a killed run (``kill -9`` leaves no reader behind): on
    Linux the kernel ends it when its parent dies."""
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # not Linux: the pool's own shutdown is all there is


def capped_pool(workers: int = 1) -> ProcessPoolExecutor:
    """A pool of ``workers`` readers, each memory-capped (``cap_worker``)."""
    return ProcessPoolExecutor(max_workers=workers, initializer=cap_worker,
                               initargs=(reader_mb() * 1024 * 1024,))


def crashed(path: str | Path) -> WorkbookError:
    """The error for a file whose reader died (the memory cap, or a crash inside it)."""
    name = Path(path).name
    return WorkbookError(f"{name}: the reader stopped on this file (it needs far more "
                         "memory than a workbook of its size should, or is damaged); not read "
                         "— open it in Excel, check it, and save it again",
                         path=str(path), reason="CRASHED")


def run_capped(path: str | Path, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``fn(*args, **kwargs)`` in a fresh memory-capped worker, reading ``path``: its
    result, or its exception raised here; if the worker dies, ``crashed(path)``."""
    with capped_pool(1) as pool:
        try:
            return pool.submit(fn, *args, **kwargs).result()
        except BrokenProcessPool:
            raise crashed(path) from None
        except MemoryError:
            raise crashed(path) from None


def each_capped(paths: list[Path], fn: Callable[..., T], *args: Any, **kwargs: Any,
                ) -> list[T | WorkbookError]:
    """``fn(path, *args, **kwargs)`` for each of ``paths`` in one capped worker: each
    result, or the WorkbookError it raised, in order. When a file kills the worker the
    rest are read again one worker each, so only the culprit is lost."""
    out: list[T | WorkbookError] = []
    with capped_pool(1) as pool:
        futures = [pool.submit(fn, path, *args, **kwargs) for path in paths]
        for path, future in zip(paths, futures, strict=True):
            try:
                out.append(future.result())
            except BrokenProcessPool:
                out.append(_alone(path, fn, *args, **kwargs))
            except MemoryError:
                out.append(crashed(path))
            except WorkbookError as exc:
                out.append(exc)
    return out


def _alone(path: Path, fn: Callable[..., T], *args: Any, **kwargs: Any
           ) -> T | WorkbookError:
    try:
        return run_capped(path, fn, path, *args, **kwargs)
    except WorkbookError as exc:
        return exc
