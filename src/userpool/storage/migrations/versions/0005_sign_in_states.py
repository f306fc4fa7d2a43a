"""Sign-in states too large to travel in their Session (auth/sessions.py).

Revision ID: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sign_in_states",
        sa.Column("sid", sa.String(64), primary_key=True),
        sa.Column("pool_id", sa.String(64), nullable=False, index=True),
        sa.Column("expires", sa.Float, nullable=False, index=True),
        sa.Column("state", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("sign_in_states")
