"""The add-in server as an attacker meets it: the real ``xltools serve`` (uvicorn,
real sockets on 127.0.0.1) and real HTTP, including raw request paths that a
normal client would tidy up (``http.client`` sends them byte for byte, like
``curl --path-as-is``). Every hostile request must fail closed.
"""

from __future__ import annotations

import http.client
import os
import re
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import live_server
import pytest
from excel_books import write_master, write_returns
from live_server import stop
from officejs_payload import book_payload, function_payload

SENTINEL = "xltools-sentinel-7f3a9c"
SCRIPTS = "/xlwings/custom-scripts-call/"
FUNCS = "/xlwings/custom-functions-call"


def start(root: Path, *args: str, env: dict | None = None, **kw):
    """The server over ``root``'s returns/ and out/ folders (see live_server.start)."""
    folders = {"XLTOOLS_RETURNS_DIR": str(root / "returns"),
               "XLTOOLS_OUTPUT_DIR": str(root / "out")}
    return live_server.start(root, *args, env={**folders, **(env or {})}, **kw)


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    from conftest import SAMPLE_PLAN

    from xltools.plan import Plan

    root = tmp_path_factory.mktemp("security")
    master = write_master(root / "Master.xlsx", Plan.load(SAMPLE_PLAN))
    write_returns(master, root / "returns")
    (root / "secret.txt").write_text(SENTINEL, encoding="utf-8")
    (root / "returns" / "secret.txt").write_text(SENTINEL, encoding="utf-8")
    return {"root": root, "master": master}


@pytest.fixture(scope="module")
def default_server(folders):
    base, proc = start(folders["root"])
    yield base
    stop(proc)


def raw_get(base: str, path: str, method: str = "GET") -> tuple[int, bytes]:
    """Send ``path`` exactly as written (no normalisation, no re-encoding)."""
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


# -- static files cannot escape ------------------------------------------------------

UP = 24  # more "..": than any static folder is deep


def traversal_paths(target: Path) -> list[str]:
    """``target`` (absolute) reached from /static in every encoding we could think of."""
    rel = str(target).lstrip("/")
    enc_rel = rel.replace("/", "%2f")
    back_rel = rel.replace("/", "\\")
    paths = []
    for prefix in ("/static/", "/static/js/"):
        paths += [
            prefix + "../" * UP + rel,
            prefix + "%2e%2e/" * UP + rel,
            prefix + "%2e%2e%2f" * UP + enc_rel,
            prefix + "..%2f" * UP + rel,
            prefix + ".%2e/" * UP + rel,
            prefix + "%2E%2E/" * UP + rel,
            prefix + "%252e%252e%252f" * UP + rel,
            prefix + "..%252f" * UP + rel,
            prefix + "..%5c" * UP + rel.replace("/", "%5c"),
            prefix + "..\\" * UP + back_rel,
            prefix + "%2e%2e%5c" * UP + back_rel,
            prefix + "%c0%ae%c0%ae/" * UP + rel,
            prefix + "%c0%ae%c0%ae%c0%af" * UP + rel,
            prefix + "..;/" * UP + rel,
            prefix + "....//" * UP + rel,
            prefix + "/" + rel,
            prefix + "%2f" + enc_rel,
            prefix + "%2f" + rel,
            prefix + "%5c" + back_rel,
            prefix + "file:///" + rel,
        ]
    return paths + ["/static/C:%5cWindows%5cwin.ini", "/static/C:/Windows/win.ini",
                    "/static/js/%2e%2e/%2e%2e/custom_scripts/__init__.py",
                    "/static/%2e%2e/custom_scripts/__init__.py",
                    "/static/..%2fcustom_functions%2f__init__.py"]


def assert_refused(base: str, path: str, method: str = "GET") -> None:
    status, body = raw_get(base, path, method)
    assert status != 200, path
    assert SENTINEL.encode() not in body and b"root:" not in body, path
    assert b"import " not in body, path  # no Python source either


@pytest.mark.parametrize("where", ["root", "returns", "passwd"])
def test_static_route_never_leaves_the_static_folder(default_server, folders, where):
    target = {"root": folders["root"] / "secret.txt",
              "returns": folders["root"] / "returns" / "secret.txt",
              "passwd": Path("/etc/passwd")}[where]
    for path in traversal_paths(target):
        assert_refused(default_server, path)
    for path in traversal_paths(target)[:4]:
        assert_refused(default_server, path, "HEAD")


def test_task_pane_files_are_still_served(default_server):
    pane = httpx.get(default_server + "/taskpane.html", timeout=30)
    assert pane.status_code == 200
    urls = sorted(set(re.findall(r'(?:src|href)="(/static/[^"?#]+)', pane.text)))
    assert len(urls) >= 5, urls
    for url in [*urls, "/static/js/main.js", "/static/js/ribbon.js",
                "/static/js/auth.js", "/static/js/utils.js"]:
        response = httpx.get(default_server + url, timeout=30)
        assert response.status_code == 200, url
    # the project's own file wins over the package's file of the same name
    assert "xltoolsUnprotect" in httpx.get(default_server + "/static/js/main.js").text


# -- scripts run side by side, each answering its own caller ----------------------

# ``xltools serve`` with consolidation held until the test releases it: the
# wrapper says "started" and then waits for a "release" file (bounded).
SLOW_SERVE = """
import sys, time
from pathlib import Path
import xltools.excel.actions as actions
real = actions.consolidate
def held(book, *options):
    Path("started").write_text("1")
    deadline = time.monotonic() + 60
    while not Path("release").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return real(book, *options)
actions.consolidate = held
from xltools.cli import main
sys.exit(main(sys.argv[1:]))
"""


def post_script(base: str, script: str, payload: dict, headers: dict | None = None,
                timeout: float = 120) -> httpx.Response:
    return httpx.post(f"{base}{SCRIPTS}{script}", json=payload, headers=headers or {},
                      timeout=timeout)


def post_function(base: str, name: str, args: list, headers: dict | None = None,
                  timeout: float = 30) -> httpx.Response:
    return httpx.post(base + FUNCS, json=function_payload(name, args), headers=headers or {},
                      timeout=timeout)


def test_a_long_consolidation_does_not_stall_a_cell_function(folders, tmp_path):
    root = folders["root"]
    for marker in ("started", "release"):
        (root / marker).unlink(missing_ok=True)
    base, proc = start(root, env={}, argv=[sys.executable, "-c", SLOW_SERVE, "serve"])
    try:
        result = {}
        consolidation = threading.Thread(target=lambda: result.update(
            response=post_script(base, "consolidate", book_payload(folders["master"]))))
        consolidation.start()
        deadline = time.monotonic() + 60
        while not (root / "started").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert (root / "started").exists()
        # the consolidation is now running (held); a cell function still answers
        answer = post_function(base, "next_period", [[["Q4 2019/20"]], [[None]]], timeout=20)
        assert answer.json() == {"result": [["Q1 2020/21"]]}
        assert consolidation.is_alive() and "response" not in result
        (root / "release").write_text("1")
        consolidation.join(timeout=120)
        assert result["response"].status_code == 200
        assert any(a["func"] == "alert" for a in result["response"].json()["actions"])
    finally:
        (root / "release").write_text("1")
        stop(proc)
        for marker in ("started", "release"):
            (root / marker).unlink(missing_ok=True)


def test_concurrent_scripts_get_only_their_own_alerts(default_server, folders):
    def one(n: int) -> list[dict]:
        payload = book_payload(folders["master"])
        payload["book"]["name"] = f"Master {n}.xlsx"
        response = post_script(default_server, "flag_stale", payload)
        assert response.status_code == 200, response.text
        return response.json()["actions"]

    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(one, range(32)))
    for actions in answers:
        funcs = [a["func"] for a in actions]
        assert funcs.count("alert") == 1
        assert [a["args"] for a in actions if a["func"] == "runMacro"] == [
            ["xltoolsUnprotect", "Actions"], ["xltoolsProtect", "Actions"]]


# -- sign-in, tokens and roles ----------------------------------------------------------


def make_token(tokens: Path, name: str, role: str) -> str:
    done = subprocess.run([sys.executable, "-m", "xltools", "token", "add", name, "--role", role,
                           "--tokens", str(tokens)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def token_server(folders):
    tokens = folders["root"] / "tokens.json"
    people = {role: make_token(tokens, f"{role.title()} Person", role)
              for role in ("pmo", "officer", "finance")}
    people["leaver"] = make_token(tokens, "Leaver", "pmo")
    base, proc = start(folders["root"], "--tokens", str(tokens))
    yield {"base": base, "tokens": tokens, **people}
    stop(proc)


PMO_SCRIPTS = ["issue_returns", "consolidate", "flag_stale", "refresh_dashboard",
               "next_quarter"]


def test_the_token_file_holds_no_token(token_server):
    text = token_server["tokens"].read_text(encoding="utf-8")
    for role in ("pmo", "officer", "finance"):
        assert token_server[role] not in text
    assert token_server["tokens"].stat().st_mode & 0o077 == 0


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer"},
                                     {"Authorization": "Bearer xlt_not-a-real-token"},
                                     {"Authorization": "Basic cG1vOnBtbw=="}])
def test_no_or_wrong_token_is_401(token_server, folders, headers):
    base = token_server["base"]
    response = post_script(base, "check_return", book_payload(folders["master"]), headers)
    assert response.status_code == 401
    assert "token" in response.json()["detail"]
    assert post_function(base, "next_period", [[["Q4 2019/20"]], [[None]]],
                         headers).status_code == 401


def test_a_token_looks_up_its_role_not_its_prefix(token_server, folders):
    # a token's hash must match exactly: a prefix of a real token is refused
    response = post_script(token_server["base"], "check_return",
                           book_payload(folders["master"]),
                           bearer(token_server["pmo"][:-1]))
    assert response.status_code == 401


@pytest.mark.parametrize("script", PMO_SCRIPTS + ["reconcile_savings"])
def test_an_officer_cannot_press_pmo_buttons(token_server, folders, script):
    response = post_script(token_server["base"], script, book_payload(folders["master"]),
                           bearer(token_server["officer"]))
    assert response.status_code == 403
    detail = response.json()["detail"]
    assert detail.startswith("This needs the ") and "Officer Person signed in with officer" \
        in detail


def test_finance_may_reconcile_but_not_consolidate(token_server, folders):
    base, payload = token_server["base"], book_payload(folders["master"])
    assert post_script(base, "consolidate", payload, bearer(token_server["finance"])
                       ).status_code == 403
    response = post_script(base, "reconcile_savings", payload, bearer(token_server["finance"]))
    assert response.status_code == 200, response.text
    assert any(a["func"] == "alert" for a in response.json()["actions"])


def test_an_officer_may_check_a_return_and_use_functions(token_server, folders):
    base = token_server["base"]
    response = post_script(base, "check_return", book_payload(folders["master"]),
                           bearer(token_server["officer"]))
    assert response.status_code == 200
    answer = post_function(base, "next_period", [[["Q4 2019/20"]], [[None]]],
                           bearer(token_server["officer"]))
    assert answer.json() == {"result": [["Q1 2020/21"]]}


def test_pmo_consolidates_as_before(token_server, folders):
    response = post_script(token_server["base"], "consolidate", book_payload(folders["master"]),
                           bearer(token_server["pmo"]))
    assert response.status_code == 200, response.text
    actions = response.json()["actions"]
    (alert,) = [a["args"][0] for a in actions if a["func"] == "alert"]
    assert "files in the returns folder merged" in alert
    assert any(a["func"] == "setValues" for a in actions)


def test_a_revoked_token_is_refused_at_once(token_server, folders):
    base, payload = token_server["base"], book_payload(folders["master"])
    assert post_script(base, "flag_stale", payload, bearer(token_server["leaver"])
                       ).status_code == 200
    done = subprocess.run([sys.executable, "-m", "xltools", "token", "revoke", "Leaver",
                           "--tokens", str(token_server["tokens"])],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert post_script(base, "flag_stale", payload, bearer(token_server["leaver"])
                       ).status_code == 401


def test_the_task_pane_asks_for_the_token_when_tokens_are_on(token_server, default_server):
    pane = httpx.get(token_server["base"] + "/taskpane.html", timeout=30).text
    assert 'id="xlt-token"' in pane and "/static/js/signin.js" in pane
    assert 'id="xlt-token"' not in httpx.get(default_server + "/taskpane.html", timeout=30).text
    auth = httpx.get(token_server["base"] + "/static/js/auth.js", timeout=30).text
    assert "xltools.token" in auth and "globalThis.getAuth" in auth


# -- who may start the server where ---------------------------------------------------


def serve_exits(root: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    full_env = dict(os.environ, XLWINGS_LICENSE_KEY="noncommercial", **(env or {}))
    return subprocess.run([sys.executable, "-m", "xltools", "serve", "--port",
                           str(live_server.free_port()), *args], env=full_env, cwd=root,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("args, env, words", [
    (["--host", "0.0.0.0"], {}, "--tokens"),
    (["--host", "127.0.0.2"], {}, "--tokens"),
    (["--host", "0.0.0.0"], {"XLWINGS_AUTH_PROVIDERS": '["custom"]'}, "not allowed"),
    ([], {"XLWINGS_AUTH_PROVIDERS": '["custom"]'}, "not allowed"),
    ([], {"XLWINGS_AUTH_PROVIDERS": "entraid"}, "JSON list"),
    ([], {"XLWINGS_AUTH_PROVIDERS": '["entraid"]'}, "XLWINGS_AUTH_ENTRAID_CLIENT_ID"),
    ([], {"XLWINGS_AUTH_PROVIDERS": '["entraid"]', "XLWINGS_AUTH_ENTRAID_CLIENT_ID": "c",
          "XLWINGS_AUTH_ENTRAID_TENANT_ID": "t", "XLWINGS_AUTH_ENTRAID_MULTITENANT": "true"},
     "MULTITENANT"),
    (["--tokens", "missing.json"], {}, "does not exist"),
    ([], {"XLWINGS_CORS_ALLOW_ORIGINS": '["*"]'}, "'*'"),
    ([], {"XLTOOLS_MAX_BODY_MB": "lots"}, "XLTOOLS_MAX_BODY_MB"),
    ([], {"XLTOOLS_SCRIPT_WORKERS": "0"}, "XLTOOLS_SCRIPT_WORKERS"),
])
def test_serve_refuses_an_unsafe_start_with_one_line(tmp_path, args, env, words):
    done = serve_exits(tmp_path, *args, env=env)
    assert done.returncode == 2
    assert words in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_serve_off_this_machine_starts_with_tokens(folders, token_server):
    # 127.0.0.2 is loopback to the kernel but not "this machine" to xltools' rule
    base, proc = start(folders["root"], "--host", "127.0.0.2", "--tokens",
                       str(token_server["tokens"]), poll_host="127.0.0.2")
    try:
        response = post_script(base, "check_return", book_payload(folders["master"]))
        assert response.status_code == 401
    finally:
        stop(proc)


# -- Entra ID, offline: a local key set stands in for Microsoft's -------------------------

TENANT, CLIENT = "11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222"


@pytest.fixture(scope="module")
def entra_server(folders, tmp_path_factory):
    import json

    from joserfc import jwt
    from joserfc.jwk import KeySet, RSAKey

    where = tmp_path_factory.mktemp("entra")
    key = RSAKey.generate_key(2048, parameters={"kid": "k1", "use": "sig", "alg": "RS256"})
    jwks = where / "jwks.json"
    jwks.write_text(json.dumps(KeySet([key]).as_dict(private=False)), encoding="utf-8")
    stranger = RSAKey.generate_key(2048, parameters={"kid": "k1", "alg": "RS256"})

    def token(roles, aud=CLIENT, life=3600, signer=key):
        now = int(time.time())
        claims = {"ver": "2.0", "iss": f"https://login.microsoftonline.com/{TENANT}/v2.0",
                  "aud": aud, "oid": "o1", "name": "Sam Entra",
                  "preferred_username": "sam@council.example", "roles": roles,
                  "iat": now, "nbf": now - 10, "exp": now + life}
        return jwt.encode({"alg": "RS256", "kid": "k1"}, claims, signer)

    base, proc = start(folders["root"], env={
        "XLWINGS_AUTH_PROVIDERS": '["entraid"]', "XLWINGS_AUTH_ENTRAID_CLIENT_ID": CLIENT,
        "XLWINGS_AUTH_ENTRAID_TENANT_ID": TENANT, "XLTOOLS_ENTRAID_JWKS_FILE": str(jwks)})
    yield {"base": base, "pmo": token(["xltools.pmo"]), "officer": token(["xltools.officer"]),
           "wrong_audience": token(["xltools.pmo"], aud="someone-else"),
           "expired": token(["xltools.pmo"], life=-100),
           "forged": token(["xltools.pmo"], signer=stranger)}
    stop(proc)


def test_entra_id_roles_come_from_the_token(entra_server, folders):
    base, payload = entra_server["base"], book_payload(folders["master"])
    assert post_script(base, "flag_stale", payload, bearer(entra_server["pmo"])
                       ).status_code == 200
    refused = post_script(base, "flag_stale", payload, bearer(entra_server["officer"]))
    assert refused.status_code == 403 and "Sam Entra" in refused.json()["detail"]
    assert post_script(base, "check_return", payload, bearer(entra_server["officer"])
                       ).status_code == 200


@pytest.mark.parametrize("which", ["wrong_audience", "expired", "forged", None])
def test_entra_id_refuses_bad_tokens(entra_server, folders, which):
    headers = bearer(entra_server[which]) if which else {}
    response = post_script(entra_server["base"], "check_return",
                           book_payload(folders["master"]), headers)
    assert response.status_code == 401


def test_entra_id_manifest_asks_office_for_sign_in(entra_server):
    manifest = httpx.get(entra_server["base"] + "/manifest.xml", timeout=30).text
    assert "<WebApplicationInfo>" in manifest and CLIENT in manifest


# -- only JSON, only from the add-in, only so big -----------------------------------------


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=x", None,
                                          "application/jsonp", "text/json"])
def test_a_non_json_call_is_415_and_runs_nothing(default_server, folders, content_type):
    import json

    before = sorted(p.name for p in (folders["root"] / "out").glob("*")) \
        if (folders["root"] / "out").exists() else []
    body = json.dumps(book_payload(folders["master"])).encode()
    headers = {"Content-Type": content_type} if content_type else {}
    for path in (SCRIPTS + "next_quarter", FUNCS):
        response = httpx.post(default_server + path, content=body, headers=headers, timeout=60)
        assert response.status_code == 415, (path, response.text)
        assert "add-in" in response.json()["detail"]
    after = sorted(p.name for p in (folders["root"] / "out").glob("*")) \
        if (folders["root"] / "out").exists() else []
    assert after == before


def test_json_with_a_charset_is_fine(default_server, folders):
    import json

    response = httpx.post(default_server + SCRIPTS + "check_return",
                          content=json.dumps(book_payload(folders["master"])).encode(),
                          headers={"Content-Type": "application/json; charset=utf-8"},
                          timeout=60)
    assert response.status_code == 200


def test_other_sites_are_refused(default_server, folders):
    evil = {"Origin": "https://evil.example"}
    preflight = httpx.options(default_server + SCRIPTS + "check_return", timeout=30, headers={
        **evil, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert "access-control-allow-origin" not in preflight.headers
    response = post_script(default_server, "check_return", book_payload(folders["master"]),
                           evil)
    assert response.status_code == 403
    assert "access-control-allow-origin" not in response.headers
    # the task pane itself (same origin) is fine
    same = post_script(default_server, "check_return", book_payload(folders["master"]),
                       {"Origin": default_server})
    assert same.status_code == 200


def test_a_50_mb_body_is_413(default_server):
    big = b"[" + b"0," * (25 * 2**20) + b"0]"  # 50 MB of JSON
    for path in (SCRIPTS + "consolidate", FUNCS):
        response = httpx.post(default_server + path, content=big, timeout=120,
                              headers={"Content-Type": "application/json"})
        assert response.status_code == 413
        assert "too large" in response.json()["detail"]


def test_a_chunked_body_past_the_limit_is_413(default_server):
    def chunks():
        for _ in range(30):  # 30 x 1 MB, no Content-Length
            yield b" " * 2**20
    response = httpx.post(default_server + SCRIPTS + "consolidate", content=chunks(),
                          headers={"Content-Type": "application/json"}, timeout=120)
    assert response.status_code == 413


def test_the_limit_is_configurable(folders):
    base, proc = start(folders["root"], env={"XLTOOLS_MAX_BODY_MB": "1"})
    try:
        body = b'{"pad": "' + b"x" * (2 * 2**20) + b'"}'
        response = httpx.post(base + SCRIPTS + "check_return", content=body, timeout=60,
                              headers={"Content-Type": "application/json"})
        assert response.status_code == 413 and "(limit 1 MB)" in response.json()["detail"]
    finally:
        stop(proc)


@pytest.mark.parametrize("body", [b"{not json", b"\xff\xfe{}", b"[1, 2]", b"", b"null",
                                  b'"text"'])
def test_malformed_bodies_are_400_with_a_sentence(default_server, body):
    for path in (SCRIPTS + "check_return", FUNCS):
        response = httpx.post(default_server + path, content=body, timeout=30,
                              headers={"Content-Type": "application/json"})
        assert response.status_code == 400, (path, body, response.text)
        assert response.json()["detail"].endswith(".")


@pytest.mark.parametrize("change", [{"func_name": "__class__"}, {"func_name": "nope"},
                                    {"func_name": None}, {"args": None}, {"args": "x"}])
def test_a_function_call_must_name_a_function_and_pass_arguments(default_server, change):
    payload = {**function_payload("next_period", [[["Q4 2019/20"]], [[None]]]), **change}
    response = httpx.post(default_server + FUNCS, json=payload, timeout=30)
    assert response.status_code == 400
    assert response.json()["detail"] == "The request was not a valid xltools call."


def test_unknown_scripts_paths_and_methods_are_refused(default_server, folders):
    payload = book_payload(folders["master"])
    assert post_script(default_server, "__init__", payload).status_code == 404
    assert post_script(default_server, "secure_static", payload).status_code == 404
    assert httpx.post(default_server + "/xlwings/alert", json={}, timeout=30
                      ).status_code == 404
    assert httpx.request("PUT", default_server + "/static/js/x.js", content=b"x", timeout=30
                         ).status_code == 405
    assert httpx.delete(default_server + "/taskpane.html", timeout=30).status_code == 405


def test_a_call_through_a_proxy_needs_sign_in(default_server, folders):
    response = post_script(default_server, "check_return", book_payload(folders["master"]),
                           {"X-Forwarded-For": "203.0.113.9"})
    assert response.status_code == 401
    assert "only answers on its own machine" in response.json()["detail"]


# -- no internals in answers ---------------------------------------------------------------

ALL_SCRIPTS = ["check_return", *PMO_SCRIPTS, "reconcile_savings"]


def with_cell(payload: dict, sheet: str, row: int, column: int, value) -> dict:
    (target,) = [s for s in payload["sheets"] if s["name"] == sheet]
    target["values"][row][column] = value
    return payload


@pytest.mark.parametrize("script", ALL_SCRIPTS)
def test_a_broken_character_in_a_cell_is_an_alert_naming_the_cell(default_server, folders,
                                                                  script):
    import json

    payload = with_cell(book_payload(folders["master"]), "Actions", 1, 11, "half \ud83d emoji")
    response = httpx.post(default_server + SCRIPTS + script, timeout=60,
                          content=json.dumps(payload).encode("ascii"),  # "\ud83d" escaped
                          headers={"Content-Type": "application/json"})
    assert response.status_code == 200, response.text
    (alert,) = [a["args"][0] for a in response.json()["actions"] if a["func"] == "alert"]
    assert alert.startswith("Actions!L2: this cell holds a character that is not valid text")


def test_a_broken_character_in_a_function_argument_is_a_value_error(default_server):
    import json

    body = json.dumps(function_payload("next_period", [[["Q4 \udc00"]], [[None]]]))
    response = httpx.post(default_server + FUNCS, content=body.encode("ascii"), timeout=30,
                          headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["detail"].startswith("#VALUE! XLT.NEXT_PERIOD:")


ABSOLUTE = re.compile(r"(?<![\w.])(?:[A-Za-z]:)?[\\/](?:[\w.\- ]+[\\/])+")


@pytest.mark.parametrize("script", ALL_SCRIPTS)
def test_no_answer_shows_a_server_path(default_server, folders, script):
    response = post_script(default_server, script, book_payload(folders["master"]))
    assert response.status_code == 200
    for text in strings(response.json()):
        assert str(folders["root"]) not in text and not ABSOLUTE.search(text), text


def strings(value) -> list[str]:
    """Every text inside a JSON answer (alerts, cell values written, sheet names)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


def test_a_missing_returns_folder_is_named_by_role_not_path(folders, tmp_path):
    base, proc = start(folders["root"], env={"XLTOOLS_RETURNS_DIR": str(tmp_path / "gone")})
    try:
        response = post_script(base, "consolidate", book_payload(folders["master"]))
        (alert,) = [a["args"][0] for a in response.json()["actions"] if a["func"] == "alert"]
        assert alert.startswith("the returns folder does not exist")
        assert str(tmp_path) not in response.text
    finally:
        stop(proc)


# -- who may write what: outputs never overwrite, names cannot leave the output folder ---------


def test_next_quarter_twice_keeps_both_workbooks(default_server, folders):
    payload = book_payload(folders["master"], args=[False, True])  # no returns this quarter
    payload["book"]["name"] = "Twice.xlsx"
    for _ in range(2):
        assert post_script(default_server, "next_quarter", payload).status_code == 200
    out = folders["root"] / "out"
    assert sorted(p.name for p in out.glob("Twice*")) == ["Twice Q3 2019-20 (2).xlsx",
                                                         "Twice Q3 2019-20.xlsx"]


@pytest.mark.parametrize("name", ["../../escaped.xlsx", "..\\..\\escaped.xlsx",
                                  "/tmp/escaped.xlsx", "C:\\escaped.xlsx", "..xlsx",
                                  "esc<aped>:|?*.xlsx"])
def test_a_workbook_name_cannot_place_files_outside_the_output_folder(default_server, folders,
                                                                      name):
    payload = book_payload(folders["master"], args=[False, True])  # no returns this quarter
    payload["book"]["name"] = name
    before = set(folders["root"].rglob("*"))
    response = post_script(default_server, "next_quarter", payload)
    assert response.status_code == 200
    new = set(folders["root"].rglob("*")) - before
    assert len(new) == 1
    (made,) = new
    assert made.parent == folders["root"] / "out"
    assert not any(ch in made.name for ch in '\\/<>:|?*') and ".." not in made.name


# -- the roles and the token command, without a server -----------------------------------------


def test_every_script_asks_for_its_buttons_roles(monkeypatch):
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")
    from xltools.addin.buttons import BUTTONS
    from xltools.excel import scripts

    required = {b.script: getattr(scripts, b.script).__xlscript__["required_roles"]
                for b in BUTTONS}
    assert required == {"check_return": None, "issue_returns": ["pmo"],
                        "consolidate": ["pmo"], "flag_stale": ["pmo"],
                        "chase_officers": ["pmo"], "refresh_dashboard": ["pmo"],
                        "next_quarter": ["pmo"],
                        "reconcile_savings": ["finance", "pmo"],
                        "issue_savings_returns": ["finance", "pmo"]}


def token_cli(*args: str, env: dict | None = None, cwd: Path | None = None):
    return subprocess.run([sys.executable, "-m", "xltools", "token", *args],
                          capture_output=True, text=True, timeout=60, cwd=cwd,
                          env={**os.environ, **(env or {})})


def test_token_add_list_revoke(tmp_path):
    tokens = tmp_path / "t.json"
    added = token_cli("add", "Pat Jones", "--role", "pmo", "--tokens", str(tokens))
    assert added.returncode == 0
    token = added.stdout.strip()
    assert token.startswith("xlt_") and len(token) > 40 and "\n" not in token
    assert token not in tokens.read_text(encoding="utf-8")
    assert tokens.stat().st_mode & 0o777 == 0o600
    # the default file comes from $XLTOOLS_TOKENS_FILE
    assert token_cli("add", "Sam", "--role", "officer",
                     env={"XLTOOLS_TOKENS_FILE": str(tokens)}).returncode == 0
    listed = token_cli("list", "--tokens", str(tokens))
    assert [line.split("\t")[:2] for line in listed.stdout.splitlines()] == [
        ["Pat Jones", "pmo"], ["Sam", "officer"]]
    assert token not in listed.stdout
    assert token_cli("revoke", "Sam", "--tokens", str(tokens)).returncode == 0
    assert "Sam" not in token_cli("list", "--tokens", str(tokens)).stdout


@pytest.mark.parametrize("args", [["add", "Pat Jones", "--role", "pmo"],
                                  ["add", "Someone", "--role", "admin"],
                                  ["add", " ", "--role", "pmo"],
                                  ["revoke", "Nobody"]])
def test_token_mistakes_exit_2(tmp_path, args):
    tokens = tmp_path / "t.json"
    assert token_cli("add", "Pat Jones", "--role", "pmo", "--tokens", str(tokens)
                     ).returncode == 0
    done = token_cli(*args, "--tokens", str(tokens))
    assert done.returncode == 2
    assert done.stderr.strip()
    assert len(json_tokens(tokens)) == 1


def json_tokens(path: Path) -> list:
    import json

    return json.loads(path.read_text(encoding="utf-8"))["tokens"]


def test_whoami_reuses_the_sign_in_for_xltools_routes(token_server):
    base = token_server["base"]
    assert httpx.get(base + "/xltools/whoami", timeout=30).status_code == 401
    me = httpx.get(base + "/xltools/whoami", headers=bearer(token_server["finance"]), timeout=30)
    assert me.json() == {"name": "Finance Person", "roles": ["finance"], "signed_in": True}


def test_static_route_never_leaves_the_folder_with_sign_in_on(token_server, folders):
    for path in traversal_paths(folders["root"] / "returns" / "secret.txt"):
        assert_refused(token_server["base"], path)
    assert httpx.get(token_server["base"] + "/static/js/main.js", timeout=30).status_code == 200
