"""Passkeys (CompleteWebAuthnRegistration) and the open registration challenge of each user.

Revision ID: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "passkeys",
        sa.Column("pool_id", sa.String(64), primary_key=True),
        sa.Column("credential_id", sa.String(1400), primary_key=True),
        sa.Column("sub", sa.String(64), nullable=False),
        sa.Column("public_key", sa.LargeBinary, nullable=False),
        sa.Column("sign_count", sa.BigInteger, nullable=False),
        sa.Column("transports", sa.Text, nullable=False),
        sa.Column("relying_party_id", sa.String(256), nullable=False),
        sa.Column("created", sa.Float, nullable=False),
        sa.Column("friendly_name", sa.String(1024)),
        sa.Column("authenticator_attachment", sa.String(32)),
    )
    op.create_index("ix_passkeys_sub", "passkeys", ["sub", "credential_id"])
    op.create_table(
        "passkey_challenges",
        sa.Column("pool_id", sa.String(64), primary_key=True),
        sa.Column("sub", sa.String(64), primary_key=True),
        sa.Column("client_id", sa.String(128), nullable=False),
        sa.Column("challenge", sa.String(128), nullable=False),
        sa.Column("relying_party_id", sa.String(256), nullable=False),
        sa.Column("user_verification", sa.String(16), nullable=False),
        sa.Column("expires", sa.Float, nullable=False),
    )
    op.create_index("ix_passkey_challenges_expires", "passkey_challenges", ["expires"])


def downgrade() -> None:
    op.drop_index("ix_passkey_challenges_expires", "passkey_challenges")
    op.drop_table("passkey_challenges")
    op.drop_index("ix_passkeys_sub", "passkeys")
    op.drop_table("passkeys")
