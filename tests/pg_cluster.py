"""A throwaway PostgreSQL cluster for the history tests (Debian's packages).

``make test`` installs PostgreSQL (apt) and sets XLTOOLS_REQUIRE_POSTGRES, so there
the PostgreSQL half of every history test must run, never skip. The cluster lives in
a temporary folder, listens on a free loopback port with password authentication
(so the tests can check the password never shows), and is stopped at the end of the
session. PostgreSQL refuses to run as root: as root, the cluster runs as a system
user made for it (``xltools-pg``).
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

PG_USER = "xltools-pg"


@dataclass
class Cluster:
    host: str
    port: int
    password: str

    def url(self, database: str = "postgres") -> str:
        return (f"postgresql+psycopg://postgres:{self.password}@{self.host}:{self.port}/"
                f"{database}")

    def create_database(self) -> str:
        """A fresh database for one test; its URL."""
        import psycopg

        name = "t_" + secrets.token_hex(6)
        with psycopg.connect(host=self.host, port=self.port, user="postgres",
                             password=self.password, dbname="postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_owner(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    try:
        pwd.getpwnam(PG_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/bin/sh",
                        PG_USER], check=True, capture_output=True)
    return ["runuser", "-u", PG_USER, "--", *cmd]


@contextmanager
def throwaway_cluster(bin_dir: Path):
    """initdb in a temporary folder, start on a free loopback port, stop and delete at
    the end (also used by bench/history_bench.py)."""
    folder = Path(tempfile.mkdtemp(prefix="xltools-pg-"))
    data, sockets = folder / "data", folder / "sockets"
    sockets.mkdir()
    password = "pw-" + secrets.token_hex(8)
    pwfile = folder / "pw"
    pwfile.write_text(password + "\n")
    if os.geteuid() == 0:
        _as_owner(["true"])
        for path in (folder, sockets, pwfile):
            shutil.chown(path, PG_USER)
    port = _free_port()
    try:
        subprocess.run(_as_owner([str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres",
                                  "--auth=scram-sha-256", f"--pwfile={pwfile}", "-E", "UTF8",
                                  "--no-sync"]), check=True, capture_output=True)
        options = (f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c max_connections=50")
        subprocess.run(_as_owner([str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options,
                                  "-l", str(folder / "log"), "-w", "start"]),
                       check=True, capture_output=True)
        try:
            yield Cluster("127.0.0.1", port, password)
        finally:
            subprocess.run(_as_owner([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast",
                                      "-w", "stop"]), capture_output=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def missing(what: str, required_by: str, install: str) -> None:
    """A test needs ``what`` and it is not here: a skip, or a failure where the
    environment variable ``required_by`` says `make test` installed it."""
    if os.environ.get(required_by):
        pytest.fail(f"{what} is required: {install}")
    pytest.skip(f"{what} not installed")


@pytest.fixture(scope="session")
def postgres_cluster():
    """A running cluster for the session, or a skip (a failure under ``make test``)."""
    bin_dir = pg_bin()
    if bin_dir is None:
        missing("PostgreSQL", "XLTOOLS_REQUIRE_POSTGRES", "apt-get install postgresql")
    with throwaway_cluster(bin_dir) as cluster:
        yield cluster


@pytest.fixture(params=["sqlite", "postgresql"])
def history_url(request, tmp_path) -> str:
    """The store for one test: an SQLite file, then a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "history.sqlite")
    return request.getfixturevalue("postgres_cluster").create_database()
