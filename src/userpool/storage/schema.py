"""The tables, as SQLAlchemy Core objects. Migrations in `migrations/versions` create them."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

pools = Table(
    "pools",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(128), nullable=False),
    Column("created", Float, nullable=False),
    Column("modified", Float, nullable=False),
    Column("settings", Text, nullable=False),
)

clients = Table(
    "clients",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("pool_id", String(64), nullable=False, index=True),
    Column("name", String(128), nullable=False),
    Column("secret", Text),  # sealed (storage/client_secrets.py): up to 387 characters (0016)
    Column("created", Float, nullable=False),
    Column("modified", Float, nullable=False),
    Column("settings", Text, nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("sub", String(64), primary_key=True),
    Column("pool_id", String(64), nullable=False),
    Column("username", String(256), nullable=False),
    Column("username_key", String(256), nullable=False),
    Column("status", String(32), nullable=False),
    Column("enabled", Boolean, nullable=False),
    Column("created", Float, nullable=False),
    Column("modified", Float, nullable=False),
    Column("attributes", Text, nullable=False),
    Column("password_salt", Text),
    Column("password_verifier", Text),
    Column("password_set_at", Float),
    Column("password_temporary", Boolean),
    Column("mfa", Text, nullable=False),
    # A hash brought by an import job, until the first sign-in makes a verifier of it (0019)
    Column("password_hash", Text),
    Column("password_hash_algorithm", String(16)),
    UniqueConstraint("pool_id", "username_key", name="uq_users_pool_username"),
    # ListUsers' filters, each read in its index's order (sql_user_listing.py, migration 0020;
    # on PostgreSQL username and username_key are "C"-collated and the sub index is on
    # `sub COLLATE "C"`, so that prefix ranges and orders compare code points as on SQLite)
    Index("ix_users_username", "pool_id", "username"),
    Index("ix_users_status", "pool_id", "status", "username_key"),
    Index("ix_users_enabled", "pool_id", "enabled", "username_key"),
    Index("ix_users_sub", "pool_id", "sub"),
)

# Searchable attribute values, for ListUsers filters. The index holds only the first
# SEARCH_HEAD characters of a value: a whole value of up to 2,048 four-byte characters would
# not fit in one PostgreSQL b-tree entry (about 2,700 bytes). The rows are keyed by what the
# filters read, (pool, name, head, sub), and on SQLite stored in that key's b-tree (no rowid):
# one b-tree per row where a key by sub plus an index by value made three, which was most of
# an import's cost (0021). A user's rows are found from their stored attributes (sql_users.py).
SEARCH_HEAD = 256
user_search = Table(
    "user_search",
    metadata,
    Column("pool_id", String(64), primary_key=True),
    Column("name", String(64), primary_key=True),
    Column("value_head", String(SEARCH_HEAD), primary_key=True),  # "C" on PostgreSQL (0020)
    Column("sub", String(64), primary_key=True),
    Column("value", Text, nullable=False),
    sqlite_with_rowid=False,
)

# The values a user signs in with besides the username (an email or phone number that is
# the username, an alias), one holder each: the primary key is what makes them unique, so
# two requests claiming one value at once cannot both win. `key` is a hash of the value
# (case-folded in case-insensitive pools), so a value of any length fits the index.
sign_in_names = Table(
    "sign_in_names",
    metadata,
    Column("pool_id", String(64), primary_key=True),
    Column("attribute", String(64), primary_key=True),
    Column("key", String(64), primary_key=True),
    Column("sub", String(64), nullable=False),
    Index("ix_sign_in_names_sub", "sub"),
)

groups = Table(
    "groups",
    metadata,
    Column("pool_id", String(64), primary_key=True),
    Column("name", String(128), primary_key=True),
    Column("description", String(2048)),
    Column("role_arn", String(2048)),
    Column("precedence", Integer),
    Column("created", Float, nullable=False),
    Column("modified", Float, nullable=False),
)

group_members = Table(
    "group_members",
    metadata,
    Column("pool_id", String(64), primary_key=True),
    Column("group_name", String(128), primary_key=True),
    Column("sub", String(64), primary_key=True),
    Index("ix_group_members_sub", "sub", "pool_id", "group_name"),  # see migration 0022
)

signing_keys = Table(
    "signing_keys",
    metadata,
    Column("kid", String(64), primary_key=True),
    Column("pool_id", String(64), nullable=False, index=True),
    Column("use", String(16), nullable=False),
    Column("private_sealed", LargeBinary, nullable=False),
    Column("public_jwk", Text, nullable=False),
    Column("created", Float, nullable=False),
    Column("signs_from", Float),  # NULL: a pool's first keys, which sign from the start
    Column("retires", Float),  # when it leaves the JWKS; NULL: not rotated out
)

refresh_tokens = Table(
    "refresh_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("jti", String(64), nullable=False, unique=True),
    Column("pool_id", String(64), nullable=False, index=True),
    Column("client_id", String(64), nullable=False),
    Column("sub", String(64), nullable=False),
    Column("auth_time", Float, nullable=False),
    Column("created", Float, nullable=False),
    Column("expires", Float, nullable=False, index=True),  # housekeeping's purge (0020)
    Column("device_key", String(128)),
    Column("revoked", Boolean, nullable=False),
    Column("rotated_at", Float),
    Column("scopes", Text),  # space-separated OAuth scopes (managed login); NULL: the API's
    Column("event_id", String(64)),  # the sign-in's, kept by refreshed tokens (0017)
    Index("ix_refresh_tokens_sub", "sub", "pool_id"),  # pool_id too: see migration 0022
)

# Confirmed devices (ConfirmDevice): the SRP verifier of each device's secret.
devices = Table(
    "devices",
    metadata,
    Column("key", String(128), primary_key=True),
    Column("pool_id", String(64), nullable=False),
    Column("sub", String(64), nullable=False),
    Column("group_key", String(64), nullable=False),
    Column("salt", String(256), nullable=False),
    Column("verifier", Text, nullable=False),
    Column("name", String(1024)),
    Column("remembered", Boolean, nullable=False),
    Column("created", Float, nullable=False),
    Column("modified", Float, nullable=False),
    Column("last_authenticated", Float),
    Column("last_ip", String(64)),
    Index("ix_devices_sub", "sub", "key"),
)

# Registered passkeys (CompleteWebAuthnRegistration): each credential's public key (COSE_Key)
# and the signature counter it last reported. A credential id is unique in its pool; the
# counter is a 32-bit unsigned number, hence BigInteger.
passkeys = Table(
    "passkeys",
    metadata,
    Column("pool_id", String(64), primary_key=True),
    Column("credential_id", String(1400), primary_key=True),
    Column("sub", String(64), nullable=False),
    Column("public_key", LargeBinary, nullable=False),
    Column("sign_count", BigInteger, nullable=False),
    Column("transports", Text, nullable=False),
    Column("relying_party_id", String(256), nullable=False),
    Column("created", Float, nullable=False),
    Column("friendly_name", String(1024)),
    Column("authenticator_attachment", String(32)),
    Index("ix_passkeys_sub", "sub", "credential_id"),
)

# The open StartWebAuthnRegistration of each user (one at a time; a new one replaces it).
passkey_challenges = Table(
    "passkey_challenges",
    metadata,
    Column("pool_id", String(64), primary_key=True),
    Column("sub", String(64), primary_key=True),
    Column("client_id", String(128), nullable=False),
    Column("challenge", String(128), nullable=False),
    Column("relying_party_id", String(256), nullable=False),
    Column("user_verification", String(16), nullable=False),
    Column("expires", Float, nullable=False, index=True),
)

consumed_sessions = Table(
    "consumed_sessions",
    metadata,
    Column("sid", String(64), primary_key=True),
    Column("expires", Float, nullable=False, index=True),
)

# Sign-in states too large to travel in their Session (auth/sessions.py): sealed as there.
sign_in_states = Table(
    "sign_in_states",
    metadata,
    Column("sid", String(64), primary_key=True),
    Column("pool_id", String(64), nullable=False, index=True),
    Column("expires", Float, nullable=False, index=True),
    Column("state", Text, nullable=False),
)

sign_in_failures = Table(
    "sign_in_failures",
    metadata,
    Column("sub", String(64), primary_key=True),
    Column("pool_id", String(64), nullable=False, index=True),
    Column("failures", Integer, nullable=False),
    Column("last_failure", Float, nullable=False, index=True),  # housekeeping's purge (0020)
    Column("locked_until", Float, nullable=False),
)

codes = Table(
    "codes",
    metadata,
    Column("sub", String(64), primary_key=True),
    Column("purpose", String(128), primary_key=True),
    Column("pool_id", String(64), nullable=False, index=True),
    Column("code_hash", String(128), nullable=False),
    Column("expires", Float, nullable=False, index=True),  # housekeeping's purge (0020)
    Column("attempts", Integer, nullable=False),
    Column("created", Float, nullable=False),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("pool_id", String(64), nullable=False),
    Column("username", String(256), nullable=False),
    Column("medium", String(8), nullable=False),
    Column("destination", String(2048), nullable=False),
    Column("subject", Text),
    Column("body", Text, nullable=False),
    Column("purpose", String(128), nullable=False),
    Column("sent_for", String(32), nullable=False),
    Column("code", String(64)),
    Column("created", Float, nullable=False),
    Index("ix_outbox_pool_user", "pool_id", "username", "id"),
)
