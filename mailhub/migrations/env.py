"""Alembic environment: the engine comes from mailhub (``mailhub db upgrade``), never from an ini file."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import directory.models  # noqa: F401  (registers the directory tables)
import mailhub.store.meeting_models
import mailhub.store.models
import mailhub.store.publishing_models  # noqa: F401  (registers the schedule and notice tables)

target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    engine = context.config.attributes["engine"]
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
