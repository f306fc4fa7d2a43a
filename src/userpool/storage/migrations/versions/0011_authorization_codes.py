"""OAuth 2.0 authorization codes of the pool domains' /oauth2/authorize (single use, minutes).

Revision ID: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "authorization_codes",
        sa.Column("code_hash", sa.String(64), primary_key=True),
        sa.Column("pool_id", sa.String(64), nullable=False, index=True),
        sa.Column("client_id", sa.String(64), nullable=False),
        sa.Column("sub", sa.String(64), nullable=False),
        sa.Column("redirect_uri", sa.String(1024), nullable=False),
        sa.Column("scopes", sa.Text, nullable=False),
        sa.Column("sealed_tokens", sa.LargeBinary, nullable=False),
        sa.Column("expires", sa.Float, nullable=False, index=True),
        sa.Column("code_challenge", sa.String(128)),
        sa.Column("code_challenge_method", sa.String(8)),
    )


def downgrade() -> None:
    op.drop_table("authorization_codes")
