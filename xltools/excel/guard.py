"""The add-in server's front door: what reaches xlwings Server at all.

A pure ASGI wrapper around xlwings Server (outside its CORS layer), because
the checks must happen before any script runs or any body is parsed:

- only GET, HEAD, OPTIONS and POST; POST only to a known script, the cell
  functions, or a path a later feature registers in ``post_paths``;
- script and function calls must be ``application/json``: a cross-site page
  can send ``text/plain`` or a form without a CORS preflight, JSON it cannot;
- a call carrying an ``Origin`` must come from the server's own origin (or one
  listed in XLWINGS_CORS_ALLOW_ORIGINS);
- with no sign-in configured, calls (and downloads, and the last run's answer)
  are answered only from this machine (and not through a proxy, which would
  make every caller look local);
- bodies above the limit get 413 before they are read, or as soon as they
  grow past it (chunked uploads); the body is buffered here, so the app never
  sees a partial one. The limit is $XLTOOLS_MAX_BODY_MB, except for the paths
  in ``file_limits`` (consolidate by file: the master's .xlsx, its own
  $XLTOOLS_FILE_MAX_MB);
- a function call must name a real function and carry a list of arguments.

Refusals are JSON ``{"detail": sentence}``: the task pane shows ``detail``.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Iterable
from contextvars import ContextVar
from urllib.parse import urlsplit

import anyio
from starlette.datastructures import Headers

SCRIPTS = "/xlwings/custom-scripts-call/"
FUNCS = "/xlwings/custom-functions-call"
METHODS = ("GET", "HEAD", "OPTIONS", "POST")

NOT_JSON = "The server only accepts calls from the xltools add-in (JSON)."
NOT_LOCAL = ("This server has no sign-in configured, so it only answers on its own machine; "
             "ask IT to set up sign-in (docs/it-guide.md).")
BAD_CALL = "The request was not a valid xltools call."
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
                 file_limits: dict[str, tuple[int, str]] | None = None):
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

    async def __call__(self, scope, receive, send):
        if scope["type"] == "lifespan":
            return await self.app(scope, receive, send)
        if scope["type"] != "http":  # no websockets (socket.io is off)
            return await send({"type": "websocket.close", "code": 1008})
        method, path = scope["method"], scope["path"]
        if method not in METHODS:
            return await reply(send, 405, "That method is not allowed here.")
        if method != "POST":
            if path.startswith(PRIVATE_GETS) and not self.is_local_or_signed_in(scope):
                return await reply(send, 401, NOT_LOCAL)
            return await self.app(scope, receive, send)
        refusal = self.refuse_post(scope, Headers(scope=scope))
        if refusal:
            return await reply(send, *refusal)
        body = await self.read_body(receive, send, *self.limit(path))
        if body is None:
            return None
        if path == FUNCS:
            problem = await anyio.to_thread.run_sync(self.check_function_call, body)
            if problem:
                return await reply(send, 400, problem)
        token = BASE_URL.set(self.base_url(scope, Headers(scope=scope)))
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
        headers = Headers(scope=scope)
        return is_loopback((scope.get("client") or (None,))[0]) \
            and "x-forwarded-for" not in headers and "forwarded" not in headers

    def same_origin(self, origin: str, headers: Headers) -> bool:
        origin = origin.rstrip("/")
        if origin in self.origins:
            return True
        netloc = urlsplit(origin).netloc if "://" in origin else ""
        hosts = {headers.get("host"), headers.get("x-forwarded-host")}
        return bool(netloc) and netloc in hosts

    async def read_body(self, receive, send, limit: int, env: str) -> bytes | None:
        """The whole body, or None after answering 413 (too large) or on disconnect."""
        chunks, seen = [], 0
        while True:
            message = await receive()
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
        except (UnicodeDecodeError, ValueError):
            return BAD_CALL
        if not isinstance(data, dict) or data.get("func_name") not in self.functions \
                or not isinstance(data.get("args"), list):
            return BAD_CALL
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
