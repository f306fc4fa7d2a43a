"""The wire: target -> operation, validation, SigV4, the handler, and the JSON envelope."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from typing import Any

import orjson

from userpool.auth import Runtime
from userpool.domain.errors import (
    CognitoError,
    InternalErrorException,
    SerializationException,
    UnknownOperationException,
    UnsupportedOperationException,
)
from userpool.domain.event_loop import MustLeaveTheLoop, on_the_loop
from userpool.protocol.model import TARGET_PREFIX, service_model, unauthenticated_operations
from userpool.protocol.quotas import Limiter
from userpool.protocol.sigv4 import SignedRequest, SigV4Verifier
from userpool.protocol.validation import validate
from userpool.services.context import Context, Settings
from userpool.services.registry import Handler
from userpool.services.request_routing import RequestRouting

log = logging.getLogger("userpool.protocol")

CONTENT_TYPE = "application/x-amz-json-1.1"


@dataclass(frozen=True)
class WireResponse:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def _operation_name(request: SignedRequest) -> str | None:
    target = request.headers.get("x-amz-target", "")
    return target[len(TARGET_PREFIX) :] if target.startswith(TARGET_PREFIX) else None


def _peek(body: bytes) -> dict[str, Any]:
    """The request's parameters, if they parse (else the operation refuses it anyway)."""
    try:
        params = orjson.loads(body)
    except orjson.JSONDecodeError:
        return {}
    return params if isinstance(params, dict) else {}


def _json_default(value: Any) -> Any:
    raise TypeError(f"cannot serialise {type(value).__name__}")


class Dispatcher:
    def __init__(
        self,
        settings: Settings,
        runtime: Runtime,
        verifier: SigV4Verifier,
        clock: Any,
        operations: dict[str, Handler],
        inline: frozenset[str] = frozenset(),
        routing: RequestRouting | None = None,
        limiter: Limiter | None = None,
    ) -> None:
        self._limiter = limiter
        self._operations = operations
        self._inline = inline
        self._routing = routing
        self._settings = settings
        self._runtime = runtime
        self._verifier = verifier
        self._clock = clock
        model = service_model()
        self._inputs = {
            name: model.operation_model(name).input_shape for name in model.operation_names
        }
        self._open = unauthenticated_operations()

    @property
    def runtime(self) -> Runtime:
        """What the operations are given: the pool domains' endpoints use it too."""
        return self._runtime

    def handle_on_loop(self, request: SignedRequest, request_id: str | None) -> WireResponse | None:
        """`handle`, on the event loop; None if the request found it has slow work to do
        (domain/event_loop.py), having changed nothing: then `handle` it, `admitted`, in a
        thread."""
        with on_the_loop():
            try:
                return self.handle(request, request_id)
            except MustLeaveTheLoop:
                return None

    def handle(
        self, request: SignedRequest, request_id: str | None = None, *, admitted: bool = False
    ) -> WireResponse:
        """`request_id`: the id the server gave the request on arrival (its log lines carry
        it); a new one without. `admitted`: the quotas counted it already."""
        request_id = request_id or str(uuid.uuid4())
        try:
            result = self._run(request, admitted)
            body = orjson.dumps(result, default=_json_default)
            return WireResponse(200, body, self._headers(request_id))
        except CognitoError as error:
            return self._error(error, request_id)
        except Exception:
            log.exception("internal error in request %s", request_id)
            return self._error(InternalErrorException(), request_id)

    def runs_inline(self, request: SignedRequest) -> bool:
        """Whether to handle `request` on the caller's thread (the event loop) rather than
        in a worker thread: for operations that never wait on the network, unless this
        request may wait on a Lambda function of its pool all the same (`routing`)."""
        name = _operation_name(request)
        if name not in self._inline:
            return False
        if self._routing is None or name not in self._routing.operations:
            return True
        return not self._routing.may_wait(name, _peek(request.body))

    def _run(self, request: SignedRequest, admitted: bool) -> dict[str, Any]:
        name = _operation_name(request)
        if name is None or name not in self._inputs:
            raise UnknownOperationException()
        region = None
        if name not in self._open:
            region = self._verifier.verify(request, self._clock())
        try:
            params = orjson.loads(request.body) if request.body.strip() else {}
        except orjson.JSONDecodeError as error:
            raise SerializationException("Malformed request body: not valid JSON.") from error
        validate(self._inputs[name], params)
        handler = self._operations.get(name)
        if handler is None:
            raise UnsupportedOperationException(f"{name} is not implemented by userpool yet.")
        if self._limiter is not None and not admitted:  # before any work: a refusal changes nothing
            self._limiter.admit(name, params, region or self._settings.region)
        # The operation's time is the runtime's clock (the dev clock, when moved); SigV4's
        # freshness above is judged by `self._clock`, the real time the client signed with.
        context = Context(self._settings, self._runtime, region=region, source_ip=request.source_ip)
        return handler(context, params)

    def _headers(self, request_id: str) -> dict[str, str]:
        return {"x-amzn-RequestId": request_id, "content-type": CONTENT_TYPE}

    def _error(self, error: CognitoError, request_id: str) -> WireResponse:
        headers = self._headers(request_id)
        headers["x-amzn-ErrorType"] = error.type_name
        payload: dict[str, str] = {"__type": error.type_name}
        if error.message:
            payload["message"] = error.message
        return WireResponse(error.status, orjson.dumps(payload), headers)
