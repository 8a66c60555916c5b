"""Output helpers shared by the commands: JSON, tables, progress bars, one-line errors."""

from __future__ import annotations

import dataclasses
import functools
import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:  # rich loads when a table or a progress bar is shown, not for every command
    from rich.console import Console

@functools.cache
def console(err: bool = False) -> Console:
    from rich.console import Console

    if err:
        return Console(stderr=True, soft_wrap=True)
    return Console(soft_wrap=True, width=None if sys.stdout.isatty() else 200)


def _default(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def to_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=_default)


def emit_json(value: Any) -> None:
    click.echo(to_json(value))


def emit_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], title: str | None = None) -> None:
    from rich.table import Table

    table = Table(*headers, title=title, show_lines=False, header_style="bold")
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row))
    console().print(table)


def fail(message: str, code: int = 1) -> None:
    """One line on stderr and a non-zero exit: never a traceback."""
    click.echo(f"error: {message}", err=True)
    raise SystemExit(code)


@contextmanager
def progress_bar(description: str, total: int) -> Iterator[Any]:
    """A rich progress bar on a terminal; silent otherwise. Yields ``advance(n)``."""
    if not sys.stderr.isatty() or total < 50:
        yield lambda n=1: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
        console=console(err=True), transient=True,
    ) as progress:
        task = progress.add_task(description, total=total)
        yield lambda n=1: progress.advance(task, n)
