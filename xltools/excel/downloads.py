"""Files a button makes, offered back to the person who pressed it as a download.

A script that writes files (Issue returns, Next quarter, Reconcile savings,
Chase e-mails, Consolidate's backup) hands them to ``offer``: the bytes are
kept in this server process's memory under an opaque random token (32 bytes
from ``secrets``), with the signed-in user who made them, the file name and
an expiry ($XLTOOLS_DOWNLOAD_MINUTES, default 15). ``GET
/xltools/download/{token}`` (server_project/routers/custom.py) gives them to
that same user once, then forgets them; anyone else gets 404, as does a
token used before, expired, or never made. Nothing is written to disk here.
Each person's offers may hold at most $XLTOOLS_DOWNLOAD_MAX_MB (default 200):
past it *their own* oldest are dropped first, never anyone else's fresh
links; the whole process holds at most $XLTOOLS_DOWNLOAD_TOTAL_MB (default
1000), past which a new offer is refused with a sentence.

Who pressed the button reaches the action through ``caller`` (set by
``scripts.in_worker`` in the worker thread): the action itself only sees the
workbook. On the desktop add-in there is no caller and nothing is offered —
the files are already on the person's own disk.
"""

from __future__ import annotations

import io
import re
import secrets
import threading
import time
import zipfile
from collections import OrderedDict
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError
from . import alert_texts
from .env import positive_number

MINUTES_ENV = "XLTOOLS_DOWNLOAD_MINUTES"
MAX_MB_ENV = "XLTOOLS_DOWNLOAD_MAX_MB"
TOTAL_MB_ENV = "XLTOOLS_DOWNLOAD_TOTAL_MB"
PATH = "/xltools/download/"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TYPES = {".xlsx": XLSX, ".zip": "application/zip", ".eml": "message/rfc822"}


@dataclass(frozen=True)
class Caller:
    """Who pressed the button (``owner`` is their stable id) and the server's address."""

    owner: str
    base_url: str = ""


@dataclass
class Held:
    owner: str
    name: str
    data: bytes
    expires: float

    @property
    def media_type(self) -> str:
        return TYPES.get(Path(self.name).suffix.lower(), "application/octet-stream")


@dataclass(frozen=True)
class Link:
    """What the task pane and the alert show for one offered file."""

    name: str
    url: str
    size: int
    minutes: float

    def to_dict(self) -> dict:
        return {"name": self.name, "url": self.url, "size": self.size, "minutes": self.minutes}


_caller: ContextVar[Caller | None] = ContextVar("xltools_caller", default=None)


@contextmanager
def calling(who: Caller | None):
    """Run the body as ``who`` (the worker thread of one script call)."""
    token = _caller.set(who)
    try:
        yield
    finally:
        _caller.reset(token)


def caller() -> Caller | None:
    return _caller.get()


def owner_of(user) -> str:
    """A signed-in user's stable id (Entra ID object id, ``token:<name>``; ``n/a`` unsigned)."""
    return str(user.id or user.name or "n/a")


def minutes() -> float:
    """How long an offered file waits for its download ($XLTOOLS_DOWNLOAD_MINUTES, 15)."""
    return positive_number(MINUTES_ENV, "15", "a number of minutes")


def max_bytes() -> int:
    """Most bytes one person's offers hold ($XLTOOLS_DOWNLOAD_MAX_MB, default 200)."""
    return int(positive_number(MAX_MB_ENV, "200", "a number of megabytes") * 2**20)


def total_bytes() -> int:
    """Most bytes all offers hold ($XLTOOLS_DOWNLOAD_TOTAL_MB, default 1000)."""
    return int(positive_number(TOTAL_MB_ENV, "1000", "a number of megabytes") * 2**20)


def safe_name(name: str, default: str = "download") -> str:
    """A file name for Content-Disposition: no folders, quotes or control characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    clean = re.sub(r"[^\w .()-]", "_", base, flags=re.ASCII).strip(" .")[:120]
    return clean or default


class Store:
    """The offered files of this process, by token (thread-safe)."""

    def __init__(self) -> None:
        self._held: OrderedDict[str, Held] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, owner: str, name: str, data: bytes, *, now: float | None = None) -> str:
        token = secrets.token_urlsafe(32)
        now = time.monotonic() if now is None else now
        with self._lock:
            self._drop_expired(now)
            self._held[token] = Held(owner, safe_name(name), data, now + minutes() * 60)
            self._drop_oldest_of(owner, token, max_bytes())
            total = sum(len(h.data) for h in self._held.values())
            if total > total_bytes():
                del self._held[token]
                raise UsageError(f"the server already holds {total / 2**20:,.0f} MB of files "
                                 "waiting to be downloaded; download yours (or wait "
                                 f"{minutes():g} minutes for old links to expire) and press "
                                 "the button again")
        return token

    def _drop_oldest_of(self, owner: str, keep: str, limit: int) -> None:
        """Drop ``owner``'s oldest offers (never ``keep``, the newest) while theirs hold
        more than ``limit`` bytes; other people's offers are not touched."""
        mine = [t for t, h in self._held.items() if h.owner == owner and t != keep]
        used = sum(len(self._held[t].data) for t in mine) + len(self._held[keep].data)
        for token in mine:
            if used <= limit:
                break
            used -= len(self._held.pop(token).data)

    def take(self, token: str, owner: str, *, now: float | None = None) -> Held | None:
        """The file, once, for its owner before it expires; else None (and nothing changes
        for a stranger: another user's guess does not spend the owner's download)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            self._drop_expired(now)
            held = self._held.get(token)
            if held is None or not secrets.compare_digest(held.owner, owner):
                return None
            return self._held.pop(token)

    def _drop_expired(self, now: float) -> None:
        for token in [t for t, h in self._held.items() if h.expires <= now]:
            del self._held[token]


STORE = Store()


def offer(name: str, data: bytes) -> Link | None:
    """Hold ``data`` for the caller to download as ``name``; None on the desktop."""
    who = caller()
    if who is None:
        return None
    token = STORE.put(who.owner, name, data)
    return Link(safe_name(name), f"{who.base_url}{PATH}{token}", len(data), minutes())


def offer_file(path: Path) -> Link | None:
    if caller() is None:
        return None
    return offer(path.name, path.read_bytes())


def offer_folder(folder: Path, name: str) -> Link | None:
    """The files of ``folder`` (not sub-folders) as one zip named ``name``.zip."""
    if caller() is None:
        return None
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(p for p in folder.iterdir() if p.is_file()):
            zf.write(path, arcname=path.name)
    return offer(f"{name}.zip", buffer.getvalue())


def link_lines(links: list[Link | None]) -> str:
    """The alert's closing lines: each file's link and how long it waits."""
    shown = [link for link in links if link is not None]
    if not shown:
        return ""
    lines = [f"• {link.name}: {link.url}" for link in shown]
    return (f"\nDownload from the xltools task pane (once, within {shown[0].minutes:g} "
            "minutes):\n" + "\n".join(lines))


# -- the task pane's "Last run" ---------------------------------------------------------

MAX_RESULTS = 1000
_results: OrderedDict[str, dict] = OrderedDict()


def remember(title: str, message: str, links: list[Link],
             counts: dict[str, int] | None = None) -> dict | None:
    """The caller's last answer (already without server paths), for GET /xltools/last-run;
    the record kept (None on the desktop)."""
    who = caller()
    if who is None:
        return None
    alert_texts.issued(message, title)  # the alert dialog may show this text
    record = {"title": title, "message": message, "counts": counts or {},
              "links": [link.to_dict() for link in links],
              "at": time.strftime("%Y-%m-%d %H:%M:%S")}
    with STORE._lock:
        _results.pop(who.owner, None)
        _results[who.owner] = record
        while len(_results) > MAX_RESULTS:
            _results.popitem(last=False)
    return record


def last_run(owner: str) -> dict | None:
    with STORE._lock:
        return _results.get(owner)
