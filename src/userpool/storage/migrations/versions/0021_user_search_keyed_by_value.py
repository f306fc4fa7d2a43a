"""`user_search` keyed by what ListUsers' filters read: (pool_id, name, value_head, sub).

Its key was (sub, name), with an index on (pool_id, name, value_head, sub) beside it: on
SQLite three b-trees per row (the rowid table, the key, the index), two of them written at
random places, six rows per user. An import of users spent most of its B-tree work and its
COMMITs there. Now the index's columns are the key, and on SQLite the rows are stored in
that key's own b-tree (WITHOUT ROWID); a user's rows are found from their stored attributes
(storage/sql_users.py). No row can clash under the new key: (sub, name) was unique, and
both are in it.

Revision ID: 0021
"""

from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

_COLUMNS = "pool_id, name, value_head, sub, value"
_NEW_KEY = ["pool_id", "name", "value_head", "sub"]


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint("user_search_pkey", "user_search", type_="primary")
        op.drop_index("ix_user_search_value", "user_search")
        op.create_primary_key("user_search_pkey", "user_search", _NEW_KEY)
        return
    _rebuild_sqlite(f"PRIMARY KEY ({', '.join(_NEW_KEY)})) WITHOUT ROWID")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint("user_search_pkey", "user_search", type_="primary")
        op.create_primary_key("user_search_pkey", "user_search", ["sub", "name"])
    else:
        _rebuild_sqlite("PRIMARY KEY (sub, name))")
    op.create_index("ix_user_search_value", "user_search", _NEW_KEY)


def _rebuild_sqlite(key: str) -> None:
    """SQLite cannot change a table's key: a new table, the rows copied, the old dropped."""
    op.execute(
        "CREATE TABLE user_search_rebuilt (pool_id VARCHAR(64) NOT NULL, "
        "name VARCHAR(64) NOT NULL, value_head VARCHAR(256) NOT NULL, "
        f"sub VARCHAR(64) NOT NULL, value TEXT NOT NULL, {key}"
    )
    op.execute(f"INSERT INTO user_search_rebuilt ({_COLUMNS}) SELECT {_COLUMNS} FROM user_search")
    op.drop_table("user_search")  # and its index
    op.execute("ALTER TABLE user_search_rebuilt RENAME TO user_search")
