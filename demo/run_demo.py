"""`make demo`: the whole quarterly cycle on the bundled sample plan.

Runs the real `xltools` command for each step, so what is printed here is what
a PMO would type. Everything is written to demo/out/.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "demo" / "out"
PLAN = ROOT / "workbook_templates" / "sample_plan.json"
SEED = ROOT / "tests" / "fixtures" / "seeds" / "002_aed1e1315f25b11a.txt"
XLTOOLS = [sys.executable, "-m", "xltools"]


def run(*args: object) -> None:
    """Print and run one xltools command; stop the demo if it fails."""
    argv = [str(a) for a in args]
    shown = " ".join(shlex.quote(a.replace(str(ROOT) + "/", "")) for a in argv)
    print(f"\n$ xltools {shown}", flush=True)
    subprocess.run(XLTOOLS + argv, check=True, cwd=ROOT)


def step(title: str) -> None:
    print(f"\n{'=' * 78}\n{title}\n{'=' * 78}", flush=True)


def template() -> None:
    step("1. Build the canonical template from the sample plan")
    run("template", "--plan", PLAN, "-o", OUT / "template.xlsx")
    run("check", OUT / "template.xlsx")


STEPS = [template]


def main() -> int:
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    for fn in STEPS:
        fn()
    print(f"\nDone. Workbooks are in {OUT.relative_to(ROOT)}/:")
    for path in sorted(OUT.rglob("*")):
        if path.is_file():
            print(f"  {path.relative_to(OUT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
