"""Files written only where they are meant (issue 22) and runs that leave nothing behind
(issue 23): a symbolic link planted in a shared output folder at any name xltools
writes is never followed; a read-only master is not replaced; a workbook held open
(Excel on Windows refuses the rename) gets one line saying so, and no .bak or
temporary is left; lock files go when the run ends; chase drafts never overwrite
each other; an officer e-mail with a line break never reaches a draft. Real files,
real `xltools` processes."""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess
import sys
from datetime import datetime
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from returns_data import STEVE, fill_return

from xltools.cycle.chase import draft_names
from xltools.errors import PlanError, UsageError
from xltools.plan import Plan
from xltools.workbook.files import lock_paths, output_lock, unique_backup

XLTOOLS = [sys.executable, "-m", "xltools"]
PRECIOUS = b"the PMO's private notes\n"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def victim(tmp_path) -> Path:
    """A file the attacker wants overwritten (or copied into the shared folder)."""
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    path = private / "bashrc"
    path.write_bytes(PRECIOUS)
    path.chmod(0o600)
    return path


def consolidate_cli(cycle, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(XLTOOLS + ["consolidate", str(cycle[0]), str(cycle[1]),
                                     "--as-of", "2019-10-21", *extra],
                          capture_output=True, text=True, timeout=300)


def one_line(run: subprocess.CompletedProcess) -> str:
    assert "Traceback" not in run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    return lines[0]


def test_a_link_at_the_holder_note_is_not_written_through(cycle, victim):
    fill_return(cycle[1] / STEVE, {"A-0001": {"Progress update": "Panel met"}})
    _, note = lock_paths(cycle[0])
    note.symlink_to(victim)
    run = consolidate_cli(cycle, "--in-place")
    assert run.returncode == 0, run.stderr
    assert victim.read_bytes() == PRECIOUS
    assert not note.exists() and not note.is_symlink()  # replaced by the note, then removed


def test_a_link_at_the_lock_file_is_refused_and_not_followed(cycle, victim):
    lock, _ = lock_paths(cycle[0])
    lock.symlink_to(victim)
    before = digest(cycle[0])
    run = consolidate_cli(cycle, "--in-place")
    assert run.returncode == 2
    assert "symbolic link" in one_line(run)
    assert victim.read_bytes() == PRECIOUS and digest(cycle[0]) == before


def test_a_link_at_the_output_is_refused_before_any_work(cycle, victim, tmp_path):
    out = tmp_path / "out" / "consolidated.xlsx"
    out.parent.mkdir()
    out.symlink_to(victim)
    run = consolidate_cli(cycle, "-o", str(out))
    assert run.returncode == 2 and "symbolic link" in one_line(run)
    assert victim.read_bytes() == PRECIOUS
    assert sorted(p.name for p in out.parent.iterdir()) == ["consolidated.xlsx"]


def test_a_link_at_a_backup_name_is_skipped_not_followed(tmp_path, victim):
    master = tmp_path / "m.xlsx"
    master.write_bytes(b"the master")
    now = datetime(2019, 10, 21, 9, 30, 0)
    (tmp_path / "m.20191021-093000.bak.xlsx").symlink_to(victim)
    made = unique_backup(master, now)
    assert made.name == "m.20191021-093000-2.bak.xlsx" and made.read_bytes() == b"the master"
    assert victim.read_bytes() == PRECIOUS


def test_reissue_never_copies_a_links_target_into_the_folder(cycle, victim):
    """The issue's case: a return's name in the shared folder is a link to a 0600 file;
    re-issuing must not back it up (that would publish the file, 0644): the link is
    moved aside with the old returns (``--replace``), never read or copied."""
    planted = cycle[1] / STEVE
    planted.unlink()
    planted.symlink_to(victim)
    run = subprocess.run(XLTOOLS + ["issue", str(cycle[0]), "-o", str(cycle[1]), "--replace"],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    for path in cycle[1].rglob("*"):
        assert path.is_symlink() or path.is_dir() or PRECIOUS not in path.read_bytes()
    (moved,) = cycle[1].glob(f"replaced-*/{STEVE}")
    assert moved.is_symlink() and victim.read_bytes() == PRECIOUS
    assert stat.S_IMODE(victim.stat().st_mode) == 0o600


def test_a_backup_of_a_link_is_refused(tmp_path, victim):
    link = tmp_path / "return.xlsx"
    link.symlink_to(victim)
    with pytest.raises(UsageError, match="symbolic link"):
        unique_backup(link)
    assert [p.name for p in tmp_path.iterdir() if p.name != "private"] == ["return.xlsx"]


def test_chase_does_not_write_through_a_link_or_attach_one(cycle, victim, tmp_path):
    """A draft's name planted as a link is refused; a link at an issued return's name
    is never attached to an e-mail."""
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    first = subprocess.run(XLTOOLS + ["chase", str(cycle[0]), "-o", str(outbox),
                                      "--as-of", "2019-10-21"],
                           capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    draft = sorted(outbox.glob("*.eml"))[0]
    draft.unlink()
    draft.symlink_to(victim)
    run = subprocess.run(XLTOOLS + ["chase", str(cycle[0]), "-o", str(outbox),
                                    "--as-of", "2019-10-21"],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 2 and "symbolic link" in one_line(run)
    assert victim.read_bytes() == PRECIOUS
    draft.unlink()
    (cycle[1] / STEVE).unlink()
    (cycle[1] / STEVE).symlink_to(victim)
    again = subprocess.run(XLTOOLS + ["chase", str(cycle[0]), "-o", str(outbox),
                                      "--returns", str(cycle[1]), "--as-of", "2019-10-21"],
                           capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert not any(PRECIOUS in p.read_bytes() for p in outbox.glob("*.eml"))


def test_in_place_honours_a_read_only_master(cycle):
    fill_return(cycle[1] / STEVE, {"A-0001": {"Progress update": "Panel met"}})
    os.chmod(cycle[0], 0o444)
    before = digest(cycle[0])
    run = consolidate_cli(cycle, "--in-place")
    assert run.returncode == 2 and "read-only" in one_line(run)
    assert digest(cycle[0]) == before
    assert stat.S_IMODE(cycle[0].stat().st_mode) == 0o444
    assert not list(cycle[0].parent.glob("*.bak.xlsx"))


HELD_OPEN = """
import errno, os, sys
import xltools.workbook.files as files
def held(src, dst):  # Excel on Windows holds the file: the rename is refused
    raise PermissionError(errno.EACCES, "Permission denied", str(dst))
files.os = type("os", (), {**{k: getattr(os, k) for k in dir(os) if not k.startswith("__")},
                            "replace": staticmethod(held)})
from xltools.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("in_place", [True, False], ids=["in_place", "output"])
def test_a_workbook_open_in_excel_is_one_line_and_leaves_nothing_behind(cycle, tmp_path,
                                                                        in_place):
    fill_return(cycle[1] / STEVE, {"A-0001": {"Progress update": "Panel met"}})
    out = cycle[0] if in_place else tmp_path / "out.xlsx"
    if not in_place:
        out.write_bytes(cycle[0].read_bytes())  # last quarter's output, open in Excel
    before = {p.name for p in out.parent.iterdir()}
    target = ["--in-place"] if in_place else ["-o", str(out)]
    run = subprocess.run([sys.executable, "-c", HELD_OPEN, "consolidate", str(cycle[0]),
                          str(cycle[1]), "--as-of", "2019-10-21", *target],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 2
    line = one_line(run)
    assert "open in Excel (or another program)" in line and "close it and run again" in line
    assert "free some space" not in line
    assert {p.name for p in out.parent.iterdir()} == before  # no .bak, .tmp or lock


def test_lock_files_are_gone_when_the_run_ends(cycle, tmp_path):
    out = tmp_path / "out" / "consolidated.xlsx"
    run = consolidate_cli(cycle, "-o", str(out))
    assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in out.parent.iterdir()) == ["consolidated.xlsx"]
    with output_lock(out, "flags"):
        assert lock_paths(out)[0].exists()
    assert not lock_paths(out)[0].exists() and not lock_paths(out)[1].exists()


def test_a_second_run_still_waits_for_the_first(tmp_path):
    """Removing the lock file at the end must not let two runs hold it at once."""
    from xltools.errors import BusyError

    out = tmp_path / "out.xlsx"
    with output_lock(out, "consolidate"):
        with pytest.raises(BusyError, match="another xltools run"):
            with output_lock(out, "flags"):
                pass
    with output_lock(out, "flags"):
        pass


def test_a_refused_or_failed_run_leaves_no_lock_file_and_no_empty_output(cycle, tmp_path):
    """Runs that write nothing — refused (a master never consolidated, a file that is not
    a workbook) or failed — leave no lock file, no note and no output folder they made."""
    master, issued = cycle
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a workbook")
    before = {p.name for p in tmp_path.iterdir()}
    runs = [("next-quarter", master, "-o", tmp_path / "q3" / "deep" / "next.xlsx"),
            ("next-quarter", junk, "-o", tmp_path / "q3" / "next.xlsx"),
            ("consolidate", junk, issued, "-o", tmp_path / "out" / "deep" / "c.xlsx"),
            ("consolidate", master, tmp_path / "no such folder", "-o",
             tmp_path / "out" / "c.xlsx")]
    for args in runs:
        run = subprocess.run(XLTOOLS + [str(a) for a in args], capture_output=True,
                             text=True, timeout=300)
        assert run.returncode == 2, (args, run.stdout)
        assert {p.name for p in tmp_path.iterdir()} == before, args
    assert not [p for p in tmp_path.rglob(".~xltools*")]
    # a run that does write keeps the folders it made, and nothing else beside the output
    out = tmp_path / "made" / "here" / "c.xlsx"
    assert consolidate_cli(cycle, "-o", str(out)).returncode == 0
    assert [p.name for p in out.parent.iterdir()] == ["c.xlsx"]


def test_a_refused_next_quarter_does_not_take_the_output_lock(cycle, tmp_path):
    """Refused before its output is locked: while another run holds that output, the
    PMO is told the real reason, not that someone else is writing it."""
    out = tmp_path / "q3.xlsx"
    with output_lock(out, "consolidate"):
        run = subprocess.run(XLTOOLS + ["next-quarter", str(cycle[0]), "-o", str(out)],
                             capture_output=True, text=True, timeout=300)
    assert run.returncode == 2
    assert "no returns have been consolidated into this master" in one_line(run)
    assert not out.exists() and not lock_paths(out)[0].exists()


HOLD_LOCK = """
import os, signal, sys
from xltools.workbook.files import output_lock
with output_lock(sys.argv[1], "consolidate"):
    print("held", flush=True)
    if sys.argv[2] == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    sys.stdin.readline()
"""


def hold(out: Path, how: str) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(out), how], text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_a_killed_runs_lock_file_is_removed_by_the_next_run_in_the_folder(tmp_path):
    """kill -9 leaves a lock file and note no run will remove for it; the next run in
    the folder removes them, and never a live run's lock, however old."""
    killed, live = tmp_path / "killed.xlsx", tmp_path / "live.xlsx"
    dead = hold(killed, "kill")
    assert dead.wait(timeout=60) == -9
    assert lock_paths(killed)[0].exists() and lock_paths(killed)[1].exists()
    alive = hold(live, "wait")
    try:
        old = datetime.now().timestamp() - 600
        for path in (*lock_paths(killed), lock_paths(live)[0]):
            os.utime(path, (old, old))
        with output_lock(tmp_path / "other.xlsx", "flags"):
            pass
        assert not lock_paths(killed)[0].exists() and not lock_paths(killed)[1].exists()
        assert lock_paths(live)[0].exists()  # held: a live run's
        from xltools.errors import BusyError

        with pytest.raises(BusyError, match="another xltools run"):
            with output_lock(live, "flags"):
                pass
    finally:
        alive.communicate("\n", timeout=60)
    assert not lock_paths(live)[0].exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == []


# -- chase drafts and officer e-mails ----------------------------------------------------


def test_draft_names_never_collide_ignoring_case():
    officers = ["J. Smith", "J Smith", "Ann Lee", "Ann_Lee", "Siân O'Neill", "Sian ONeill",
                "..", "...", "ann lee"]
    names = draft_names("Q2 2019/20", officers)
    assert len({n.casefold() for n in names.values()}) == len(officers)
    assert names["J. Smith"] == "Q2_2019-20_J_Smith.eml"
    assert names["J Smith"] == "Q2_2019-20_J_Smith_2.eml"
    assert names["ann lee"] == "Q2_2019-20_ann_lee_3.eml"


def test_chase_writes_one_draft_per_officer_whose_names_clash(plan, tmp_path):
    from pmo_master import master_book

    from xltools.workbook.writer import write_book

    clashing = ("J. Smith", "J Smith")
    book = master_book(plan.with_changes(officers=(*plan.officers, *clashing)))
    for row, name in zip(book.actions[:2], clashing, strict=True):
        row["lead_officer"] = name
        row["flags"] = f"MISSING_RETURN: no return from {name} for Q2 2019/20"
    master = write_book(book, tmp_path / "master.xlsx")
    outbox = tmp_path / "outbox"
    run = subprocess.run(XLTOOLS + ["chase", str(master), "-o", str(outbox), "--as-of",
                                    "2019-10-21"], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    officers = [BytesParser(policy=policy.default).parse(p.open("rb"))["X-Xltools-Officer"]
                for p in outbox.glob("*.eml")]
    assert set(clashing) <= set(officers) and len(officers) == len(set(officers))


@pytest.mark.parametrize("address", ["steve@example.gov.uk\r\nBcc: all@example.gov.uk",
                                     "steve@example.gov.uk\n", "a@b.uk, c@d.uk",
                                     "steve edwards@example.gov.uk"])
def test_an_officer_email_with_a_line_break_is_refused_at_plan_load(plan, address):
    data = {**plan.to_dict(), "officer_emails": {"Steve Edwards": address}}
    with pytest.raises(PlanError) as err:
        Plan.from_dict(data, "plan.json")
    text = str(err.value)
    assert "officer_emails/Steve Edwards" in text and "\n" not in text and "\r" not in text


def test_chase_on_a_master_with_a_crlf_email_is_one_line(plan, tmp_path):
    from pmo_master import master_book

    from xltools.workbook.writer import write_book

    bad = {"Steve Edwards": "steve@example.gov.uk\r\nBcc: everyone@example.gov.uk"}
    master = write_book(master_book(plan.with_changes(officer_emails=bad)),
                        tmp_path / "master.xlsx")
    run = subprocess.run(XLTOOLS + ["chase", str(master), "-o", str(tmp_path / "outbox"),
                                    "--as-of", "2019-10-21"],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 2 and "officer_emails" in one_line(run)
    assert not list((tmp_path / "outbox").glob("*.eml")) if (tmp_path / "outbox").exists() \
        else True


def test_refuse_link_names_the_path(tmp_path, victim):
    from xltools.workbook.files import refuse_link

    link = tmp_path / "x.xlsx"
    link.symlink_to(victim)
    with pytest.raises(UsageError, match="symbolic link"):
        refuse_link(link)
