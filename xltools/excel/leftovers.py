"""Temporary folders a killed server left behind, removed when the next one starts.

Files that reach the server (uploads checked before they are kept, masters sent by
file, outputs before they become downloads) sit in private ``xltools-…`` folders
under $TMPDIR only for the request; ``TemporaryDirectory`` removes them however
the request ends — unless the process itself is killed (a restart, the OOM killer,
a power cut). Then officers' words would stay on the disk. So at start the server
removes such folders of its own user that are over an hour old: old enough that
no other server worker sharing $TMPDIR can still be using one.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from pathlib import Path

PREFIX = "xltools-"
MAX_AGE_SECONDS = 3600
logger = logging.getLogger(__name__)


def sweep(folder: Path | None = None, max_age: float = MAX_AGE_SECONDS) -> list[str]:
    """Remove this user's ``xltools-…`` folders in ``folder`` ($TMPDIR) older than
    ``max_age`` seconds; the names removed."""
    folder = Path(folder or tempfile.gettempdir())
    cutoff, removed = time.time() - max_age, []
    for entry in os.scandir(folder):
        try:
            info = entry.stat(follow_symlinks=False)
            if (entry.name.startswith(PREFIX) and entry.is_dir(follow_symlinks=False)
                    and _mine(info) and info.st_mtime < cutoff):
                shutil.rmtree(entry.path)
                removed.append(entry.name)
        except OSError:  # gone meanwhile, or not ours to remove: left alone
            continue
    if removed:
        logger.warning("removed %d temporary folder(s) a stopped server left behind",
                       len(removed))
    return removed


def _mine(info: os.stat_result) -> bool:
    return not hasattr(os, "getuid") or info.st_uid == os.getuid()  # Windows: no owners
