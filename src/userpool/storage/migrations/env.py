"""Alembic environment: migrations run on a connection handed in by `storage.database`."""

from alembic import context

from userpool.storage.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata)
with context.begin_transaction():
    context.run_migrations()
