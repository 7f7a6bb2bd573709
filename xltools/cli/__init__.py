"""The ``xltools`` command: a thin front end over the package's functions.

Every sub-command lives in its own module here and exposes ``register(sub)``.
Exit status: 0 when the job ran (findings are results, not failures); 2 with a
one-line reason on stderr when it could not run.

A front end: may import any layer below it (cycle, legacy, reporting, savings,
workbook, the shared ground) and the other front ends; nothing imports it.
"""

from __future__ import annotations

import argparse
import atexit
import importlib
import os
import sys

from ..errors import XltoolsError

# command name -> (module in this package that registers it, one-line summary).
# Only the command being run is imported: `xltools --help` lists the summaries and
# loads none of pandas, openpyxl, jsonschema or xlwings (tests/test_cli.py checks
# both that and that each summary is the help its module registers).
COMMANDS = {
    "template": ("template", "build the blank template workbook from a plan file"),
    "import": ("legacy_import",
               "import a legacy tracker (Word .docx, PDF, xlsx, CSV/TSV) as a master"),
    "revise": ("revise", "apply a revised plan (docx, pdf, xlsx, csv) to a master"),
    "issue": ("issue", "write one return per officer from the master"),
    "check": ("check", "check a return or master: every problem by sheet, cell and rule"),
    "consolidate": ("consolidate", "merge officers' returns into the master"),
    "rollup": ("rollup", "roll up RAG status by section and officer; write the Dashboard and "
               "highlight report"),
    "flags": ("flags", "flag missing, stale, unchanged, overdue and unexplained updates"),
    "kpis": ("kpis", "work out each KPI's RAG and trend"),
    "next-quarter": ("next_quarter", "build next quarter's master from a consolidated master"),
    "savings": ("savings", "reconcile savings returns against the baseline (MTFS) profile"),
    "paper": ("paper", "write the committee tracker paper (.docx, optionally PDF)"),
    "chase": ("chase", "write a draft chase e-mail (.eml) per officer"),
    "history": ("history", "record masters in the history store; show or export the quarters "
                "recorded"),
    "serve": ("serve", "run the Office.js Excel add-in backend (xlwings Server)"),
    "token": ("token", "add, list or revoke sign-in tokens for the add-in server"),
    "addin": ("addin", "build the desktop Excel add-in (xltools.xlam) or check an add-in "
              "manifest"),
}


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser, with the full sub-parser only for the command in ``argv`` (all of
    them when ``argv`` is None); the others are listed by their summary alone."""
    parser = argparse.ArgumentParser(
        prog="xltools",
        description="Quarterly returns, roll-ups and savings reconciliation for Excel plans.",
    )
    version = _version() if argv is None or "--version" in argv else ""  # metadata is slow
    parser.add_argument("--version", action="version", version=f"%(prog)s {version}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    wanted = None if argv is None else _command_in(argv)
    for name, (module, summary) in COMMANDS.items():
        if argv is None or name == wanted:
            register_command(sub, module)
        else:
            sub.add_parser(name, help=summary)
    return parser


def register_command(sub, module: str) -> None:
    importlib.import_module(f"{__name__}.{module}").register(sub)


def _command_in(argv: list[str]) -> str | None:
    """The sub-command named in ``argv``: its first argument that is not an option."""
    return next((a for a in argv if not a.startswith("-")), None)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(argv)
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


def run() -> None:
    """The installed command (and ``python -m xltools``): ``main``, then exit at once.

    After the work is done and written, Python would tear the interpreter down
    module by module: ~0.2 s measured after a consolidation (0.1 s for openpyxl
    alone) that the user waits through for nothing. So the exit handlers run
    (logging, worker pools, temporary folders), the output is flushed, and the
    process ends without the teardown. ``main`` itself returns normally, for
    callers in Python."""
    code = main()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`xltools … | head`): nothing to add
            pass
    os._exit(code)


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
    run()
