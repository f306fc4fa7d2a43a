"""A partial index of the users who still hold an imported password hash, by pool.

Before a sign-in runs, the server asks whether its pool has any such user: checking the hash
(up to ~250 ms of CPU) must then happen in a thread, not on the worker's event loop
(services/request_routing.py). The index holds only those users, so the question costs one
index probe whatever the pool's size, and nothing at all for a pool that imported none.

Revision ID: 0021
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

_HASHED = sa.text("password_hash IS NOT NULL")


def upgrade() -> None:
    op.create_index(
        "ix_users_imported_hash",
        "users",
        ["pool_id"],
        sqlite_where=_HASHED,
        postgresql_where=_HASHED,
    )


def downgrade() -> None:
    op.drop_index("ix_users_imported_hash", "users")
