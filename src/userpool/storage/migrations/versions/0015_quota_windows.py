"""Request rate quotas (serve --quotas): requests per key per one-second window, counted by
every node (storage/quota_counters.py).

Revision ID: 0015
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "quota_windows",
        sa.Column("key", sa.String(160), primary_key=True),
        sa.Column("second", sa.BigInteger, primary_key=True),
        sa.Column("n", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("quota_windows")
