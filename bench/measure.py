"""Time one command and take its peak memory, counting every process it starts.

Each measured step runs as its own fresh process, so no peak carries over
from an earlier step. Two peaks are reported:

* ``peak_rss_mb`` — the largest resident set of any single process in the
  step: the kernel's own figure, from ``wait4`` (the step and every
  descendant it waited for, e.g. consolidate's reader pool);
* ``peak_rss_sum_mb`` — the largest sum of resident sets over the step's
  whole process tree at one moment, sampled with psutil every 10 ms (pages
  shared between a parent and its forked workers count in each).

Linux counts in a new process's peak the resident set of the process that
spawned it (the peak survives ``exec``), so the bench — which holds the
generated workload — never spawns a step itself: a small launcher (this
file run as a script) does, and reports the step's ``wait4`` figures.

    python bench/measure.py RESULT.json -- COMMAND…
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

MB = 1_000_000
SAMPLE_EVERY = 0.01


def maxrss_bytes(usage: resource.struct_rusage) -> int:
    """``ru_maxrss`` is KiB on Linux, bytes on macOS."""
    return usage.ru_maxrss if sys.platform == "darwin" else usage.ru_maxrss * 1024


class TreeSampler(threading.Thread):
    """Samples the sum of RSS over a launcher's descendants until stopped."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak_sum, self.peak_one = pid, 0, 0
        self.done = threading.Event()

    def run(self) -> None:
        import psutil  # here: the launcher, which shares this file, stays small

        try:
            root = psutil.Process(self.pid)
        except psutil.Error:
            return
        while not self.done.is_set():
            self.sample(root)
            time.sleep(SAMPLE_EVERY)

    def sample(self, root) -> None:
        import psutil

        try:
            procs = root.children(recursive=True)  # the launcher itself is not the step
        except psutil.Error:
            return
        sizes = []
        for proc in procs:
            try:
                sizes.append(proc.memory_info().rss)
            except psutil.Error:
                continue
        if sizes:
            self.peak_sum = max(self.peak_sum, sum(sizes))
            self.peak_one = max(self.peak_one, max(sizes))


def launch(result: Path, cmd: list[str]) -> int:
    """The launcher: run ``cmd`` (stdout and stderr inherited), write its wall time and
    peak to ``result``, exit as it did."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    result.write_text(json.dumps({"wall_s": time.perf_counter() - start,
                                  "maxrss": maxrss_bytes(usage)}))
    return proc.returncode


def run_measured(cmd: list[str], cwd: Path | None = None) -> dict:
    """Run ``cmd`` through the launcher; its stdout, wall seconds and both peaks.

    Raises RuntimeError (with the command's stderr) when it fails: a bench
    figure for a step that did not run would be a lie."""
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        result = tmp / "result.json"
        with open(tmp / "out", "wb") as out, open(tmp / "err", "wb") as err:
            proc = subprocess.Popen([sys.executable, __file__, str(result), "--", *cmd],
                                    stdout=out, stderr=err, cwd=cwd)
            sampler = TreeSampler(proc.pid)
            sampler.start()
            proc.wait()
            sampler.done.set()
            sampler.join()
        stdout = (tmp / "out").read_text()
        stderr = (tmp / "err").read_text()
        if proc.returncode != 0 or not result.exists():
            raise RuntimeError(f"{' '.join(map(str, cmd))} exited {proc.returncode}:\n"
                               f"{stderr[-2000:]}")
        launched = json.loads(result.read_text())
    largest = max(launched["maxrss"], sampler.peak_one)
    return {"wall_s": launched["wall_s"], "peak_rss_mb": largest / MB,
            "peak_rss_sum_mb": max(sampler.peak_sum, largest) / MB, "stdout": stdout}


def median_seconds(fn, repeat: int = 3) -> float:
    """The median wall time of calling ``fn`` ``repeat`` times, in seconds (in process:
    for a step's own work, beside ``median_wall``'s fresh processes)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def median_wall(cmd: list[str], runs: int) -> dict:
    """Wall seconds of ``cmd`` over ``runs`` runs (start-up: median, min, max)."""
    walls = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        walls.append(time.perf_counter() - start)
    walls.sort()
    return {"median_s": walls[len(walls) // 2], "min_s": walls[0], "max_s": walls[-1],
            "runs": runs}


if __name__ == "__main__":
    if len(sys.argv) < 4 or sys.argv[2] != "--":
        sys.exit("usage: measure.py RESULT.json -- COMMAND…")
    sys.exit(launch(Path(sys.argv[1]), sys.argv[3:]))
