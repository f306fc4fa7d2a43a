"""Why each outbox message was sent (domain/messages.py MessagePurpose), beside the key of the
code it carries. Earlier rows get the reason their key implies (a resent sign-up code reads as
SignUp: the two shared a key).

Revision ID: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("sent_for", sa.String(32), nullable=True))
    op.execute(
        "UPDATE outbox SET sent_for = CASE "
        "WHEN purpose = 'invitation' THEN 'AdminCreateUser' "
        "WHEN purpose = 'forgot-password' THEN 'ForgotPassword' "
        "WHEN purpose LIKE 'verify:%' THEN 'VerifyUserAttribute' "
        "WHEN purpose LIKE 'mfa:%' THEN 'Authentication' "
        "ELSE 'SignUp' END"
    )
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column("sent_for", existing_type=sa.String(32), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("sent_for")
