"""``xltools serve``: run the Office.js add-in's backend (xlwings Server)."""

from __future__ import annotations

import os
from pathlib import Path


def register(sub) -> None:
    p = sub.add_parser(
        "serve", help="run the Office.js Excel add-in backend (xlwings Server)",
        description="Run xlwings Server with xltools' ribbon scripts, cell functions, task "
        "pane and manifest (GET /manifest.xml). Configured by environment variables: "
        "XLWINGS_LICENSE_KEY (required; 'noncommercial' for government use), "
        "XLTOOLS_RETURNS_DIR, XLTOOLS_OUTPUT_DIR, XLWINGS_HOSTNAME, XLWINGS_AUTH_PROVIDERS, "
        "XLTOOLS_MAX_BODY_MB … — see docs/it-guide.md. Off this machine (--host other than "
        "127.0.0.1/localhost) someone must sign in: --tokens FILE or Entra ID. Excel needs "
        "HTTPS: pass --ssl-keyfile/--ssl-certfile or put the server behind an HTTPS reverse "
        "proxy.")
    p.add_argument("--host", default=os.environ.get("XLTOOLS_HOST", "127.0.0.1"),
                   help="interface to listen on (default $XLTOOLS_HOST or 127.0.0.1; "
                   "0.0.0.0 for all)")
    p.add_argument("--port", type=int, default=int(os.environ.get("XLTOOLS_PORT", "8000")),
                   help="port (default $XLTOOLS_PORT or 8000)")
    p.add_argument("--ssl-keyfile", help="TLS private key (PEM) to serve HTTPS directly")
    p.add_argument("--ssl-certfile", help="TLS certificate (PEM) to serve HTTPS directly")
    p.add_argument("--tokens", type=Path, metavar="FILE",
                   help="sign in with the tokens in FILE (made with 'xltools token add'); "
                   "needed, or Entra ID, for any --host other than this machine")
    p.add_argument("--log-level", default="info",
                   choices=["critical", "error", "warning", "info", "debug"],
                   help="how much the server logs (default info)")
    p.set_defaults(run=run)


def run(args) -> int:
    from ..excel.server import serve

    serve(args.host, args.port, ssl_keyfile=args.ssl_keyfile, ssl_certfile=args.ssl_certfile,
          log_level=args.log_level, tokens=args.tokens)
    return 0
