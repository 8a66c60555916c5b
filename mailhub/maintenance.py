"""Keeping the database in shape: retention purges, online backups, and the one-node-at-a-time
lock that scheduled jobs take when several nodes share PostgreSQL."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Connection, Engine, delete, text, update
from sqlalchemy.engine import make_url
from sqlmodel import Session, col, select

from mailhub.errors import MailhubError
from mailhub.store.models import FINAL_STATES, DeliveryLog, QueuedMessage, QueueRecipient

SCHEDULER_LOCK = 0x6D61696C  # "mail": the advisory lock that makes one node the scheduler


class LeaderLock:
    """A PostgreSQL session advisory lock held on a dedicated connection for the node's lifetime.
    SQLite has one node by construction, so there it is always held."""

    def __init__(self, engine: Engine, key: int = SCHEDULER_LOCK) -> None:
        self.engine = engine
        self.key = key
        self._connection: Connection | None = None

    def held(self) -> bool:
        if self.engine.dialect.name != "postgresql":
            return True
        if self._connection is not None:
            return True
        connection = self.engine.connect()
        if connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}).scalar():
            self._connection = connection
            return True
        connection.close()
        return False

    def release(self) -> None:
        if self._connection is not None:
            self._connection.close()  # closing the session releases the lock
            self._connection = None


@dataclass(frozen=True)
class PurgeResult:
    bodies: int
    log_rows: int


def purge(engine: Engine, now: datetime, body_days: int, log_days: int) -> PurgeResult:
    """Drop the content of finished messages older than ``body_days`` and log rows older than
    ``log_days`` (0 keeps them). Metadata of every message stays."""
    bodies = log_rows = 0
    with Session(engine) as session:
        if body_days:
            unfinished = select(QueueRecipient.message_pk).where(col(QueueRecipient.state).not_in(FINAL_STATES))
            result = session.execute(
                update(QueuedMessage)
                .where(col(QueuedMessage.created_at) < now - timedelta(days=body_days))
                .where(col(QueuedMessage.content).is_not(None))
                .where(col(QueuedMessage.id).not_in(unfinished))
                .values(content=None))
            bodies = int(getattr(result, "rowcount", 0) or 0)
        if log_days:
            result = session.execute(delete(DeliveryLog).where(col(DeliveryLog.at) < now - timedelta(days=log_days)))
            log_rows = int(getattr(result, "rowcount", 0) or 0)
        session.commit()
    return PurgeResult(bodies, log_rows)


def backup(engine: Engine, target: Path) -> str:
    """A consistent online copy of a SQLite database (its backup API); PostgreSQL: pg_dump."""
    url = make_url(engine.url)
    if url.get_backend_name() != "sqlite":
        raise MailhubError(
            "for PostgreSQL use pg_dump, which takes a consistent online copy: "
            f"pg_dump --format=custom --file={target} '{url.set(drivername='postgresql').render_as_string()}'")
    if target.exists():
        raise MailhubError(f"{target} exists; choose a new file")
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(url.database or "")
    try:
        destination = sqlite3.connect(target)
        with destination:
            source.backup(destination)
        destination.close()
    finally:
        source.close()
    return str(target)
