"""Alembic environment: the engine comes from mailhub (``mailhub db upgrade``), never from an ini file."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection
from sqlmodel import SQLModel

import directory.models  # noqa: F401  (registers the directory tables)
import mailhub.store.meeting_models
import mailhub.store.models
import mailhub.store.publishing_models  # noqa: F401  (registers the schedule and notice tables)

target_metadata = SQLModel.metadata


def _migrate(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables in batch mode
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    with context.config.attributes["engine"].connect() as fresh:
        _migrate(fresh)


run_migrations_online()
