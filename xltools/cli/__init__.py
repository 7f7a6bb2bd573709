"""The ``xltools`` command: a thin front end over the package's functions.

Every sub-command lives in its own module here and exposes ``register(sub)``.
Exit status: 0 when the job ran (findings are results, not failures); 2 with a
one-line reason on stderr when it could not run.

A front end: may import any layer below it (cycle, legacy, reporting, savings,
workbook, the shared ground) and the other front ends; nothing imports it.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from ..errors import XltoolsError

# command name -> module in this package that registers it
COMMANDS = {
    "template": "template",
    "import": "legacy_import",
    "issue": "issue",
    "check": "check",
    "consolidate": "consolidate",
    "rollup": "rollup",
    "flags": "flags",
    "kpis": "kpis",
    "next-quarter": "next_quarter",
    "savings": "savings",
    "serve": "serve",
    "addin": "addin",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="xltools",
        description="Quarterly returns, roll-ups and savings reconciliation for Excel plans.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMANDS.values():
        importlib.import_module(f"{__name__}.{module}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except XltoolsError as exc:
        print(f"xltools {args.command}: {exc}", file=sys.stderr)
        return exc.exit_code
    except OSError as exc:  # disk full, no permission, name too long: one line, exit 2
        print(f"xltools {args.command}: {os_error(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"xltools {args.command}: interrupted", file=sys.stderr)
        return 130


def os_error(exc: OSError) -> str:
    """An operating-system error in one line a user can act on. Every workbook is written
    to a temporary file first, so what was there before is unchanged."""
    where = f"{exc.filename}: " if exc.filename else ""
    why = exc.strerror or str(exc)
    return (f"{where}{why} — nothing was overwritten (free some space, or check the "
            "folder can be written to, and run it again)")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("xltools")
    except PackageNotFoundError:
        return "dev"


if __name__ == "__main__":
    sys.exit(main())
