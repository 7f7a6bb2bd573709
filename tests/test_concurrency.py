"""One writer at a time, backups that never collide, temporaries that do not outlive a
run, modes colleagues rely on. Real processes: a consolidation paused while it holds
the master (a real ``xltools`` process, slowed just before it saves) and a second one
started meanwhile."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from returns_data import AS_OF, LUCY, STEVE, fill_return

from xltools.cycle.consolidate import consolidate
from xltools.errors import BusyError
from xltools.workbook.files import output_lock, unique_backup
from xltools.workbook.reader import read_book

XLTOOLS = [sys.executable, "-m", "xltools"]
SLOW_SAVE = """
import sys, time
import xltools.workbook.writer as writer
real = writer.fastrows.save
def slow(*args, **kwargs):
    print("saving", flush=True)
    time.sleep(float(sys.argv[1]))
    return real(*args, **kwargs)
writer.fastrows.save = slow
from xltools.cli import main
sys.exit(main(sys.argv[2:]))
"""


def folder_with(tmp_path: Path, name: str, *files: Path) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    for f in files:
        shutil.copy(f, folder / f.name)
    return folder


def updates(cycle, tmp_path) -> tuple[Path, Path]:
    """Two folders, each with one officer's update."""
    fill_return(cycle[1] / STEVE, {"A-0001": {"Progress update": "Steve's news.",
                                              "RAG status": "Green"}})
    fill_return(cycle[1] / LUCY, {"A-0012": {"Progress update": "Lucy's news.",
                                             "RAG status": "Amber"}})
    return (folder_with(tmp_path, "steve", cycle[1] / STEVE),
            folder_with(tmp_path, "lucy", cycle[1] / LUCY))


def test_second_in_place_run_exits_2_naming_the_holder_and_nothing_is_lost(cycle, tmp_path):
    steve, lucy = updates(cycle, tmp_path)
    master = cycle[0]
    first = subprocess.Popen(
        [sys.executable, "-c", SLOW_SAVE, "6", "consolidate", str(master), str(steve),
         "--in-place", "--as-of", "2019-10-21"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert first.stdout.readline().strip() == "saving"  # it holds the master now
        second = subprocess.run(XLTOOLS + ["consolidate", str(master), str(lucy), "--in-place",
                                           "--as-of", "2019-10-21"],
                                capture_output=True, text=True, timeout=120)
    finally:
        out, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    assert second.returncode == 2
    assert len(second.stderr.strip().splitlines()) == 1
    assert f"pid {first.pid}" in second.stderr and "consolidate" in second.stderr
    again = subprocess.run(XLTOOLS + ["consolidate", str(master), str(lucy), "--in-place",
                                      "--as-of", "2019-10-21"],
                           capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    book = read_book(master)
    assert book.action("A-0001")["progress_update"] == "Steve's news."
    assert book.action("A-0012")["progress_update"] == "Lucy's news."
    backups = sorted(master.parent.glob("master.*.bak.xlsx"))
    assert len(backups) == 2  # one per run, neither overwritten


def test_two_runs_into_one_output_one_refused(cycle, tmp_path):
    steve, lucy = updates(cycle, tmp_path)
    out = tmp_path / "out.xlsx"
    with output_lock(out, "consolidate"):
        with pytest.raises(BusyError, match="being written by another xltools run"):
            consolidate(cycle[0], lucy, out, as_of=AS_OF)
    assert not out.exists()
    consolidate(cycle[0], lucy, out, as_of=AS_OF)  # free again
    assert read_book(out).action("A-0012")["progress_update"] == "Lucy's news."


def test_backups_in_the_same_second_never_overwrite(tmp_path):
    master = tmp_path / "m.xlsx"
    master.write_bytes(b"first")
    now = datetime(2019, 10, 21, 9, 30, 0)
    a = unique_backup(master, now)
    master.write_bytes(b"second")
    b = unique_backup(master, now)
    assert a != b and a.name.endswith(".bak.xlsx") and b.name.endswith(".bak.xlsx")
    assert (a.read_bytes(), b.read_bytes()) == (b"first", b"second")


def test_a_killed_runs_temporary_is_cleaned_by_the_next(cycle, tmp_path):
    steve, _ = updates(cycle, tmp_path)
    out = tmp_path / "out.xlsx"
    stale = tmp_path / ".out-deadbeef.xlsx.tmp"
    stale.write_bytes(b"half a workbook")
    consolidate(cycle[0], steve, out, as_of=AS_OF)
    assert not stale.exists() and out.exists()
    assert not list(tmp_path.glob(".~xltools.*.holder.json"))  # the note goes with the lock


def test_lock_is_freed_when_its_holder_is_killed(tmp_path):
    out = tmp_path / "out.xlsx"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom xltools.workbook.files import "
         "output_lock\nwith output_lock(sys.argv[1], 'consolidate'):\n print('held', "
         "flush=True)\n time.sleep(60)\n", str(out)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    with pytest.raises(BusyError):
        with output_lock(out, "flags"):
            pass
    holder.kill()  # kill -9
    holder.wait(timeout=30)
    with output_lock(out, "flags"):  # the OS freed it
        pass


@pytest.fixture
def group_umask():
    old = os.umask(0o002)
    yield
    os.umask(old)


def test_new_outputs_get_the_umask_mode(cycle, tmp_path, group_umask):
    steve, _ = updates(cycle, tmp_path)
    consolidate(cycle[0], steve, tmp_path / "out.xlsx", as_of=AS_OF)
    assert stat.S_IMODE((tmp_path / "out.xlsx").stat().st_mode) == 0o664


def test_in_place_keeps_the_masters_mode(cycle, tmp_path, group_umask):
    steve, _ = updates(cycle, tmp_path)
    os.chmod(cycle[0], 0o640)
    report = consolidate(cycle[0], steve, cycle[0], as_of=AS_OF, in_place=True)
    assert stat.S_IMODE(cycle[0].stat().st_mode) == 0o640
    assert stat.S_IMODE(Path(report.backup).stat().st_mode) == 0o640
