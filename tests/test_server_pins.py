"""Pins for the server's trust rules that no other test held (issue 28): each test
here failed with the bug it names planted (bench/mutants.py). The real server over
real HTTP, signed in with tokens made by ``xltools token add``."""

from __future__ import annotations

import live_server
import pytest
from live_server import stop
from test_server_security import bearer, make_token, post_function

NEXT_PERIOD = ("next_period", [[["Q4 2019/20"]], [[None]]])


@pytest.fixture(scope="module")
def signed_in(tmp_path_factory):
    root = tmp_path_factory.mktemp("pins")
    for folder in ("returns", "out"):
        (root / folder).mkdir()
    tokens = root / "tokens.json"
    token = make_token(tokens, "Pat Jones", "pmo")
    base, proc = live_server.start(root, "--tokens", str(tokens), env={
        "XLTOOLS_RETURNS_DIR": str(root / "returns"), "XLTOOLS_OUTPUT_DIR": str(root / "out")})
    yield {"base": base, "tokens": tokens, "token": token}
    stop(proc)


def test_a_page_on_another_port_of_the_same_host_is_another_site(signed_in):
    """An origin is scheme, host *and* port: another program on this machine (another
    port) must not call the server with a signed-in user's token."""
    base, token = signed_in["base"], signed_in["token"]
    host, port = base.removeprefix("http://").split(":")
    other = f"http://{host}:{int(port) + 1}"
    refused = post_function(base, *NEXT_PERIOD, {**bearer(token), "Origin": other})
    assert refused.status_code == 403
    same = post_function(base, *NEXT_PERIOD, {**bearer(token), "Origin": base})
    assert same.status_code == 200, same.text


def test_a_deleted_tokens_file_lets_nobody_in(signed_in):
    """IT deleting the tokens file while the server runs revokes every token (fail
    closed), not the last tokens the server happened to have read."""
    base, token, tokens = signed_in["base"], signed_in["token"], signed_in["tokens"]
    assert post_function(base, *NEXT_PERIOD, bearer(token)).status_code == 200
    kept = tokens.read_bytes()
    tokens.unlink()
    try:
        refused = post_function(base, *NEXT_PERIOD, bearer(token))
        assert refused.status_code == 401
    finally:
        tokens.write_bytes(kept)
