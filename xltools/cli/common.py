"""What every sub-command shares: options, loading, printing reports."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import PeriodError, UsageError
from ..findings import Finding, count_by_code
from ..periods import parse_day
from ..plan import Plan

if TYPE_CHECKING:  # rich is imported when something is printed: a --json run never needs it
    from rich.console import Console

SAMPLE_PLAN = Path(__file__).resolve().parents[2] / "workbook_templates" / "sample_plan.json"


def day_arg(text: str) -> date:
    """A date option (``21/10/2019`` or ``2019-10-21``) for argparse, which turns the
    error into a one-line usage message (exit 2) — never a traceback."""
    try:
        return parse_day(text)
    except PeriodError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def refuse_input_as_output(output: Path | None, inputs: Iterable[Path]) -> None:
    """Every command refuses an ``-o`` that names one of its inputs: reading and
    overwriting the same file is how a baseline or a legacy tracker gets lost."""
    if output is None:
        return
    for source in inputs:
        same = Path(output).resolve() == Path(source).resolve() or (
            Path(output).exists() and Path(source).exists()
            and os.path.samefile(output, source))
        if same:
            raise UsageError(f"{output} is one of the inputs; write to a new file with -o")


def add_json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true",
                        help="print the report as JSON on stdout (for scripts)")


PLAN_FOR_OTHER_WORKBOOKS = ("plan file (JSON), only for a workbook not made by xltools: an "
                            "xltools workbook carries its own plan in its hidden Settings sheet")


def add_plan(parser: argparse.ArgumentParser, required: bool = False,
             help: str = "plan file (JSON); see workbook_templates/sample_plan.json") -> None:
    parser.add_argument("--plan", type=Path, required=required, help=help)


def load_plan(path: Path | None) -> Plan | None:
    return Plan.load(path) if path else None


def console() -> Console:
    from rich.console import Console

    # Piped or logged output (a scheduled job, `make demo`) gets a readable width
    # instead of rich's 80-column default; a terminal keeps its own width.
    width = None if sys.stdout.isatty() else int(os.environ.get("COLUMNS", "132"))
    return Console(stderr=False, highlight=False, soft_wrap=True, width=width)


def emit_json(data: dict[str, Any]) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")


def print_findings(findings: Iterable[Finding], title: str = "Findings",
                   out: Console | None = None, limit: int = 200) -> None:
    """A table of findings: where, code, message — the same list JSON carries."""
    from rich.table import Table

    findings = list(findings)
    out = out or console()
    if not findings:
        out.print(f"[green]{title}: none[/green]")
        return
    counts = ", ".join(f"{code} {n}" for code, n in count_by_code(findings).items())
    table = Table(title=f"{title} ({len(findings)}: {counts})", show_lines=False,
                  title_justify="left")
    for column in ("Where", "Action", "Code", "Message"):
        table.add_column(column, overflow="fold")
    for f in findings[:limit]:
        style = {"error": "red", "warning": "yellow"}.get(f.severity, "")
        code = f"[{style}]{f.code}[/{style}]" if style else f.code
        table.add_row(f.where, f.action or f.action_id or "", code, f.message)
    out.print(table)
    if len(findings) > limit:
        out.print(f"… and {len(findings) - limit} more (use --json for all)")
