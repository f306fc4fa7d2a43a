"""Confirmed devices (ConfirmDevice): the SRP verifier of each device's secret.

Revision ID: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "devices",
        sa.Column("key", sa.String(128), primary_key=True),
        sa.Column("pool_id", sa.String(64), nullable=False),
        sa.Column("sub", sa.String(64), nullable=False),
        sa.Column("group_key", sa.String(64), nullable=False),
        sa.Column("salt", sa.String(256), nullable=False),
        sa.Column("verifier", sa.Text, nullable=False),
        sa.Column("name", sa.String(1024)),
        sa.Column("remembered", sa.Boolean, nullable=False),
        sa.Column("created", sa.Float, nullable=False),
        sa.Column("modified", sa.Float, nullable=False),
        sa.Column("last_authenticated", sa.Float),
        sa.Column("last_ip", sa.String(64)),
    )
    op.create_index("ix_devices_sub", "devices", ["sub", "key"])


def downgrade() -> None:
    op.drop_index("ix_devices_sub", "devices")
    op.drop_table("devices")
