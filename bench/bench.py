"""Reproducible benchmark of the hot paths: start-up, issuing and consolidating returns.

    .venv/bin/python bench/bench.py [--workload light heavy] [--returns 300 3000]
                                    [--heavy-text] [--runs heavy:3000 …] [--actions 40]
                                    [--results-md bench/RESULTS.md] [--note TEXT]

``make bench`` runs light and heavy at N = 300; ``make bench-large`` adds heavy
at N = 3000 (several minutes). Both write bench/RESULTS.md.

For each workload (bench/workload.py: ``light`` one-line texts, ``heavy``
paragraph-length action, success-measure and progress texts) and each N, it
generates a plan with one officer per return and a master of N × actions
actions, fills the returns in as officers would (some values invalid), then
measures in the same run on the same files, each step in a fresh process
(bench/measure.py: wall time, peak RSS of the largest process and of the
whole process tree):

* ``xltools issue`` and ``xltools consolidate`` — the commands as a user runs
  them (``--json`` gives consolidate's own phase timings);
* baseline A: pandas + openpyxl read/concat/write (no validation);
* baseline B: python-calamine read + xlsxwriter streamed write;
* baseline C: python-calamine read alone;
* baseline D: openpyxl load the template, fill, save — per return, on a sample,
  scaled to N. Above ``--full-baselines-up-to`` returns, baseline A is sampled
  and scaled the same way (the output says so);
* what a read master holds per row (tracemalloc), and ``xltools --help``.

Prints the figures, the ratios measured in this run and issue 17's targets
beside them; writes bench/out/results.json (and RESULTS.md with
``--results-md``). Not a test: no assertion on time, ever.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import psutil
from rich.console import Console
from rich.table import Table

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from measure import median_wall, run_measured  # noqa: E402
from results_md import write_results_md  # noqa: E402
from targets import evaluate  # noqa: E402
from workload import WORKLOADS, fill_returns, make_master, make_plan  # noqa: E402

from xltools.workbook.template import write_template  # noqa: E402

OUT = HERE / "out"
XLTOOLS = [sys.executable, "-m", "xltools"]
STEPS = [sys.executable, str(HERE / "steps.py")]
AS_OF = "2019-10-01"
LABELS = {
    "consolidate": "xltools consolidate (validate, merge, formatted master)",
    "pandas_openpyxl": "A: pandas + openpyxl read/concat/write",
    "calamine_xlsxwriter": "B: calamine read + xlsxwriter streamed write",
    "calamine_read": "C: calamine read alone",
    "issue": "xltools issue (template once, rows streamed)",
    "openpyxl_issue": "D: openpyxl load template/fill/save per return",
}


def setup(work: Path, workload: str, n_returns: int, n_actions: int) -> float:
    """The files every step works on (not measured): master, template, filled returns."""
    start = time.perf_counter()
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    plan = make_plan(n_returns)
    master = make_master(plan, n_actions, work / "master.xlsx", heavy=workload == "heavy")
    write_template(plan, work / "template.xlsx")
    fill_returns(master, work / "returns", heavy=workload == "heavy")
    return time.perf_counter() - start


def last_json(stdout: str) -> dict:
    """The JSON a step printed (the CLI prints one document, steps.py one line)."""
    text = stdout.strip()
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return json.loads(text.splitlines()[-1])


def cli_step(args: list[str]) -> tuple[dict, dict]:
    """An xltools command in a fresh process: its measures and its --json report."""
    measured = run_measured([*XLTOOLS, *args, "--json"])
    return measured, last_json(measured.pop("stdout"))


def bench_step(step: str, work: Path, n_returns: int, sample: int | None) -> dict:
    """A steps.py baseline in a fresh process; a sampled one's time scaled to N."""
    cmd = [*STEPS, step, str(work)] + (["--sample", str(sample)] if sample else [])
    measured = run_measured(cmd)
    report = last_json(measured.pop("stdout"))
    measured["seconds"] = report.pop("seconds")
    measured.update(report)
    if sample and report.get("files", n_returns) < n_returns:
        scale = n_returns / report["files"]
        start_up = measured["wall_s"] - measured["seconds"]
        measured |= {"sample": report["files"], "measured_wall_s": measured["wall_s"],
                     "wall_s": start_up + measured["seconds"] * scale,
                     "seconds": measured["seconds"] * scale,
                     "note": f"sampled {report['files']} of {n_returns} returns, time "
                             "scaled; memory is the sample's"}
    return measured


def repeated(k: int, measure) -> tuple[dict, object]:
    """``measure(i)`` run ``k`` times: the run with the median wall time, with every
    run's wall time beside it (on a busy machine the spread says how busy)."""
    runs = sorted((measure(i) for i in range(k)), key=lambda run: run[0]["wall_s"])
    chosen, extra = runs[len(runs) // 2]
    chosen["walls_s"] = [run[0]["wall_s"] for run in runs]
    return chosen, extra


def run_one(out: Path, workload: str, n_returns: int, n_actions: int, args) -> dict:
    work = out / f"{workload}-{n_returns}x{n_actions}"
    console = Console(width=max(Console().width, 150))
    console.print(f"[bold]{workload}[/bold] {n_returns} returns × {n_actions} actions: "
                  "generating…")
    setup_s = setup(work, workload, n_returns, n_actions)
    steps, result = {}, {"workload": workload, "returns": n_returns, "actions_each": n_actions,
                         "rows": n_returns * n_actions, "setup_s": setup_s}
    k = args.repeat
    steps["issue"], issued = repeated(k, lambda i: cli_step(
        ["issue", str(work / "master.xlsx"), "-o", str(work / f"issued-{i}")]))
    steps["issue"]["seconds"] = issued["seconds"]
    steps["consolidate"], report = repeated(k, lambda i: cli_step(
        ["consolidate", str(work / "master.xlsx"), str(work / "returns"),
         "-o", str(work / f"consolidated-{i}.xlsx"), "--as-of", AS_OF]))
    steps["consolidate"]["seconds"] = report["timings"]["total"]
    big = n_returns > args.full_baselines_up_to
    for step, sample in (("pandas_openpyxl", args.baseline_sample if big else None),
                         ("calamine_xlsxwriter", None), ("calamine_read", None),
                         ("openpyxl_issue", args.sample)):
        steps[step], _ = repeated(k, lambda i, step=step, sample=sample: (
            bench_step(step, work, n_returns, sample), None))
    held = bench_step("held_per_row", work, n_returns, None)
    result |= {"steps": steps, "consolidate_timings": report["timings"],
               "counts": report["counts"], "returns_issued": len(issued["returns"]),
               "held_per_row": held}
    result["ratios"] = ratios(steps)
    result["per_return"] = {
        name: {"ms": 1000 * steps[name]["wall_s"] / n_returns,
               "mb": steps[name]["peak_rss_mb"] / n_returns}
        for name in ("consolidate", "issue")}
    return result


def ratios(steps: dict) -> dict:
    """The ratios issue 17's targets are stated in, wall time of each process."""
    wall = {k: v["wall_s"] for k, v in steps.items()}
    return {
        "pandas_openpyxl_over_consolidate": wall["pandas_openpyxl"] / wall["consolidate"],
        "consolidate_over_calamine_xlsxwriter":
            wall["consolidate"] / wall["calamine_xlsxwriter"],
        "consolidate_over_calamine_read": wall["consolidate"] / wall["calamine_read"],
        "openpyxl_issue_over_issue": wall["openpyxl_issue"] / wall["issue"],
    }


def command(argv: list[str]) -> str:
    """The command that reproduces this run (its --note left out: not a setting)."""
    kept, skip = [], False
    for arg in argv:
        if skip or arg == "--note" or arg.startswith("--note="):
            skip = arg == "--note"
            continue
        kept.append(arg)
    return shlex.join([".venv/bin/python", "bench/bench.py", *kept])


def machine() -> dict:
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE,
                                capture_output=True, text=True).stdout.strip()
        changed = subprocess.run(["git", "status", "--porcelain", "--", "xltools"], cwd=HERE,
                                 capture_output=True, text=True).stdout.strip()
        commit += " (xltools/ has uncommitted changes)" if commit and changed else ""
    except OSError:
        commit = ""
    return {"platform": platform.platform(), "machine": platform.machine(),
            "cpus": os.cpu_count(), "ram_gb": round(psutil.virtual_memory().total / 1e9, 1),
            "python": f"{platform.python_implementation()} {platform.python_version()}",
            "load_average_at_start": load, "commit": commit}


def show_run(result: dict, console: Console) -> None:
    table = Table(title=f"{result['workload']}: {result['returns']} returns × "
                  f"{result['actions_each']} actions ({result['rows']:,} rows)",
                  title_justify="left")
    for col in ("step", "wall s", "work s", "start-up s", "peak MB (largest)", "peak MB (sum)",
                "ms / return", "MB / return", "note"):
        table.add_column(col, justify="left" if col in ("step", "note") else "right")
    n = result["returns"]
    for name, label in LABELS.items():
        s = result["steps"][name]
        table.add_row(label, f"{s['wall_s']:.2f}", f"{s['seconds']:.2f}",
                      f"{s['wall_s'] - s['seconds']:.2f}",
                      f"{s['peak_rss_mb']:.0f}", f"{s['peak_rss_sum_mb']:.0f}",
                      f"{1000 * s['wall_s'] / n:.1f}", f"{s['peak_rss_mb'] / n:.3f}",
                      s.get("note", ""))
    console.print(table)
    timings = ", ".join(f"{k} {v:.2f} s" for k, v in result["consolidate_timings"].items())
    console.print(f"consolidate phases (its --json): {timings}")
    held = result["held_per_row"]
    console.print(f"a read master's rows hold {held['held_bytes_per_row']:,.0f} bytes per row "
                  f"({held['string_bytes_per_row']:,.0f} of them strings; the whole book "
                  f"{held['book_bytes_per_row']:,.0f}, peak while reading "
                  f"{held['peak_bytes_per_row']:,.0f}) — tracemalloc")


def show_targets(targets: list[dict], console: Console) -> None:
    table = Table(title="issue 17 targets (ratios from the same run)", title_justify="left")
    for col in ("target", "run", "measured", "goal", "met"):
        table.add_column(col)
    for t in targets:
        table.add_row(t["target"], t["run"], t["measured"], t["goal"],
                      "[green]met[/green]" if t["met"] else "[red]not met[/red]")
    console.print(table)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workload", nargs="+", choices=WORKLOADS, default=["light"])
    parser.add_argument("--heavy-text", action="store_true",
                        help="the heavy workload only (same as --workload heavy)")
    parser.add_argument("--returns", type=int, nargs="+", default=[300])
    parser.add_argument("--actions", type=int, default=40)
    parser.add_argument("--sample", type=int, default=20,
                        help="returns timed for the openpyxl issuing baseline, then scaled")
    parser.add_argument("--full-baselines-up-to", type=int, default=1000,
                        help="above this many returns, the pandas+openpyxl baseline runs "
                        "on --baseline-sample returns and is scaled")
    parser.add_argument("--baseline-sample", type=int, default=300)
    parser.add_argument("--runs", nargs="+", type=run_spec, default=None,
                        metavar="WORKLOAD:N", help="exactly these runs (e.g. light:300 "
                        "heavy:300 heavy:3000), instead of every --workload × --returns")
    parser.add_argument("--repeat", type=int, default=1,
                        help="run each step this many times and keep the median")
    parser.add_argument("--startup-runs", type=int, default=7)
    parser.add_argument("--out", type=Path, default=OUT, help="work folder and results.json")
    parser.add_argument("--results-md", type=Path, default=None,
                        help="also write the results as Markdown (bench/RESULTS.md)")
    parser.add_argument("--note", default="", help="a line for RESULTS.md (e.g. the machine "
                        "was busy)")
    args = parser.parse_args(argv)
    if args.heavy_text:
        args.workload = ["heavy"]
    if args.runs is None:
        args.runs = [(w, n) for w in args.workload for n in args.returns]
    return args


def run_spec(text: str) -> tuple[str, int]:
    """``heavy:3000`` → ("heavy", 3000)."""
    workload, _, n = text.partition(":")
    if workload not in WORKLOADS or not n.isdigit() or int(n) < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: give WORKLOAD:N, WORKLOAD one of "
                                         f"{', '.join(WORKLOADS)}")
    return workload, int(n)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    console = Console(width=max(Console().width, 150))
    args.out.mkdir(parents=True, exist_ok=True)
    results = {"date": datetime.now(UTC).isoformat(timespec="seconds"),
               "machine": machine(), "note": args.note,
               "command": command(sys.argv[1:] if argv is None else argv)}
    results["startup"] = median_wall([*XLTOOLS, "--help"], args.startup_runs)
    console.print(f"xltools --help: median {results['startup']['median_s']:.3f} s over "
                  f"{args.startup_runs} runs")
    results["runs"] = []
    for workload, n in args.runs:
        result = run_one(args.out, workload, n, args.actions, args)
        results["runs"].append(result)
        show_run(result, console)
    results["machine"]["load_average_at_end"] = (os.getloadavg()
                                                 if hasattr(os, "getloadavg") else None)
    results["targets"] = evaluate(results)
    show_targets(results["targets"], console)
    (args.out / "results.json").write_text(json.dumps(results, indent=2, default=str))
    console.print(f"results: {args.out / 'results.json'}")
    if args.results_md:
        write_results_md(results, args.results_md)
        console.print(f"Markdown: {args.results_md}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
