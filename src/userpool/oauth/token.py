"""A pool domain's token endpoint, `POST /oauth2/token` (the Cognito Developer Guide's "token
endpoint"): for now the client_credentials grant. The request is form-encoded; the client
authenticates with HTTP Basic (`client_id:client_secret`) or with both in the form. Errors are
OAuth 2.0's JSON (`{"error": ...}`, status 400), never a stack trace."""

from __future__ import annotations

import base64
import binascii
import time
from urllib.parse import parse_qs, unquote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from userpool.auth import Runtime
from userpool.oauth.domains import DomainRequest
from userpool.services import client_tokens
from userpool.services.client_tokens import TokenRefusal

FORM = "application/x-www-form-urlencoded"
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _refused(error: str) -> Response:
    return JSONResponse({"error": error}, status_code=400, headers=NO_STORE)


def _form(body: bytes) -> dict[str, str]:
    """The form's fields; a field sent twice is a malformed request (RFC 6749 §3.2)."""
    fields = parse_qs(body.decode("utf-8", errors="strict"), keep_blank_values=True)
    if any(len(values) > 1 for values in fields.values()):
        raise TokenRefusal("invalid_request")
    return {name: values[0] for name, values in fields.items()}


def _basic(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or not value:
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError) as error:
        raise TokenRefusal("invalid_client") from error
    client_id, colon, secret = decoded.partition(":")
    if not colon:
        raise TokenRefusal("invalid_client")
    return unquote(client_id), unquote(secret)  # RFC 6749 §2.3.1 form-encodes both


def _credentials(request: Request, form: dict[str, str]) -> tuple[str, str]:
    basic = _basic(request)
    if basic is not None:
        return basic
    client_id, secret = form.get("client_id"), form.get("client_secret")
    if not client_id or not secret:
        raise TokenRefusal("invalid_client")
    return client_id, secret


async def token(runtime: Runtime, found: DomainRequest, request: Request) -> Response:
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != FORM:
        return _refused("invalid_request")
    try:
        form = _form(await request.body())
        grant = form.get("grant_type")
        if not grant:
            raise TokenRefusal("invalid_request")
        if grant != "client_credentials":
            raise TokenRefusal("unsupported_grant_type")
        client_id, secret = _credentials(request, form)
        issued = await run_in_threadpool(
            client_tokens.issue,
            runtime,
            found.pool.id,
            client_id,
            secret,
            form.get("scope"),
            time.time(),
        )
    except (TokenRefusal, UnicodeDecodeError) as refusal:
        return _refused(refusal.error if isinstance(refusal, TokenRefusal) else "invalid_request")
    body = {"access_token": issued.access_token, "expires_in": issued.expires_in}
    return JSONResponse(body | {"token_type": "Bearer"}, headers=NO_STORE)
