"""the delivery log says what TLS each attempt had: version, and whether the certificate was verified

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 17:00:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('delivery_log', sa.Column('tls', sa.String(length=64), nullable=False, server_default=''))


def downgrade() -> None:
    op.drop_column('delivery_log', 'tls')
