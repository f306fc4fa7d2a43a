"""The controllable clock of `serve --dev-endpoints` (storage/dev_clock.py): one row, the offset
in seconds that every worker and node adds to the real time. Read only with --dev-endpoints.

Revision ID: 0018
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "dev_clock",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("offset_seconds", sa.Float, nullable=False),
    )
    op.bulk_insert(table, [{"id": 1, "offset_seconds": 0.0}])


def downgrade() -> None:
    op.drop_table("dev_clock")
