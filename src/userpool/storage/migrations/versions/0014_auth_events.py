"""Users' auth events (AdminListUserAuthEvents): one row per event, read per user newest
first, exported per pool oldest first.

Revision ID: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "auth_events",
        sa.Column("event_id", sa.String(64), primary_key=True),
        sa.Column("pool_id", sa.String(64), nullable=False),
        sa.Column("sub", sa.String(64), nullable=False),
        sa.Column("username", sa.String(256), nullable=False),
        sa.Column("event_type", sa.String(16), nullable=False),
        sa.Column("created", sa.BigInteger, nullable=False),
        sa.Column("response", sa.String(16), nullable=False),
        sa.Column("challenges", sa.Text, nullable=False),
        sa.Column("context", sa.Text, nullable=False),
        sa.Column("feedback", sa.Text),
    )
    op.create_index("ix_auth_events_user", "auth_events", ["sub", "created", "event_id"])
    op.create_index("ix_auth_events_pool", "auth_events", ["pool_id", "created", "event_id"])


def downgrade() -> None:
    op.drop_table("auth_events")
