"""The connection itself, before any request reaches the app: uvicorn's h11 protocol
with a header size cap, a header-read timeout and a per-address connection cap.

uvicorn (0.55) picks httptools when installed, which reads a request head of
any size (a 128 MB header stalled the server for 24 s), and neither protocol
times out a head that never finishes (1,100 half-sent heads used up every file
descriptor, locking everyone out). ``LimitedH11Protocol`` is passed to
``uvicorn.run(http=...)`` by ``xltools serve``:

- a request head over ``MAX_HEAD`` bytes is answered 431 and the connection
  closed, as soon as that many bytes have arrived without the head ending;
- a head must be complete within $XLTOOLS_READ_TIMEOUT seconds of the
  connection opening (or of the previous answer): else 408 and closed;
- one address may hold at most $XLTOOLS_MAX_CONNECTIONS_PER_IP connections
  (default 64); the next one is answered 503 and closed. Behind a proxy every
  connection comes from the proxy: raise it there and cap per client in the
  proxy (nginx ``limit_conn``).

Bodies are the app's business (``guard``): uvicorn stops reading a body the
app has not asked for after 64 KB, so an unread body costs no memory.
"""

from __future__ import annotations

import json
import os
from collections import Counter

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from ..errors import UsageError
from .request_limits import read_timeout

MAX_HEAD = 64 * 1024  # request line + headers; an Entra ID token is ~2-4 KB
PER_IP_ENV = "XLTOOLS_MAX_CONNECTIONS_PER_IP"
TOTAL_CONNECTIONS = 900  # under the usual 1,024 open files: uvicorn answers 503 above it


def per_ip() -> int:
    text = os.environ.get(PER_IP_ENV, "64").strip()
    if not text.isdigit() or int(text) < 1:
        raise UsageError(f"{PER_IP_ENV} must be a whole number of at least 1, not '{text}'")
    return int(text)


def _answer(status: int, sentence: str) -> bytes:
    body = json.dumps({"detail": sentence}).encode()
    reason = {408: "Request Timeout", 431: "Request Header Fields Too Large",
              503: "Service Unavailable"}[status]
    return (f"HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\n"
            f"content-length: {len(body)}\r\nconnection: close\r\n\r\n").encode() + body


TOO_LARGE = _answer(431, "The request headers are too large.")
TOO_SLOW = _answer(408, "The request took too long to arrive.")
TOO_MANY = _answer(503, "Too many connections from your address; try again shortly.")


class LimitedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with xltools' connection limits (see the module)."""

    open_per_ip: Counter = Counter()  # shared by every connection of this process

    def __init__(self, config, server_state, app_state, _loop=None) -> None:
        # let h11 buffer past MAX_HEAD by one read, so this class answers 431 first
        config.h11_max_incomplete_event_size = MAX_HEAD + 2**20
        super().__init__(config, server_state, app_state, _loop)
        self._head_bytes = 0
        self._head_timer = None
        self._counted: str | None = None

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        ip = self.client[0] if self.client else ""
        if self.open_per_ip[ip] >= per_ip():
            self.logger.warning("Refused a connection: too many open from one address.")
            self._refuse(TOO_MANY)
            return
        self.open_per_ip[ip] += 1
        self._counted = ip
        self._await_head()

    def connection_lost(self, exc) -> None:
        self._stop_head_timer()
        if self._counted is not None:
            self.open_per_ip[self._counted] -= 1
            if self.open_per_ip[self._counted] <= 0:
                del self.open_per_ip[self._counted]
            self._counted = None
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        waiting = self.conn.their_state is h11.IDLE
        if waiting:
            self._head_bytes += len(data)
        super().data_received(data)
        if self.transport.is_closing():
            return
        if self.conn.their_state is not h11.IDLE:  # the head is complete
            self._head_bytes = 0
            self._stop_head_timer()
        elif waiting and self._head_bytes > MAX_HEAD:
            self._refuse(TOO_LARGE)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._head_bytes = 0
            self._await_head()

    def _await_head(self) -> None:
        self._stop_head_timer()
        self._head_timer = self.loop.call_later(read_timeout(), self._head_too_slow)

    def _stop_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_too_slow(self) -> None:
        self._head_timer = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            # nothing sent at all after an answer is an idle keep-alive: just close
            self._refuse(TOO_SLOW if self._head_bytes else b"")

    def _refuse(self, answer: bytes) -> None:
        self._stop_head_timer()
        if answer:
            self.transport.write(answer)
        self.transport.close()
