"""Issue 22, the HTTP side: the real ``xltools serve`` over real sockets on 127.0.0.1,
met the way a stranger would meet it — through a proxy, under another name, with
a huge or endless head, a body a byte a second, thousands of half-open
connections, 50 MB bodies with no token, 100,000-deep JSON, a used range of
A1:XFD1048576, a cell function over a whole column, bad settings, a tokens
file others can write, a forged dialog text. Each case must run nothing and
leave the server answering the next request.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import httpx
import live_server
import psutil
import pytest
from excel_books import write_master, write_returns
from live_server import stop
from officejs_payload import book_payload, function_payload

SCRIPTS = "/xlwings/custom-scripts-call/"
FUNCS = "/xlwings/custom-functions-call"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MB = 2**20


def start(root: Path, *args: str, env: dict | None = None, **kw):
    folders = {"XLTOOLS_RETURNS_DIR": str(root / "returns"),
               "XLTOOLS_OUTPUT_DIR": str(root / "out")}
    return live_server.start(root, *args, env={**folders, **(env or {})}, **kw)


def make_token(tokens: Path, name: str, role: str) -> str:
    done = subprocess.run([sys.executable, "-m", "xltools", "token", "add", name, "--role", role,
                           "--tokens", str(tokens)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def serve_exits(root: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    full_env = dict(os.environ, XLWINGS_LICENSE_KEY="noncommercial", **(env or {}))
    return subprocess.run([sys.executable, "-m", "xltools", "serve", "--port",
                           str(live_server.free_port()), *args], env=full_env, cwd=root,
                          capture_output=True, text=True, timeout=60)


def port_of(base: str) -> int:
    return int(base.rsplit(":", 1)[1])


def outputs(root: Path) -> list[str]:
    out = root / "out"
    return sorted(p.name for p in out.iterdir()) if out.exists() else []


def raw(base: str, head: bytes, body: bytes = b"", timeout: float = 60) -> bytes:
    """Send ``head`` (and ``body``) byte for byte; everything the server answers."""
    with socket.create_connection(("127.0.0.1", port_of(base)), timeout=timeout) as sock:
        sock.sendall(head + body)
        return read_all(sock)


def read_all(sock: socket.socket) -> bytes:
    chunks = []
    try:
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    except (ConnectionResetError, TimeoutError):
        pass
    return b"".join(chunks)


def status_of(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1 ") else 0


def server_log(proc: subprocess.Popen) -> str:
    stop(proc)
    return proc.stdout.read()


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    from conftest import SAMPLE_PLAN

    from xltools.plan import Plan

    root = tmp_path_factory.mktemp("hostile")
    master = write_master(root / "Master.xlsx", Plan.load(SAMPLE_PLAN))
    returns = write_returns(master, root / "returns")
    return {"root": root, "master": master, "payload": book_payload(master),
            "return": returns["Lucy Peel"]}


@pytest.fixture(scope="module")
def served(folders):
    """No sign-in, a short read timeout and a small per-address cap: (base, process)."""
    base, proc = start(folders["root"], env={"XLTOOLS_READ_TIMEOUT": "2",
                                             "XLTOOLS_MAX_CONNECTIONS_PER_IP": "12"})
    yield base, proc
    stop(proc)


@pytest.fixture(scope="module")
def server(served):
    return served[0]


@pytest.fixture(scope="module")
def token_server(folders):
    tokens = folders["root"] / "tokens.json"
    pmo = make_token(tokens, "Pat PMO", "pmo")
    officer = make_token(tokens, "Olly Officer", "officer")
    base, proc = start(folders["root"], "--tokens", str(tokens),
                       env={"XLWINGS_HOSTNAME": "xltools.council.example"})
    yield {"base": base, "proc": proc, "pmo": pmo, "officer": officer, "tokens": tokens}
    stop(proc)


def post_script(base, script, payload, headers=None, timeout=120) -> httpx.Response:
    return httpx.post(base + SCRIPTS + script, json=payload, headers=headers or {},
                      timeout=timeout)


def assert_answers(base: str, folders) -> None:
    """The next ordinary call is answered as usual."""
    response = post_script(base, "check_return", folders["payload"])
    assert response.status_code == 200, response.text


# -- no unseen caller: proxies and names ---------------------------------------------------

PROXY_HEADERS = [{"X-Real-IP": "203.0.113.9"}, {"X-Forwarded-Host": "xltools.example"},
                 {"X-Forwarded-Proto": "https"}, {"Via": "1.1 proxy"},
                 {"Forwarded": "for=203.0.113.9"}, {"X-Forwarded-For": "127.0.0.1"},
                 {"X-Forwarded-Port": "443"}]


@pytest.mark.parametrize("header", PROXY_HEADERS, ids=lambda h: next(iter(h)))
def test_without_sign_in_any_proxy_header_runs_nothing(server, folders, header):
    before = outputs(folders["root"])
    response = post_script(server, "next_quarter", folders["payload"], header)
    assert response.status_code == 401
    assert "only answers on its own machine" in response.json()["detail"]
    for path in ("/xltools/last-run", "/taskpane.html"):
        assert httpx.get(server + path, headers=header, timeout=30).status_code == 401
    assert outputs(folders["root"]) == before


def test_it_hears_once_that_a_proxy_is_in_front_of_a_server_without_sign_in(folders):
    base, proc = start(folders["root"])
    for _ in range(3):
        assert httpx.get(base + "/xltools/last-run", headers={"Via": "1.1 proxy"},
                         timeout=30).status_code == 401
    log = server_log(proc)
    assert log.count("came through a proxy (via header)") == 1 and "Traceback" not in log


@pytest.mark.parametrize("host", ["attacker.example", "attacker.example:{port}",
                                  "127.0.0.1.attacker.example:{port}", "10.0.0.5:{port}",
                                  "localhost.:{port}x", ""])
def test_a_request_for_another_name_runs_nothing(server, folders, host):
    """DNS rebinding: the page's own name, pointed at 127.0.0.1, in Host and Origin."""
    host = host.format(port=port_of(server))
    origin = {"Origin": f"http://{host}"} if host else {}
    before = outputs(folders["root"])
    response = post_script(server, "next_quarter", folders["payload"],
                           {"Host": host, **origin})
    assert response.status_code == 421
    assert "does not answer to that name" in response.json()["detail"]
    for path in ("/xltools/last-run", "/"):
        assert httpx.get(server + path, headers={"Host": host}, timeout=30
                         ).status_code == 421
    assert outputs(folders["root"]) == before


@pytest.mark.parametrize("host", ["localhost:{port}", "127.0.0.1:{port}", "[::1]:{port}",
                                  "LOCALHOST", "127.0.0.1"])
def test_loopback_names_are_served(server, folders, host):
    response = post_script(server, "check_return", folders["payload"],
                           {"Host": host.format(port=port_of(server))})
    assert response.status_code == 200, response.text


def test_with_sign_in_the_public_name_is_served_and_others_are_not(token_server, folders):
    base, pmo = token_server["base"], {"Authorization": f"Bearer {token_server['pmo']}"}
    public = post_script(base, "check_return", folders["payload"],
                         {**pmo, "Host": "xltools.council.example", "X-Forwarded-For": "1.2.3.4"})
    assert public.status_code == 200, public.text
    other = post_script(base, "check_return", folders["payload"],
                        {**pmo, "Host": "attacker.example"})
    assert other.status_code == 421


@pytest.mark.parametrize("args, env, words", [
    ([], {"XLWINGS_HOSTNAME": "xltools.council.example"}, "nobody signs in"),
    ([], {"FORWARDED_ALLOW_IPS": "10.0.0.1"}, "nobody signs in"),
    ([], {"XLTOOLS_ALLOWED_HOSTS": "xltools"}, "nobody signs in"),
    (["--host", "0.0.0.0", "--tokens", "{tokens}"], {}, "XLWINGS_HOSTNAME"),
])
def test_serve_refuses_to_start_behind_a_proxy_without_sign_in(folders, tmp_path, args, env,
                                                                words):
    tokens = tmp_path / "tokens.json"
    make_token(tokens, "Pat", "pmo")
    done = serve_exits(tmp_path, *[a.format(tokens=tokens) for a in args], env=env)
    assert done.returncode == 2
    assert words in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


# -- refuse before you read -----------------------------------------------------------------


def send_unsigned(base: str, path: str, content_type: str, size: int) -> int:
    """A POST of ``size`` bytes with no token: the status, read before the body is
    pushed (the server answers at once), then the body pushed until the server hangs up."""
    head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port_of(base)}\r\n"
            f"Content-Type: {content_type}\r\nContent-Length: {size}\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", port_of(base)), timeout=60) as sock:
        sock.sendall(head)
        answer = sock.recv(65536)
        chunk = b"\x00" * MB
        try:
            for _ in range(size // MB):
                sock.sendall(chunk)
        except OSError:
            pass  # hung up on: the body was never wanted
    return status_of(answer)


def test_sixteen_50_mb_bodies_without_a_token_cost_no_memory(token_server):
    """Acceptance: 16 concurrent 50 MB bodies without a token keep the server < 500 MB."""
    base = token_server["base"]
    process = psutil.Process(token_server["proc"].pid)
    peak, done = [process.memory_info().rss], threading.Event()

    def watch():
        while not done.is_set():
            peak.append(process.memory_info().rss)
            time.sleep(0.02)

    watcher = threading.Thread(target=watch)
    watcher.start()
    # the by-file route takes 50 MB files; a script call 20 MB of JSON (18 MB each here)
    jobs = [("/xltools/run-file/consolidate", XLSX, 50 * MB)] * 16 + [
        (SCRIPTS + "consolidate", "application/json", 18 * MB)] * 16
    try:
        with ThreadPoolExecutor(max_workers=16) as pool:
            statuses = list(pool.map(lambda job: send_unsigned(base, *job), jobs))
    finally:
        done.set()
        watcher.join()
    assert statuses == [401] * 32
    assert max(peak) < 500 * MB, f"{max(peak) / MB:.0f} MB"
    assert httpx.get(base + "/", timeout=30).json() == {"status": "ok"}


def test_a_wrong_role_is_refused_before_the_body(token_server):
    officer = token_server["officer"]
    head = (f"POST {SCRIPTS}consolidate HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: Bearer {officer}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {20 * MB}\r\n\r\n").encode()
    answer = raw(token_server["base"], head)  # no body sent at all
    assert status_of(answer) == 403 and b"This needs the pmo role" in answer


@pytest.mark.parametrize("size", [128 * 1024, 8 * MB])
def test_a_huge_request_head_is_431(server, folders, size):
    head = (b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: " + b"a" * size + b"\r\n\r\n")
    try:
        answer = raw(server, head)
    except OSError:  # hung up on while still sending the 8 MB: read what came back
        answer = b""
    assert answer == b"" or status_of(answer) == 431
    if size < MB:
        assert status_of(answer) == 431
    assert_answers(server, folders)


def test_a_head_that_never_ends_is_408_and_closed(server, folders):
    with socket.create_connection(("127.0.0.1", port_of(server)), timeout=60) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        for _ in range(3):
            sock.sendall(b"a")  # a byte now and then keeps no connection open for ever
            time.sleep(0.5)
        answer = read_all(sock)
    assert status_of(answer) == 408
    assert_answers(server, folders)


def test_a_body_a_byte_a_second_is_408(server, folders):
    body = json.dumps(folders["payload"]).encode()
    head = (f"POST {SCRIPTS}check_return HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", port_of(server)), timeout=60) as sock:
        sock.sendall(head)
        sock.settimeout(1)
        answer = b""
        for byte in body[:60]:
            try:
                sock.sendall(bytes([byte]))
                answer = sock.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                break
            if answer:
                break
        sock.settimeout(30)
        answer += read_all(sock)
    assert status_of(answer) == 408 and b"took too long" in answer
    assert_answers(server, folders)


def test_half_open_connections_cannot_lock_everyone_out(server, folders):
    """1,100 half-sent heads once used up every file descriptor. Now one address holds
    at most its cap (here 12): the rest are refused 503 at once, and the held ones are
    closed when their heads do not arrive in time."""
    held = []
    try:
        for _ in range(200):
            sock = socket.create_connection(("127.0.0.1", port_of(server)), timeout=30)
            sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            held.append(sock)
        statuses = [status_of(read_all(sock)) for sock in held]
        # at most 12 were let in (fewer if the last test's are still closing), and
        # each of those was closed once its head did not arrive in time
        assert set(statuses) == {503, 408} and statuses.count(408) <= 12, statuses
        assert statuses.count(503) >= len(held) - 12
    finally:
        for sock in held:
            sock.close()
    assert_answers(server, folders)


def test_deep_json_is_400_without_a_traceback(folders):
    base, proc = start(folders["root"])
    try:
        deep = b"[" * 100_000 + b"]" * 100_000
        for path in (SCRIPTS + "check_return", FUNCS):
            response = httpx.post(base + path, content=deep, timeout=60,
                                  headers={"Content-Type": "application/json"})
            assert response.status_code == 400
            assert "nests too deeply" in response.json()["detail"]
        nested = json.dumps({**folders["payload"], "x": json.loads("[" * 900 + "]" * 900)})
        response = httpx.post(base + SCRIPTS + "check_return", content=nested, timeout=60,
                              headers={"Content-Type": "application/json"})
        assert response.status_code == 400
        assert_answers(base, folders)
    finally:
        log = server_log(proc)
    assert "Traceback" not in log and "RecursionError" not in log


# -- the Office.js payload's reach ------------------------------------------------------------


def with_sheet(payload: dict, name: str, **changes) -> dict:
    payload = json.loads(json.dumps(payload))
    (sheet,) = [s for s in payload["sheets"] if s["name"] == name]
    sheet.update(changes)
    return payload


@pytest.mark.parametrize("sheet, changes, words", [
    ("Actions", {"used_range_address": "$A$1:$XFD$1048576"}, "Actions reaches column XFD"),
    ("Settings", {"used_range_address": "Settings!A1:B1048576"}, "Settings reaches row"),
    ("Actions", {"used_range_row_count": 1048576}, "Actions reaches row 1,048,576"),
    ("Actions", {"used_range_column_count": 16384}, "Actions reaches column XFD"),
    ("Actions", {"values": [[""]] * 250_001}, "Actions reaches row 250,001"),
    ("Lists", {"values": [[""] * 5000]}, "Lists reaches column"),
])
def test_a_used_range_past_the_plans_bounds_is_too_large(served, folders, sheet, changes,
                                                         words):
    server, process = served[0], psutil.Process(served[1].pid)
    payload = with_sheet(folders["payload"], sheet, **changes)
    response = post_script(server, "check_return", payload)
    assert response.status_code == 413
    detail = response.json()["detail"]
    assert detail.startswith("TOO_LARGE: ") and words in detail
    assert process.memory_info().rss < 500 * MB
    assert_answers(server, folders)


@pytest.mark.parametrize("changes", [{"used_range_address": "A1:ZZZZ9"},
                                     {"used_range_row_count": "many"},
                                     {"values": "abc"},
                                     {"used_range_address": "$A$1:$AW$150000"}])
def test_a_sheet_that_is_not_office_js_shaped_is_400(server, folders, changes):
    response = post_script(server, "check_return", with_sheet(folders["payload"], "Actions",
                                                              **changes))
    assert response.status_code == 400


# -- cell functions: off the event loop, within a budget ---------------------------------------


def call_function(base: str, name: str, args: list, timeout: float = 120) -> httpx.Response:
    return httpx.post(base + FUNCS, json=function_payload(name, args), timeout=timeout)


@pytest.mark.parametrize("name, args", [
    ("days_since", [[[45000]] * 1_048_576, [[None]]]),
    ("kpi_rag", [[[80]] * 1_048_576, [[85]], [["High"]], [[None]]]),
])
def test_a_cell_function_over_a_whole_column_is_refused(server, name, args):
    response = call_function(server, name, args)
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert detail.startswith(f"#VALUE! XLT.{name.upper()}: 1,048,5") and "cells in one call" \
        in detail
    assert call_function(server, "next_period", [[["Q4 2019/20"]], [[None]]]).json() == {
        "result": [["Q1 2020/21"]]}


def test_a_cell_function_past_its_time_is_a_value_error_and_others_still_answer(folders):
    base, proc = start(folders["root"], env={"XLTOOLS_FUNCTION_SECONDS": "0.001"})
    try:
        slow = call_function(base, "days_since", [[[45000]] * 100_000, [[None]]])
        assert slow.status_code == 400
        assert "took longer than 0.001 seconds" in slow.text
    finally:
        stop(proc)


def test_a_whole_column_for_rag_count_still_answers_without_holding_up_others(server):
    """RAG_COUNT's range is passed as sent (no per-cell conversion): one whole column is
    within its budget, and it runs off the event loop while another cell answers."""
    result = {}
    big = threading.Thread(target=lambda: result.update(
        answer=call_function(server, "rag_count", [[["Red"]] * 1_048_576, [["Red"]]])))
    big.start()
    quick = call_function(server, "next_period", [[["Q4 2019/20"]], [[None]]])
    big.join(timeout=120)
    assert quick.json() == {"result": [["Q1 2020/21"]]}
    assert result["answer"].json() == {"result": [[1_048_576]]}
    more = call_function(server, "rag_count", [[["Red"]] * 1_048_577, [["Red"]]])
    assert more.status_code == 400 and "1,048,577 cells" in more.json()["detail"]


# -- the smaller items ---------------------------------------------------------------------


@pytest.mark.parametrize("variable", ["XLTOOLS_MAX_BODY_MB", "XLTOOLS_FILE_MAX_MB",
                                      "XLTOOLS_DOWNLOAD_MAX_MB", "XLTOOLS_DOWNLOAD_MINUTES",
                                      "XLTOOLS_DOWNLOAD_TOTAL_MB", "XLTOOLS_READ_TIMEOUT",
                                      "XLTOOLS_FUNCTION_SECONDS"])
@pytest.mark.parametrize("value", ["nan", "inf", "1e400", "-1", "lots"])
def test_a_bad_number_setting_stops_the_start_with_one_line(tmp_path, variable, value):
    done = serve_exits(tmp_path, env={variable: value})
    assert done.returncode == 2
    assert variable in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_a_tokens_file_others_can_write_is_refused_off_this_machine(folders, tmp_path):
    tokens = tmp_path / "tokens.json"
    make_token(tokens, "Pat", "pmo")
    tokens.chmod(0o666)
    done = serve_exits(tmp_path, "--host", "127.0.0.2", "--tokens", str(tokens))
    assert done.returncode == 2
    assert "other users can write tokens.json (mode 0666)" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    # on this machine only: it starts, with a warning
    base, proc = start(folders["root"], "--tokens", str(tokens))
    assert httpx.get(base + "/", timeout=30).status_code == 200
    log = server_log(proc)
    assert log.count("warning: tokens file tokens.json: other users can write") == 1, log


def test_an_upload_the_returns_folder_will_not_take_is_refused_in_words(folders):
    # a file size limit of 4 KB: every write of a return fails (EFBIG), as on a full disk
    base, proc = start(folders["root"], argv=["prlimit", "--fsize=4096", sys.executable,
                                              "-m", "xltools", "serve"])
    try:
        before = sorted(p.name for p in (folders["root"] / "returns").iterdir())
        from test_server_files import open_workbook_sheets  # the master open in Excel

        response = httpx.post(base + "/xltools/upload", timeout=120, files=[
            ("files", ("Lucy.xlsx", folders["return"].read_bytes(), XLSX))],
            data={"master": open_workbook_sheets(folders["master"])})
        assert response.status_code == 200, response.text
        (outcome,) = response.json()["files"]
        assert not outcome["accepted"]
        assert "would not take it" in outcome["reason"] and "ask IT" in outcome["reason"]
        assert sorted(p.name for p in (folders["root"] / "returns").iterdir()) == before
    finally:
        stop(proc)


def test_the_alert_dialog_shows_only_texts_the_server_sent(server, folders):
    phish = "Your password has expired: call 0800 000 000 with your PIN"
    page = httpx.get(server + "/xlwings/alert", timeout=30, params={
        "prompt": phish, "title": "IT Service Desk", "buttons": "ok", "mode": "info",
        "callback": ""})
    assert page.status_code == 200
    assert "0800" not in page.text and "IT Service Desk" not in page.text
    assert "see Last run in the xltools task pane" in page.text
    # nor by hiding it behind a text the server did send, as a second value
    actions = post_script(server, "check_return", folders["payload"]).json()["actions"]
    (sent,) = [a["args"] for a in actions if a["func"] == "alert"]
    twice = (f"/xlwings/alert?prompt={quote(sent[0])}&title={quote(sent[1])}"
             f"&prompt={quote(phish)}&buttons=ok&mode=info&callback=")
    assert "0800" not in httpx.get(server + twice, timeout=30).text
    # a text a button answered with is shown as sent
    actions = post_script(server, "check_return", folders["payload"]).json()["actions"]
    (alert,) = [a["args"] for a in actions if a["func"] == "alert"]
    page = httpx.get(server + "/xlwings/alert", timeout=30, params={
        "prompt": alert[0], "title": alert[1], "buttons": "ok", "mode": "info",
        "callback": ""})
    assert alert[0].split("\n")[0][:40] in page.text.replace("&#39;", "'")


def test_one_persons_presses_never_drop_anothers_fresh_link(monkeypatch):
    from xltools.errors import UsageError
    from xltools.excel.downloads import Store

    monkeypatch.setenv("XLTOOLS_DOWNLOAD_MAX_MB", "1")
    monkeypatch.setenv("XLTOOLS_DOWNLOAD_TOTAL_MB", "3")
    store = Store()
    theirs = store.put("token:Sam", "sam.zip", b"s" * 600_000, now=0)
    mine = [store.put("token:Pat", f"{n}.zip", b"p" * 600_000, now=n) for n in range(1, 6)]
    assert store.take(theirs, "token:Sam", now=10).data == b"s" * 600_000
    assert [store.take(t, "token:Pat", now=10) is not None for t in mine] == [
        False, False, False, False, True]
    # the whole process has a ceiling too (3 MB): past it a new offer is refused in words
    for who in ("a", "b"):
        store.put(who, "x.zip", b"x" * 1_100_000, now=20)
    with pytest.raises(UsageError, match="waiting to be downloaded"):
        store.put("c", "x.zip", b"x" * 1_100_000, now=21)


def test_an_entra_id_token_without_an_expiry_is_refused(folders, tmp_path):
    from joserfc import jwt
    from joserfc.jwk import KeySet, RSAKey

    tenant, client = "11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-2222222222"
    key = RSAKey.generate_key(2048, parameters={"kid": "k1", "use": "sig", "alg": "RS256"})
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps(KeySet([key]).as_dict(private=False)), encoding="utf-8")
    now = int(time.time())
    claims = {"ver": "2.0", "iss": f"https://login.microsoftonline.com/{tenant}/v2.0",
              "aud": client, "oid": "o1", "name": "Sam Entra", "roles": ["xltools.pmo"],
              "iat": now, "nbf": now - 10}
    forever = jwt.encode({"alg": "RS256", "kid": "k1"}, claims, key)
    expiring = jwt.encode({"alg": "RS256", "kid": "k1"}, {**claims, "exp": now + 3600}, key)
    base, proc = start(folders["root"], env={
        "XLWINGS_AUTH_PROVIDERS": '["entraid"]', "XLWINGS_AUTH_ENTRAID_CLIENT_ID": client,
        "XLWINGS_AUTH_ENTRAID_TENANT_ID": tenant, "XLTOOLS_ENTRAID_JWKS_FILE": str(jwks)})
    try:
        refused = post_script(base, "flag_stale", folders["payload"],
                              {"Authorization": f"Bearer {forever}"})
        assert refused.status_code == 401 and "no expiry" in refused.json()["detail"]
        assert post_script(base, "flag_stale", folders["payload"],
                           {"Authorization": f"Bearer {expiring}"}).status_code == 200
    finally:
        stop(proc)


def test_the_it_guide_gives_this_suites_true_size():
    import re

    root = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q",
                           "-p", "no:cacheprovider", "tests/test_server_security.py",
                           "tests/test_server_hostile.py"], cwd=root, capture_output=True,
                          text=True, timeout=300)
    collected = int(re.search(r"(\d+) tests? collected", done.stdout).group(1))
    guide = (root / "docs" / "it-guide.md").read_text(encoding="utf-8")
    stated = re.search(r"`tests/test_server_hostile.py`, (\d+) cases", guide.replace("\n", " "))
    assert stated and int(stated.group(1)) == collected
