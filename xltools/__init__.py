"""xltools: quarterly returns, RAG roll-ups and savings reconciliation for council
improvement plans, in one canonical Excel workbook format.

The names in ``__all__`` are the public API: the functions the command, the ribbon
and the guides use, importable as ``xltools.NAME``. They are loaded on first use
(PEP 562), so ``import xltools`` — and ``xltools --help`` — stays light; the modules
behind them may move, these names will not.

The package is layered; a module imports only from its own layer or the ones below::

    cli/  excel/  addin/                 front ends (the command, Excel, the add-in build)
    cycle/                               returns, intake, merge, consolidate, check, rollover
    legacy/  reporting/  savings/        import of trackers · roll-up, flags, KPIs · savings
    workbook/                            the one format: layout, reader, writer, validator
    plan periods timeframes status …     the small shared ground
"""

from __future__ import annotations

import importlib
from typing import Any

# public name -> module that defines it
_PUBLIC = {
    # the plan and the workbook format
    "Plan": "xltools.plan",
    "Quarter": "xltools.periods",
    "Finding": "xltools.findings",
    "XltoolsError": "xltools.errors",
    "Book": "xltools.workbook.book",
    "read_book": "xltools.workbook.reader",
    "read_plan": "xltools.workbook.reader",
    "write_book": "xltools.workbook.writer",
    "validate_book": "xltools.workbook.validate",
    "write_template": "xltools.workbook.template",
    # the quarterly cycle
    "import_legacy": "xltools.legacy.importer",
    "write_import": "xltools.legacy.importer",
    "revise": "xltools.legacy.revise",
    "issue_returns": "xltools.cycle.returns",
    "check_workbook": "xltools.cycle.check",
    "consolidate": "xltools.cycle.consolidate",
    "next_quarter": "xltools.cycle.rollover",
    # reporting
    "rollup": "xltools.reporting.rollup",
    "flag_book": "xltools.reporting.flags",
    "apply_flags": "xltools.reporting.flags",
    "assess_kpis": "xltools.reporting.kpis",
    "apply_kpis": "xltools.reporting.kpis",
    "render_pdf": "xltools.reporting.highlight",
    # savings
    "reconcile_files": "xltools.savings.reconcile",
    "write_reconciliation_workbook": "xltools.savings.reconciliation_sheet",
}

__all__ = sorted(_PUBLIC)


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'xltools' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
