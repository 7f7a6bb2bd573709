"""Sign-in tokens for the add-in server: the file IT manages with ``xltools token``.

The file holds, per person, a name, a role and the SHA-256 of their token —
never the token itself, which ``xltools token add`` prints once. A plain hash
is enough here (no salt, no slow KDF) because every token is 256 random bits:
there is nothing to guess from a dictionary. Checking a presented token
compares its hash with *every* entry in constant time (``hmac.compare_digest``,
no early exit). The server re-reads the file when it changes, so a revoked
token stops working on the next request.

File format (JSON, written atomically, mode 0600)::

    {"version": 1, "tokens": [{"name": "Pat Jones", "role": "pmo",
                               "sha256": "…", "created": "2026-11-29T10:00:00"}]}
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import tempfile
import threading
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from ..addin.buttons import ROLES
from ..errors import UsageError

VERSION = 1
PREFIX = "xlt_"


@dataclass(frozen=True)
class TokenEntry:
    name: str
    role: str
    sha256: str
    created: str


def new_token() -> str:
    """A fresh token: 256 random bits, URL-safe, recognisable by its prefix."""
    return PREFIX + secrets.token_urlsafe(32)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def load_tokens(path: str | os.PathLike, *, missing_ok: bool = False) -> list[TokenEntry]:
    """Every entry in the tokens file; a clear UsageError if it cannot be used."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        if missing_ok:
            return []
        raise UsageError(f"tokens file {path.name} does not exist (make one with "
                         "'xltools token add NAME --role ROLE --tokens FILE')") from None
    except (OSError, ValueError) as exc:
        raise UsageError(f"tokens file {path.name} cannot be read: "
                         f"{getattr(exc, 'strerror', None) or 'not valid JSON'}") from None
    try:
        entries = [TokenEntry(**{k: str(e[k]) for k in ("name", "role", "sha256", "created")})
                   for e in data["tokens"]]
    except (KeyError, TypeError):
        raise UsageError(f"tokens file {path.name} is not an xltools tokens file") from None
    return entries


def save_tokens(path: str | os.PathLike, entries: list[TokenEntry]) -> None:
    """Write the file atomically, readable by its owner only."""
    path = Path(path)
    text = json.dumps({"version": VERSION, "tokens": [asdict(e) for e in entries]}, indent=2)
    fd, tmp = tempfile.mkstemp(prefix=".tokens-", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text + "\n")
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def add_token(path: str | os.PathLike, name: str, role: str) -> str:
    """Store a new person's token hash; return the token (shown once, never stored)."""
    name = name.strip()
    if not name:
        raise UsageError("a token needs a name (the person or team it is for)")
    if role not in ROLES:
        raise UsageError(f"role must be one of {', '.join(ROLES)}, not '{role}'")
    entries = load_tokens(path, missing_ok=True)
    if any(e.name.casefold() == name.casefold() for e in entries):
        raise UsageError(f"'{name}' already has a token: revoke it first to issue a new one")
    token = new_token()
    entries.append(TokenEntry(name, role, digest(token),
                              datetime.now().isoformat(timespec="seconds")))
    save_tokens(path, entries)
    return token


def revoke_token(path: str | os.PathLike, name: str) -> None:
    entries = load_tokens(path)
    kept = [e for e in entries if e.name.casefold() != name.strip().casefold()]
    if len(kept) == len(entries):
        raise UsageError(f"no token named '{name}' in {Path(path).name}")
    save_tokens(path, kept)


class TokenChecker:
    """The server's view of the tokens file, re-read whenever the file changes."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self._key: tuple | None = None
        self._entries: list[TokenEntry] = []
        self._lock = threading.Lock()

    def entries(self) -> list[TokenEntry]:
        try:
            st = os.stat(self.path)
        except OSError:
            return []  # file gone: nobody signs in (fail closed)
        key = (st.st_mtime_ns, st.st_size, st.st_ino)
        with self._lock:
            if key != self._key:
                try:
                    self._entries = load_tokens(self.path)
                except UsageError:
                    self._entries = []
                self._key = key
            return self._entries

    def verify(self, token: str) -> TokenEntry | None:
        """The entry whose hash matches ``token``, comparing against every entry."""
        presented = digest(token)
        found = None
        for entry in self.entries():
            if hmac.compare_digest(entry.sha256, presented):
                found = entry
        return found
