"""The add-in server's front door: what reaches xlwings Server at all.

A pure ASGI wrapper around xlwings Server (outside its CORS layer), because
the checks must happen before any script runs or any body is parsed:

- only GET, HEAD, OPTIONS and POST; POST only to a known script, the cell
  functions, or a path a later feature registers in ``post_paths``;
- script and function calls must be ``application/json``: a cross-site page
  can send ``text/plain`` or a form without a CORS preflight, JSON it cannot;
- a call carrying an ``Origin`` must come from the server's own origin (or one
  listed in XLWINGS_CORS_ALLOW_ORIGINS);
- every request's ``Host`` must be a name this server answers to (421
  otherwise: DNS rebinding), and with no sign-in configured a request carrying
  any proxy header is refused (401) — see ``callers``; calls (and downloads, and
  the last run's answer) are then answered only from this machine;
- with sign-in configured, the caller's token (and a button's role) is checked
  before a byte of the body is read;
- a body must keep arriving (``request_limits.body_deadline``: 408 otherwise),
  and a JSON body nesting deeper than ``request_limits.MAX_DEPTH`` is refused
  (400) before any parser sees it;
- bodies above the limit get 413 before they are read, or as soon as they
  grow past it (chunked uploads); the body is buffered here, so the app never
  sees a partial one. The limit is $XLTOOLS_MAX_BODY_MB, except for the paths
  in ``file_limits`` (consolidate by file: the master's .xlsx, its own
  $XLTOOLS_FILE_MAX_MB);
- a function call must name a real function and carry a list of arguments, of
  at most $XLTOOLS_FUNCTION_MAX_CELLS cells in all;
- ``/xlwings/alert`` (the dialog an answer opens, which carries no sign-in)
  shows only a text the server itself answered with (``alert_texts``); any
  other text in its query becomes a pointer to the task pane.

Refusals are JSON ``{"detail": sentence}``: the task pane shows ``detail``.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable, Iterable
from contextvars import ContextVar
from urllib.parse import parse_qs, urlencode, urlsplit

import anyio
from starlette.datastructures import Headers

from . import alert_texts
from .callers import LOOPBACK_NAMES, host_name, proxy_header
from .request_limits import body_deadline, cells, too_deep

SCRIPTS = "/xlwings/custom-scripts-call/"
FUNCS = "/xlwings/custom-functions-call"
METHODS = ("GET", "HEAD", "OPTIONS", "POST")

NOT_JSON = "The server only accepts calls from the xltools add-in (JSON)."
NOT_LOCAL = ("This server has no sign-in configured, so it only answers on its own machine; "
             "ask IT to set up sign-in (docs/it-guide.md).")
BAD_CALL = "The request was not a valid xltools call."
TOO_DEEP = "The request nests too deeply to be a call from the xltools add-in."
TOO_SLOW = "The request took too long to arrive."
WRONG_HOST = ("This server does not answer to that name; use the address IT gave you "
              "(docs/it-guide.md).")
ALERT = "/xlwings/alert"
WHOLE_COLUMN = 1_048_576  # Excel's rows: the most cells a "raw" function argument may pass
UPLOAD = "/xltools/upload"
MAX_BODY_ENV = "XLTOOLS_MAX_BODY_MB"
# GETs that hand out someone's files or answers: without sign-in, this machine only
PRIVATE_GETS = ("/xltools/download/", "/xltools/last-run")
# the server's address as the caller sees it, for the links a script answers with
BASE_URL: ContextVar[str] = ContextVar("xltools_base_url", default="")


def too_large(limit: int, env: str = MAX_BODY_ENV) -> str:
    return (f"The workbook is too large to send to the server (limit {limit / 2**20:g} MB); "
            f"ask IT to raise {env}.")


async def reply(send, status: int, sentence: str, headers: Iterable[tuple[bytes, bytes]] = ()):
    body = json.dumps({"detail": sentence}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close"),
                            (b"x-content-type-options", b"nosniff"), *headers]})
    await send({"type": "http.response.body", "body": body})


def is_loopback(host: str | None) -> bool:
    try:
        return host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Guard:
    """Wrap ``app`` (xlwings Server's outer ASGI app) with xltools' request rules."""

    def __init__(self, app, *, max_body: int, scripts: Iterable[str],
                 functions: Iterable[str], signed_in: bool,
                 origins: Iterable[str] = (), post_paths: Iterable[str] = (),
                 public_base: str = "", app_path: str = "",
                 file_limits: dict[str, tuple[int, str]] | None = None,
                 hosts: Iterable[str] = LOOPBACK_NAMES,
                 sign_in: Callable[[Headers, str], Awaitable[tuple[int, str] | None]]
                 | None = None, read_timeout: float = 20.0,
                 function_cells: int = 200_000,
                 raw_args: dict[str, set[int]] | None = None):
        self.app = app
        self.max_body = max_body
        self.scripts = set(scripts)
        self.functions = set(functions)
        self.signed_in = signed_in
        self.origins = {o.rstrip("/") for o in origins if o}
        # path -> (body limit, its environment variable): POSTs of whole files
        self.file_limits = dict(file_limits or {})
        self.post_paths = set(post_paths) | set(self.file_limits)  # later routes register
        self.public_base = public_base.rstrip("/")
        self.app_path = app_path.rstrip("/")
        self.hosts = frozenset(hosts)
        self.sign_in = sign_in  # token (and role) before the body: None when nobody signs in
        self.read_timeout = read_timeout
        self.function_cells = function_cells
        self.proxy_seen = False
        # function -> positions of its "raw" arguments: passed as sent, never converted
        # cell by cell, so one whole column (1,048,576 cells) is affordable there
        self.raw_args = raw_args or {}

    async def __call__(self, scope, receive, send):
        if scope["type"] == "lifespan":
            return await self.app(scope, receive, send)
        if scope["type"] != "http":  # no websockets (socket.io is off)
            return await send({"type": "websocket.close", "code": 1008})
        method, path = scope["method"], scope["path"]
        headers = Headers(scope=scope)
        refusal = self.refuse_caller(scope, headers)
        if refusal:
            return await reply(send, *refusal)
        if method not in METHODS:
            return await reply(send, 405, "That method is not allowed here.")
        if method != "POST":
            if path.startswith(PRIVATE_GETS) and not self.is_local_or_signed_in(scope):
                return await reply(send, 401, NOT_LOCAL)
            if path == self.app_path + ALERT:
                scope = {**scope, "query_string": known_alert(scope.get("query_string", b""))}
            return await self.app(scope, receive, send)
        refusal = self.refuse_post(scope, headers)
        if refusal is None and self.sign_in is not None:
            refusal = await self.sign_in(headers, path)
        if refusal:
            return await reply(send, *refusal)
        body = await self.read_body(receive, send, *self.limit(path))
        if body is None:
            return None
        if path == FUNCS or path.startswith(SCRIPTS):  # the JSON calls (415 otherwise)
            if await anyio.to_thread.run_sync(too_deep, body):
                return await reply(send, 400, TOO_DEEP)
        if path == FUNCS:
            problem = await anyio.to_thread.run_sync(self.check_function_call, body)
            if problem:
                return await reply(send, 400, problem)
        token = BASE_URL.set(self.base_url(scope, headers))
        try:
            await self.app(scope, replay(body, receive), send)
        finally:
            BASE_URL.reset(token)

    def base_url(self, scope, headers: Headers) -> str:
        """Where the caller reaches this server (download links point there): the
        public name if configured, else the Host the request came to."""
        if self.public_base:
            return self.public_base
        scheme = "https" if scope.get("scheme") == "https" else "http"
        host = headers.get("host") or ""
        if not re.fullmatch(r"[A-Za-z0-9.\-]+(:\d{1,5})?|\[[0-9A-Fa-f:.]+\](:\d{1,5})?", host):
            return ""
        return f"{scheme}://{host}{self.app_path}"

    def refuse_caller(self, scope, headers: Headers) -> tuple[int, str] | None:
        """A request for another name (421), or through a proxy with nobody signing in."""
        host = headers.get("host")
        if host is None or host_name(host) not in self.hosts:
            return 421, WRONG_HOST
        if not self.signed_in:
            header = proxy_header(k.decode("latin-1").lower() for k, _ in scope["headers"])
            if header:
                self.warn_proxy(header)
                return 401, NOT_LOCAL
        return None

    def warn_proxy(self, header: str) -> None:
        """Tell IT once that a proxy is in front of a server nobody signs in to."""
        if not self.proxy_seen:
            self.proxy_seen = True
            logging.getLogger("uvicorn.error").warning(
                "A request came through a proxy (%s header) but this server has no sign-in: "
                "every such request is refused. Set up sign-in (docs/it-guide.md).", header)

    def refuse_post(self, scope, headers: Headers) -> tuple[int, str] | None:
        """Why this POST may not go on (status, sentence), or None."""
        path = scope["path"]
        call = path == FUNCS or path.startswith(SCRIPTS)
        if path.startswith(SCRIPTS) and path[len(SCRIPTS):] not in self.scripts:
            return 404, "There is no such xltools button."
        if not call and path not in self.post_paths:
            return 404, "Not found."
        if call and media_type(headers) != "application/json":
            return 415, NOT_JSON
        origin = headers.get("origin")
        if origin is not None and not self.same_origin(origin, headers):
            return 403, "Calls from other web sites are refused."
        if not self.is_local_or_signed_in(scope):
            return 401, NOT_LOCAL
        length = headers.get("content-length")
        if length is not None and not length.isdigit():
            return 400, BAD_CALL
        limit, env = self.limit(path)
        if length is not None and int(length) > limit:
            return 413, too_large(limit, env)
        return None

    def limit(self, path: str) -> tuple[int, str]:
        """The body limit for a POST to ``path`` and the variable that sets it."""
        return self.file_limits.get(path, (self.max_body, MAX_BODY_ENV))

    def is_local_or_signed_in(self, scope) -> bool:
        """Sign-in is configured, or the caller is on this machine and not behind a proxy."""
        if self.signed_in:
            return True
        names = (k.decode("latin-1").lower() for k, _ in scope["headers"])
        return is_loopback((scope.get("client") or (None,))[0]) and proxy_header(names) is None

    def same_origin(self, origin: str, headers: Headers) -> bool:
        origin = origin.rstrip("/")
        if origin in self.origins:
            return True
        netloc = urlsplit(origin).netloc if "://" in origin else ""
        hosts = {headers.get("host"), headers.get("x-forwarded-host")}
        return bool(netloc) and netloc in hosts

    async def read_body(self, receive, send, limit: int, env: str) -> bytes | None:
        """The whole body, or None after answering 413 (too large), 408 (arriving too
        slowly: ``request_limits.body_deadline``) or on disconnect."""
        chunks, seen, start = [], 0, time.monotonic()
        while True:
            left = body_deadline(self.read_timeout, seen) - (time.monotonic() - start)
            message = None
            with anyio.move_on_after(max(left, 0)):
                message = await receive()
            if message is None:
                await reply(send, 408, TOO_SLOW)
                return None
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            seen += len(chunk)
            if seen > limit:
                await reply(send, 413, too_large(limit, env))
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    def check_function_call(self, body: bytes) -> str | None:
        """A cell function call must name one of ours and pass a list of arguments."""
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            return BAD_CALL
        if not isinstance(data, dict) or data.get("func_name") not in self.functions \
                or not isinstance(data.get("args"), list):
            return BAD_CALL
        raw = self.raw_args.get(data["func_name"], set())
        count = sum(cells(a) for i, a in enumerate(data["args"]) if i not in raw)
        whole = sum(cells(a) for i, a in enumerate(data["args"]) if i in raw)
        if count > self.function_cells or whole > WHOLE_COLUMN:
            name = str(data["func_name"]).upper()
            limit = self.function_cells if count > self.function_cells else WHOLE_COLUMN
            return (f"#VALUE! XLT.{name}: {max(count, whole):,} cells in one call, more "
                    f"than {limit:,}: give a table column (e.g. "
                    "ActionsTable[Last updated]) rather than a whole column")
        if has_lone_surrogate(data["args"]):
            name = str(data["func_name"]).upper()
            return (f"#VALUE! XLT.{name}: an argument holds a character that is not valid "
                    "text (a broken symbol or emoji); retype it")
        return None


def media_type(headers: Headers) -> str:
    return headers.get("content-type", "").split(";")[0].strip().lower()


def has_lone_surrogate(value) -> bool:
    """True if any text inside ``value`` holds half of a UTF-16 pair (JSON ``"\\ud800"``)."""
    if isinstance(value, str):
        return any("\ud800" <= ch <= "\udfff" for ch in value)
    if isinstance(value, list):
        return any(has_lone_surrogate(v) for v in value)
    return False


def known_alert(query: bytes) -> bytes:
    """The alert dialog's query, one value a field (the route reads the last of a
    repeated one), with its text kept only if the server sent that text."""
    fields = {k: v[-1] for k, v in parse_qs(query.decode("latin-1"), keep_blank_values=True)
              .items()}
    if not alert_texts.known(fields.get("prompt", ""), fields.get("title", "")):
        fields.update(prompt=alert_texts.GENERIC, title="xltools", callback="")
    for key in ("buttons", "mode"):
        fields[key] = fields.get(key, "") if re.fullmatch(r"[a-z_]{1,20}", fields.get(key, "")) \
            else ""
    fields["buttons"] = fields["buttons"] or "ok"
    fields.setdefault("callback", "")
    return urlencode(fields).encode()


def replay(body: bytes, receive):
    """A ``receive`` that hands the buffered body to the app, then defers to the client."""
    sent = False

    async def receive_again():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return receive_again
