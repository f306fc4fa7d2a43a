"""`/_userpool/keys`: a pool's signing keys over HTTP, for `userpool keys --endpoint-url`.

    GET  /_userpool/keys?UserPoolId=ID
    POST /_userpool/keys/rotate    {"UserPoolId": ID, "KeepOldSeconds": N, "PublishAheadSeconds": N}

Both answer `{"UserPoolId": ID, "Keys": [{"Kid", "Use", "Created", "SignsFrom", "Retires"}]}`
(the keys in the pool's JWKS, oldest first; `Retires` null for those not rotated out; the
optional seconds as tokens/rotation.py says), errors as the API's
(`{"__type", "message"}`). With `--credentials`, a request needs a valid SigV4 signature
(service cognito-idp, the server's region), as the admin operations do. Without, where any
signature would pass, only a request from a loopback address is taken: a rotation with
`KeepOldSeconds` 0 ends every signed-in session of the pool.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from userpool.domain.errors import (
    CognitoError,
    InternalErrorException,
    InvalidParameterException,
)
from userpool.http.admin_endpoint import admitted, answer, error_answer, params_of
from userpool.protocol.sigv4 import SigV4Verifier
from userpool.storage.repositories import Store
from userpool.tokens import rotation
from userpool.tokens.keys import KeyRing

log = logging.getLogger("userpool.keys")

ROOT = "/_userpool/keys"
POOL_ID_LENGTH = 55  # botocore's UserPoolIdType
LONGEST_SECONDS = 366 * 86_400
LOCAL_ONLY = "This server has no --credentials: its key endpoints answer loopback addresses only."


def routes(
    keys: KeyRing, store: Store, verifier: SigV4Verifier, clock: Callable[[], float] = time.time
) -> list[Route]:
    """`clock`: the server's, for the rotation's times (the dev clock, when moved); a
    signature's freshness is judged by the real time the client signed with."""

    async def listing(request: Request) -> Response:
        try:
            await admitted(request, verifier, LOCAL_ONLY)
            pool_id = _pool_id(request.query_params.get("UserPoolId"))
            states = await run_in_threadpool(rotation.key_states, store, pool_id, clock())
        except CognitoError as error:
            return error_answer(error)
        except Exception:
            log.exception("listing signing keys failed")
            return error_answer(InternalErrorException())
        return _answer(pool_id, states)

    async def rotate(request: Request) -> Response:
        try:
            signed = await admitted(request, verifier, LOCAL_ONLY)
            params = params_of(signed.body)
            pool_id = _pool_id(params.get("UserPoolId"))
            keep = _seconds(params, "KeepOldSeconds")
            ahead = _seconds(params, "PublishAheadSeconds")
            states = await run_in_threadpool(
                rotation.rotate, keys, store, pool_id, clock(), keep_old=keep, publish_ahead=ahead
            )
        except CognitoError as error:
            return error_answer(error)
        except Exception:
            log.exception("rotating signing keys failed")
            return error_answer(InternalErrorException())
        return _answer(pool_id, states)

    return [
        Route(ROOT, listing, methods=["GET"]),
        Route(ROOT + "/rotate", rotate, methods=["POST"]),
    ]


def _pool_id(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise InvalidParameterException("UserPoolId is required.")
    if len(value) > POOL_ID_LENGTH or "_" not in value or not value.isprintable():
        raise InvalidParameterException(f"{value[:POOL_ID_LENGTH]!r} is not a user pool id.")
    return value


def _seconds(params: dict[str, Any], name: str) -> float | None:
    value = params.get(name)
    if value is None:
        return None
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if not number or not math.isfinite(value) or not 0 <= value <= LONGEST_SECONDS:
        raise InvalidParameterException(
            f"{name} must be a number of seconds from 0 to {LONGEST_SECONDS}."
        )
    return float(value)


def _answer(pool_id: str, states: list[rotation.KeyState]) -> Response:
    return answer({"UserPoolId": pool_id, "Keys": [state.as_json() for state in states]})
