"""The one place where concrete classes are wired together."""

from __future__ import annotations

import gc
import os
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, nullcontext
from dataclasses import replace
from typing import Any

from starlette.applications import Starlette

from userpool.auth import Runtime
from userpool.auth.sessions import SessionSealer
from userpool.config import ServerConfig, is_loopback
from userpool.crypto.sealing import Sealer, derive, load_server_key
from userpool.delivery import router
from userpool.http import console, key_admin, outbox, routes
from userpool.http.dev_clock import Held, clock_routes
from userpool.http.import_uploads import routes as upload_routes
from userpool.http.metrics import Metrics, TimedInvoker
from userpool.http.seed_admin import routes as seed_routes
from userpool.protocol.dispatch import Dispatcher
from userpool.protocol.quota_users import QuotaUsers
from userpool.protocol.quotas import Limiter, load_quotas
from userpool.protocol.sigv4 import SigV4Verifier, load_credentials
from userpool.services import catalog, registry
from userpool.services.context import Settings
from userpool.services.import_runner import lifespan as import_runner
from userpool.services.request_routing import RequestRouting
from userpool.storage import database, housekeeping
from userpool.storage.client_secrets import ClientSecrets
from userpool.storage.dev_clock import DevClock
from userpool.storage.quota_counters import counter_for
from userpool.storage.sql_store import SqlStore
from userpool.tokens import rotation
from userpool.tokens.issuer import TokenSigner
from userpool.tokens.keys import KeyRing
from userpool.triggers import Invoker, Triggers
from userpool.triggers.lambda_api import LambdaInvoker
from userpool.triggers.local import LocalInvoker
from userpool.triggers.resolving import ResolvingInvoker
from userpool.triggers.triggers_file import read_triggers_file


def trigger_invoker(config: ServerConfig) -> ResolvingInvoker:
    """Where the pools' Lambda triggers run: the handlers `--triggers` maps, in worker
    processes this process owns; every other function through the Lambda Invoke API."""
    local = LocalInvoker(read_triggers_file(config.triggers_file)) if config.triggers_file else None
    return ResolvingInvoker(local, LambdaInvoker(config.lambda_endpoint_url, config.region))


def build_runtime(
    config: ServerConfig,
    store: SqlStore,
    invoker: Invoker | None = None,
    clock: Callable[[], float] = time.time,
) -> Runtime:
    """The long-lived collaborators of one process, keyed from the server key; `clock`: what
    time it is for them all (the real time, or --dev-endpoints' clock)."""
    server_key = load_server_key(os.environ.get("USERPOOL_SECRET_KEY"), config.data_dir)
    keys = KeyRing.from_server_key(store, server_key, clock)
    return Runtime(
        store=store,
        keys=keys,
        signer=TokenSigner(keys, config.issuer_for),
        sessions=SessionSealer(Sealer(derive(server_key, "auth-sessions"))),
        simulation_key=derive(server_key, "unknown-user-simulation"),
        codes_key=derive(server_key, "one-time-codes"),
        delivery=router.build(store, config.delivery, config.smtp, config.aws, clock),
        triggers=Triggers(invoker or trigger_invoker(config)),
        clock=clock,
    )


def inline_operations(store: SqlStore) -> frozenset[str]:
    """The operations each worker runs on its event loop instead of a thread.

    On SQLite a request is pure CPU plus local file I/O, and one worker process can only
    use one core: handing it to a thread adds a hop and GIL contention and nothing else
    (a sign-in at concurrency 32 spent ~35% more CPU that way). The same holds for a
    PostgreSQL on this machine (a loopback address or a Unix socket): a round trip there
    costs less than the hop (one A/B run, c=32: refreshes 358 -> 723/s, sign-ins 252 -> 296/s).
    A PostgreSQL elsewhere is reached from threads, so that a worker waiting on the network
    serves others meanwhile. Operations that send messages still run in threads, as does a
    request whose pool sets a Lambda function, for an operation that may call it (the
    Dispatcher asks RequestRouting), and one that finds under way that it has slow work to do
    (domain/event_loop.py: an imported password hash to check, up to ~250 ms of CPU) starts
    again in a thread. Sign-in operations otherwise run inline even though an SMS or email MFA
    code may be sent over SMTP or AWS from them: such a send holds up that worker until it is
    done.
    """
    if not database.is_local(store.engine):
        return frozenset()
    return frozenset(catalog.OPERATIONS) - registry.SENDS_MESSAGES


def _lifespan(
    store: SqlStore,
    invoker: ResolvingInvoker,
    rotating: Any = None,
    clock: Callable[[], float] = time.time,
) -> Any:
    """`rotating`: the signing keys' rotation schedule (tokens/rotation.py), if any."""
    purging = housekeeping.lifespan(store, clock)
    importing = import_runner(store, clock)  # this process's runner of user import jobs

    @asynccontextmanager
    async def running(app: Starlette) -> AsyncIterator[None]:
        store.keep_connections_for_this_thread()  # the event loop's, where inline ops run
        try:
            async with purging(app), importing(app), rotating(app) if rotating else nullcontext():
                yield
        finally:  # SIGTERM, Ctrl-C: the trigger handlers' workers end with this process
            invoker.close()

    return running


def create_app(config: ServerConfig | None = None) -> Starlette:
    """Build the ASGI app; uvicorn calls this (as a factory) in each worker process."""
    config = config or ServerConfig.from_env()
    server_key = load_server_key(os.environ.get("USERPOOL_SECRET_KEY"), config.data_dir)
    store = SqlStore(
        database.create(config.db_url, config.sqlite_synchronous),
        ClientSecrets.from_server_key(server_key),
    )
    invoker = trigger_invoker(config)
    # Only with --dev-endpoints can the clock move (storage/dev_clock.py); else it is the
    # real time itself, and nothing reads the dev clock's row.
    dev_clock = DevClock(store.engine) if config.dev_endpoints else None
    clock = dev_clock or time.time
    metrics = Metrics()  # every worker's: summed up at /metrics (http/metrics_files.py)
    metrics.watch_pool(store.engine)
    runtime = replace(
        build_runtime(config, store, TimedInvoker(invoker, metrics), clock),
        sign_in_steps=metrics.sign_in_step,
    )
    credentials = load_credentials(config.credentials_file) if config.credentials_file else None
    verifier = SigV4Verifier(credentials, config.region)
    limiter = None
    if config.quotas is not None:
        counter = counter_for(config.quotas_store, store.engine)
        users = QuotaUsers(store, runtime.keys, runtime.signer.issuer_for, time.time)
        limiter = Limiter(load_quotas(config.quotas), counter, time.time, users)
    dispatcher = Dispatcher(
        settings=Settings(region=config.region, public_url=config.base_url),
        runtime=runtime,
        verifier=verifier,
        clock=time.time,  # SigV4's: the real time the client signed with
        operations=catalog.OPERATIONS,
        inline=inline_operations(store),
        routing=RequestRouting(store, frozenset(registry.CALLS_TRIGGERS)),
        limiter=limiter,
    )
    dev_routes = [*outbox.routes(store), *clock_routes(dev_clock)] if dev_clock else []
    key_routes = key_admin.routes(runtime.keys, store, verifier, clock)
    key_routes += seed_routes(runtime, store, verifier, Settings(region=config.region))
    console_access = console.Access(credentials, listens_on_loopback=is_loopback(config.host))
    console_routes = console.routes(store, runtime.keys, console_access, clock)
    every = config.rotate_keys_every
    rotating = rotation.schedule(runtime.keys, store, every, clock) if every else None
    app = routes.build(
        dispatcher,
        runtime.keys,
        config.issuer_for,
        [*key_routes, *dev_routes, *console_routes, *upload_routes(store, clock)],
        _lifespan(store, invoker, rotating, clock),
        store=store,
        public_url=config.base_url,
        metrics=metrics,
        metrics_readers=credentials,
        limiter=limiter,
    )
    if dev_clock is not None:  # the offset read once as each request arrives
        app.add_middleware(Held, clock=dev_clock, inline=database.is_local(store.engine))
    # What is loaded by now (botocore's service model above all) lives as long as the
    # process: out of the collector's sight, a full collection no longer walks it all.
    gc.freeze()
    return app
