"""The bench runs end to end in a tiny mode and reports every figure (never on time).

bench/bench.py is run as ``make bench`` runs it, on 2 and 3 returns × 2 actions
of the heavy-text workload, with the slow baselines sampled so the scaling
path runs too; then its results.json and RESULTS.md are checked for every
field. bench/measure.py's peaks are checked against processes of known size.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))

from measure import run_measured  # noqa: E402
from workload import action_text, measure_text, progress_text  # noqa: E402

STEPS = ("issue", "consolidate", "pandas_openpyxl", "calamine_xlsxwriter", "calamine_read",
         "openpyxl_issue")
PHASES = ("read_master", "read_check_returns", "merge", "write", "total")
TARGETS = ("xltools --help (start-up), median", "consolidate vs pandas+openpyxl",
           "consolidate vs calamine+xlsxwriter", "issue vs openpyxl per return",
           "consolidate peak memory (largest process)", "consolidate time per return",
           "consolidate memory per return")
ALLOCATE = "x = bytearray({mb} * 2**20); x[::4096] = b'a' * (len(x) // 4096)"


@pytest.fixture(scope="module")
def bench_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bench")
    subprocess.run([sys.executable, str(BENCH / "bench.py"), "--runs", "heavy:2", "heavy:3",
                    "--actions", "2", "--out", str(out), "--results-md",
                    str(out / "RESULTS.md"), "--startup-runs", "1", "--sample", "1",
                    "--full-baselines-up-to", "2", "--baseline-sample", "2",
                    "--note", "test run"], check=True, capture_output=True, text=True)
    return out


def test_results_json_has_every_figure(bench_run):
    results = json.loads((bench_run / "results.json").read_text())
    assert {"date", "machine", "command", "note", "startup", "runs", "targets"} <= set(results)
    assert results["startup"]["runs"] == 1 and results["startup"]["median_s"] > 0
    assert [(r["workload"], r["returns"]) for r in results["runs"]] == [("heavy", 2),
                                                                       ("heavy", 3)]
    for run in results["runs"]:
        assert run["rows"] == run["returns"] * 2 and run["returns_issued"] == run["returns"]
        for step in STEPS:
            figures = run["steps"][step]
            for key in ("wall_s", "seconds", "peak_rss_mb", "peak_rss_sum_mb"):
                assert figures[key] > 0, (run["returns"], step, key)
            assert figures["peak_rss_sum_mb"] >= figures["peak_rss_mb"]
        assert set(PHASES) <= set(run["consolidate_timings"])
        assert run["counts"]["rows_updated"] + run["counts"]["rows_invalid"] > 0
        assert set(run["ratios"]) == {"pandas_openpyxl_over_consolidate",
                                      "consolidate_over_calamine_xlsxwriter",
                                      "consolidate_over_calamine_read",
                                      "openpyxl_issue_over_issue"}
        assert set(run["per_return"]) == {"consolidate", "issue"}
        held = run["held_per_row"]
        assert held["items"] == run["rows"]
        assert 0 < held["string_bytes_per_row"] <= held["held_bytes_per_row"]
    small, large = results["runs"]
    assert "sample" not in small["steps"]["pandas_openpyxl"]
    assert large["steps"]["pandas_openpyxl"]["sample"] == 2  # over --full-baselines-up-to
    assert "sampled 2 of 3" in large["steps"]["pandas_openpyxl"]["note"]
    assert large["steps"]["openpyxl_issue"]["sample"] == 1
    names = {t["target"] for t in results["targets"]}
    assert names == set(TARGETS)
    assert all(isinstance(t["met"], bool) for t in results["targets"])


def test_results_md_says_how_and_what(bench_run):
    results = json.loads((bench_run / "results.json").read_text())
    text = (bench_run / "RESULTS.md").read_text()
    for needle in (results["command"], "Note: test run", "## Issue 17 targets",
                   "## Start-up", "## Per return", "## What is held per master row",
                   "xltools consolidate", "A: pandas + openpyxl", "B: calamine read",
                   "C: calamine read alone", "xltools issue", "D: openpyxl",
                   "heavy: 3 returns × 2 actions", "sampled 2 of 3", *TARGETS):
        assert needle in text, needle


def test_heavy_text_is_paragraphs_different_per_row_and_repeatable(bench_run):
    with CalamineWorkbook.from_path(str(bench_run / "heavy-3x2" / "master.xlsx")) as wb:
        grid = wb.get_sheet_by_name("Actions").to_python()
    header = grid[0]
    for column in ("Improvement action", "Success measure", "Progress update"):
        texts = [row[header.index(column)] for row in grid[1:]]
        assert len(set(texts)) == len(texts) == 6, column
        assert all(text.count(". ") >= 1 and len(text) > 80 for text in texts), column
    assert action_text("17:1") == action_text("17:1") != action_text("17:2")
    assert measure_text("a") == measure_text("a")
    assert progress_text("a").count(". ") >= 3


def test_peak_counts_the_processes_a_step_starts():
    grandchild = ALLOCATE.format(mb=200)
    child = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {grandchild!r}])"
    measured = run_measured([sys.executable, "-c", child])
    assert measured["peak_rss_mb"] > 200  # the grandchild's, not the small parent's


def test_peak_is_not_the_benchs_own_memory():
    """Linux carries the spawner's peak into a new process; the launcher keeps it out."""
    held = bytearray(300 * 2**20)
    held[::4096] = b"a" * (len(held) // 4096)
    measured = run_measured([sys.executable, "-c", "pass"])
    assert measured["peak_rss_mb"] < 100
    del held


def test_ab_runs_both_trees_in_turn_on_one_workload(tmp_path):
    """bench/ab.py (before and after on a shared machine) on a tiny workload, the same
    tree on both sides: every step is reported for both, with wall and CPU medians."""
    root = BENCH.parent
    run = subprocess.run([sys.executable, str(BENCH / "ab.py"), str(root), str(root),
                          "--runs", "2", "--returns", "2", "--actions", "2",
                          "--out", str(tmp_path / "ab")], capture_output=True, text=True,
                         check=True)
    lines = run.stdout.splitlines()
    for step in ("consolidate", "issue"):
        for side in ("before", "after"):
            (line,) = [x for x in lines if x.split()[:2] == [step, side]]
            assert "wall median" in line and "CPU median" in line and line.count(",") == 2
    assert (tmp_path / "ab" / "ab-after.xlsx").is_file()
    assert len(list((tmp_path / "ab" / "ab-before").glob("*.xlsx"))) == 2
