"""daily activity

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 13:39:15.552581
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table('activity_daily',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('address', sa.String(length=320), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'address', 'kind')
    )



def downgrade() -> None:

    op.drop_table('activity_daily')

