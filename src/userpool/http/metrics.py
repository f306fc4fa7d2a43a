"""`GET /metrics`: what the server did, in Prometheus' text format (prometheus_client).

    userpool_requests_total{operation,status,error}      every request; error: its __type
    userpool_request_duration_seconds{operation}         latency histogram
    userpool_sign_ins_total{flow,outcome}                each sign-in step: success (tokens),
                                                         challenge, or the error's __type
    userpool_challenges_issued_total{challenge}          the challenges sign-ins were given
    userpool_lockouts_total{flow}                        steps refused: "Password attempts
                                                         exceeded"
    userpool_trigger_duration_seconds{source,outcome}    Lambda trigger calls, by triggerSource
    userpool_db_pool_checked_out, userpool_db_pool_size  SQLAlchemy's pool, all workers

`operation` is the API operation (X-Amz-Target), or for the other endpoints the route's path
template or a domain's endpoint path; a path nothing serves counts as "unknown", so no label
takes a value a client makes up. No label holds a parameter's value.

Under `userpool serve` the workers share a directory of memory-mapped files
(http/metrics_files.py) that any of them sums up when scraped; a process without that
directory (an app built in a test) counts in memory.

Who may read it: with `--credentials`, a client presenting one of those key pairs by HTTP
Basic authentication (the access key id as user name, the secret as password), as
Prometheus' `basic_auth` sends it; without, loopback clients only (behind a proxy on the same
machine that forwards X-Forwarded-For, uvicorn sees the real client).
"""

from __future__ import annotations

import os
import time
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest, values
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import Engine, event
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from userpool.accounts.lockout import LOCKED
from userpool.auth import Authenticated, Challenge, Outcome
from userpool.domain.errors import CognitoError
from userpool.domain.flows import AuthFlow
from userpool.http.admin_access import holds_key_pair, is_loopback_address
from userpool.http.metrics_files import ENV
from userpool.triggers import FunctionRaised, FunctionTimedOut, FunctionUnreachable, Invoker
from userpool.triggers.events import JSONDict

PATH = "/metrics"
# From a cheap read (a refusal, a JWKS) to a trigger's 5 s limit; seconds.
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
UNKNOWN = "unknown"
REALM = 'Basic realm="userpool metrics"'


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        directory = os.environ.get(ENV)
        if directory:
            if values.ValueClass is values.MutexValue:
                # prometheus_client was first imported before `serve` set the directory (by a
                # CLI module that imports the app): it chose in-memory values then.
                values.ValueClass = values.get_value_class()  # type: ignore[no-untyped-call]
            MultiProcessCollector(self.registry, path=directory)  # type: ignore[no-untyped-call]
        # In multiprocess mode the collector reads the files; the metrics register nowhere.
        into = None if directory else self.registry
        self._requests = Counter(
            "userpool_requests",
            "Requests, by operation, HTTP status and error type (__type).",
            ["operation", "status", "error"],
            registry=into,
        )
        self._latency = Histogram(
            "userpool_request_duration_seconds",
            "Time to answer a request, by operation.",
            ["operation"],
            buckets=BUCKETS,
            registry=into,
        )
        self._sign_ins = Counter(
            "userpool_sign_ins",
            "Sign-in steps (InitiateAuth, RespondToAuthChallenge, managed login), by the sign-in's "
            "flow and outcome: success, challenge, or the error's __type.",
            ["flow", "outcome"],
            registry=into,
        )
        self._challenges = Counter(
            "userpool_challenges_issued",
            "Challenges given to sign-ins, by name.",
            ["challenge"],
            registry=into,
        )
        self._lockouts = Counter(
            "userpool_lockouts",
            "Sign-in steps refused because the user is locked out (Password attempts exceeded).",
            ["flow"],
            registry=into,
        )
        self._triggers = Histogram(
            "userpool_trigger_duration_seconds",
            "Lambda trigger calls, by trigger source and outcome (ok, raised, timed_out, "
            "unreachable).",
            ["source", "outcome"],
            buckets=BUCKETS,
            registry=into,
        )
        self._checked_out = Gauge(
            "userpool_db_pool_checked_out",
            "Database connections in use (checked out of SQLAlchemy's pools of all workers).",
            multiprocess_mode="livesum",
            registry=into,
        )
        self._pool_size = Gauge(
            "userpool_db_pool_size",
            "Connections SQLAlchemy's pools keep open (pool_size, summed over the workers); "
            "up to as many again may be opened beyond it under load (max_overflow).",
            multiprocess_mode="livesum",
            registry=into,
        )

        # Each label set's series, found once: `labels()` takes a lock and checks its values
        # on every call, a cost worth sparing on every request. Labels are bounded, so is this.
        self._series: dict[tuple[str, ...], tuple[Any, ...]] = {}

    def request(self, operation: str, status: int, error: str, seconds: float) -> None:
        key = ("request", operation, str(status), error)
        series = self._series.get(key)
        if series is None:
            made = self._requests.labels(*key[1:]), self._latency.labels(operation)
            series = self._series[key] = made
        series[0].inc()
        series[1].observe(seconds)

    def sign_in_step(self, flow: AuthFlow | None, result: Outcome | CognitoError) -> None:
        """The engine's report (Runtime.sign_in_steps) of one step."""
        name = flow.value if flow is not None else UNKNOWN
        if isinstance(result, Authenticated):
            outcome = "success"
        elif isinstance(result, Challenge):
            outcome = "challenge"
            self._challenges.labels(result.name.value).inc()
        else:
            outcome = result.type_name
            if result.message == LOCKED:
                self._lockouts.labels(name).inc()
        key = ("sign-in", name, outcome)
        series = self._series.get(key)
        if series is None:
            series = self._series[key] = (self._sign_ins.labels(name, outcome),)
        series[0].inc()

    def trigger_call(self, source: str, outcome: str, seconds: float) -> None:
        self._triggers.labels(source, outcome).observe(seconds)

    def watch_pool(self, engine: Engine) -> None:
        """Count the connections `engine`'s pool hands out (its own events: nothing to poll)."""
        size = getattr(engine.pool, "size", None)
        self._pool_size.set(size() if callable(size) else 0)
        event.listen(engine, "checkout", lambda *_: self._checked_out.inc())
        event.listen(engine, "checkin", lambda *_: self._checked_out.dec())

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class TimedInvoker:
    """An `Invoker` whose calls are timed, by the event's triggerSource (set by the server,
    from triggers.sources: a bounded label)."""

    def __init__(self, invoker: Invoker, metrics: Metrics) -> None:
        self._invoker = invoker
        self._metrics = metrics

    def invoke(self, function: str, event: JSONDict, *, timeout: float) -> object:
        source = str(event.get("triggerSource", UNKNOWN))
        started = time.perf_counter()
        outcome = "ok"
        try:
            return self._invoker.invoke(function, event, timeout=timeout)
        except FunctionRaised:
            outcome = "raised"
            raise
        except FunctionTimedOut:
            outcome = "timed_out"
            raise
        except FunctionUnreachable:
            outcome = "unreachable"
            raise
        finally:
            self._metrics.trigger_call(source, outcome, time.perf_counter() - started)


def refusal(request: Request, credentials: dict[str, str] | None) -> Response | None:
    """Why `request` may not read /metrics, as a response; None when it may."""
    if credentials is None:
        if is_loopback_address(request.client.host if request.client else None):
            return None
        message = "Metrics are served to loopback clients only (or configure --credentials)."
        return JSONResponse({"message": message}, status_code=403)
    if holds_key_pair(request, credentials):
        return None
    return JSONResponse(
        {"message": "Metrics need the server's credentials (HTTP Basic)."},
        status_code=401,
        headers={"www-authenticate": REALM},
    )


def routes(metrics: Metrics, credentials: dict[str, str] | None) -> list[Route]:
    async def serve(request: Request) -> Response:
        refused = refusal(request, credentials)
        if refused is not None:
            return refused
        text = await run_in_threadpool(metrics.exposition)  # reads every worker's files
        return Response(text, media_type=CONTENT_TYPE_PLAIN_0_0_4)

    return [Route(PATH, serve, methods=["GET"])]
