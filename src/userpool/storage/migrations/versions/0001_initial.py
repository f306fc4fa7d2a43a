"""Pools, app clients, users and their searchable attributes, groups.

Revision ID: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.Float


def upgrade() -> None:
    op.create_table(
        "pools",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("created", TS, nullable=False),
        sa.Column("modified", TS, nullable=False),
        sa.Column("settings", sa.Text, nullable=False),
    )
    op.create_table(
        "clients",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("pool_id", sa.String(64), nullable=False, index=True),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("secret", sa.String(128)),
        sa.Column("created", TS, nullable=False),
        sa.Column("modified", TS, nullable=False),
        sa.Column("settings", sa.Text, nullable=False),
    )
    op.create_table(
        "users",
        sa.Column("sub", sa.String(64), primary_key=True),
        sa.Column("pool_id", sa.String(64), nullable=False),
        sa.Column("username", sa.String(256), nullable=False),
        sa.Column("username_key", sa.String(256), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("created", TS, nullable=False),
        sa.Column("modified", TS, nullable=False),
        sa.Column("attributes", sa.Text, nullable=False),
        sa.Column("password_salt", sa.Text),
        sa.Column("password_verifier", sa.Text),
        sa.Column("password_set_at", TS),
        sa.Column("password_temporary", sa.Boolean),
        sa.Column("mfa", sa.Text, nullable=False),
        sa.UniqueConstraint("pool_id", "username_key", name="uq_users_pool_username"),
    )
    op.create_table(
        "user_lookup",
        sa.Column("pool_id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.String(2048), primary_key=True),
        sa.Column("sub", sa.String(64), primary_key=True),
        sa.Column("folded", sa.String(2048), nullable=False),
    )
    op.create_index("ix_user_lookup_folded", "user_lookup", ["pool_id", "name", "folded"])
    op.create_index("ix_user_lookup_sub", "user_lookup", ["sub"])
    op.create_table(
        "groups",
        sa.Column("pool_id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(128), primary_key=True),
        sa.Column("description", sa.String(2048)),
        sa.Column("role_arn", sa.String(2048)),
        sa.Column("precedence", sa.Integer),
        sa.Column("created", TS, nullable=False),
        sa.Column("modified", TS, nullable=False),
    )
    op.create_table(
        "group_members",
        sa.Column("pool_id", sa.String(64), primary_key=True),
        sa.Column("group_name", sa.String(128), primary_key=True),
        sa.Column("sub", sa.String(64), primary_key=True),
    )
    op.create_index("ix_group_members_sub", "group_members", ["sub"])


def downgrade() -> None:
    for table in ("group_members", "groups", "user_lookup", "users", "clients", "pools"):
        op.drop_table(table)
