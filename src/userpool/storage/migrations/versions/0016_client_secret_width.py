"""App client secrets are sealed at rest (storage/client_secrets.py): `sealed:` and the base64 of
nonce, ciphertext and tag, 131 characters for the longest secret a client may be given
(CreateUserPoolClient's ClientSecret: 64 characters). The column held 128, so PostgreSQL
refused such a client's row (found by tests/test_fuzz.py); it holds 256 now.

Revision ID: 0016
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("clients") as batch:
        batch.alter_column("secret", existing_type=sa.String(128), type_=sa.String(256))


def downgrade() -> None:
    with op.batch_alter_table("clients") as batch:
        batch.alter_column("secret", existing_type=sa.String(256), type_=sa.String(128))
