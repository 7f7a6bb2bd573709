"""The baselines and probes the bench measures, one per fresh process.

    python bench/steps.py STEP WORKDIR [--sample K]

Each step imports only what it needs (so its peak memory is its own), does its
work on the files bench.py generated in WORKDIR, and prints one JSON line:
``seconds`` (the work alone, after imports), ``items`` and, for a sampled
step, ``sample`` (how many returns it did; bench.py scales the time).

* ``pandas_openpyxl`` — baseline A: pandas ``read_excel`` (openpyxl) every
  return, ``concat``, ``to_excel`` (openpyxl). No validation, no formatting.
* ``calamine_xlsxwriter`` — baseline B: python-calamine reads each return and
  xlsxwriter (constant memory) streams its rows out; nothing is held.
* ``calamine_read`` — baseline C: python-calamine reads every return, alone.
* ``openpyxl_issue`` — baseline D: per return, openpyxl loads the styled
  template, fills the officer's rows, saves (always a sample).
* ``held_per_row`` — tracemalloc of xltools reading the master: bytes held
  per master row once read, how much of it is the rows' own strings, and the
  peak while reading.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ACTIONS = "Actions"
FILLED = ("id", "ref", "section", "action", "accountable_officer", "lead_officer")


def returns_in(work: Path, sample: int | None) -> list[Path]:
    files = sorted((work / "returns").glob("*.xlsx"))
    return files[:sample] if sample else files


def pandas_openpyxl(work: Path, sample: int | None) -> dict:
    import pandas as pd

    files = returns_in(work, sample)
    start = time.perf_counter()
    frames = [pd.read_excel(f, sheet_name=ACTIONS, engine="openpyxl") for f in files]
    df = pd.concat(frames, ignore_index=True)
    df.to_excel(work / "baseline_a.xlsx", sheet_name=ACTIONS, index=False, engine="openpyxl")
    return {"seconds": time.perf_counter() - start, "items": len(df), "files": len(files)}


def calamine_xlsxwriter(work: Path, sample: int | None) -> dict:
    import xlsxwriter
    from python_calamine import CalamineWorkbook

    files = returns_in(work, sample)
    start = time.perf_counter()
    book = xlsxwriter.Workbook(str(work / "baseline_b.xlsx"), {"constant_memory": True})
    sheet = book.add_worksheet(ACTIONS)
    r = 0
    for f in files:
        with CalamineWorkbook.from_path(str(f)) as wb:
            for row in wb.get_sheet_by_name(ACTIONS).iter_rows():
                if r and row and row[0] == "ID":
                    continue  # one header row for the lot
                sheet.write_row(r, 0, row)
                r += 1
    book.close()
    return {"seconds": time.perf_counter() - start, "items": r - 1, "files": len(files)}


def calamine_read(work: Path, sample: int | None) -> dict:
    from python_calamine import CalamineWorkbook

    files = returns_in(work, sample)
    start = time.perf_counter()
    rows = 0
    for f in files:
        with CalamineWorkbook.from_path(str(f)) as wb:
            rows += len(wb.get_sheet_by_name(ACTIONS).to_python()) - 1
    return {"seconds": time.perf_counter() - start, "items": rows, "files": len(files)}


def master_rows_by_officer(master: Path) -> dict[str, list[dict]]:
    """The master's actions by lead officer, read with calamine (setup, not timed)."""
    from python_calamine import CalamineWorkbook

    with CalamineWorkbook.from_path(str(master)) as wb:
        grid = wb.get_sheet_by_name(ACTIONS).to_python()
    header = [str(h) for h in grid[0]]
    keys = {"ID": "id", "Ref": "ref", "Section": "section", "Improvement action": "action",
            "Accountable officer": "accountable_officer", "Lead officer": "lead_officer"}
    out: dict[str, list[dict]] = {}
    for line in grid[1:]:
        row = {keys[h]: v for h, v in zip(header, line, strict=False) if h in keys}
        out.setdefault(str(row["lead_officer"]), []).append(row)
    return out


def openpyxl_issue(work: Path, sample: int | None) -> dict:
    """The obvious way to issue: load the styled template, fill, save — per return."""
    from openpyxl import load_workbook

    by_officer = master_rows_by_officer(work / "master.xlsx")
    officers = list(by_officer)[:sample or 20]
    out = work / "baseline_d"
    out.mkdir(exist_ok=True)
    start = time.perf_counter()
    for officer in officers:
        wb = load_workbook(work / "template.xlsx")
        ws = wb[ACTIONS]
        for r, row in enumerate(by_officer[officer], start=2):
            for c, key in enumerate(FILLED, start=1):
                ws.cell(r, c, row.get(key))
        wb.save(out / f"{officer}.xlsx")
    return {"seconds": time.perf_counter() - start, "items": len(officers),
            "files": len(officers)}


def held_per_row(work: Path, sample: int | None) -> dict:
    """Measured, not estimated: what a read master holds, per row.

    ``book`` is everything the read master holds (the plan, settings and
    lists included); ``rows`` is what is still held once only its rows are
    kept — the part that grows with the master."""
    import gc
    import tracemalloc

    from xltools.workbook.reader import read_book

    read_book(work / "template.xlsx")  # warm: lazy imports and caches are not per row
    gc.collect()
    tracemalloc.start()
    start = time.perf_counter()
    book = read_book(work / "master.xlsx")
    seconds = time.perf_counter() - start
    whole, peak = tracemalloc.get_traced_memory()
    rows = list(book.actions)
    del book
    gc.collect()
    held, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    strings = sum({id(v): sys.getsizeof(v) for row in rows  # a shared string counts once
                   for v in (row.values() if isinstance(row, dict) else row)
                   if isinstance(v, str)}.values())
    n = max(1, len(rows))
    return {"seconds": seconds, "items": len(rows), "held_bytes_per_row": held / n,
            "string_bytes_per_row": strings / n, "book_bytes_per_row": whole / n,
            "peak_bytes_per_row": peak / n, "book_mb": whole / 1e6, "peak_mb": peak / 1e6}


STEPS = {f.__name__: f for f in (pandas_openpyxl, calamine_xlsxwriter, calamine_read,
                                 openpyxl_issue, held_per_row)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("step", choices=sorted(STEPS))
    parser.add_argument("work", type=Path)
    parser.add_argument("--sample", type=int, default=None,
                        help="only the first K returns (the caller scales the time)")
    args = parser.parse_args(argv)
    result = STEPS[args.step](args.work, args.sample)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
