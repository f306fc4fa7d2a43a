"""The OAuth scopes of a managed-login sign-in on its refresh token, which the tokens refreshed
from it keep (the token endpoint's refresh_token grant). NULL: a sign-in through the API.

Revision ID: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("refresh_tokens", sa.Column("scopes", sa.Text))


def downgrade() -> None:
    op.drop_column("refresh_tokens", "scopes")
