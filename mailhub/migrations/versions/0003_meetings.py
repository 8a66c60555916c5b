"""meetings

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 12:58:02.556070
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table('meeting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.String(length=255), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('location', sa.String(length=500), nullable=False),
    sa.Column('organizer', sa.String(length=320), nullable=False),
    sa.Column('organizer_name', sa.String(length=255), nullable=False),
    sa.Column('organizer_service', sa.String(length=320), nullable=False),
    sa.Column('chair', sa.String(length=320), nullable=True),
    sa.Column('chair_name', sa.String(length=255), nullable=False),
    sa.Column('agenda', sa.String(length=10000), nullable=False),
    sa.Column('online_url', sa.String(length=1000), nullable=False),
    sa.Column('bridges', sa.String(length=10000), nullable=False),
    sa.Column('weekly_until', sa.Date(), nullable=True),
    sa.Column('exdates', sa.String(length=10000), nullable=False),
    sa.Column('attachments', sa.String(length=10000), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reminder_sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_uid'), ['uid'], unique=True)

    op.create_table('service_address',
    sa.Column('address', sa.String(length=320), nullable=False),
    sa.Column('target', sa.String(length=320), nullable=False),
    sa.Column('display_name', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('address')
    )
    with op.batch_alter_table('service_address', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_address_target'), ['target'], unique=False)

    op.create_table('meeting_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('occurrence', sa.String(length=10), nullable=False),
    sa.Column('answer', sa.String(length=16), nullable=False),
    sa.Column('stamped_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('comment', sa.String(length=1000), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('meeting_id', 'email', 'occurrence')
    )
    with op.batch_alter_table('meeting_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_answer_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('meeting_attendee',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('display_name', sa.String(length=255), nullable=False),
    sa.Column('agency_code', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('meeting_id', 'email')
    )
    with op.batch_alter_table('meeting_attendee', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_attendee_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_attendee_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('meeting_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('queue_id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('meeting_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_message_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_message_queue_id'), ['queue_id'], unique=False)

    op.create_table('meeting_override',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('occurrence', sa.Date(), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=True),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('location', sa.String(length=500), nullable=True),
    sa.Column('cancelled', sa.Boolean(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('meeting_id', 'occurrence')
    )
    with op.batch_alter_table('meeting_override', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_override_meeting_id'), ['meeting_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('meeting_override', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_override_meeting_id'))

    op.drop_table('meeting_override')
    with op.batch_alter_table('meeting_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_message_queue_id'))
        batch_op.drop_index(batch_op.f('ix_meeting_message_meeting_id'))

    op.drop_table('meeting_message')
    with op.batch_alter_table('meeting_attendee', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_attendee_meeting_id'))
        batch_op.drop_index(batch_op.f('ix_meeting_attendee_email'))

    op.drop_table('meeting_attendee')
    with op.batch_alter_table('meeting_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_answer_meeting_id'))

    op.drop_table('meeting_answer')
    with op.batch_alter_table('service_address', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_address_target'))

    op.drop_table('service_address')
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_uid'))

    op.drop_table('meeting')

