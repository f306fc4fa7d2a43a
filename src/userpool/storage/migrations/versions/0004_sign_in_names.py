"""Sign-in names held by one user each (a unique key), and a search index that fits values
of any length.

`user_lookup` had every searchable value in its primary key: a value over ~2,700 UTF-8 bytes
could not be stored on PostgreSQL, and nothing kept an alias or an email-as-username unique
when two requests claimed it at once. `user_search` indexes a bounded prefix of each value;
`sign_in_names` holds each value that signs a user in, keyed by its hash, once per pool.

Revision ID: 0004
"""

import hashlib
from collections.abc import Iterator
from typing import Any

import orjson
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql, sqlite

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

HEAD = 256
VERIFIED_FLAGS = {"email": "email_verified", "phone_number": "phone_number_verified"}


def upgrade() -> None:
    op.create_table(
        "user_search",
        sa.Column("sub", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("pool_id", sa.String(64), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("value_head", sa.String(HEAD), nullable=False),
    )
    op.create_index("ix_user_search_value", "user_search", ["pool_id", "name", "value_head"])
    op.execute(
        "INSERT INTO user_search (sub, name, pool_id, value, value_head) "
        f"SELECT sub, name, pool_id, value, substr(value, 1, {HEAD}) FROM user_lookup"
    )
    op.drop_table("user_lookup")
    names = op.create_table(
        "sign_in_names",
        sa.Column("pool_id", sa.String(64), primary_key=True),
        sa.Column("attribute", sa.String(64), primary_key=True),
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("sub", sa.String(64), nullable=False),
    )
    op.create_index("ix_sign_in_names_sub", "sign_in_names", ["sub"])
    _claim_existing_names(op.get_bind(), names)


def _claim_existing_names(connection: Any, names: sa.Table) -> None:
    """Each user's sign-in values as the accounts code derives them (accounts/lookup.py, as
    of this revision); where earlier races left two holders, the earlier-created keeps it."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    pools = connection.execute(sa.text("SELECT id, settings FROM pools")).all()
    for pool_id, settings_text in pools:
        rows = list(_names_of_pool(connection, pool_id, orjson.loads(settings_text)))
        if rows:
            connection.execute(dialect.insert(names).on_conflict_do_nothing(), rows)


def _names_of_pool(
    connection: Any, pool_id: str, settings: dict[str, Any]
) -> Iterator[dict[str, str]]:
    username_attributes = settings.get("UsernameAttributes") or []
    aliases = settings.get("AliasAttributes") or []
    fold = not (settings.get("UsernameConfiguration") or {}).get("CaseSensitive", True)
    users = connection.execute(
        sa.text("SELECT sub, attributes FROM users WHERE pool_id = :pool ORDER BY created, sub"),
        {"pool": pool_id},
    )
    for sub, attributes_text in users:
        attributes = orjson.loads(attributes_text)
        for attribute in username_attributes or aliases:
            value = attributes.get(attribute)
            if not value:
                continue
            flag = VERIFIED_FLAGS.get(attribute)
            if attribute not in username_attributes and flag and attributes.get(flag) != "true":
                continue
            folded = value.lower() if fold else value
            key = hashlib.sha256(folded.encode()).hexdigest()
            yield {"pool_id": pool_id, "attribute": attribute, "key": key, "sub": sub}


def downgrade() -> None:
    op.drop_table("sign_in_names")
    op.create_table(
        "user_lookup",
        sa.Column("pool_id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.String(2048), primary_key=True),
        sa.Column("sub", sa.String(64), primary_key=True),
        sa.Column("folded", sa.String(2048), nullable=False),
    )
    op.execute(
        "INSERT INTO user_lookup (pool_id, name, value, sub, folded) "
        "SELECT pool_id, name, value, sub, lower(value) FROM user_search"
    )
    op.create_index("ix_user_lookup_folded", "user_lookup", ["pool_id", "name", "folded"])
    op.create_index("ix_user_lookup_sub", "user_lookup", ["sub"])
    op.drop_table("user_search")
