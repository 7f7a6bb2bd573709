"""The texts this server has answered with, so its alert dialog shows only those.

Office.js opens an answer's dialog as ``GET /xlwings/alert?prompt=…&title=…``
(xlwings Server's ``alerts/parent.js``): a page on the council's own address
that shows whatever text its query holds, and that carries no sign-in (a
dialog cannot send the token). Anyone could send a colleague a link to it
with words of their choosing. So ``guard`` lets the dialog show a text only
if a button or the task pane was answered with it here in the last day
(``issued``, called by ``downloads.remember``); any other text becomes
``GENERIC``. Only hashes are kept, at most ``MAX_KEPT``.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict

GENERIC = "xltools has an answer for you: see Last run in the xltools task pane."
MAX_KEPT = 10_000
KEEP_SECONDS = 24 * 3600
_issued: OrderedDict[bytes, float] = OrderedDict()
_lock = threading.Lock()


def _key(prompt: str, title: str) -> bytes:
    return hashlib.sha256(f"{title}\0{prompt}".encode("utf-8", "surrogatepass")).digest()


def issued(prompt: str, title: str) -> None:
    """Remember that the server answered with ``prompt`` under ``title``."""
    now = time.monotonic()
    with _lock:
        _issued.pop(_key(prompt, title), None)
        _issued[_key(prompt, title)] = now + KEEP_SECONDS
        while len(_issued) > MAX_KEPT:
            _issued.popitem(last=False)


def known(prompt: str, title: str) -> bool:
    """Did the server answer with this text recently? (An empty prompt is harmless.)"""
    if not prompt.strip():
        return True
    with _lock:
        until = _issued.get(_key(prompt, title))
    return until is not None and until > time.monotonic()
