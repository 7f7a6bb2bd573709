"""``xltools token``: the sign-in tokens for the add-in server (``xltools serve --tokens``).

``add`` prints the new token once on stdout (give it to the person; the task
pane asks for it once) and stores only its hash, with the name and role.
``list`` shows names, roles and dates, never hashes. ``revoke`` removes a
token; the running server refuses it from the next request on.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from ..addin.buttons import ROLES

DEFAULT_FILE = "xltools-tokens.json"


def register(sub) -> None:
    p = sub.add_parser(
        "token", help="add, list or revoke sign-in tokens for the add-in server",
        description="Manage the tokens file that 'xltools serve --tokens FILE' checks. The "
        f"file is --tokens, else $XLTOOLS_TOKENS_FILE, else ./{DEFAULT_FILE}. Keep it outside "
        "the returns and output folders (docs/it-guide.md, 'Sign-in').")
    actions = p.add_subparsers(dest="token_action", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="make a token for a person (printed once)")
    add.add_argument("name", help="who it is for, e.g. 'Pat Jones' (shown in the server log)")
    add.add_argument("--role", required=True, choices=ROLES,
                     help="pmo: every button; finance: Reconcile savings and Check return; "
                     "officer: Check return and the cell functions")
    revoke = actions.add_parser("revoke", help="remove a person's token")
    revoke.add_argument("name")
    listing = actions.add_parser("list", help="names, roles and dates (never the tokens)")
    for q in (add, revoke, listing):
        q.add_argument("--tokens", type=Path, help="the tokens file")
    p.set_defaults(run=run)


def tokens_file(given: Path | None) -> Path:
    return given or Path(os.environ.get("XLTOOLS_TOKENS_FILE") or DEFAULT_FILE)


def run(args) -> int:
    from ..excel.tokens import add_token, load_tokens, revoke_token

    path = tokens_file(args.tokens)
    if args.token_action == "add":
        token = add_token(path, args.name, args.role)
        print(token)
        print(f"Token for {args.name.strip()} ({args.role}) saved in {path}. It is shown only "
              "now: give it to them to paste into the xltools task pane.", file=sys.stderr)
    elif args.token_action == "revoke":
        revoke_token(path, args.name)
        print(f"Revoked the token of {args.name.strip()}.", file=sys.stderr)
    else:
        for entry in load_tokens(path, missing_ok=True):
            print(f"{entry.name}\t{entry.role}\t{entry.created}")
    return 0
