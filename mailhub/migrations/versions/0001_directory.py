"""directory

Revision ID: 0001
Revises:
Create Date: 2026-11-23 12:20:54.647150
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table('agency',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('code_key', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('name_key', sa.String(length=255), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('domain', sa.String(length=253), nullable=False),
    sa.Column('mailbox', sa.String(length=320), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['merged_into_id'], ['agency.id'], ),
    sa.ForeignKeyConstraint(['parent_id'], ['agency.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('mailbox')
    )
    with op.batch_alter_table('agency', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agency_code_key'), ['code_key'], unique=True)
        batch_op.create_index(batch_op.f('ix_agency_name_key'), ['name_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_agency_parent_id'), ['parent_id'], unique=False)

    op.create_table('domain_alias',
    sa.Column('domain', sa.String(length=253), nullable=False),
    sa.Column('target_domain', sa.String(length=253), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('domain')
    )
    op.create_table('mail_alias',
    sa.Column('address', sa.String(length=320), nullable=False),
    sa.Column('target', sa.String(length=320), nullable=False),
    sa.Column('note', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('address')
    )
    with op.batch_alter_table('mail_alias', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mail_alias_target'), ['target'], unique=False)

    op.create_table('mail_group',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('description', sa.String(length=255), nullable=False),
    sa.Column('address', sa.String(length=320), nullable=True),
    sa.Column('rule', sa.String(length=1000), nullable=True),
    sa.Column('open_to_outside', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('address')
    )
    with op.batch_alter_table('mail_group', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mail_group_name'), ['name'], unique=True)

    op.create_table('send_as_grant',
    sa.Column('login', sa.String(length=320), nullable=False),
    sa.Column('address', sa.String(length=320), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('login', 'address')
    )
    op.create_table('mail_group_poster',
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('sender', sa.String(length=320), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['mail_group.id'], ),
    sa.PrimaryKeyConstraint('group_id', 'sender')
    )
    op.create_table('official',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(length=64), nullable=True),
    sa.Column('full_name', sa.String(length=255), nullable=False),
    sa.Column('name_key', sa.String(length=255), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('is_head', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('external_id')
    )
    with op.batch_alter_table('official', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_official_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_official_email'), ['email'], unique=True)
        batch_op.create_index(batch_op.f('ix_official_name_key'), ['name_key'], unique=False)

    op.create_table('account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('login', sa.String(length=320), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('official_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['official_id'], ['official.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_login'), ['login'], unique=True)

    op.create_table('mail_group_member',
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('official_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['mail_group.id'], ),
    sa.ForeignKeyConstraint(['official_id'], ['official.id'], ),
    sa.PrimaryKeyConstraint('group_id', 'official_id')
    )



def downgrade() -> None:

    op.drop_table('mail_group_member')
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_login'))

    op.drop_table('account')
    with op.batch_alter_table('official', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_official_name_key'))
        batch_op.drop_index(batch_op.f('ix_official_email'))
        batch_op.drop_index(batch_op.f('ix_official_agency_id'))

    op.drop_table('official')
    op.drop_table('mail_group_poster')
    op.drop_table('send_as_grant')
    with op.batch_alter_table('mail_group', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mail_group_name'))

    op.drop_table('mail_group')
    with op.batch_alter_table('mail_alias', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mail_alias_target'))

    op.drop_table('mail_alias')
    op.drop_table('domain_alias')
    with op.batch_alter_table('agency', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agency_parent_id'))
        batch_op.drop_index(batch_op.f('ix_agency_name_key'))
        batch_op.drop_index(batch_op.f('ix_agency_code_key'))

    op.drop_table('agency')

