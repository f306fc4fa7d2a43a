"""App client secrets are sealed at rest (storage/client_secrets.py): `sealed:` and the base64 of
nonce, ciphertext and tag. A secret a client may be given (CreateUserPoolClient's ClientSecret,
up to 64 characters of the model's `[\\w+]+`, letters of any script) takes up to 256 bytes of
UTF-8, so up to 387 characters sealed; the column held 128, so PostgreSQL refused such a
client's row (found by tests/test_fuzz.py). It is text now.

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
        batch.alter_column("secret", existing_type=sa.String(128), type_=sa.Text)


def downgrade() -> None:
    with op.batch_alter_table("clients") as batch:
        batch.alter_column("secret", existing_type=sa.Text, type_=sa.String(128))
