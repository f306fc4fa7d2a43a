"""Resource servers (CreateResourceServer) and the custom scopes each defines.

Revision ID: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # (pool_id, identifier) is the primary key: an identifier names one resource server in its
    # pool, so of two CreateResourceServer calls for one identifier at once, one wins.
    op.create_table(
        "resource_servers",
        sa.Column("pool_id", sa.String(64), primary_key=True),
        sa.Column("identifier", sa.String(256), primary_key=True),
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("scopes", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("resource_servers")
