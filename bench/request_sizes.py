"""How big each ribbon script's request is, for masters of 100, 300 and 1,000 officers.

    .venv/bin/python bench/request_sizes.py [--officers 100 300 1000] [--actions 40]

Builds the bench master (bench/workload.py: officers × actions rows), writes
the returns already answered and consolidates — so the master is measured as it is
after one consolidation (progress, previous progress, flags and Log filled) —
then sizes the JSON body Office.js sends (tests/officejs_payload.py) for each
script: every sheet (what xlwings Server sends by default) and only the
sheets the script declares with ``@script(include=...)``; and, for the
buttons that go by file on Excel with Office.js (``by_file.SCRIPTS``, marked
"by file" below: Consolidate, Issue returns, Issue savings returns, Next
quarter, Chase e-mails, Reconcile savings), the by-file request: the .xlsx
itself, which ``Office.context.document.getFileAsync`` reads and the task
pane or ribbon POSTs to /xltools/run-file/<script> (Excel's own save of the
same workbook may differ by a few per cent); their values row is what the
desktop add-in's way would send. Prints MB and writes
bench/out/request_sizes.json. The IT guide quotes these numbers.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

from officejs_payload import book_payload, narrowed  # noqa: E402
from workload import fill_returns, make_master, make_plan  # noqa: E402

from xltools.cycle.consolidate import consolidate  # noqa: E402
from xltools.excel.by_file import SCRIPTS as GO_BY_FILE  # noqa: E402
from xltools.excel.sheets_needed import SHEETS  # noqa: E402

MB = 1_000_000
BY_FILE = "consolidate by file (.xlsx)"
OUT = HERE / "out"


def consolidated_master(officers: int, actions: int, work: Path) -> Path:
    """The bench master after its returns are issued, filled and consolidated."""
    work.mkdir(parents=True, exist_ok=True)
    master = make_master(make_plan(officers), actions, work / "master.xlsx")
    fill_returns(master, work / "returns")
    out = work / "consolidated.xlsx"
    consolidate(master, work / "returns", out, as_of=date(2019, 10, 1))
    return out


def size(payload: dict) -> int:
    return len(json.dumps(payload).encode("utf-8"))


def sizes(path: Path) -> dict[str, int]:
    """Bytes of the request body: every sheet, then each script's own sheets."""
    full = book_payload(path)
    result = {"every sheet": size(full)}
    result |= {script: size(narrowed(full, ",".join(sheets))) for script, sheets in SHEETS.items()}
    result[BY_FILE] = path.stat().st_size
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--officers", type=int, nargs="+", default=[100, 300, 1000])
    parser.add_argument("--actions", type=int, default=40)
    args = parser.parse_args(argv)
    results = {}
    for n in args.officers:
        path = consolidated_master(n, args.actions, OUT / f"sizes-{n}x{args.actions}")
        results[n] = sizes(path)
        print(f"{n} officers × {args.actions} actions:")
        for name, size in results[n].items():
            note = " (values; by file on Office.js)" if name in GO_BY_FILE else ""
            print(f"  {name:<28} {size / MB:6.2f} MB{note}")
    OUT.mkdir(exist_ok=True)
    (OUT / "request_sizes.json").write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
