"""One exception root for everything xltools refuses to do.

Library code raises these and never exits; each front end (the command, the
Excel add-in, the server) maps ``XltoolsError`` once to an exit code, an alert
or an HTTP status.
"""

from __future__ import annotations


class XltoolsError(Exception):
    """The job could not run. The message is one line a user can act on."""

    exit_code = 2


class PlanError(XltoolsError):
    """A plan file (or a workbook's stored settings) breaks the plan schema."""


class PeriodError(XltoolsError, ValueError):
    """Text that should be a reporting period or financial year is not one."""


class WorkbookError(XltoolsError):
    """A file cannot be read as an xltools workbook.

    ``reason`` is a stable code (``NOT_XLSX``, ``CORRUPT``, ``PASSWORD``,
    ``XLS``, ``LOCK_FILE``, ``TOO_LARGE``, ``NOT_XLTOOLS``, ``MISSING_SHEET``)
    so callers can report it as a finding without parsing prose.
    """

    def __init__(self, message: str, *, path: str | None = None, reason: str = "UNREADABLE",
                 sheet: str | None = None, cell: str | None = None):
        super().__init__(message)
        self.path = path
        self.reason = reason
        self.sheet = sheet  # where, when one sheet is the trouble (TOO_LARGE)
        self.cell = cell

    def __reduce__(self):
        """Whole across processes (a capped reader raises it in a worker): pickling
        keeps ``args`` only, which would lose the reason, sheet and cell."""
        return _workbook_error, (str(self), self.path, self.reason, self.sheet, self.cell)


def _workbook_error(message: str, path: str | None, reason: str, sheet: str | None,
                    cell: str | None) -> WorkbookError:
    return WorkbookError(message, path=path, reason=reason, sheet=sheet, cell=cell)


class BusyError(XltoolsError):
    """Another xltools run is writing the same workbook; try again when it finishes."""


class UsageError(XltoolsError):
    """The caller asked for something impossible (bad option, missing file)."""


class HistoryError(XltoolsError):
    """The history store cannot be used: a bad URL, an unreachable server, a database
    written by a newer xltools. The message never holds the URL's password."""
