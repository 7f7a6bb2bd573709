"""Writing files safely on a shared drive: one writer at a time, backups that never
collide, temporaries that never outlive a run, the modes colleagues rely on, and
only ever the file meant — a shared folder may hold a planted symbolic link.

- ``output_lock``: an exclusive lock on a workbook a command is about to write; a
  second run exits 2 naming the holder instead of silently losing one run's
  updates. The operating system frees it when the holder dies (even ``kill -9``);
  the lock file and the holder's note are removed when the run ends, a killed
  run's by the next run in that folder (``clean_stale_locks``), and a run that
  wrote nothing (refused, or failed) also removes the output folders it made, so
  it leaves nothing behind. Both are opened without following links
  (``O_NOFOLLOW``; the note is written in a private folder and renamed into
  place), so a link planted at their names is never written through.
- ``unique_backup``: ``NAME.YYYYmmdd-HHMMSS.bak.xlsx`` (then ``-2``, ``-3``…), created
  exclusively (``O_EXCL``: never through a link), from a source opened without
  following links, so a link's target is never copied into the folder.
- ``replacing``: the new file is written in a private (0700) temporary folder beside
  the target and renamed over it; a target that is a link, read-only, or held open
  by Excel is refused in one line before anything is written or backed up.
- ``clean_stale_temps``: temporaries a killed run left, removed by the next holder of
  the lock (no live writer can own them then).
"""

from __future__ import annotations

import contextlib
import errno
import getpass
import json
import os
import re
import shutil
import socket
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from ..errors import BusyError, UsageError

TEMP_SUFFIX = ".xlsx.tmp"
LOCK_PREFIX = ".~xltools."
NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)  # not on Windows, where links need privilege
BINARY = getattr(os, "O_BINARY", 0)


def lock_paths(target: Path) -> tuple[Path, Path]:
    """The lock file and the note saying who holds it, beside ``target``."""
    return (target.with_name(f"{LOCK_PREFIX}{target.name}.lock"),
            target.with_name(f"{LOCK_PREFIX}{target.name}.holder.json"))


def refuse_link(path: Path) -> None:
    """A symbolic link (or anything but a plain file) where xltools writes is refused:
    in a shared folder it may point at any file the user can write."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    if stat.S_ISLNK(info.st_mode):
        raise UsageError(f"{path} is a symbolic link; xltools never writes through a link — "
                         "remove it (or choose another name) and run again")
    if not stat.S_ISREG(info.st_mode):
        raise UsageError(f"{path} is not a plain file; choose another name and run again")


def open_in_excel(path: Path, exc: OSError | None = None) -> BusyError:
    """The message for a workbook another program holds (Excel on Windows refuses the
    rename with a permission error): say what to do, and that nothing was changed."""
    why = f" ({exc.strerror})" if exc is not None and exc.strerror else ""
    return BusyError(f"{path.name} could not be replaced{why}: it is open in Excel (or "
                     "another program) — close it and run again; nothing was changed")


def ensure_replaceable(path: Path) -> None:
    """Refuse, before any work, to replace ``path`` when it is a link, read-only (its
    mode says so: the owner's choice is honoured), or held open by another program."""
    refuse_link(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        return
    if not stat.S_IMODE(info.st_mode) & 0o222 or not os.access(path, os.W_OK):
        raise UsageError(f"{path} is read-only; xltools will not replace it — make it "
                         "writable if it should change, or write to another file")
    try:
        os.close(os.open(path, os.O_WRONLY | NOFOLLOW | BINARY))  # Windows: a shared lock
    except PermissionError as exc:
        raise open_in_excel(path, exc) from None


@contextmanager
def output_lock(target: str | Path, command: str) -> Iterator[None]:
    """Hold ``target`` for one run of ``command``; raise ``BusyError`` (exit 2, naming
    the holder) when another run holds it. The lock file and note go when it ends."""
    target = Path(target)
    lock_path, note = lock_paths(target)
    made = missing_folders(target.parent)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        release = _acquire(lock_path, target, note)
        try:
            _write_note(note, command)
            clean_stale_temps(target)
            clean_stale_locks(target.parent)
            yield
        finally:
            _unlink(note)
            release()
    finally:
        if not os.path.lexists(target):  # nothing written: no empty output folder left
            remove_empty(made)


def missing_folders(folder: Path) -> list[Path]:
    """The folders ``folder.mkdir(parents=True)`` would make, deepest first."""
    made = []
    while not os.path.lexists(folder) and folder.parent != folder:
        made.append(folder)
        folder = folder.parent
    return made


def remove_empty(folders: list[Path]) -> None:
    """Remove ``folders`` (deepest first) while they are empty; one still in use (another
    run's lock or output inside) stays."""
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:
            return


STALE_SECONDS = 60  # a lock file this old that nobody holds was left by a killed run


def clean_stale_locks(folder: Path, now: float | None = None) -> list[Path]:
    """Remove the lock files (and holders' notes) that runs killed in ``folder`` left:
    a lock nobody holds, older than a minute (so a run that has just created its lock
    and not yet taken it is never raced). Taken while removed, as ``_release`` does, so
    a run that opened it meanwhile finds it gone and takes a fresh one. POSIX only (on
    Windows the lock file goes with its holder)."""
    try:
        import fcntl
    except ImportError:
        return []
    import time

    now = time.time() if now is None else now
    removed = []
    for path in folder.glob(f"{LOCK_PREFIX}*.lock"):
        try:
            info = os.lstat(path)
            if not stat.S_ISREG(info.st_mode) or now - info.st_mtime < STALE_SECONDS:
                continue
            fd = os.open(path, os.O_RDWR | NOFOLLOW)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)  # held: a live run's
            continue
        if _same_file(fd, path):
            _unlink(path.with_name(path.name.removesuffix(".lock") + ".holder.json"))
            _unlink(path)
            removed.append(path)
        os.close(fd)
    return removed


def _acquire(lock_path: Path, target: Path, note: Path):
    """The lock taken (or BusyError); returns what releases (and removes) it."""
    try:
        import fcntl
    except ImportError:  # Windows: filelock's msvcrt lock (it removes its file itself)
        return _acquire_windows(lock_path, target, note)
    for _ in range(100):
        refuse_link(lock_path)
        try:
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | NOFOLLOW, 0o666)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                refuse_link(lock_path)
            raise
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise BusyError(f"{target.name} is being written by another xltools run "
                            f"({_holder(note)}); try again when it has finished") from None
        if _same_file(fd, lock_path):  # not a file a finishing run removed meanwhile
            return lambda: _release(fd, lock_path)
        os.close(fd)
    raise BusyError(f"{target.name}: its lock file keeps changing; try again")


def _same_file(fd: int, path: Path) -> bool:
    try:
        mine, there = os.fstat(fd), os.lstat(path)
    except OSError:
        return False
    return (mine.st_dev, mine.st_ino) == (there.st_dev, there.st_ino)


def _release(fd: int, lock_path: Path) -> None:
    """Remove the lock file while still holding it, then let go: a run that opened
    it meanwhile finds it gone (``_same_file``) and takes a fresh one."""
    _unlink(lock_path)
    os.close(fd)


def _acquire_windows(lock_path: Path, target: Path, note: Path):
    from filelock import FileLock, Timeout

    lock = FileLock(str(lock_path), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise BusyError(f"{target.name} is being written by another xltools run "
                        f"({_holder(note)}); try again when it has finished") from None

    _hide(lock_path)

    def release() -> None:
        lock.release()
        _unlink(lock_path)

    return release


def _hide(path: Path) -> None:
    """Windows shows dot-files: mark the lock hidden there, as a shared folder's other
    users would otherwise see it while a run holds it."""
    try:
        import ctypes

        ctypes.windll.kernel32.SetFileAttributesW(str(path), 0x2)  # FILE_ATTRIBUTE_HIDDEN
    except (AttributeError, OSError):
        pass


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass


def _write_note(note: Path, command: str) -> None:
    """Who holds the lock, written in a private folder and renamed over ``note``: a
    link planted at the note's name is replaced, never written through."""
    data = {"command": command, "pid": os.getpid(), "host": socket.gethostname(),
            "user": _user(), "since": f"{datetime.now():%d/%m/%Y %H:%M:%S}"}
    try:
        private = tempfile.mkdtemp(prefix=".~xltools-", dir=note.parent)
    except OSError:
        return  # the lock holds without the note; the message just says less
    try:
        made = Path(private) / "holder.json"
        fd = os.open(made, os.O_WRONLY | os.O_CREAT | os.O_EXCL | NOFOLLOW, 0o644)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(data))
        os.replace(made, note)
    except OSError:
        pass
    finally:
        shutil.rmtree(private, ignore_errors=True)


def _holder(note: Path) -> str:
    try:
        fd = os.open(note, os.O_RDONLY | NOFOLLOW)
        with os.fdopen(fd, "rb") as fh:
            who = json.loads(fh.read(4096).decode("utf-8"))
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
    """Copy ``path`` to a backup name no other run has taken; keeps mode and group.
    Neither end follows a link: the backup is created exclusively, and a source that
    is a link is refused (its target might be anyone's private file)."""
    stamp = f"{now or datetime.now():%Y%m%d-%H%M%S}"
    try:
        source = os.open(path, os.O_RDONLY | NOFOLLOW | BINARY)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            refuse_link(path)
        raise
    with os.fdopen(source, "rb") as src:
        if not stat.S_ISREG(os.fstat(src.fileno()).st_mode):
            raise UsageError(f"{path} is not a plain file; it is not backed up or replaced")
        for n in range(1, 1000):
            target = path.with_name(f"{path.stem}.{stamp}{'' if n == 1 else f'-{n}'}.bak"
                                    f"{path.suffix}")
            try:
                fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | NOFOLLOW | BINARY,
                             0o666)
            except FileExistsError:
                continue
            with os.fdopen(fd, "wb") as dst:
                shutil.copyfileobj(src, dst)
            _copy_mode(src.fileno(), target)
            return target
    raise FileExistsError(f"{path.name}: too many backups named {stamp}")


def _copy_mode(src_fd: int, target: Path) -> None:
    """The source's mode, times and group on the new backup."""
    info = os.fstat(src_fd)
    os.chmod(target, stat.S_IMODE(info.st_mode))
    os.utime(target, ns=(info.st_atime_ns, info.st_mtime_ns))
    try:
        os.chown(target, -1, info.st_gid)
    except (OSError, AttributeError):
        pass


@contextmanager
def replacing(path: Path, suffix: str = TEMP_SUFFIX, folder: Path | None = None,
              ) -> Iterator[Path]:
    """A temporary file to write, in a private folder beside ``path``; on success it
    takes ``path``'s mode and group (if ``path`` exists) and is renamed over it. A
    reader never sees half a file, a failed write leaves the old one and no temporary
    behind, and nobody else can swap the temporary for a link meanwhile. ``path``
    itself is checked first (``ensure_replaceable``). ``folder``: a ``private_folder``
    beside ``path`` already made, for many files written one after the other."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    ensure_replaceable(path)
    shared = folder is not None and folder.parent == path.parent
    with contextlib.nullcontext(folder) if shared else private_folder(path, suffix) as private:
        tmp = private / f"{path.stem}{suffix}"
        os.close(os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY | NOFOLLOW, 0o666))
        try:
            yield tmp
            adopt_mode(tmp, path)
            refuse_link(path)  # planted while the file was being written
            try:
                os.replace(tmp, path)
            except PermissionError as exc:
                raise open_in_excel(path, exc) from None
        finally:
            if shared:
                tmp.unlink(missing_ok=True)  # a failed write's (renamed: gone already)


@contextmanager
def private_folder(beside: Path, suffix: str = TEMP_SUFFIX) -> Iterator[Path]:
    """A private (0700) temporary folder in ``beside``'s folder, removed at the end
    with whatever is left in it. One serves many ``replacing`` writes into one folder
    (an issue's returns): on a disk mounted with online discard, removing a folder
    took ~3 ms on the busy bench machine — 0.9 s for 300 returns, one folder each."""
    beside.parent.mkdir(parents=True, exist_ok=True)  # as ``replacing`` makes it
    private = Path(tempfile.mkdtemp(prefix=f".{beside.stem}-", suffix=suffix,
                                    dir=beside.parent))
    try:
        yield private
    finally:
        shutil.rmtree(private, ignore_errors=True)


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
    """Remove the temporaries (private folders, or an older version's files) a killed
    run left beside ``target``: ``.STEM-XXXXXXXX.ext.tmp``, exactly, so another
    output's (``STEM-2``) are never taken for them. A link is removed, not followed."""
    mine = re.compile(rf"\.{re.escape(target.stem)}-[A-Za-z0-9_]{{8}}\.\w+\.tmp")
    removed = []
    for tmp in target.parent.iterdir():
        if not mine.fullmatch(tmp.name):
            continue
        try:
            if tmp.is_dir() and not tmp.is_symlink():
                shutil.rmtree(tmp)
            else:
                tmp.unlink()
            removed.append(tmp)
        except OSError:
            pass
    return removed
