"""The store's schema, kept by the Alembic scripts shipped in ``migrations/``.

Run on every open: a database at the newest revision is left alone; an older one is
upgraded (an SQLite file copied aside first); one stamped with a revision this
xltools does not know was written by a newer xltools and is refused, untouched.
Two processes opening a fresh database at once take a lock first (PostgreSQL: an
advisory lock for the transaction; SQLite: the write lock ``BEGIN IMMEDIATE``
takes), so the tables are created once.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from ..errors import HistoryError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_LOCK_KEY = 0x786C_746F_6F6C  # "xltool": the advisory lock every xltools migration takes


def alembic_config(conn: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if conn is not None:
        config.attributes["connection"] = conn
    return config


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def ensure_schema(engine: Engine, name: str, sqlite_file: Path | None) -> str | None:
    """Bring the store at ``engine`` (shown as ``name``) to this xltools's schema; return
    the backup of ``sqlite_file`` made first, if any."""
    script = ScriptDirectory.from_config(alembic_config())
    head = script.get_current_head()
    with engine.connect() as conn:
        if current_revision(conn) == head:  # the usual case: no lock, no transaction
            return None
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
        current = current_revision(conn)
        if current == head:
            return None
        if current is not None and _unknown(script, current):
            raise HistoryError(
                f"the history store {name} was written by a newer xltools (schema {current}; "
                f"this xltools knows up to {head}); upgrade xltools to use it — nothing was "
                "changed")
        backup = None
        if current is not None and sqlite_file and sqlite_file.exists():
            backup = str(backup_sqlite(sqlite_file))
        command.upgrade(alembic_config(conn), "head")
        return backup


def _unknown(script: ScriptDirectory, revision: str) -> bool:
    try:
        return script.get_revision(revision) is None
    except Exception:  # alembic raises its own errors for a revision it cannot resolve
        return True


def backup_sqlite(path: Path) -> Path:
    """A copy of an SQLite store before a migration changes it, named by the time (taken
    while this migration holds the write lock, so no recorder is half-way through)."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.{stamp}.bak")
    shutil.copy2(path, target)
    return target
