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


# -- rules checked before anything is served (no server needed) ---------------------------


@pytest.mark.parametrize("bind", ["0.0.0.0", "::", "[::]"])
def test_every_address_ipv6_too_needs_a_name_to_answer_to(bind):
    """``--host ::`` answers on every IPv6 (and often IPv4) address, just as 0.0.0.0
    does: with sign-in it must still be told the name people reach it by."""
    from xltools.errors import UsageError
    from xltools.excel.callers import check_front

    with pytest.raises(UsageError, match="XLWINGS_HOSTNAME"):
        check_front({}, signed_in=True, bind=bind)
    check_front({"XLWINGS_HOSTNAME": "xltools.council.example"}, signed_in=True, bind=bind)


def _actions_sheet(**changes) -> dict:
    """One Actions sheet as Office.js sends it: its used range and the values in it."""
    return {"sheets": [{"name": "Actions", "used_range_address": "Actions!A1:C2",
                        "used_range_row_count": 2, "used_range_column_count": 3,
                        "values": [["ID", "Ref", "Action"], ["A-0001", "1.1", "Review"]],
                        **changes}]}


def test_a_sheet_sent_one_column_past_its_spare_columns_is_too_large():
    """The add-in's payload is held to the same bound as a file: the layout's columns
    plus SPARE_COLUMNS, and not one more."""
    from xltools.excel.payload_extent import refusal
    from xltools.workbook.extent import SPARE_COLUMNS
    from xltools.workbook.layout import col_letter
    from xltools.workbook.reader import sheet_width

    allowed = sheet_width("Actions") + SPARE_COLUMNS
    for cols, refused in ((allowed, False), (allowed + 1, True)):
        sheet = _actions_sheet(used_range_address=f"Actions!A1:{col_letter(cols)}2",
                               used_range_column_count=cols,
                               values=[[""] * cols, [""] * cols])
        answer = refusal(sheet)
        assert (answer is not None) == refused, (cols, answer)
    assert answer.startswith(f"TOO_LARGE: Actions reaches column {col_letter(allowed + 1)}")


@pytest.mark.parametrize("address", ["Actions!A1:C9", "Actions!A1:H2"])
def test_a_used_range_past_the_values_sent_on_either_axis_is_refused(address):
    """Office.js sends the values of the whole used range, so an address reaching past
    them (by rows *or* by columns) is not a workbook the add-in sent."""
    from xltools.excel.payload_extent import refusal

    assert refusal(_actions_sheet()) is None
    answer = refusal(_actions_sheet(used_range_address=address))
    assert answer is not None and "does not match itself" in answer


def test_a_damaged_tokens_file_lets_nobody_in(signed_in):
    """A tokens file saved half-written or edited by hand into bad JSON revokes every
    token until it is fixed, rather than leaving the old ones working unseen."""
    base, token, tokens = signed_in["base"], signed_in["token"], signed_in["tokens"]
    assert post_function(base, *NEXT_PERIOD, bearer(token)).status_code == 200
    kept = tokens.read_bytes()
    tokens.write_bytes(kept[: len(kept) // 2])
    try:
        assert post_function(base, *NEXT_PERIOD, bearer(token)).status_code == 401
    finally:
        tokens.write_bytes(kept)
    assert post_function(base, *NEXT_PERIOD, bearer(token)).status_code == 200
