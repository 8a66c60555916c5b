"""meetings keep their document number, signer and documents (updates carry them again)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 16:00:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('meeting', sa.Column('document_number', sa.String(length=64), nullable=False, server_default=''))
    op.add_column('meeting', sa.Column('signer', sa.String(length=1000), nullable=False, server_default='{}'))
    op.create_table(
        'meeting_document',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('meeting_id', sa.Integer(), sa.ForeignKey('meeting.id'), nullable=False, index=True),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('content_type', sa.String(length=255), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table('meeting_document')
    op.drop_column('meeting', 'signer')
    op.drop_column('meeting', 'document_number')
