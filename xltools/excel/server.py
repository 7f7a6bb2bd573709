"""xlwings Server configured for xltools: the Office.js add-in's backend.

We run the ``xlwings-server`` package itself (FastAPI) rather than a copy of
it: its project-directory mechanism (``XLWINGS_PROJECT_DIR``) loads
``custom_functions`` and ``custom_scripts`` from ``server_project/`` beside
this file, and its template and static lookups find xltools' manifest, task
pane and ribbon script there first. Everything is configured by environment
variables (docs/it-guide.md); ``configure`` only fills in xltools' defaults.

Run it with ``xltools serve`` or, for several workers behind a proxy,
``uvicorn --factory xltools.excel.server:create_app``.

Safe to put on a network (docs/it-guide.md, "Deploying on a council
network"): ``static_files`` replaces upstream's escaping static route,
``signin`` and ``callers`` decide who may start it where (never behind a proxy
without sign-in) and which roles run which button, ``bodies`` takes JSON only
and checks a workbook's reach before building it (``payload_extent``),
``cell_calls`` runs cell functions off the event loop, ``http_limits`` caps
each connection's head, time and number, and ``guard`` (outermost) refuses
everything else — wrong Host, proxy headers, no token — before any body is
read. xltools' own routes (server_project/routers/custom.py: who am I, last
run, downloads, uploads) get the signed-in user with ``access.requires(...)``;
their POST paths are listed in ``Guard.post_paths``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from ..addin.buttons import BUTTONS, GROUPS
from ..errors import UsageError
from .env import positive_number
from .signin import PROVIDERS_ENV, TOKENS_ENV, check_providers, check_sign_in, providers

PROJECT_DIR = Path(__file__).resolve().parent / "server_project"
LICENSE_ENV = "XLWINGS_LICENSE_KEY"
MAX_BODY_ENV = "XLTOOLS_MAX_BODY_MB"
WORKERS_ENV = "XLTOOLS_SCRIPT_WORKERS"
HOST_ENV = "XLTOOLS_HOST"

# xltools' defaults for xlwings Server settings (an environment variable wins).
DEFAULTS = {
    "XLWINGS_PROJECT_NAME": "xltools",
    "XLWINGS_FUNCTIONS_NAMESPACE": "XLT",
    "XLWINGS_ENVIRONMENT": "prod",
    # xltools' own add-in id, so it never collides with another xlwings add-in
    "XLWINGS_MANIFEST_ID_PROD": "85e69f4e-efb7-40ac-81d5-4b6bc32ca7a2",
    "XLWINGS_MANIFEST_ID_DEV": "0d1b8a4e-3c55-4a8e-9a43-6f2f1c0e7b11",
    "XLWINGS_ENABLE_EXAMPLES": "false",
    "XLWINGS_ENABLE_HOTRELOAD": "false",
    # no Wasm mounts (more unchecked static folders upstream) and no socket.io
    # (xltools has no streaming functions): less to defend
    "XLWINGS_ENABLE_WASM": "false",
    "XLWINGS_ENABLE_SOCKETIO": "false",
}


def configure(environ: dict[str, str] | None = None) -> dict[str, str]:
    """Set the environment xlwings Server reads at import; refuse to start unlicensed."""
    env = os.environ if environ is None else environ
    if not env.get(LICENSE_ENV):
        raise UsageError(
            f"{LICENSE_ENV} is not set. xlwings Server is licensed PolyForm Noncommercial "
            f"(free for government and other noncommercial use: {LICENSE_ENV}=noncommercial) "
            "or commercially (your xlwings key). See docs/it-guide.md."
        )
    env["XLWINGS_PROJECT_DIR"] = str(PROJECT_DIR)
    env.setdefault("DOTENV_PATH", str(PROJECT_DIR / ".env"))  # none shipped: env vars only
    for key, value in DEFAULTS.items():
        env.setdefault(key, value)
    return env


def require_server_package() -> None:
    import importlib.util

    if importlib.util.find_spec("xlwings_server") is None:
        raise UsageError("the add-in backend needs xlwings Server: in the xltools folder run "
                         "pip install '.[server]' (see docs/it-guide.md)")


def create_app():
    """The ASGI app: xlwings Server with xltools' functions, scripts and ribbon."""
    configure()
    require_server_package()
    check_providers(os.environ)  # also when started as uvicorn --factory
    from xlwings_server.config import PACKAGE_DIR
    from xlwings_server.main import app, main_app
    from xlwings_server.templates import templates

    from . import cell_calls
    from .bodies import install_body_rules
    from .leftovers import sweep
    from .static_files import secure_static

    sweep()  # what a killed server left in $TMPDIR
    secure_static(app, PROJECT_DIR / "static", PACKAGE_DIR / "static")
    install_body_rules(app)
    from .answers import REFUSED

    cell_calls.install(script_workers())
    templates.env.globals.update(
        xltools_refused=REFUSED,
        xltools_buttons=BUTTONS,
        xltools_groups=GROUPS,
        xltools_namespace=namespace(),
    )
    return guarded(main_app)


def max_body() -> int:
    """The request body limit in bytes ($XLTOOLS_MAX_BODY_MB, default 20)."""
    return int(positive_number(MAX_BODY_ENV, "20", "a number of megabytes") * 2**20)


def script_workers() -> int:
    """How many buttons may run at once per process ($XLTOOLS_SCRIPT_WORKERS, default 4)."""
    text = os.environ.get(WORKERS_ENV, "4").strip()
    if not text.isdigit() or int(text) < 1:
        raise UsageError(f"{WORKERS_ENV} must be a whole number of at least 1, not '{text}'")
    return int(text)


def guarded(main_app):
    """xlwings Server behind xltools' request rules (``guard.Guard``)."""
    from xlwings_server.config import settings

    from . import by_file, functions
    from .callers import allowed_hosts, check_front
    from .guard import UPLOAD, Guard
    from .request_limits import function_cells, read_timeout
    from .signin import check_caller, check_tokens_file
    from .uploads import REMOVE

    signed_in = bool(settings.auth_providers)
    bind = os.environ.get(HOST_ENV, "")  # set by xltools serve; unknown under plain uvicorn
    check_front(signed_in=signed_in, bind=bind or "127.0.0.1")
    if os.environ.get(TOKENS_ENV) and "tokens" in settings.auth_providers:
        check_tokens_file(os.environ[TOKENS_ENV], local=bind in ("127.0.0.1", "localhost",
                                                                  "::1")
                          and not settings.hostname)
    origins = list(settings.cors_allow_origins)
    if settings.hostname:  # the public name, when a proxy rewrites the Host header
        origins.append(f"https://{settings.hostname}")

    async def sign_in(headers, path: str):
        return await check_caller(headers, path_roles(path))

    return Guard(main_app, max_body=max_body(), scripts=[b.script for b in BUTTONS],
                 functions=functions.__all__, signed_in=signed_in,
                 origins=origins, post_paths=[UPLOAD, REMOVE],
                 file_limits={path: (by_file.max_file_bytes(), by_file.FILE_MAX_ENV)
                              for path in by_file.paths()},
                 public_base=f"https://{settings.hostname}{settings.app_path}"
                 if settings.hostname else "", app_path=settings.app_path,
                 hosts=allowed_hosts(os.environ, signed_in=signed_in, bind=bind),
                 sign_in=sign_in if signed_in else None, read_timeout=read_timeout(),
                 function_cells=function_cells(), raw_args=raw_arguments(functions))


def raw_arguments(module) -> dict[str, set[int]]:
    """Each cell function's arguments that xlwings passes as sent (``@arg(convert="raw")``)."""
    return {name: {a["pos"] for a in getattr(module, name).__xlfunc__["args"]
                   if a["options"].get("convert") == "raw"} for name in module.__all__}


def path_roles(path: str) -> list[str] | None:
    """The roles a POST to ``path`` needs, known before its body is read (None: anyone
    signed in; the route itself checks again)."""
    from ..addin.buttons import by_script
    from . import by_file
    from .guard import SCRIPTS, UPLOAD
    from .uploads import REMOVE

    if path in (UPLOAD, REMOVE):  # finance uploads (and removes) savings returns
        return ["pmo", "finance"]
    name = ("consolidate" if path == by_file.PATH
            else path.removeprefix(SCRIPTS).removeprefix(by_file.RUN_PATH))
    try:
        return list(by_script(name).roles) or None
    except (KeyError, LookupError, StopIteration):
        return None


def namespace() -> str:
    """The cell functions' prefix as Excel shows it (``XLT``; ``XLT_DEV`` outside prod)."""
    name = os.environ["XLWINGS_FUNCTIONS_NAMESPACE"].upper()
    env = os.environ.get("XLWINGS_ENVIRONMENT", "prod")
    return name if env == "prod" else f"{name}_{env.upper()}"


def use_tokens(tokens: str | os.PathLike, env: dict[str, str] | None = None) -> None:
    """Sign in with the tokens file (``--tokens``): add provider ``tokens``."""
    env = os.environ if env is None else env
    env[TOKENS_ENV] = str(Path(tokens).resolve())
    names = providers(env)
    if "tokens" not in names:
        env[PROVIDERS_ENV] = json.dumps([*names, "tokens"])


def serve(host: str = "127.0.0.1", port: int = 8000, *, ssl_keyfile: str | None = None,
          ssl_certfile: str | None = None, log_level: str = "info",
          tokens: str | os.PathLike | None = None) -> None:
    """Run the backend with uvicorn until interrupted; refuse to run unprotected off loopback."""
    configure()
    require_server_package()
    if tokens:
        use_tokens(tokens)
    check_sign_in(host)
    os.environ[HOST_ENV] = host  # the Host allow-list includes the address listened on
    check_settings()
    import uvicorn

    from .http_limits import TOTAL_CONNECTIONS, LimitedH11Protocol

    uvicorn.run("xltools.excel.server:create_app", factory=True, host=host, port=port,
                ssl_keyfile=ssl_keyfile, ssl_certfile=ssl_certfile, log_level=log_level,
                http=LimitedH11Protocol, limit_concurrency=TOTAL_CONNECTIONS,
                timeout_keep_alive=5)


def check_settings() -> None:
    """Every number the server reads from its environment, so a bad one stops the start
    with one line (``env.positive_number``) rather than failing at the first request."""
    from .by_file import max_file_bytes
    from .downloads import max_bytes, minutes, total_bytes
    from .http_limits import per_ip
    from .request_limits import function_cells, function_seconds, read_timeout

    for check in (max_body, max_file_bytes, script_workers, minutes, max_bytes, total_bytes,
                  per_ip, read_timeout, function_cells, function_seconds):
        check()
