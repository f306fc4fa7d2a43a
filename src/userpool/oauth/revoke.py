"""A pool domain's `/oauth2/revoke` (Cognito Developer Guide, "The token revocation endpoint"):
a client revokes one of its refresh tokens, and with it every access token issued from it, as
RevokeToken does. The client authenticates as at the token endpoint. Cognito's answers: 200 with
an empty body when the token is revoked or is not a token at all; 400 `invalid_request` without
a token or when the client has revocation turned off; 400 `unsupported_token_type` for anything
but a refresh token (a JWT); 401 `invalid_client` when the client does not authenticate."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from userpool.auth import Runtime
from userpool.oauth.client_auth import authenticated_client, credentials, is_form, parse_form
from userpool.oauth.domains import DomainRequest
from userpool.services.client_tokens import TokenRefusal
from userpool.tokens.issuer import hash_refresh_token

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _revoke(runtime: Runtime, found: DomainRequest, request: Request, form: dict[str, str]) -> None:
    token = form.get("token")
    if not token:
        raise TokenRefusal("invalid_request")
    client = authenticated_client(runtime.store, found.pool.id, *credentials(request, form))
    if not client.settings.get("EnableTokenRevocation", True):
        raise TokenRefusal("invalid_request")
    if token.count(".") == 2:  # an ID or access token: only refresh tokens are revoked here
        raise TokenRefusal("unsupported_token_type")
    with runtime.store.write() as tx:
        record = tx.refresh_tokens.get(hash_refresh_token(token))
        # Another client's token is, to this client, no token: RFC 7009 §2.2 answers 200 and
        # leaves it alone, so a client learns nothing of tokens that are not its own.
        if record is not None and record.client_id == client.id:
            tx.refresh_tokens.revoke(record.jti)


async def revoke(runtime: Runtime, found: DomainRequest, request: Request) -> Response:
    if not is_form(request):
        return JSONResponse({"error": "invalid_request"}, status_code=400, headers=NO_STORE)
    try:
        form = parse_form(await request.body())
        await run_in_threadpool(_revoke, runtime, found, request, form)
    except TokenRefusal as refusal:
        status = 401 if refusal.error == "invalid_client" else 400
        return JSONResponse({"error": refusal.error}, status_code=status, headers=NO_STORE)
    return Response(status_code=200, headers=NO_STORE)
