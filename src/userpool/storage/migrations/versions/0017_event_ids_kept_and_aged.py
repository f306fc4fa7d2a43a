"""Auth events over time: the `event_id` of the sign-in a refresh token came from, which the
tokens refreshed from it keep (NULL: a token issued before this revision, whose refreshed
tokens get a new one each time, as before); and an index on the events' time, by which
housekeeping drops those older than Cognito keeps them (two years).

Revision ID: 0017
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("refresh_tokens", sa.Column("event_id", sa.String(64)))
    op.create_index("ix_auth_events_created", "auth_events", ["created"])


def downgrade() -> None:
    op.drop_index("ix_auth_events_created", "auth_events")
    op.drop_column("refresh_tokens", "event_id")
