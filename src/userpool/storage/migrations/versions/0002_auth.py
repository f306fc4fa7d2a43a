"""Sign-in engine: signing keys, refresh tokens, consumed sessions, lockout state.

Revision ID: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signing_keys",
        sa.Column("kid", sa.String(64), primary_key=True),
        sa.Column("pool_id", sa.String(64), nullable=False, index=True),
        sa.Column("use", sa.String(16), nullable=False),
        sa.Column("private_sealed", sa.LargeBinary, nullable=False),
        sa.Column("public_jwk", sa.Text, nullable=False),
        sa.Column("created", sa.Float, nullable=False),
    )
    op.create_table(
        "refresh_tokens",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("jti", sa.String(64), nullable=False, unique=True),
        sa.Column("pool_id", sa.String(64), nullable=False, index=True),
        sa.Column("client_id", sa.String(64), nullable=False),
        sa.Column("sub", sa.String(64), nullable=False, index=True),
        sa.Column("auth_time", sa.Float, nullable=False),
        sa.Column("created", sa.Float, nullable=False),
        sa.Column("expires", sa.Float, nullable=False),
        sa.Column("device_key", sa.String(128)),
        sa.Column("revoked", sa.Boolean, nullable=False),
        sa.Column("rotated_at", sa.Float),
    )
    op.create_table(
        "consumed_sessions",
        sa.Column("sid", sa.String(64), primary_key=True),
        sa.Column("expires", sa.Float, nullable=False, index=True),
    )
    op.create_table(
        "sign_in_failures",
        sa.Column("sub", sa.String(64), primary_key=True),
        sa.Column("pool_id", sa.String(64), nullable=False, index=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("last_failure", sa.Float, nullable=False),
        sa.Column("locked_until", sa.Float, nullable=False),
    )


def downgrade() -> None:
    for table in ("sign_in_failures", "consumed_sessions", "refresh_tokens", "signing_keys"):
        op.drop_table(table)
