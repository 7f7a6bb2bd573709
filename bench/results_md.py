"""Write bench/RESULTS.md from a bench run's results.json.

    .venv/bin/python bench/results_md.py [bench/out/results.json] [bench/RESULTS.md]

bench.py calls this itself with ``--results-md``; run it alone to re-render a
saved run. The Markdown says where and how the numbers were taken and the
command that reproduces them.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
STEP_LABELS = {
    "consolidate": "xltools consolidate",
    "pandas_openpyxl": "A: pandas + openpyxl read/concat/write",
    "calamine_xlsxwriter": "B: calamine read + xlsxwriter streamed write",
    "calamine_read": "C: calamine read alone",
    "issue": "xltools issue",
    "openpyxl_issue": "D: openpyxl load template/fill/save per return",
}


def md_table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def load(averages) -> str:
    return ", ".join(f"{a:.2f}" for a in averages) if averages else "unknown"


def about(results: dict) -> list[str]:
    m = results["machine"]
    lines = [
        "# Bench results", "",
        "Written by `bench/results_md.py` from `bench/out/results.json`; do not edit by "
        "hand, re-run the bench.", "",
        f"- Date: {results['date']}",
        f"- Machine: {m['platform']}, {m['cpus']} CPUs, {m['ram_gb']} GB RAM",
        f"- Python: {m['python']}; xltools commit {m['commit'] or 'unknown'}",
        f"- Load average (1, 5, 15 min) at start / end: {load(m['load_average_at_start'])} / "
        f"{load(m.get('load_average_at_end'))}",
        f"- Reproduce: `{results['command']}`",
    ]
    if results.get("note"):
        lines.append(f"- Note: {results['note']}")
    return lines + [
        "", "Each step runs in a fresh process. *Wall* is the process as a user runs it "
        "(start-up and imports included); *work* is the step's own timing after imports; "
        "*start-up* is the difference: everything outside that timing (interpreter, "
        "imports, reading the arguments, printing the report). "
        "*Peak MB (largest)* is the largest resident set of any one process of the step "
        "(the kernel's figure, reader pool included); *peak MB (sum)* is the largest "
        "sum over its process tree, sampled every 10 ms (shared pages count in each). "
        "Ratios compare wall times from the same run.", ""]


def targets_section(results: dict) -> list[str]:
    rows = [[t["target"], t["run"], t["measured"], t["goal"],
             "met" if t["met"] else "**not met**"] for t in results["targets"]]
    return ["## Issue 17 targets", ""] + md_table(
        ["target", "run", "measured", "goal", "met"], rows) + [""]


def run_section(run: dict) -> list[str]:
    n = run["returns"]
    rows = []
    for name, label in STEP_LABELS.items():
        s = run["steps"][name]
        rows.append([label, f"{s['wall_s']:.2f}", f"{s['seconds']:.2f}",
                     f"{s['wall_s'] - s['seconds']:.2f}",
                     f"{s['peak_rss_mb']:.0f}", f"{s['peak_rss_sum_mb']:.0f}",
                     f"{1000 * s['wall_s'] / n:.1f}", f"{s['peak_rss_mb'] / n:.3f}",
                     s.get("note", "")])
    r = run["ratios"]
    phases = ", ".join(f"{k} {v:.2f} s" for k, v in run["consolidate_timings"].items())
    return [f"## {run['workload']}: {n} returns × {run['actions_each']} actions "
            f"({run['rows']:,} rows)", ""] + md_table(
        ["step", "wall s", "work s", "start-up s", "peak MB (largest)", "peak MB (sum)",
         "ms / return", "MB / return", "note"], rows) + [
        "",
        f"Ratios: pandas+openpyxl ÷ consolidate {r['pandas_openpyxl_over_consolidate']:.2f}×; "
        f"consolidate ÷ calamine+xlsxwriter {r['consolidate_over_calamine_xlsxwriter']:.2f}×; "
        f"consolidate ÷ calamine read {r['consolidate_over_calamine_read']:.2f}×; "
        f"openpyxl per return ÷ issue {r['openpyxl_issue_over_issue']:.2f}×.", "",
        f"Consolidate's phases (its `--json` timings): {phases}.", ""]


def per_return_section(results: dict) -> list[str]:
    rows = [[r["workload"], f"{r['returns']}",
             f"{r['per_return']['consolidate']['ms']:.1f}",
             f"{r['per_return']['consolidate']['mb']:.3f}",
             f"{r['per_return']['issue']['ms']:.1f}", f"{r['per_return']['issue']['mb']:.3f}"]
            for r in results["runs"]]
    return ["## Per return", "",
            "Wall time and peak memory (largest process) divided by the number of returns, "
            "so runs of different N compare.", ""] + md_table(
        ["workload", "N", "consolidate ms", "consolidate MB", "issue ms", "issue MB"],
        rows) + [""]


def held_section(results: dict) -> list[str]:
    rows = [[r["workload"], f"{r['rows']:,}",
             f"{r['held_per_row']['held_bytes_per_row']:,.0f}",
             f"{r['held_per_row']['string_bytes_per_row']:,.0f}",
             f"{r['held_per_row']['book_bytes_per_row']:,.0f}",
             f"{r['held_per_row']['peak_bytes_per_row']:,.0f}"] for r in results["runs"]]
    return ["## What is held per master row", "",
            "Measured with tracemalloc around xltools reading the master "
            "(`xltools.workbook.reader.read_book`), divided by the master's rows: the bytes "
            "the rows hold once read (the book dropped, its rows kept); how many of those are "
            "the rows' string objects (`sys.getsizeof`, a shared one once); the whole read book "
            "(plan, settings, lists and rows); and the peak while reading. At small N the "
            "book's fixed part dominates its per-row figure.", ""] + md_table(
        ["workload", "master rows", "rows hold, bytes / row", "of which strings",
         "whole book, bytes / row", "peak while reading, bytes / row"],
        rows) + [""]


def startup_section(results: dict) -> list[str]:
    s = results["startup"]
    return ["## Start-up", "",
            f"`xltools --help`: median {s['median_s']:.3f} s over {s['runs']} runs "
            f"(min {s['min_s']:.3f} s, max {s['max_s']:.3f} s).", ""]


def render(results: dict) -> str:
    lines = about(results) + targets_section(results) + startup_section(results)
    for run in results["runs"]:
        lines += run_section(run)
    lines += per_return_section(results) + held_section(results)
    return "\n".join(lines).rstrip() + "\n"


KEPT = re.compile(r"<!-- (\S+): begin -->.*?<!-- \1: end -->\n?", re.DOTALL)


def with_kept_sections(new: str, old: str) -> str:
    """``new`` followed by the sections other benches wrote into ``old`` between
    their markers (``programme_bench.py``)."""
    kept = [m.group(0).rstrip("\n") + "\n" for m in KEPT.finditer(old)]
    return "\n".join([new, *kept])


def write_results_md(results: dict, path: Path) -> Path:
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    path.write_text(with_kept_sections(render(results), old), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    source = Path(argv[0]) if argv else HERE / "out" / "results.json"
    target = Path(argv[1]) if len(argv) > 1 else HERE / "RESULTS.md"
    write_results_md(json.loads(source.read_text(encoding="utf-8")), target)
    print(target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
