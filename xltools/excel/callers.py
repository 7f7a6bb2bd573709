"""Who is calling: is a proxy in front, and was the request meant for this server?

Without sign-in the server trusts only its own machine. A caller on loopback
is not necessarily on this machine: a reverse proxy on the same host forwards
everyone's requests from 127.0.0.1. Proxies say so in headers, and which one
depends on the proxy (nginx ``X-Real-IP`` or ``X-Forwarded-For``, IIS/ARR
``X-Forwarded-For``/``X-Original-URL``, Azure ``X-Forwarded-Host``, Squid
``Via``, RFC 7239 ``Forwarded``), so *any* of them counts: a request carrying
one came from elsewhere.

A web page the PMO visits can also reach a local server through DNS rebinding:
its own name (``attacker.example``) is re-pointed at 127.0.0.1, and the
browser then sends ``Host: attacker.example:8000`` to the local port. So
every request's ``Host`` must be a name this server answers to
(``ALLOWED_HOSTS``): loopback names always, the public name
(``XLWINGS_HOSTNAME``), the address it listens on and ``XLTOOLS_ALLOWED_HOSTS``
too when sign-in is on. Anything else is 421 (Misdirected Request).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping

from ..errors import UsageError

# exact header names that only a proxy (or someone pretending to be one) sends
PROXY_HEADERS = frozenset({
    "forwarded", "via", "x-real-ip", "x-client-ip", "client-ip", "true-client-ip",
    "x-cluster-client-ip", "cf-connecting-ip", "fastly-client-ip", "x-original-url",
    "x-original-host", "x-rewrite-url", "x-proxyuser-ip", "x-arr-log-id", "x-arr-ssl",
})
PROXY_PREFIXES = ("x-forwarded-", "x-original-forwarded-")
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
ALLOWED_ENV = "XLTOOLS_ALLOWED_HOSTS"
HOSTNAME_ENV = "XLWINGS_HOSTNAME"
FORWARDED_ENV = "FORWARDED_ALLOW_IPS"  # uvicorn's list of trusted proxies
WILDCARD_BINDS = ("0.0.0.0", "::", "[::]", "")
DOC = "docs/it-guide.md, 'Deploying on a council network'"


def proxy_header(names: Iterable[str]) -> str | None:
    """The first header in ``names`` (lower case) that a proxy sends, or None."""
    for name in names:
        if name in PROXY_HEADERS or name.startswith(PROXY_PREFIXES):
            return name
    return None


def host_name(host: str) -> str:
    """``Host`` without its port, lower case: ``[::1]:8000`` → ``[::1]``."""
    host = host.strip().lower().rstrip(".")
    if host.startswith("["):
        return host.split("]", 1)[0] + "]"
    name, colon, port = host.rpartition(":")
    return name.rstrip(".") if colon and port.isdigit() else host


def bracketed(name: str) -> str:
    """An IPv6 address as it appears in ``Host`` (``::1`` → ``[::1]``)."""
    name = name.strip().lower()
    return f"[{name}]" if ":" in name and not name.startswith("[") else name


def allowed_hosts(env: Mapping[str, str], *, signed_in: bool, bind: str = "") -> frozenset[str]:
    """The ``Host`` names this server answers to (without ports)."""
    names = set(LOOPBACK_NAMES)
    if signed_in:
        extra = [env.get(HOSTNAME_ENV, ""), *env.get(ALLOWED_ENV, "").split(",")]
        if bind.strip() not in WILDCARD_BINDS:
            extra.append(bind)
        names |= {host_name(bracketed(n)) for n in extra if n.strip()}
    return frozenset(names)


def proxy_settings(env: Mapping[str, str]) -> list[str]:
    """The settings that say a proxy is (or may be) in front of this server."""
    return [name for name in (HOSTNAME_ENV, FORWARDED_ENV, ALLOWED_ENV)
            if env.get(name, "").strip()]


def check_front(env: Mapping[str, str] | None = None, *, signed_in: bool,
                bind: str = "127.0.0.1") -> None:
    """Refuse to start where a stranger could reach the server unseen: a proxy
    configured without sign-in, or every address with no name to answer to."""
    env = os.environ if env is None else env
    named = proxy_settings(env)
    if named and not signed_in:
        raise UsageError(f"{named[0]} is set, so this server sits behind a proxy or has a "
                         "public name, but nobody signs in: pass --tokens FILE or set up "
                         f"Entra ID ({DOC})")
    if signed_in and bind.strip() in WILDCARD_BINDS and not (
            env.get(HOSTNAME_ENV, "").strip() or env.get(ALLOWED_ENV, "").strip()):
        raise UsageError(f"--host {bind} answers on every address: set {HOSTNAME_ENV} to "
                         f"the name people reach it by (or list names in {ALLOWED_ENV}) "
                         f"({DOC})")
