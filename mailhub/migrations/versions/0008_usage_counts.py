"""usage counts: imported activity events carry a unique key (re-importing a log stores nothing twice);
officials keep an honorific (TS., ThS., PGS.TS. …) apart from their name

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 15:45:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('activity_event', sa.Column('source_key', sa.String(length=64), nullable=True))
    op.create_index('ix_activity_event_source_key', 'activity_event', ['source_key'], unique=True)
    op.add_column('official', sa.Column('honorific', sa.String(length=64), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('official') as batch:
        batch.drop_column('honorific')
    op.drop_index('ix_activity_event_source_key', table_name='activity_event')
    op.drop_column('activity_event', 'source_key')
