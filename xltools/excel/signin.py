"""Sign-in for the add-in server: which providers, who may start it where, which roles.

Sign-in goes through xlwings Server's own mechanism (``XLWINGS_AUTH_PROVIDERS``,
a provider module's ``validate_token``, ``required_roles``). xltools allows two
providers, both in server_project/auth/:

- ``tokens``: xltools' own tokens file (``xltools token add``), for councils
  without Microsoft 365 sign-in;
- ``entraid``: xlwings Server's Entra ID provider (Microsoft 365).

Upstream's ``custom`` provider is refused: it accepts the literal token
``test-token``. With no provider configured the server answers only on this
machine (loopback), so ``xltools serve`` refuses any other ``--host``.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

from ..errors import UsageError

PROVIDERS_ENV = "XLWINGS_AUTH_PROVIDERS"
TOKENS_ENV = "XLTOOLS_TOKENS_FILE"
ALLOWED = ("tokens", "entraid")
LOOPBACK = ("127.0.0.1", "localhost", "::1")
ROLE_PREFIX = "xltools."  # Entra ID app roles are named xltools.pmo, xltools.officer, …
DOC = "docs/it-guide.md, 'Sign-in'"
_CHECKED: set[tuple[str, bool]] = set()


def providers(env: Mapping[str, str]) -> list[str]:
    """The configured provider names (``XLWINGS_AUTH_PROVIDERS`` is a JSON list)."""
    text = env.get(PROVIDERS_ENV, "").strip()
    if not text:
        return []
    try:
        names = json.loads(text)
    except ValueError:
        names = None
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise UsageError(f"{PROVIDERS_ENV} must be a JSON list like '[\"tokens\"]' or "
                         f"'[\"entraid\"]' ({DOC})")
    return names


def check_providers(env: Mapping[str, str]) -> list[str]:
    """Refuse a configuration that would let the wrong people in; the providers if fine."""
    names = providers(env)
    for name in names:
        if name not in ALLOWED:
            raise UsageError(f"sign-in provider '{name}' is not allowed: use \"tokens\" or "
                             f"\"entraid\" in {PROVIDERS_ENV} ({DOC})")
    if "entraid" in names:
        missing = [k for k in ("XLWINGS_AUTH_ENTRAID_CLIENT_ID", "XLWINGS_AUTH_ENTRAID_TENANT_ID")
                   if not env.get(k)]
        if missing:
            raise UsageError(f"Entra ID sign-in needs {' and '.join(missing)} ({DOC})")
        if env.get("XLWINGS_AUTH_ENTRAID_MULTITENANT", "").strip().lower() in ("1", "true",
                                                                              "yes", "on"):
            # upstream 1.20 then checks the configured issuer, not the token's
            raise UsageError(f"XLWINGS_AUTH_ENTRAID_MULTITENANT is not supported: sign in "
                             f"with your own tenant ({DOC})")
    if "tokens" in names:
        from .tokens import load_tokens

        if not env.get(TOKENS_ENV):
            raise UsageError(f"token sign-in needs a tokens file: pass --tokens FILE ({DOC})")
        load_tokens(env[TOKENS_ENV])  # unreadable or broken: UsageError naming the file
    if "*" in env.get("XLWINGS_CORS_ALLOW_ORIGINS", ""):
        raise UsageError("XLWINGS_CORS_ALLOW_ORIGINS must not contain '*': list the add-in's "
                         f"own origin, or leave it empty ({DOC})")
    return names


def check_sign_in(host: str, env: Mapping[str, str] | None = None) -> list[str]:
    """``xltools serve``'s rule: off this machine, someone must sign in; behind a proxy
    too (``callers.check_front``); and nobody else may write the tokens file."""
    from .callers import check_front

    env = os.environ if env is None else env
    names = check_providers(env)
    if not names and host not in LOOPBACK:
        raise UsageError(f"--host {host} needs sign-in: pass --tokens FILE (make one with "
                         f"'xltools token add NAME --role pmo') or set {PROVIDERS_ENV}="
                         f"'[\"entraid\"]' ({DOC})")
    check_front(env, signed_in=bool(names), bind=host)
    if "tokens" in names:
        check_tokens_file(env[TOKENS_ENV], local=host in LOOPBACK
                          and not env.get("XLWINGS_HOSTNAME", "").strip())
    return names


def check_tokens_file(path: str | os.PathLike, *, local: bool) -> None:
    """A tokens file others can write lets them make themselves a PMO token: refused
    when the server answers off this machine, a warning on loopback."""
    path = Path(path)
    if (str(path), local) in _CHECKED:  # xltools serve, then its app: say it once
        return
    _CHECKED.add((str(path), local))
    writable = []
    for where in (path, path.parent):
        try:
            mode = where.stat().st_mode
        except OSError:
            continue
        sticky = where.is_dir() and mode & stat.S_ISVTX
        if mode & (stat.S_IWGRP | stat.S_IWOTH) and not sticky:
            writable.append(f"{'its folder' if where != path else path.name} "
                            f"(mode {stat.S_IMODE(mode):04o})")
    if not writable:
        return
    why = (f"tokens file {path.name}: other users can write {' and '.join(writable)}, so "
           f"they could make themselves a PMO token; run chmod 600 {path.name} (and chmod "
           f"go-w its folder) ({DOC})")
    if not local:
        raise UsageError(why)
    print(f"warning: {why}", file=sys.stderr)


async def check_caller(headers: Mapping[str, str], roles: list[str] | None,
                       ) -> tuple[int, str] | None:
    """The caller's sign-in (and, for a button, its role), checked from the headers
    alone so the guard can refuse before reading the body: (status, sentence) or None.
    The same check as xlwings Server's ``authenticate`` dependency, which runs again."""
    from fastapi import HTTPException
    from xlwings_server.dependencies import authenticate

    try:
        user = await authenticate(headers.get("authorization", ""),
                                  headers.get("auth-provider"))
        refuse_role(user.name, user.roles or [], roles)
    except HTTPException as exc:
        return exc.status_code, str(exc.detail)
    return None


def plain_roles(roles: Iterable[str]) -> set[str]:
    """Role names without Entra ID's ``xltools.`` prefix."""
    return {r.removeprefix(ROLE_PREFIX) for r in roles}


def refuse_role(name: str | None, roles: Iterable[str],
                required: Iterable[str] | None) -> None:
    """403 with a sentence unless the user has one of the ``required`` roles (any of them)."""
    from fastapi import HTTPException, status

    required = list(required or [])
    mine = plain_roles(roles)
    if not required or mine & set(required):
        return
    held = ", ".join(sorted(mine)) or "no role"
    raise HTTPException(status.HTTP_403_FORBIDDEN,
                        detail=f"This needs the {' or '.join(required)} role; {name or 'you'} "
                        f"signed in with {held}. Ask your PMO if you need it.")
