"""Opening the history store: which database, a safe name for it, and its schema.

``--history`` (or ``XLTOOLS_HISTORY_URL``) is either a SQLAlchemy URL
(``postgresql+psycopg://user:pw@host/db``, ``sqlite:///path``) or a file path
(an SQLite file). Nothing here ever prints the URL with its password: every
message uses ``Store.name``, and database errors are reduced to one line with the
password scrubbed out, because drivers sometimes echo what they were given.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError

from ..errors import HistoryError

ENV_URL = "XLTOOLS_HISTORY_URL"
DEFAULT_FILE = "history.sqlite"
_DRIVERS = {"sqlite": "sqlite", "postgresql": "postgresql+psycopg"}


def default_location(master: Path | None) -> str:
    """Where history goes when no URL is named: the environment's URL, else
    ``history.sqlite`` beside the master."""
    env = os.environ.get(ENV_URL, "").strip()
    if env:
        return env
    folder = Path(master).resolve().parent if master else Path.cwd()
    return str(folder / DEFAULT_FILE)


def parse_location(location: str) -> URL:
    """A URL or a file path → a SQLAlchemy URL for one of the two supported engines."""
    location = location.strip()
    if "://" not in location:
        return URL.create("sqlite", database=str(Path(location).expanduser().resolve()))
    try:
        url = make_url(location)
    except (ArgumentError, ValueError):
        raise HistoryError(f"history store '{_scrub_text(location)}' is not a database URL; "
                           "give a file path or postgresql+psycopg://user@host/db") from None
    backend = url.get_backend_name()
    if backend not in _DRIVERS:
        raise HistoryError(f"history store: {backend} databases are not supported; use an SQLite "
                           "file or postgresql+psycopg://…")
    if backend == "postgresql" and url.drivername != "postgresql+psycopg":
        url = url.set(drivername="postgresql+psycopg")
    return url


def safe_name(url: URL) -> str:
    """The URL as it may be shown: the password replaced by ***."""
    if url.get_backend_name() == "sqlite":
        return url.database or ":memory:"
    return url.render_as_string(hide_password=True)


def _scrub_text(location: str) -> str:
    """A location that did not parse, with anything between ``:`` and ``@`` hidden."""
    head, sep, tail = location.rpartition("@")
    if not sep:
        return location
    scheme, _, rest = head.partition("://")
    user = rest.split(":", 1)[0]
    return f"{scheme}://{user}:***@{tail}"


@dataclass
class Store:
    """An open history store: its engine and a name that is safe to show."""

    engine: Engine
    url: URL
    name: str

    @property
    def sqlite_file(self) -> Path | None:
        if self.url.get_backend_name() != "sqlite" or not self.url.database:
            return None
        return Path(self.url.database)

    def scrub(self, message: str) -> str:
        """``message`` with the URL's password (and the full URL) taken out."""
        password = self.url.password
        if password:
            message = message.replace(str(password), "***")
        return message

    def failure(self, exc: Exception, doing: str) -> HistoryError:
        """A database error as one line: what we were doing, where, and the driver's
        first line (scrubbed)."""
        return HistoryError(failure_text(self, exc, doing))

    def dispose(self) -> None:
        self.engine.dispose()


def failure_text(store: Store, exc: Exception, doing: str) -> str:
    orig = getattr(exc, "orig", None) or exc
    first = (str(orig).strip().splitlines() or [type(orig).__name__])[0]
    return store.scrub(f"cannot {doing} the history store {store.name}: {first}")


def open_store(location: str | None, master: Path | None = None, *,
               migrate: bool = True) -> Store:
    """Connect, check the schema (refuse a newer one; migrate an older one, backing
    an SQLite file up first) and hand back the store. One line and exit 2 on a bad
    URL or a server that does not answer."""
    url = parse_location(location or default_location(master))
    name = safe_name(url)
    try:
        engine = _engine(url)
    except (ArgumentError, NoSuchModuleError, ValueError) as exc:
        raise HistoryError(f"cannot use the history store {name}: {type(exc).__name__}") from None
    store = Store(engine, url, name)
    if store.sqlite_file is not None and not store.sqlite_file.parent.is_dir():
        raise HistoryError(f"history store: folder {store.sqlite_file.parent} does not exist")
    if migrate:
        from .migrate import ensure_schema

        try:
            ensure_schema(store.engine, store.name, store.sqlite_file)
        except HistoryError:
            store.dispose()
            raise
        except (SQLAlchemyError, DBAPIError, OSError) as exc:
            store.dispose()
            raise store.failure(exc, "open") from None
    return store


def _engine(url: URL) -> Engine:
    if url.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": 60})
        _immediate_transactions(engine)
        return engine
    return create_engine(url, pool_pre_ping=True,
                         connect_args={"connect_timeout": 10, "application_name": "xltools"})


def _immediate_transactions(engine: Engine) -> None:
    """SQLite: every transaction takes the write lock at BEGIN (``BEGIN IMMEDIATE``), so
    two recorders queue instead of both reading and then failing to upgrade a shared
    lock (SQLAlchemy's documented recipe for pysqlite)."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA foreign_keys = ON")

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def ping(conn: Connection) -> None:
    conn.execute(text("SELECT 1"))
