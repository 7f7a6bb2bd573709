"""Before and after on a shared machine: two source trees run the same command, turn
about, on the same files.

    .venv/bin/python bench/ab.py BEFORE_TREE AFTER_TREE [--runs 7] [--workload heavy]
                                 [--returns 300] [--steps consolidate issue]

A bench run (``bench.py``) takes minutes, and on a machine shared with other work
the load moves between its first step and its last: two such runs, one per version,
compare two moments as much as two versions. Here each round runs ``xltools`` from
BEFORE_TREE, then from AFTER_TREE (the order swapped every other round), each in a
fresh process on one generated workload, and prints the median wall time and the
median CPU time of the whole process tree (the command and its workers) per
version. CPU time moves less with the load than wall time. A tree is a source
checkout, e.g. ``git archive BASE | tar -x -C /tmp/base``. Not a test: no
assertion on time, ever.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench import AS_OF, setup  # noqa: E402


def timed(tree: Path, args: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds (the process and its children) of ``xltools args``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "xltools", *args], cwd=tree,
                         env={**os.environ, "PYTHONPATH": str(tree)},
                         capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if run.returncode not in (0, 1):  # 1: findings, as a consolidation has
        raise SystemExit(f"{tree}: xltools {args[0]} failed:\n{run.stderr[-2000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def command(step: str, work: Path, name: str) -> list[str]:
    """The step's command line, its output from the last round removed first."""
    out = work / f"ab-{name}"
    if step == "issue":
        shutil.rmtree(out, ignore_errors=True)
        return ["issue", str(work / "master.xlsx"), "-o", str(out)]
    out.with_suffix(".xlsx").unlink(missing_ok=True)
    return ["consolidate", str(work / "master.xlsx"), str(work / "returns"), "-o",
            str(out.with_suffix(".xlsx")), "--as-of", AS_OF]


def compare(step: str, trees: dict[str, Path], work: Path, runs: int) -> None:
    measured: dict[str, list[tuple[float, float]]] = {name: [] for name in trees}
    for i in range(runs):
        order = list(trees) if i % 2 == 0 else list(reversed(trees))
        for name in order:
            measured[name].append(timed(trees[name], command(step, work, name)))
    for name, runs_of in measured.items():
        walls = [w for w, _ in runs_of]
        print(f"{step:12} {name:7} wall median {statistics.median(walls):.2f} s, CPU median "
              f"{statistics.median(c for _, c in runs_of):.2f} s  (walls "
              f"{', '.join(f'{w:.2f}' for w in sorted(walls))})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--workload", default="heavy", choices=("light", "heavy"))
    parser.add_argument("--returns", type=int, default=300)
    parser.add_argument("--actions", type=int, default=40)
    parser.add_argument("--steps", nargs="+", default=["consolidate", "issue"],
                        choices=("consolidate", "issue"))
    parser.add_argument("--out", type=Path, default=HERE / "out" / "ab")
    args = parser.parse_args(argv)
    setup(args.out, args.workload, args.returns, args.actions)
    print(f"{args.workload} {args.returns} returns × {args.actions} actions, {args.runs} "
          f"rounds, load average {os.getloadavg()[0]:.2f} at start")
    trees = {"before": args.before.resolve(), "after": args.after.resolve()}
    for step in args.steps:
        compare(step, trees, args.out, args.runs)
    print(f"load average {os.getloadavg()[0]:.2f} at end")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
