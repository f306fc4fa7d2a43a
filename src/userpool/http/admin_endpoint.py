"""What the server's own admin endpoints share (`/_userpool/keys`, `/_userpool/seed`): who may
call them, their JSON bodies, and their errors in the API's form (`{"__type", "message"}`).

Admission: with `--credentials`, a request needs a valid SigV4 signature (service
cognito-idp, the server's region), as the admin operations do, judged by the real time the
client signed with (not the dev clock). Without, where any signature would pass, only a
request from a loopback address is taken: these endpoints end sessions (a rotation) or hand
out every secret (an export).
"""

from __future__ import annotations

import ipaddress
import time
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from userpool.domain.errors import CognitoError, InvalidParameterException
from userpool.protocol.sigv4 import SignedRequest, SigV4Verifier, header_map


class AccessDeniedException(CognitoError):
    status = 403


async def admitted(request: Request, verifier: SigV4Verifier, local_only: str) -> SignedRequest:
    """The request as signed, once admitted; `local_only`: the refusal's message for a
    request from another address on a server without credentials."""
    signed = SignedRequest(
        method=request.method,
        path=request.url.path,
        query=request.url.query,
        headers=header_map(request.headers.items()),
        body=await request.body(),
    )
    if verifier.enforcing:
        verifier.verify(signed, time.time())
    elif request.client is None or not _is_loopback(request.client.host):
        raise AccessDeniedException(local_only)
    return signed


def params_of(body: bytes) -> dict[str, Any]:
    try:
        params = orjson.loads(body or b"{}")
    except orjson.JSONDecodeError as error:
        raise InvalidParameterException("The request body is not JSON.") from error
    if not isinstance(params, dict):
        raise InvalidParameterException("The request body must be a JSON object.")
    return params


def answer(body: dict[str, Any]) -> Response:
    return Response(orjson.dumps(body), media_type="application/json")


def error_answer(error: CognitoError, **extra: Any) -> Response:
    payload: dict[str, Any] = {"__type": error.type_name}
    if error.message:
        payload["message"] = error.message
    payload.update(extra)
    headers = {"x-amzn-ErrorType": error.type_name}
    return Response(
        orjson.dumps(payload), error.status, headers, media_type="application/x-amz-json-1.1"
    )


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
