"""The add-in's Consolidate and Next quarter record in the history store when IT has
configured one (``XLTOOLS_HISTORY_URL``, docs/it-guide.md "History store").

Recording comes after the button's own work, which stands whatever happens here: a
store that cannot be reached is one sentence in the answer ("not recorded in the
history store: …"), never a failed consolidation. Without the setting, nothing is
recorded and nothing is said.
"""

from __future__ import annotations

import os

from ..errors import XltoolsError
from ..history.store import ENV_URL
from ..workbook.book import Book
from .downloads import caller


def record_quarter(book: Book, name: str) -> str:
    """Record ``book`` (this quarter, as the button leaves it); a sentence for the
    answer, or "" when no history store is configured."""
    if not os.environ.get(ENV_URL, "").strip():
        return ""
    from sqlalchemy.exc import SQLAlchemyError

    from ..history.record import record_book
    from ..history.store import open_store

    who = caller()
    try:
        store = open_store(os.environ[ENV_URL])
    except XltoolsError as exc:
        return f"Not recorded in the history store: {exc}"
    try:
        result = record_book(store, book, source=name,
                             by=who.owner if who and who.owner != "n/a" else None)
    except XltoolsError as exc:
        return f"Not recorded in the history store: {exc}"
    except SQLAlchemyError as exc:
        return f"Not recorded in the history store: {store.failure(exc, 'record into')}"
    finally:
        store.dispose()
    if result.status == "unchanged":
        return f"{result.period} was already in the history store."
    revision = f" (revision {result.revision})" if result.status == "revision" else ""
    return f"{result.period} recorded in the history store{revision}."
