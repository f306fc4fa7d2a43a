"""The one place where concrete classes are wired together."""

from __future__ import annotations

import time

from starlette.applications import Starlette

from userpool.config import ServerConfig
from userpool.http import routes
from userpool.protocol.dispatch import Dispatcher
from userpool.protocol.sigv4 import SigV4Verifier, load_credentials
from userpool.services import catalog
from userpool.services.context import Settings
from userpool.storage import database
from userpool.storage.sql_store import SqlStore


def create_app(config: ServerConfig | None = None) -> Starlette:
    """Build the ASGI app; uvicorn calls this (as a factory) in each worker process."""
    config = config or ServerConfig.from_env()
    engine = database.create(config.db_url)
    credentials = load_credentials(config.credentials_file) if config.credentials_file else None
    dispatcher = Dispatcher(
        store=SqlStore(engine),
        settings=Settings(region=config.region),
        verifier=SigV4Verifier(credentials, config.region),
        clock=time.time,
        operations=catalog.OPERATIONS,
    )
    return routes.build(dispatcher)
