"""The add-in server records in the history store when IT configures one
(XLTOOLS_HISTORY_URL): Consolidate and Next quarter by file, over real HTTP, into a
real SQLite store and a real PostgreSQL — and say so in their answer."""

from __future__ import annotations

import httpx
import pytest
from excel_books import write_master, write_returns
from live_server import stop
from test_server_security import bearer, make_token, start

from xltools.history import query
from xltools.history.store import open_store
from xltools.workbook.reader import read_book

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def server(tmp_path, plan, history_url):
    master = write_master(tmp_path / "Master.xlsx", plan)
    write_returns(master, tmp_path / "returns")
    tokens = tmp_path / "tokens.json"
    token = make_token(tokens, "Pat PMO", "pmo")
    (tmp_path / "tmp").mkdir()
    base, proc = start(tmp_path, "--tokens", str(tokens),
                       env={"XLTOOLS_OUTPUT_DIR": "", "TMPDIR": str(tmp_path / "tmp"),
                            "XLTOOLS_RETURNS_DIR": str(tmp_path / "returns"),
                            "XLTOOLS_HISTORY_URL": history_url})
    yield {"base": base, "master": master, "token": token, "url": history_url}
    stop(proc)


def post(server, path: str, data: bytes, **options: str) -> dict:
    response = httpx.post(server["base"] + path, params={"name": "Master.xlsx", **options},
                          content=data,
                          headers={"Content-Type": XLSX, **bearer(server["token"])},
                          timeout=300)
    assert response.status_code == 200, response.text
    return response.json()


def test_consolidate_and_next_quarter_by_file_record_the_quarter(server):
    data = server["master"].read_bytes()
    answer = post(server, "/xltools/consolidate-file", data)
    assert "Q2 2019/20 recorded in the history store." in answer["message"]
    assert "postgres" not in answer["message"] and "sqlite" not in answer["message"]
    store = open_store(server["url"])
    with store.engine.connect() as conn:
        plan = query.pick_plan(conn, None, store.name)
        (quarter,) = query.recorded_periods(conn, plan.pk)
        assert quarter["recorded_by"] == "token:Pat PMO"
        assert len(query.action_rows(conn, plan.pk)) == len(
            read_book(server["master"]).actions)
    # the master as sent was never consolidated: rolled on only with the pane's choice
    answer = post(server, "/xltools/run-file/next_quarter", data, unconsolidated="1")
    # the master as sent (before consolidation) is other content for the same quarter
    assert "Q2 2019/20 recorded in the history store (revision 2)." in answer["message"]
    store.dispose()
