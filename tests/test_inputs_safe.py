"""Every command refuses an -o that names its input (the README's promise): savings and
import used to overwrite the baseline or the tracker, keeping only a .bak. Real files:
the savings programme written by our writer and by xlsxwriter; a tracker by xlsxwriter."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from savings_programme import write_programme
from test_import import write_tracker

from xltools.cli import main


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_savings_refuses_to_overwrite_its_baseline_or_a_return(plan, tmp_path, capsys):
    baseline, returns = write_programme(plan, tmp_path)
    for target in (baseline, returns[1]):
        before = digest(target)
        code = main(["savings", str(baseline), *map(str, returns), "-o", str(target)])
        assert code == 2 and "one of the inputs" in capsys.readouterr().err
        assert digest(target) == before
    assert not list(tmp_path.glob("*.bak.xlsx"))


def test_savings_refuses_a_link_to_its_baseline(plan, tmp_path, capsys):
    baseline, returns = write_programme(plan, tmp_path)
    alias = tmp_path / "alias.xlsx"
    os.link(baseline, alias)
    code = main(["savings", str(baseline), *map(str, returns), "-o", str(alias)])
    assert code == 2


def test_import_refuses_to_overwrite_its_source(tmp_path, capsys):
    tracker = write_tracker(tmp_path / "tracker.xlsx")
    before = digest(tracker)
    code = main(["import", str(tracker), "-o", str(tracker), "--period", "Q3 2019/20"])
    assert code == 2 and "one of the inputs" in capsys.readouterr().err
    assert digest(tracker) == before and not list(tmp_path.glob("*.bak.xlsx"))


def test_import_says_where_the_previous_output_was_kept(tmp_path, capsys):
    tracker = write_tracker(tmp_path / "tracker.xlsx")
    out = tmp_path / "master.xlsx"
    args = ["import", str(tracker), "-o", str(out), "--period", "Q3 2019/20"]
    assert main(args) == 0
    assert "kept as" not in capsys.readouterr().out
    assert main(args) == 0
    printed = capsys.readouterr().out
    backups = list(tmp_path.glob("master.*.bak.xlsx"))
    assert len(backups) == 1 and f"kept as {backups[0].name}" in printed
