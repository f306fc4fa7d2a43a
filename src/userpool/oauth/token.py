"""A pool domain's token endpoint, `POST /oauth2/token` (the Cognito Developer Guide's "token
endpoint"): the client_credentials grant (services/client_tokens.py) and the user grants,
authorization_code and refresh_token (oauth/grants.py). The request is form-encoded; the client
authenticates as oauth/client_auth.py says. Errors are OAuth 2.0's JSON (`{"error": ...}`,
status 400), never a stack trace."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from userpool.auth import Runtime
from userpool.oauth import grants
from userpool.oauth.client_auth import (
    allows_code_flow,
    authenticated_client,
    credentials,
    is_form,
    parse_form,
)
from userpool.oauth.domains import DomainRequest
from userpool.services import client_tokens
from userpool.services.client_tokens import TokenRefusal

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
USER_GRANTS = ("authorization_code", "refresh_token")


def _refused(error: str) -> Response:
    return JSONResponse({"error": error}, status_code=400, headers=NO_STORE)


def _required(form: dict[str, str], name: str) -> str:
    value = form.get(name)
    if not value:
        raise TokenRefusal("invalid_request")
    return value


def _client_credentials(
    runtime: Runtime, found: DomainRequest, request: Request, form: dict[str, str]
) -> dict[str, object]:
    client_id, secret = credentials(request, form)
    if secret is None:  # only a client with a secret has machine credentials
        raise TokenRefusal("invalid_client")
    issued = client_tokens.issue(
        runtime, found.pool.id, client_id, secret, form.get("scope"), runtime.clock()
    )
    body = {"access_token": issued.access_token, "expires_in": issued.expires_in}
    return body | {"token_type": "Bearer"}


def _user_grant(
    runtime: Runtime, found: DomainRequest, request: Request, form: dict[str, str]
) -> dict[str, object]:
    grant = form["grant_type"]
    # What the grant needs is checked before the client, so a malformed request spends nothing.
    if grant == "authorization_code":
        code, redirect_uri = _required(form, "code"), _required(form, "redirect_uri")
    else:
        token = _required(form, "refresh_token")
    client = authenticated_client(runtime.store, found.pool.id, *credentials(request, form))
    if grant == "authorization_code":
        if not allows_code_flow(client):
            raise TokenRefusal("unauthorized_client")
        verifier = form.get("code_verifier") or None
        return grants.exchange_code(
            runtime, client, code, redirect_uri, verifier, runtime.clock()
        ).body()
    return grants.refresh(runtime, client, token, runtime.clock()).body()


def _grant(
    runtime: Runtime, found: DomainRequest, request: Request, form: dict[str, str]
) -> dict[str, object]:
    grant = form.get("grant_type")
    if not grant:
        raise TokenRefusal("invalid_request")
    if grant == "client_credentials":
        return _client_credentials(runtime, found, request, form)
    if grant in USER_GRANTS:
        return _user_grant(runtime, found, request, form)
    raise TokenRefusal("unsupported_grant_type")


async def token(runtime: Runtime, found: DomainRequest, request: Request) -> Response:
    if not is_form(request):
        return _refused("invalid_request")
    try:
        form = parse_form(await request.body())
        body = await run_in_threadpool(_grant, runtime, found, request, form)
    except TokenRefusal as refusal:
        return _refused(refusal.error)
    return JSONResponse(body, headers=NO_STORE)
