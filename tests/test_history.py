"""The history store (issue 26), on SQLite and on a real PostgreSQL (tests/pg_cluster.py):
recording is idempotent and revisioned, concurrent recorders lose and duplicate
nothing, schema versions are checked, passwords never show, and a council's three
quarters — tracker, update, revision — come back as each action's points."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from openpyxl import load_workbook
from returns_data import master_book
from sqlalchemy import func, select, text

from xltools.cli import main
from xltools.errors import HistoryError
from xltools.history import query
from xltools.history import schema as t
from xltools.history.migrate import alembic_config, head_revision
from xltools.history.record import record_master
from xltools.history.schema import metadata
from xltools.history.store import open_store
from xltools.workbook.reader import read_book
from xltools.workbook.writer import write_book

ROOT = Path(__file__).resolve().parents[1]


def write(book, path: Path) -> Path:
    return write_book(book, path, backup=False)


def count(store, table) -> int:
    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """The real command in its own process (what two PMO staff run at once)."""
    return subprocess.run([sys.executable, "-m", "xltools", *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})})


def test_recording_twice_records_once_and_a_changed_master_is_a_new_revision(
        history_url, plan, tmp_path, capsys):
    master = write(master_book(plan), tmp_path / "master.xlsx")
    assert main(["history", "record", str(master), "--history", history_url]) == 0
    first = capsys.readouterr().out
    assert "recorded" in first and "Q2 2019/20" in first and "12 actions" in first
    assert main(["history", "record", str(master), "--history", history_url]) == 0
    assert "nothing new recorded" in capsys.readouterr().out
    book = master_book(plan)
    book.actions[0]["rag"] = "Red"
    write(book, tmp_path / "master_fixed.xlsx")
    assert main(["history", "record", str(tmp_path / "master_fixed.xlsx"),
                 "--history", history_url]) == 0
    assert "recorded as revision 2" in capsys.readouterr().out
    store = open_store(history_url)
    with store.engine.connect() as conn:
        plan_row = query.pick_plan(conn, None, store.name)
        quarters = query.recorded_periods(conn, plan_row.pk)
        points = query.action_rows(conn, plan_row.pk, action="1.1")
    assert [(q["period"], q["revision"], q["revisions"]) for q in quarters] == [
        ("Q2 2019/20", 2, 2)]
    assert [(p["period"], p["rag"]) for p in points] == [("Q2 2019/20", "Red")]  # newest counts
    assert count(store, t.revisions) == 2 and count(store, t.actions) == 24
    store.dispose()


def test_what_is_kept_per_action_kpi_savings_line_and_log_event(history_url, plan, tmp_path):
    book = master_book(plan)
    book.kpis = [{"measure": "Children in care per 10,000", "department": "Children's",
                  "latest": 55.5, "target": 50, "good_is": "Low", "previous": 57,
                  "rag": "Amber", "trend": "Improving"}]
    book.log = [{"when": "21/10/2019 10:00", "file": "Q2_Steve.xlsx", "sha256": "ab" * 32,
                 "officer": "Steve Edwards", "period": "Q2 2019/20", "accepted": 3,
                 "rejected": 1, "notes": "row 7 INVALID: RAG 'Yellow'"}]
    master = write(book, tmp_path / "master.xlsx")
    store = open_store(history_url)
    record_master(store, master, by="PMO Analyst")
    with store.engine.connect() as conn:
        rev = conn.execute(select(t.revisions)).one()
        action = conn.execute(select(t.actions).where(t.actions.c.action_id == "A-0001")).one()
        kpi = conn.execute(select(t.kpis)).one()
        savings = conn.execute(select(t.savings)).all()
        event = conn.execute(select(t.events)).one()
    assert rev.recorded_by == "PMO Analyst" and len(rev.source_sha256) == 64
    source = book.actions[0]
    assert (action.ref, action.title, action.lead_officer, action.timeframe, action.rag,
            action.previous_rag, action.progress, action.updated_by) == (
        "1.1", source["action"], "Steve Edwards", "Quarterly", source["rag"],
        source["previous_rag"], source["progress_update"], source["updated_by"])
    assert action.last_updated == source["last_updated"]
    assert (kpi.measure, kpi.latest, kpi.target, kpi.rag) == (
        "Children in care per 10,000", 55.5, 50.0, "Amber")
    assert len(savings) == len(book.savings) and savings[0].project_ref
    assert (event.officer, event.accepted, event.rejected, event.notes) == (
        "Steve Edwards", 3, 1, "row 7 INVALID: RAG 'Yellow'")
    store.dispose()


def test_another_plans_master_is_recorded_under_its_own_plan(history_url, plan, tmp_path,
                                                               capsys):
    ours = write(master_book(plan), tmp_path / "ours.xlsx")
    other_plan = plan.with_changes(plan_id="P-otherplan01", title="Adult Social Care Plan")
    theirs = write(master_book(other_plan), tmp_path / "theirs.xlsx")
    for master in (ours, theirs):
        assert main(["history", "record", str(master), "--history", history_url]) == 0
    store = open_store(history_url)
    with store.engine.connect() as conn:
        known = {p.title: p for p in query.plans(conn)}
        assert set(known) == {plan.title, "Adult Social Care Plan"}
        for row in known.values():
            assert len(query.action_rows(conn, row.pk)) == 12
    store.dispose()
    capsys.readouterr()
    assert main(["history", "show", "--history", history_url]) == 2
    assert "several plans; name one with --plan" in capsys.readouterr().err
    assert main(["history", "show", "--history", history_url, "--plan", "P-otherplan01"]) == 0


def test_a_failed_record_records_nothing(history_url, plan, tmp_path, capsys):
    """A database refusing the KPI rows (a trigger: a real failure half-way through)
    leaves no plan, period, revision or action behind."""
    book = master_book(plan)
    book.kpis = [{"measure": "Placements", "latest": 3, "target": 4, "good_is": "High"}]
    master = write(book, tmp_path / "master.xlsx")
    store = open_store(history_url)
    with store.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.execute(text("CREATE TRIGGER no_kpis BEFORE INSERT ON kpi_values "
                              "BEGIN SELECT RAISE(ABORT, 'kpis refused'); END"))
        else:
            conn.execute(text("CREATE FUNCTION no_kpis() RETURNS trigger AS $$ BEGIN "
                              "RAISE EXCEPTION 'kpis refused'; END $$ LANGUAGE plpgsql"))
            conn.execute(text("CREATE TRIGGER no_kpis BEFORE INSERT ON kpi_values "
                              "FOR EACH ROW EXECUTE FUNCTION no_kpis()"))
    assert main(["history", "record", str(master), "--history", history_url]) == 2
    err = capsys.readouterr().err
    assert "kpis refused" in err and "Traceback" not in err and len(err.splitlines()) == 1
    for table in (t.plans, t.periods, t.revisions, t.actions, t.kpis, t.savings):
        assert count(store, table) == 0, table.name
    store.dispose()


def _concurrently(*commands: list[str]) -> list[subprocess.CompletedProcess]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-m", "xltools", *c], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for c in commands]
    done = []
    for p in procs:
        out, err = p.communicate(timeout=300)
        done.append(subprocess.CompletedProcess(p.args, p.returncode, out, err))
    return done


def test_two_recorders_at_once_lose_and_duplicate_nothing(history_url, plan, tmp_path):
    """Into a store neither has created yet: different masters (two quarters) both land;
    the same master twice at once lands once."""
    q2 = write(master_book(plan), tmp_path / "q2.xlsx")
    q3 = write(master_book(plan.with_changes(period="Q3 2019/20")), tmp_path / "q3.xlsx")
    runs = _concurrently(*(["history", "record", str(m), "--history", history_url]
                           for m in (q2, q3, q2, q3)))
    assert [r.returncode for r in runs] == [0, 0, 0, 0], [r.stderr for r in runs]
    said = [r.stdout for r in runs]
    assert sum("nothing new recorded" in s for s in said) == 2
    store = open_store(history_url)
    with store.engine.connect() as conn:
        row = query.pick_plan(conn, None, store.name)
        assert [(q["period"], q["revisions"]) for q in query.recorded_periods(conn, row.pk)
                ] == [("Q2 2019/20", 1), ("Q3 2019/20", 1)]
    assert count(store, t.plans) == 1 and count(store, t.actions) == 24
    store.dispose()


def test_the_migrations_build_exactly_the_schema_the_code_uses(history_url):
    store = open_store(history_url)
    with store.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
    store.dispose()


def test_an_older_store_is_migrated_and_a_newer_one_refused(history_url, plan, tmp_path,
                                                            capsys):
    store = open_store(history_url, migrate=False)
    with store.engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0001")  # what an earlier xltools made
    store.dispose()
    master = write(master_book(plan), tmp_path / "master.xlsx")
    assert main(["history", "record", str(master), "--history", history_url]) == 0
    store = open_store(history_url)
    with store.engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == head_revision()
    if store.sqlite_file:  # the file was copied aside before the migration changed it
        assert len(list(store.sqlite_file.parent.glob("history.sqlite.*.bak"))) == 1
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0999'"))
    store.dispose()
    capsys.readouterr()
    assert main(["history", "record", str(master), "--history", history_url]) == 2
    err = capsys.readouterr().err
    assert "written by a newer xltools (schema 0999" in err and "nothing was changed" in err
    assert len(err.splitlines()) == 1


def test_the_password_never_shows_and_bad_urls_get_one_line(postgres_cluster, tmp_path,
                                                             plan):
    master = write(master_book(plan), tmp_path / "master.xlsx")
    good = postgres_cluster.create_database()
    wrong = good.replace(postgres_cluster.password, "Secret-Wrong-9")
    closed = "postgresql+psycopg://postgres:Secret-Closed-9@127.0.0.1:1/postgres"
    for url, why in ((wrong, "password authentication failed"),
                     (closed, "cannot open the history store "
                      "postgresql+psycopg://postgres:***@127.0.0.1:1"),
                     ("mysql://u:Secret-My-9@localhost/db", "mysql databases are not supported"),
                     ("postgresql+psycopg://u:Secret-Bad-9@host:notaport/db",
                      "is not a database URL")):
        run = cli("history", "record", str(master), "--history", url)
        assert run.returncode == 2, run
        assert why in run.stderr and len(run.stderr.splitlines()) == 1, run.stderr
        assert "Secret-" not in run.stderr + run.stdout
    run = cli("history", "record", str(master), env={"XLTOOLS_HISTORY_URL": good})
    assert run.returncode == 0, run.stderr
    assert postgres_cluster.password not in run.stdout + run.stderr
    assert "postgres:***@127.0.0.1" in run.stdout


def test_export_writes_every_point_to_xlsx_and_csv(history_url, plan, tmp_path):
    write(master_book(plan), tmp_path / "q2.xlsx")
    write(master_book(plan.with_changes(period="Q3 2019/20")), tmp_path / "q3.xlsx")
    assert main(["history", "backfill", str(tmp_path), "--history", history_url]) == 0
    assert main(["history", "export", "--history", history_url, "-o",
                 str(tmp_path / "h.xlsx")]) == 0
    assert main(["history", "export", "--history", history_url, "-o",
                 str(tmp_path / "h.csv")]) == 0
    wb = load_workbook(tmp_path / "h.xlsx", read_only=True)
    assert wb.sheetnames == ["Actions", "Quarters", "KPIs", "Savings", "Events"]
    rows = list(wb["Actions"].values)
    assert rows[0][:3] == ("period", "action_id", "ref") and len(rows) == 1 + 24
    assert [r[0] for r in list(wb["Quarters"].values)[1:]] == ["Q2 2019/20", "Q3 2019/20"]
    with (tmp_path / "h.csv").open(encoding="utf-8-sig") as fh:
        lines = list(csv.DictReader(fh))
    assert len(lines) == 24 and {r["period"] for r in lines} == {"Q2 2019/20", "Q3 2019/20"}


def test_a_missing_sqlite_store_is_not_created_by_show(tmp_path, capsys):
    assert main(["history", "show", "--history", str(tmp_path / "none.sqlite")]) == 2
    assert "no history store at" in capsys.readouterr().err
    assert not (tmp_path / "none.sqlite").exists()


def test_open_store_refuses_a_folder_that_does_not_exist(tmp_path):
    with pytest.raises(HistoryError, match="does not exist"):
        open_store(str(tmp_path / "nowhere" / "h.sqlite"))


def test_consolidate_and_next_quarter_record_as_they_go(cycle, tmp_path, capsys):
    """``--history`` alone: the store beside the consolidated master. Next quarter
    records the quarter it closes, which consolidate already recorded: nothing new."""
    master, returns = cycle
    out = tmp_path / "out" / "consolidated.xlsx"
    out.parent.mkdir()
    assert main(["consolidate", str(master), str(returns), "-o", str(out), "--history"]) == 0
    said = capsys.readouterr().out
    store_file = out.parent / "history.sqlite"
    assert "History: consolidated.xlsx: recorded" in said and str(store_file) in said
    assert main(["next-quarter", str(out), "-o", str(tmp_path / "next.xlsx"), "--json",
                 "--history", str(store_file)]) == 0
    recorded = json.loads(capsys.readouterr().out)["history"]
    assert (recorded["status"], recorded["period"]) == ("unchanged", "Q2 2019/20")
    store = open_store(str(store_file))
    assert count(store, t.revisions) == 1
    store.dispose()


def test_a_master_from_before_plan_ids_and_its_consolidation_stay_one_plan(history_url, plan,
                                                                          tmp_path):
    """An old master has no plan ID; consolidating it mints one. Both quarters are the
    same plan in the store, never two."""
    old = write(master_book(plan), tmp_path / "q2.xlsx")
    assert read_book(old).plan.plan_id == ""
    minted = plan.with_changes(period="Q3 2019/20").with_plan_id()
    new = write(master_book(minted), tmp_path / "q3.xlsx")
    store = open_store(history_url)
    for master in (old, new):
        record_master(store, master)
    with store.engine.connect() as conn:
        (row,) = query.plans(conn)
        assert row.plan_id == minted.plan_id
        assert [q["period"] for q in query.recorded_periods(conn, row.pk)] == [
            "Q2 2019/20", "Q3 2019/20"]
    store.dispose()


def test_a_return_is_not_recorded_as_a_quarter(cycle, tmp_path, capsys):
    _, returns = cycle
    one = sorted(returns.glob("*.xlsx"))[0]
    store = tmp_path / "h.sqlite"
    assert main(["history", "record", str(one), "--history", str(store)]) == 2
    assert "is a return, not a master" in capsys.readouterr().err
    opened = open_store(str(store))
    assert count(opened, t.revisions) == 0
    opened.dispose()
