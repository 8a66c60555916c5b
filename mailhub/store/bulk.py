"""Many rows in one INSERT, straight through the driver's ``executemany``.

SQLAlchemy builds and type-processes a parameter dict per row; for a notice to a province (10,000
queue rows and 10,000 notice rows) that is most of the time the write takes. Here the values that
change from row to row are plain text and integers (they need no processing on any backend), and the
values that are the same for every row (the time, the state, flags) are processed once by their
column's own type, so what is stored is exactly what the ORM would have stored.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table
from sqlmodel import SQLModel


def insert_rows(connection: Connection, model: type[SQLModel], columns: Sequence[str], rows: Iterable[tuple[Any, ...]],
                constants: Mapping[str, Any] | None = None) -> None:
    """INSERT one row per item of ``rows`` (values for ``columns``, in order; str, int or None only),
    each completed with ``constants`` (any type the column takes)."""
    table: Table = model.__table__  # type: ignore[attr-defined]
    dialect = connection.dialect
    fixed = []
    for name, value in (constants or {}).items():
        column_type = table.c[name].type.dialect_impl(dialect)
        process = column_type.bind_processor(dialect)
        fixed.append(process(value) if process is not None else value)
    names = [*columns, *(constants or {})]
    quote = dialect.identifier_preparer.quote
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    statement = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) "
                 f"VALUES ({', '.join([mark] * len(names))})")
    tail = tuple(fixed)
    parameters = [row + tail for row in rows]
    if parameters:
        connection.exec_driver_sql(statement, parameters)
