"""answers carry the SEQUENCE they answer; meetings the SEQUENCE of their last time change

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 14:00:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('meeting_answer', sa.Column('sequence', sa.Integer(), nullable=False, server_default='0'))
    op.add_column('meeting', sa.Column('time_sequence', sa.Integer(), nullable=False, server_default='0'))


def downgrade() -> None:
    op.drop_column('meeting', 'time_sequence')
    op.drop_column('meeting_answer', 'sequence')
