"""Indexes that keep every ListUsers filter, ListUsersInGroup and housekeeping's purges from
reading a whole table (tests/test_query_plans.py asserts the plans on both backends).

- ListUsers pages are read along an index, in its order (storage/sql_user_listing.py):
  `username` through (pool_id, username), case-sensitive as the filter is in every pool;
  `cognito:user_status` and `status` (Enabled) through (pool_id, status | enabled,
  username_key); `sub` through (pool_id, sub); a searchable attribute through user_search's
  (pool_id, name, value_head, sub), which replaces (pool_id, name, value_head).
- On PostgreSQL the text that filters range over and pages are ordered by compares by code
  point ("C"), as on SQLite: `users.username`, `users.username_key` and
  `user_search.value_head` take the "C" collation, and the index on sub is on
  `sub COLLATE "C"` (sub itself keeps its collation: other tables join on it). Under a
  language collation a range cannot express "starts with", and an index in that order cannot
  serve a range in code-point order.
- Housekeeping deletes expired refresh tokens and codes, and forgotten lockout records, by
  time: an index on each of those times.

Revision ID: 0020
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

_C_COLLATED = (("users", "username"), ("users", "username_key"), ("user_search", "value_head"))
_INDEXES = (
    ("ix_users_username", "users", ["pool_id", "username"]),
    ("ix_users_status", "users", ["pool_id", "status", "username_key"]),
    ("ix_users_enabled", "users", ["pool_id", "enabled", "username_key"]),
    ("ix_refresh_tokens_expires", "refresh_tokens", ["expires"]),
    ("ix_codes_expires", "codes", ["expires"]),
    ("ix_sign_in_failures_last_failure", "sign_in_failures", ["last_failure"]),
)


def _collate(collation: str) -> None:
    for table, column in _C_COLLATED:
        op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} TYPE VARCHAR(256) {collation}")


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        _collate('COLLATE "C"')
    op.drop_index("ix_user_search_value", "user_search")
    op.create_index("ix_user_search_value", "user_search", ["pool_id", "name", "value_head", "sub"])
    sub = sa.text('(sub COLLATE "C")') if postgresql else "sub"
    op.create_index("ix_users_sub", "users", ["pool_id", sub])
    for name, table, columns in _INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _ in reversed(_INDEXES):
        op.drop_index(name, table)
    op.drop_index("ix_users_sub", "users")
    op.drop_index("ix_user_search_value", "user_search")
    op.create_index("ix_user_search_value", "user_search", ["pool_id", "name", "value_head"])
    if op.get_bind().dialect.name == "postgresql":
        _collate('COLLATE "default"')
