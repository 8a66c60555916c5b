"""Rows written straight through the driver: the queue's hot statements, their SQL and value
processing made once per database dialect.

SQLAlchemy builds a statement, its cache key and a processed parameter dict every time a Core
``insert(...).values(...)`` runs: for a relay that writes a message, its recipients and their outcomes
thousands of times a second, that is more of the work than the database's own. Here the SQL text is
made once per (dialect, table, columns) and each value goes through its column's own type processor
(dates, flags, blobs), so what is stored is exactly what the ORM would have stored. The statements
run on the driver's own cursor, inside the caller's transaction: SQLAlchemy's execution context (its
cache lookup, events and result wrapping) costs several times SQLite's INSERT; a driver error still
reaches the caller as SQLAlchemy's (``OperationalError``, ``IntegrityError``...).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlmodel import SQLModel

Processor = Callable[[Any], Any] | None
BLOB_PIECE = 1024 * 1024  # what write_blob hands SQLite at a time
_SQL: dict[tuple[Any, ...], tuple[str, tuple[Processor, ...]]] = {}


def _table(model: type[SQLModel]) -> Table:
    return model.__table__  # type: ignore[attr-defined]


def _processors(dialect: Dialect, table: Table, names: Sequence[str]) -> tuple[Processor, ...]:
    return tuple(table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names)


def _mark(dialect: Dialect) -> str:
    return "?" if dialect.paramstyle == "qmark" else "%s"


@contextmanager
def _cursor(connection: Connection, statement: str) -> Iterator[Any]:
    """The driver's cursor on ``connection``'s transaction; a driver error comes out as SQLAlchemy's."""
    dbapi = connection.dialect.loaded_dbapi
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        yield cursor
    except dbapi.Error as exc:
        raise DBAPIError.instance(statement, None, exc, dbapi.Error) from exc
    finally:
        cursor.close()


def _processed(processors: tuple[Processor, ...], values: Sequence[Any]) -> tuple[Any, ...]:
    return tuple(value if process is None or value is None else process(value)
                 for process, value in zip(processors, values, strict=True))


def _insert_sql(dialect: Dialect, table: Table, names: tuple[str, ...],
                returning: str | None) -> tuple[str, tuple[Processor, ...]]:
    key = ("insert", dialect.name, table.name, names, returning)
    if key not in _SQL:
        quote = dialect.identifier_preparer.quote
        statement = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) "
                     f"VALUES ({', '.join([_mark(dialect)] * len(names))})")
        if returning:
            statement += f" RETURNING {quote(returning)}"
        _SQL[key] = (statement, _processors(dialect, table, names))
    return _SQL[key]


def insert_one(connection: Connection, model: type[SQLModel], values: Mapping[str, Any],
               returning: str = "id") -> Any:
    """INSERT one row (any column types) and return its ``returning`` column (the new row id)."""
    names, dialect = tuple(values), connection.dialect
    by_rowid = dialect.name == "sqlite" and returning == "id"  # SQLite's rowid is the integer primary key
    statement, processors = _insert_sql(dialect, _table(model), names, None if by_rowid else returning)
    with _cursor(connection, statement) as cursor:
        cursor.execute(statement, _processed(processors, tuple(values.values())))
        return cursor.lastrowid if by_rowid else cursor.fetchone()[0]


def write_blob(connection: Connection, model: type[SQLModel], column: str, row_id: int,
               pieces: Sequence[bytes]) -> None:
    """SQLite: set ``column`` of row ``row_id`` to the pieces one after the other, written into the
    database a megabyte at a time (``zeroblob`` and incremental blob I/O), so that neither this
    process nor SQLite holds a copy of the whole (a bound parameter is copied, and copied again into
    its record)."""
    table, dialect = _table(model).name, connection.dialect
    quote = dialect.identifier_preparer.quote
    statement = f"UPDATE {quote(table)} SET {quote(column)} = zeroblob(?) WHERE id = ?"
    with _cursor(connection, statement) as cursor:
        cursor.execute(statement, (sum(len(p) for p in pieces), row_id))
        with connection.connection.driver_connection.blobopen(table, column, row_id) as blob:  # type: ignore[union-attr]
            for piece in pieces:
                view = memoryview(piece)
                for start in range(0, len(view), BLOB_PIECE):
                    blob.write(view[start:start + BLOB_PIECE])


def insert_rows(connection: Connection, model: type[SQLModel], columns: Sequence[str], rows: Iterable[tuple[Any, ...]],
                constants: Mapping[str, Any] | None = None) -> None:
    """INSERT one row per item of ``rows`` (values for ``columns``, in order; str, int or None only:
    they need no processing on any backend), each completed with ``constants`` (any type the column
    takes, processed once). One ``executemany`` for them all."""
    names = (*columns, *(constants or {}))
    statement, processors = _insert_sql(connection.dialect, _table(model), names, None)
    tail = _processed(processors[len(columns):], tuple((constants or {}).values()))
    parameters = [row + tail for row in rows]
    if parameters:
        with _cursor(connection, statement) as cursor:
            cursor.executemany(statement, parameters)


def update_ids(connection: Connection, model: type[SQLModel], ids: Sequence[int], values: Mapping[str, Any],
               *, increment: tuple[str, ...] = (), only_if: Mapping[str, Any] | None = None) -> list[int]:
    """``UPDATE ... SET values (and column = column + 1 for each of increment) WHERE id IN (ids)
    [AND column = value for only_if] RETURNING id``: the ids that were there (and matched)."""
    if not ids:
        return []
    table, dialect = _table(model), connection.dialect
    names, conditions = tuple(values), tuple(only_if or {})
    key = ("update", dialect.name, table.name, names, increment, conditions, len(ids))
    if key not in _SQL:
        quote, mark = dialect.identifier_preparer.quote, _mark(dialect)
        assignments = [f"{quote(n)} = {mark}" for n in names] + [f"{quote(n)} = {quote(n)} + 1" for n in increment]
        where = [f"{quote('id')} IN ({', '.join([mark] * len(ids))})"] + [f"{quote(n)} = {mark}" for n in conditions]
        statement = (f"UPDATE {quote(table.name)} SET {', '.join(assignments)} WHERE {' AND '.join(where)} "
                     f"RETURNING {quote('id')}")
        _SQL[key] = (statement, _processors(dialect, table, names + conditions))
    statement, processors = _SQL[key]
    parameters = _processed(processors[:len(names)], tuple(values.values())) + tuple(ids) + \
        _processed(processors[len(names):], tuple((only_if or {}).values()))
    with _cursor(connection, statement) as cursor:
        cursor.execute(statement, parameters)
        return [row[0] for row in cursor.fetchall() if row[0]]
