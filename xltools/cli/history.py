"""``xltools history``: record masters in the history store, and read it back."""

from __future__ import annotations

import argparse
from contextlib import contextmanager
from pathlib import Path

from ..errors import HistoryError, UsageError
from .common import add_json, console, emit_json

HISTORY_HELP = ("the history store: an SQLite file (default: history.sqlite beside the "
                "master, or $XLTOOLS_HISTORY_URL) or a URL such as "
                "postgresql+psycopg://user@host/db")


def add_history(parser, *, optional_value: bool = False,
                what: str = "also record the result in") -> None:
    """``--history [FILE|URL]``; on consolidate, next-quarter and rollup the value is
    optional (``--history`` alone: the default store)."""
    if optional_value:
        parser.add_argument("--history", nargs="?", const="", default=None,
                            metavar="FILE|URL", help=f"{what} {HISTORY_HELP}")
    else:
        parser.add_argument("--history", metavar="FILE|URL", help=HISTORY_HELP)


def register(sub) -> None:
    p = sub.add_parser("history", help="record masters in the history store; show or export "
                       "the quarters recorded",
                       description="Every quarter of every plan, in a database: an SQLite file "
                       "beside the master by default, or a shared PostgreSQL.")
    verbs = p.add_subparsers(dest="verb", metavar="VERB", required=True)
    rec = verbs.add_parser("record", help="record one master (again: nothing new; changed: "
                           "a new revision of its quarter)")
    rec.add_argument("master", type=Path, help="the master workbook (.xlsx)")
    _common(rec)
    rec.set_defaults(run=run_record)
    back = verbs.add_parser("backfill", help="record every master in a folder, oldest quarter "
                            "first")
    back.add_argument("folder", type=Path, help="folder of masters (.xlsx), searched below too")
    _common(back)
    back.set_defaults(run=run_backfill)
    show = verbs.add_parser("show", help="the quarters recorded, or one action's or "
                            "section's points")
    show.add_argument("--action", metavar="REF", help="an action's ref (any it has had) or ID")
    show.add_argument("--section", metavar="S", help="actions whose section contains S")
    show.add_argument("--plan", metavar="PLAN_ID", help="which plan, when the store holds "
                      "several")
    _common(show)
    show.set_defaults(run=run_show)
    exp = verbs.add_parser("export", help="write the plan's history to .xlsx or .csv")
    exp.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.xlsx|.csv")
    exp.add_argument("--plan", metavar="PLAN_ID", help="which plan, when the store holds "
                     "several")
    _common(exp)
    exp.set_defaults(run=run_export)


def _common(parser: argparse.ArgumentParser) -> None:
    add_history(parser)
    add_json(parser)


def _open(location: str | None, beside: Path | None, *, must_exist: bool = False):
    from ..history.store import default_location, open_store, parse_location

    where = location or default_location(beside)
    if must_exist:
        url = parse_location(where)
        if url.get_backend_name() == "sqlite" and not Path(url.database or "").exists():
            raise HistoryError(f"no history store at {url.database}; record a master "
                               "first, or name the store with --history")
    return open_store(where)


@contextmanager
def opened(location: str | None, beside: Path | None, *, must_exist: bool = False,
           doing: str = "read"):
    """The store for one command: a database error while using it is one line (exit 2,
    password scrubbed), and the connections are closed at the end."""
    from sqlalchemy.exc import SQLAlchemyError

    store = _open(location, beside, must_exist=must_exist)
    try:
        yield store
    except SQLAlchemyError as exc:
        raise store.failure(exc, doing) from None
    finally:
        store.dispose()


def run_record(args) -> int:
    from ..history.record import record_master

    with opened(args.history, args.master, doing="record into") as store:
        result = record_master(store, args.master)
    if args.json:
        emit_json(result.to_dict())
    else:
        console().print(f"{result.message()} in {result.store}")
    return 0


def run_backfill(args) -> int:
    from ..history.backfill import backfill

    if not args.folder.is_dir():
        raise UsageError(f"{args.folder}: not a folder")
    out = None if args.json else console()
    with opened(args.history, args.folder / "x", doing="record into") as store:
        results, skipped = backfill(store, args.folder,
                                    say=(lambda line: out.print(line)) if out else None)
    if args.json:
        emit_json({"store": store.name, "recorded": [r.to_dict() for r in results],
                   "skipped": skipped})
        return 0
    out.print(f"{len(results)} masters read, "
              f"{sum(r.status != 'unchanged' for r in results)} recorded, "
              f"{len(skipped)} files skipped, in {store.name}")
    return 0


def run_show(args) -> int:
    from ..history import query

    with opened(args.history, None, must_exist=True) as store, \
            store.engine.connect() as conn:
        plan = query.pick_plan(conn, args.plan, store.name)
        quarters = query.recorded_periods(conn, plan.pk)
        points = (query.action_rows(conn, plan.pk, action=args.action, section=args.section)
                  if args.action or args.section else [])
    if (args.action or args.section) and not points:
        raise UsageError(f"no recorded action matches {args.action or args.section} in "
                         f"{plan.title}")
    if args.json:
        emit_json({"plan": {"plan_id": plan.plan_id, "organisation": plan.organisation,
                            "department": plan.department, "title": plan.title},
                   "quarters": quarters,
                   "points": [{k: v for k, v in p.items() if k not in ("id", "revision_pk")}
                              for p in points]})
        return 0
    _print_show(plan, quarters, points)
    return 0


def _print_show(plan, quarters, points) -> None:
    from rich.table import Table

    out = console()
    out.print(f"{plan.title} — {plan.organisation} ({plan.plan_id}): "
              f"{len(quarters)} quarters recorded")
    if not points:
        table = Table(title="Quarters recorded", title_justify="left")
        for name in ("Period", "Revision", "Source", "Recorded by", "Recorded at"):
            table.add_column(name)
        for q in quarters:
            table.add_row(q["period"], f"{q['revision']} of {q['revisions']}", q["source"],
                          q["recorded_by"], f"{q['recorded_at']:%d/%m/%Y %H:%M}")
        out.print(table)
        return
    table = Table(title="Recorded points", title_justify="left")
    for name in ("Period", "Ref", "Action", "RAG", "Timeframe", "Progress"):
        table.add_column(name, overflow="fold")
    for p in points:
        rag = p["rag"] or ""
        table.add_row(p["period"], p["ref"] or p["action_id"], _short(p["title"]),
                      rag + (" (archived)" if p["archived"] and rag != "Withdrawn" else ""),
                      p["timeframe"] or "", _short(p["progress"]))
    out.print(table)


def _short(text, limit: int = 50) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def run_export(args) -> int:
    from ..history.export import export

    with opened(args.history, None, must_exist=True) as store:
        counts = export(store, args.plan, args.output)
    if args.json:
        emit_json({"output": str(args.output), "rows": counts})
    else:
        console().print(f"Written {args.output}: " + ", ".join(
            f"{name} {n}" for name, n in counts.items()))
    return 0


def record_after(location: str | None, master: Path):
    """``--history`` on consolidate and next-quarter: record ``master`` once the command's
    own work is written (``location`` "" means the default store). A failure here is
    reported by the caller after the command's work, which stays written."""
    from ..history.record import record_master

    with opened(location or None, master, doing="record into") as store:
        return record_master(store, master)


def trend_from(location: str | None, master: Path, book):
    """The trend of ``book`` (read from ``master``) from the store: rollup and paper."""
    from ..history.trends import trend_for

    with opened(location or None, master, must_exist=True) as store:
        return trend_for(store, book)
