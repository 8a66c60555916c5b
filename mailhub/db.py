"""Database engines and schema migrations (Alembic).

SQLite runs in WAL mode with synchronous=FULL: a commit is on disk before the
SMTP 250 that depends on it. PostgreSQL is reached through psycopg 3.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url

from mailhub.errors import MailhubError

log = logging.getLogger("mailhub.db")

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
SCHEMA_HEAD = "0009"  # the newest migration's revision (a test holds it to Alembic's own head); every
# command compares the database with it without loading Alembic and the migration scripts


def normalise_url(url: str) -> str:
    """Plain ``postgresql://`` URLs use psycopg 3, the driver mailhub ships with."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str, **kwargs: Any) -> Engine:
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


@contextmanager
def sole_server(engine: Engine) -> Iterator[None]:
    """While ``mailhub serve`` runs on a SQLite database, no second one may: both would take the queue as
    their own (a single node hands back every claim when it starts). An exclusive lock on a file beside
    the database, held for the server's life and dropped by the kernel however it ends."""
    database = engine.url.database if engine.url.get_backend_name() == "sqlite" else None
    if not database or database == ":memory:" or database.startswith("file:"):
        yield
        return
    import fcntl

    descriptor = os.open(f"{database}-serve.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise MailhubError(f"another `mailhub serve` is running on {database}: one server per SQLite "
                               "database (several nodes share a PostgreSQL database)") from None
        yield
    finally:
        os.close(descriptor)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


MIGRATION_LOCK = 0x6D696772  # "migr": two nodes upgrading at once take turns


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply migrations; on PostgreSQL under an advisory lock, so nodes started together take turns."""
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
            connection.commit()
        from alembic import command

        config = alembic_config(engine)
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None: not under Alembic, or no tables yet)."""
    from sqlalchemy import inspect

    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config_without_engine()).get_current_head()


def alembic_config_without_engine() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    return {script.revision for script in ScriptDirectory.from_config(alembic_config_without_engine()).walk_revisions()}


class HeldConnection:
    """``engine.begin()`` for a group commit's writer, on one connection it keeps between transactions:
    taking a connection from the pool for each transaction and giving it back cost a third of a
    writer's time (on PostgreSQL a ping as well). A transaction that fails drops the connection (it
    may be the reason: a database restarted), and the next one connects anew; the writer thread
    closes it when it ends (``queue.group_commit.GroupCommit(release=...)``)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._connection: Connection | None = None

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        if self._connection is None:
            self._connection = self._engine.connect()
        connection = self._connection
        try:
            with connection.begin():
                yield connection
        except BaseException:
            self.close(invalidate=True)
            raise

    def close(self, invalidate: bool = False) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            if invalidate:
                connection.invalidate()
            connection.close()
        except Exception as exc:  # a connection that is already gone
            log.debug("closing the writer's connection: %s", type(exc).__name__)
