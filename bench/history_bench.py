"""History store speed (issue 26): recording a 12,000-action master, the trend query
over 20 quarters × 12,000 actions, and what the Dashboard's trend block adds to
``rollup``, on SQLite and on a throwaway PostgreSQL (Debian's packages, as the tests).

    python bench/history_bench.py [--actions 12000] [--quarters 20] [--no-postgres]

Prints the numbers with the issue's targets beside them (record ≤ 2 s SQLite, ≤ 3 s
PostgreSQL; trend query ≤ 0.5 s; trend block ≤ +10 % on rollup). Setup — writing
the master, recording the 20 quarters the trend reads — is not timed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "bench")]

from measure import median_seconds  # noqa: E402
from pg_cluster import pg_bin, throwaway_cluster  # noqa: E402
from workload import RAGS, make_master, make_plan  # noqa: E402

from xltools.cli.pmo import write_output  # noqa: E402
from xltools.history import query  # noqa: E402
from xltools.history.record import record_book, record_master  # noqa: E402
from xltools.history.snapshot import plan_identity  # noqa: E402
from xltools.history.store import open_store  # noqa: E402
from xltools.history.trends import trend_for  # noqa: E402
from xltools.periods import Quarter  # noqa: E402
from xltools.workbook.reader import read_book  # noqa: E402


def quarters_of(book, count: int):
    """``count`` quarters of ``book`` ending at its own, RAGs moving each quarter."""
    last = Quarter.parse(book.plan.period)
    for k in range(count - 1, -1, -1):
        index = last.year * 4 + last.number - 1 - k
        period = str(Quarter(index // 4, index % 4 + 1))
        for n, row in enumerate(book.actions):
            row["rag"] = RAGS[(n + k) % len(RAGS)]
        book.plan = book.plan.with_changes(period=period)
        yield book


def bench_engine(name: str, url: str, master: Path, quarters: int, out: Path) -> dict:
    book = read_book(master)
    stores = iter(range(100))

    def fresh():
        """A store with nothing in it, so each timed record is a quarter's first."""
        if name == "SQLite":
            return open_store(str(out / f"fresh{next(stores)}.sqlite"))
        return _fresh_pg(url)

    def record_file() -> None:
        s = fresh()
        record_master(s, master)
        s.dispose()

    def record_only() -> None:
        s = fresh()
        start = time.perf_counter()
        record_book(s, book, source="master.xlsx", source_sha256="0" * 64)
        db_times.append(time.perf_counter() - start)
        s.dispose()

    record_s = median_seconds(record_file)
    db_times: list[float] = []
    for _ in range(3):
        record_only()
    store = _fresh_pg(url) if name != "SQLite" else open_store(url)
    for q in quarters_of(read_book(master), quarters):
        record_book(store, q, source=f"{q.plan.period}.xlsx", source_sha256="0" * 64)
    book.plan = book.plan.with_changes(period=q.plan.period)
    with store.engine.connect() as conn:
        pk = query.find_plan(conn, plan_identity(book)).pk
        series_s = median_seconds(lambda: query.series(conn, pk))
    trend_s = median_seconds(lambda: trend_for(store, book))
    trend = trend_for(store, book)
    plain = median_seconds(
        lambda: write_output(book, master, out / "plain.xlsx", dashboard=True), repeat=2)
    with_trend = median_seconds(
        lambda: write_output(book, master, out / "trend.xlsx", dashboard=True, trend=trend),
        repeat=2)
    store.dispose()
    return {"record": record_s, "record_db": statistics.median(db_times), "series": series_s,
            "trend": trend_s, "rollup": plain, "rollup_trend": with_trend}


def _fresh_pg(url: str):
    """An emptied store on the cluster, so each timed record is a first record."""
    store = open_store(url)
    with store.engine.begin() as conn:
        for table in ("events", "kpi_values", "savings_lines", "action_snapshots",
                      "revisions", "periods", "plans"):
            conn.exec_driver_sql(f"DELETE FROM {table}")
    return store


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actions", type=int, default=12000)
    parser.add_argument("--quarters", type=int, default=20)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="xltools-history-bench-") as tmp:
        out = Path(tmp)
        plan = make_plan(max(1, args.actions // 40))
        master = make_master(plan, 40, out / "master.xlsx", heavy=True)
        print(f"master: {len(read_book(master).actions):,} actions, heavy text")
        results = {"SQLite": bench_engine("SQLite", str(out / "history.sqlite"), master,
                                          args.quarters, out)}
        bin_dir = None if args.no_postgres else pg_bin()
        if bin_dir:
            with throwaway_cluster(bin_dir) as cluster:
                results["PostgreSQL"] = bench_engine("PostgreSQL", cluster.create_database(),
                                                     master, args.quarters, out)
        elif not args.no_postgres:
            print("PostgreSQL not installed (apt-get install postgresql): SQLite only")
    targets = {"SQLite": 2.0, "PostgreSQL": 3.0}
    for name, r in results.items():
        extra = (r["rollup_trend"] - r["rollup"]) / r["rollup"] * 100
        print(f"{name}:\n  record a {args.actions:,}-action master: {r['record']:.2f} s "
              f"reading the file and recording, {r['record_db']:.2f} s of it the database "
              f"transaction (target ≤ {targets[name]:.0f} s)\n"
              f"  Dashboard trend over {args.quarters} quarters × {args.actions:,} actions: "
              f"{r['trend']:.2f} s (target ≤ 0.5 s); every point of every action "
              f"(history show/export): {r['series']:.2f} s\n"
              f"  rollup -o: {r['rollup']:.2f} s, with the trend block {r['rollup_trend']:.2f} s "
              f"({extra:+.1f} %, target ≤ +10 %)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
