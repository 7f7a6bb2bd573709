"""Backfilling: a council starts with years of masters in a folder. Each is read,
sorted by plan and quarter (then by file time, so a later re-save of a quarter
becomes its newer revision), and recorded in that order."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..errors import XltoolsError
from ..periods import Quarter
from ..workbook.reader import read_book
from .record import Recorded, record_book
from .snapshot import file_sha256, plan_identity
from .store import Store


def backfill(store: Store, folder: Path, say: Callable[[str], None] | None = None,
             ) -> tuple[list[Recorded], list[dict[str, str]]]:
    """Record every master under ``folder``; (what was recorded, files skipped and why)."""
    books, skipped = [], []
    for path in sorted(folder.rglob("*.xlsx")):
        if path.name.startswith(("~$", ".")) or ".bak" in path.name:
            continue
        try:
            book = read_book(path)
            if book.kind != "master":
                raise XltoolsError(f"a {book.kind}, not a master")
            quarter = Quarter.parse(book.plan.period, book.plan.fy_start_month)
        except XltoolsError as exc:
            skipped.append({"file": str(path), "reason": str(exc)})
            if say:
                say(f"skipped {path.name}: {exc}")
            continue
        books.append(((plan_identity(book), quarter.year, quarter.number,
                       path.stat().st_mtime, path.name), path, book))
    results = []
    for _, path, book in sorted(books, key=lambda item: item[0]):
        result = record_book(store, book, source=path.name, source_sha256=file_sha256(path))
        results.append(result)
        if say:
            say(result.message())
    return results, skipped
