"""One-time codes (sign-up, forgot-password, attribute verification, MFA) and the outbox.

Revision ID: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "codes",
        sa.Column("sub", sa.String(64), primary_key=True),
        sa.Column("purpose", sa.String(128), primary_key=True),
        sa.Column("pool_id", sa.String(64), nullable=False, index=True),
        sa.Column("code_hash", sa.String(128), nullable=False),
        sa.Column("expires", sa.Float, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("created", sa.Float, nullable=False),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("pool_id", sa.String(64), nullable=False),
        sa.Column("username", sa.String(256), nullable=False),
        sa.Column("medium", sa.String(8), nullable=False),
        sa.Column("destination", sa.String(2048), nullable=False),
        sa.Column("subject", sa.Text),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("purpose", sa.String(128), nullable=False),
        sa.Column("code", sa.String(64)),
        sa.Column("created", sa.Float, nullable=False),
    )
    op.create_index("ix_outbox_pool_user", "outbox", ["pool_id", "username", "id"])


def downgrade() -> None:
    op.drop_table("outbox")
    op.drop_table("codes")
