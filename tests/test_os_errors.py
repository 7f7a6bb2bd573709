"""Messages, not tracebacks: a full disk, a folder that cannot be written, a name too
long become exit 2 and one line, and what was there before is unchanged. Real
processes; the full disk is a real, tiny tmpfs where the machine allows mounting one,
and an injected ENOSPC / EACCES at the write otherwise."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from returns_data import STEVE, fill_return

from xltools.cycle.returns import issue_returns, return_filename
from xltools.workbook.reader import read_book

XLTOOLS = [sys.executable, "-m", "xltools"]
FAILING_REPLACE = """
import errno, os, sys
import xltools.workbook.files as files
def fail(src, dst):  # the rename of the finished temporary over the workbook fails
    code = getattr(errno, sys.argv[1])
    raise OSError(code, os.strerror(code), str(dst))
files.os = type("os", (), {**{k: getattr(os, k) for k in dir(os) if not k.startswith("__")},
                            "replace": staticmethod(fail)})
from xltools.cli import main
sys.exit(main(sys.argv[2:]))
"""


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("error", ["ENOSPC", "EACCES", "ENAMETOOLONG"])
def test_a_failed_write_is_one_line_and_the_master_is_unchanged(cycle, tmp_path, error):
    fill_return(cycle[1] / STEVE, {"A-0001": {"Progress update": "New."}})
    before = digest(cycle[0])
    run = subprocess.run([sys.executable, "-c", FAILING_REPLACE, error, "consolidate",
                          str(cycle[0]), str(cycle[1]), "--in-place", "--as-of",
                          "2019-10-21"], capture_output=True, text=True, timeout=120)
    assert run.returncode == 2, run.stderr
    assert len(run.stderr.strip().splitlines()) == 1 and "Traceback" not in run.stderr
    assert os.strerror(getattr(__import__("errno"), error)) in run.stderr
    assert digest(cycle[0]) == before
    assert not list(cycle[0].parent.glob(".*.tmp"))


@pytest.fixture
def tiny_disk(tmp_path):
    mount = tmp_path / "full"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=12k", "tmpfs", str(mount)],
                          capture_output=True)
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (not root?); the injected ENOSPC case covers it")
    yield mount
    subprocess.run(["umount", str(mount)], capture_output=True)


def test_a_really_full_disk(cycle, tmp_path, tiny_disk):
    run = subprocess.run(XLTOOLS + ["consolidate", str(cycle[0]), str(cycle[1]), "-o",
                                    str(tiny_disk / "out.xlsx"), "--as-of", "2019-10-21"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2, run.stderr
    assert "No space left on device" in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1
    assert not list(tiny_disk.iterdir()) or all(
        p.name.startswith(".~xltools.") for p in tiny_disk.iterdir())  # no half workbook


def test_a_very_long_officer_name_gets_a_short_stable_file_name(plan, tmp_path):
    from returns_data import master_book

    from xltools.workbook.writer import write_book

    long_name = "Dr " + " ".join(f"Name{i}" for i in range(40))  # ~240 characters
    book = master_book(plan.with_changes(officers=(*plan.officers, long_name)))
    book.actions[0]["lead_officer"] = long_name
    write_book(book, tmp_path / "master.xlsx")
    report = issue_returns(tmp_path / "master.xlsx", tmp_path / "returns", workers=1)
    names = [r.path.name for r in report.returns]
    assert all(len(n.encode()) < 120 for n in names)
    mine = next(r for r in report.returns if r.officer == long_name)
    assert read_book(mine.path).officer == long_name  # the name inside is the full one
    assert return_filename(plan.period, long_name) == mine.path.name  # stable
    other = long_name + " Jr"
    assert return_filename(plan.period, other) != mine.path.name


def test_issue_into_a_place_that_cannot_be_written_is_one_line(cycle, tmp_path):
    blocker = tmp_path / f"file-{uuid.uuid4().hex}"
    blocker.write_text("not a folder")
    run = subprocess.run(XLTOOLS + ["issue", str(cycle[0]), "-o", str(blocker / "sub")],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1


SLOW_WORKERS = """
import os, sys, time
from pathlib import Path
import xltools.cycle.intake as intake
def slow(path, *args, **kwargs):
    Path(sys.argv[1], str(os.getpid())).touch()
    time.sleep(120)
intake.read_book = slow
from xltools.cli import main
sys.exit(main(sys.argv[2:]))
"""


def test_kill_9_leaves_no_worker_behind(cycle, tmp_path):
    import shutil
    import signal
    import time

    inbox = tmp_path / "in"
    inbox.mkdir()
    for i in range(44):  # enough for the process pool
        shutil.copy(cycle[1] / STEVE, inbox / f"{i:02}_{STEVE}")
    marks = tmp_path / "workers"
    marks.mkdir()
    parent = subprocess.Popen([sys.executable, "-c", SLOW_WORKERS, str(marks), "consolidate",
                               str(cycle[0]), str(inbox), "-o", str(tmp_path / "out.xlsx")])
    deadline = time.monotonic() + 60
    while len(list(marks.iterdir())) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    workers = [int(p.name) for p in marks.iterdir()]
    assert len(workers) == 2
    parent.send_signal(signal.SIGKILL)
    parent.wait(timeout=30)
    deadline = time.monotonic() + 30
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(_alive(pid) for pid in workers)


def _alive(pid: int) -> bool:
    """Running (a zombie waiting for init to reap it counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"
