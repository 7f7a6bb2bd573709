"""A rich progress bar for long file loops — only when a person is watching.

On a terminal the PMO sees files tick by; in a pipe, a log or ``--json`` mode
nothing is drawn, so scripted output stays clean.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def progress_bar(title: str, *, enabled: bool = True, total: int | None = None
                 ) -> Iterator[Callable[[str], None]]:
    """Yield ``tick(name)``, called once per file done; draws only on a terminal."""
    if not (enabled and sys.stdout.isatty()):
        yield lambda _name: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[name]}"), TimeElapsedColumn())
    with Progress(*columns, transient=True) as bar:
        task = bar.add_task(title, total=total, name="")

        def tick(name: str) -> None:
            bar.update(task, advance=1, name=name)

        yield tick
