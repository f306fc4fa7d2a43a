"""Signing key rotation (`userpool keys rotate`): when a key starts to sign (`signs_from`: a
rotated-in key is published in the JWKS before it signs) and when it leaves the JWKS
(`retires`; NULL: not rotated out). A pool's first keys (NULL `signs_from`) sign from the start.

Revision ID: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("signing_keys", sa.Column("signs_from", sa.Float))
    op.add_column("signing_keys", sa.Column("retires", sa.Float))


def downgrade() -> None:
    op.drop_column("signing_keys", "retires")
    op.drop_column("signing_keys", "signs_from")
