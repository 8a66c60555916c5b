"""queue

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 12:27:00.734788
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table('activity_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('address', sa.String(length=320), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('detail', sa.String(length=1000), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('activity_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_event_address'), ['address'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_event_at'), ['at'], unique=False)

    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('event', sa.String(length=32), nullable=False),
    sa.Column('sender', sa.String(length=320), nullable=False),
    sa.Column('recipients', sa.String(length=4000), nullable=False),
    sa.Column('client_address', sa.String(length=64), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('rule', sa.String(length=64), nullable=False),
    sa.Column('location', sa.String(length=500), nullable=False),
    sa.Column('detail', sa.String(length=1000), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_at'), ['at'], unique=False)

    op.create_table('delivery_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('queue_id', sa.String(length=32), nullable=False),
    sa.Column('message_id', sa.String(length=998), nullable=False),
    sa.Column('recipient', sa.String(length=320), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('route', sa.String(length=300), nullable=False),
    sa.Column('code', sa.Integer(), nullable=True),
    sa.Column('text', sa.String(length=1000), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('delivery_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_delivery_log_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_delivery_log_message_id'), ['message_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_delivery_log_queue_id'), ['queue_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_delivery_log_recipient'), ['recipient'], unique=False)

    op.create_table('queue_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('queue_id', sa.String(length=32), nullable=False),
    sa.Column('message_id', sa.String(length=998), nullable=False),
    sa.Column('sender', sa.String(length=320), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('submitted_by', sa.String(length=320), nullable=False),
    sa.Column('client_address', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=True),
    sa.Column('held', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('queue_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_queue_message_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_queue_message_message_id'), ['message_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_queue_message_queue_id'), ['queue_id'], unique=True)

    op.create_table('service_secret',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('value', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    op.create_table('queue_recipient',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_pk', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=320), nullable=False),
    sa.Column('original', sa.String(length=320), nullable=False),
    sa.Column('domain', sa.String(length=253), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_by', sa.String(length=64), nullable=True),
    sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_code', sa.Integer(), nullable=True),
    sa.Column('last_text', sa.String(length=1000), nullable=False),
    sa.Column('dsn_sent', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['message_pk'], ['queue_message.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('queue_recipient', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_queue_recipient_address'), ['address'], unique=False)
        batch_op.create_index(batch_op.f('ix_queue_recipient_message_pk'), ['message_pk'], unique=False)
        batch_op.create_index(batch_op.f('ix_queue_recipient_next_attempt_at'), ['next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_queue_recipient_state'), ['state'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('queue_recipient', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_queue_recipient_state'))
        batch_op.drop_index(batch_op.f('ix_queue_recipient_next_attempt_at'))
        batch_op.drop_index(batch_op.f('ix_queue_recipient_message_pk'))
        batch_op.drop_index(batch_op.f('ix_queue_recipient_address'))

    op.drop_table('queue_recipient')
    op.drop_table('service_secret')
    with op.batch_alter_table('queue_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_queue_message_queue_id'))
        batch_op.drop_index(batch_op.f('ix_queue_message_message_id'))
        batch_op.drop_index(batch_op.f('ix_queue_message_created_at'))

    op.drop_table('queue_message')
    with op.batch_alter_table('delivery_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_delivery_log_recipient'))
        batch_op.drop_index(batch_op.f('ix_delivery_log_queue_id'))
        batch_op.drop_index(batch_op.f('ix_delivery_log_message_id'))
        batch_op.drop_index(batch_op.f('ix_delivery_log_at'))

    op.drop_table('delivery_log')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_at'))

    op.drop_table('audit_event')
    with op.batch_alter_table('activity_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activity_event_at'))
        batch_op.drop_index(batch_op.f('ix_activity_event_address'))

    op.drop_table('activity_event')

