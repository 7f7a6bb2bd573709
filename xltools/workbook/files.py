"""Writing files safely on a shared drive: one writer at a time, backups that never
collide, temporaries that never outlive a run, and the modes colleagues rely on.

- ``output_lock``: an exclusive lock (``filelock``) on a workbook a command is about
  to write; a second run exits 2 naming the holder instead of silently losing one
  run's updates. The operating system frees it when the holder dies (even ``kill -9``).
- ``unique_backup``: ``NAME.YYYYmmdd-HHMMSS.bak.xlsx`` (then ``-2``, ``-3``…), created
  exclusively, so two runs in the same second keep two backups.
- ``temp_beside`` / ``adopt_mode``: a temporary file in the target's folder (so the
  rename is atomic) created with the umask's mode, then given the mode and group of
  the file it replaces — ``mkstemp``'s 0600 would lock colleagues out.
- ``clean_stale_temps``: temporaries a killed run left, removed by the next holder of
  the lock (no live writer can own them then).
"""

from __future__ import annotations

import getpass
import json
import os
import secrets
import shutil
import socket
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from filelock import FileLock, Timeout

from ..errors import BusyError

TEMP_SUFFIX = ".xlsx.tmp"
LOCK_PREFIX = ".~xltools."


def lock_paths(target: Path) -> tuple[Path, Path]:
    """The lock file and the note saying who holds it, beside ``target``."""
    return (target.with_name(f"{LOCK_PREFIX}{target.name}.lock"),
            target.with_name(f"{LOCK_PREFIX}{target.name}.holder.json"))


@contextmanager
def output_lock(target: str | Path, command: str) -> Iterator[None]:
    """Hold ``target`` for one run of ``command``; raise ``BusyError`` (exit 2, naming
    the holder) when another run holds it."""
    target = Path(target)
    lock_path, note = lock_paths(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(lock_path), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise BusyError(f"{target.name} is being written by another xltools run "
                        f"({_holder(note)}); try again when it has finished") from None
    try:
        _write_note(note, command)
        clean_stale_temps(target)
        yield
    finally:
        try:
            note.unlink()
        except OSError:
            pass
        lock.release()


def _write_note(note: Path, command: str) -> None:
    data = {"command": command, "pid": os.getpid(), "host": socket.gethostname(),
            "user": _user(), "since": f"{datetime.now():%d/%m/%Y %H:%M:%S}"}
    try:
        note.write_text(json.dumps(data), encoding="utf-8")
    except OSError:
        pass  # the lock holds without the note; the message just says less


def _holder(note: Path) -> str:
    try:
        who = json.loads(note.read_text(encoding="utf-8"))
        return (f"{who['command']}, pid {who['pid']} on {who['host']}, {who['user']}, "
                f"since {who['since']}")
    except (OSError, ValueError, KeyError, TypeError):
        return "holder not known"


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown user"


def unique_backup(path: Path, now: datetime | None = None) -> Path:
    """Copy ``path`` to a backup name no other run has taken; keeps mode and group."""
    stamp = f"{now or datetime.now():%Y%m%d-%H%M%S}"
    for n in range(1, 1000):
        target = path.with_name(f"{path.stem}.{stamp}{'' if n == 1 else f'-{n}'}.bak"
                                f"{path.suffix}")
        try:
            dst = target.open("xb")
        except FileExistsError:
            continue
        with dst, path.open("rb") as src:
            shutil.copyfileobj(src, dst)
        shutil.copystat(path, target)
        _copy_group(path, target)
        return target
    raise FileExistsError(f"{path.name}: too many backups named {stamp}")


def temp_beside(path: Path, suffix: str = TEMP_SUFFIX) -> Path:
    """A new, empty temporary file in ``path``'s folder, created with the umask's mode."""
    for _ in range(100):
        tmp = path.with_name(f".{path.stem}-{secrets.token_hex(4)}{suffix}")
        try:
            os.close(os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
        except FileExistsError:
            continue
        return tmp
    raise FileExistsError(f"{path.parent}: cannot create a temporary file")


@contextmanager
def replacing(path: Path, suffix: str = TEMP_SUFFIX) -> Iterator[Path]:
    """A temporary file beside ``path`` to write; on success it takes ``path``'s mode
    and group (if ``path`` exists) and is renamed over it. A reader never sees half a
    file, and a failed write leaves the old one and no temporary behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_beside(path, suffix)
    try:
        yield tmp
        adopt_mode(tmp, path)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def adopt_mode(tmp: Path, target: Path) -> None:
    """Give ``tmp`` the mode and group of the ``target`` it will replace (if any)."""
    try:
        info = target.stat()
    except OSError:
        return
    os.chmod(tmp, stat.S_IMODE(info.st_mode))
    _copy_group(target, tmp)


def _copy_group(src: Path, dst: Path) -> None:
    try:
        os.chown(dst, -1, src.stat().st_gid)
    except (OSError, AttributeError):
        pass  # not a member of that group (or not POSIX): the mode is kept all the same


def clean_stale_temps(target: Path) -> list[Path]:
    """Remove the temporaries an earlier, killed run left beside ``target``."""
    removed = []
    for tmp in target.parent.glob(f".{target.stem}-*{TEMP_SUFFIX}"):
        try:
            tmp.unlink()
            removed.append(tmp)
        except OSError:
            pass
    return removed
