"""Issue 17's targets, checked against one bench run's figures.

Every ratio compares two steps of the same run (the machine is shared and
noisy; absolute seconds are not comparable between runs). The memory target
is the issue's "all processes' largest": the largest single process of the
step (the sum over its process tree is printed beside it).
"""

from __future__ import annotations

STARTUP_S = 0.3
PANDAS_FASTER = 5.0        # consolidate ≥ 5× faster than pandas + openpyxl
CALAMINE_SLOWER = 1.3      # consolidate ≤ 1.3× slower than calamine + xlsxwriter
OPENPYXL_ISSUE_FASTER = 15.0  # issue ≥ 15× faster than openpyxl load/fill/save
PEAK_MB_AT_300 = 150.0     # consolidate's peak at N = 300, largest process
MEMORY_TARGET_UP_TO = 300  # the memory target is stated for N = 300


def target(name: str, run: str, measured: str, goal: str, met: bool) -> dict:
    return {"target": name, "run": run, "measured": measured, "goal": goal, "met": bool(met)}


def relative(slower: float) -> str:
    """``1.20`` → "1.20× slower"; under 1 it is faster, and said so ("1.16× faster")."""
    return f"{slower:.2f}× slower" if slower >= 1 else f"{1 / slower:.2f}× faster"


def run_targets(run: dict) -> list[dict]:
    label = f"{run['workload']} N={run['returns']}"
    r = run["ratios"]
    out = [
        target("consolidate vs pandas+openpyxl", label,
               f"{r['pandas_openpyxl_over_consolidate']:.2f}× faster", f"≥ {PANDAS_FASTER:g}×",
               r["pandas_openpyxl_over_consolidate"] >= PANDAS_FASTER),
        target("consolidate vs calamine+xlsxwriter", label,
               relative(r["consolidate_over_calamine_xlsxwriter"]),
               f"≤ {CALAMINE_SLOWER:g}× slower",
               r["consolidate_over_calamine_xlsxwriter"] <= CALAMINE_SLOWER),
        target("issue vs openpyxl per return", label,
               f"{r['openpyxl_issue_over_issue']:.2f}× faster",
               f"≥ {OPENPYXL_ISSUE_FASTER:g}×",
               r["openpyxl_issue_over_issue"] >= OPENPYXL_ISSUE_FASTER),
    ]
    if run["returns"] <= MEMORY_TARGET_UP_TO:
        peak = run["steps"]["consolidate"]["peak_rss_mb"]
        out.append(target("consolidate peak memory (largest process)", label,
                          f"{peak:.0f} MB", f"≤ {PEAK_MB_AT_300:g} MB", peak <= PEAK_MB_AT_300))
    return out


def scaling_targets(runs: list[dict]) -> list[dict]:
    """Per return at the largest N no worse than at the smallest, per workload."""
    out = []
    for workload in dict.fromkeys(r["workload"] for r in runs):
        mine = sorted((r for r in runs if r["workload"] == workload), key=lambda r: r["returns"])
        if len(mine) < 2:
            continue
        small, large = mine[0], mine[-1]
        label = f"{workload} N={large['returns']} vs N={small['returns']}"
        for key, unit, fmt in (("ms", "time", "{:.1f} ms"), ("mb", "memory", "{:.3f} MB")):
            a = small["per_return"]["consolidate"][key]
            b = large["per_return"]["consolidate"][key]
            out.append(target(f"consolidate {unit} per return", label,
                              f"{fmt.format(b)} vs {fmt.format(a)}", "no worse than at "
                              f"N={small['returns']}", b <= a))
    return out


def evaluate(results: dict) -> list[dict]:
    startup = results["startup"]["median_s"]
    out = [target("xltools --help (start-up), median", "-", f"{startup:.3f} s",
                  f"≤ {STARTUP_S:g} s", startup <= STARTUP_S)]
    for run in results["runs"]:
        out += run_targets(run)
    return out + scaling_targets(results["runs"])
