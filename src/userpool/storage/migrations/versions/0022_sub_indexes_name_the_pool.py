"""The indexes by user (sub) name the pool too, so that SQLite takes them for lookups by pool
and user.

A server's SQLite database has no statistics (nothing runs ANALYZE there), and without them
SQLite's planner, given `pool_id = ? AND sub = ?` and two one-column matches, took the index
by pool: a user's group names read every membership of the pool, GlobalSignOut's revocation
every refresh token of the pool, a user's auth events every event of the pool
(tests/test_query_plans.py found them once its SQLite database was no longer ANALYZEd). With
both columns in the index by sub it matches two and is chosen (the memberships' also holds
the group's name, the order they are read in, as the key by pool does). A lookup by sub
alone still uses them. PostgreSQL, which plans with statistics, chose right either way.

Revision ID: 0022
"""

from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

_INDEXES = (
    ("ix_group_members_sub", "group_members", ["sub"], ["sub", "pool_id", "group_name"]),
    ("ix_refresh_tokens_sub", "refresh_tokens", ["sub"], ["sub", "pool_id"]),
    (
        "ix_auth_events_user",
        "auth_events",
        ["sub", "created", "event_id"],
        ["sub", "pool_id", "created", "event_id"],
    ),
)


def upgrade() -> None:
    for name, table, _, columns in _INDEXES:
        op.drop_index(name, table)
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, columns, _ in _INDEXES:
        op.drop_index(name, table)
        op.create_index(name, table, columns)
