"""A pool domain's `/oauth2/userInfo` (GET or POST, `Authorization: Bearer <access token>`):
the user's attributes as the access token's OAuth scopes allow (Cognito Developer Guide, "The
user attributes endpoint"). The token must carry `openid`, so an access token of the API
(InitiateAuth: scope aws.cognito.signin.user.admin only) is refused, as on Cognito.

What each scope shows, per the guide: `openid` alone, every attribute the app client may read;
with `profile`, `email` or `phone`, those scopes' attributes (profile: the OIDC profile claims
and custom attributes). `sub` and `username` always. Values are strings, `email_verified`
included ("true"), as Cognito sends them (its sample response; OIDC libraries work around it)."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from userpool.auth import Runtime
from userpool.domain.errors import CognitoError
from userpool.oauth.domains import DomainRequest
from userpool.services.access import caller
from userpool.tokens.verify import verify_access_token

PROFILE = frozenset(
    {"name", "family_name", "given_name", "middle_name", "nickname", "preferred_username"}
    | {"profile", "picture", "website", "gender", "birthdate", "zoneinfo", "locale"}
    | {"updated_at", "address"}
)
BY_SCOPE = {
    "email": frozenset({"email", "email_verified"}),
    "phone": frozenset({"phone_number", "phone_number_verified"}),
}
EXPIRED = "Access token is expired, disabled, or deleted, or the user has globally signed out."
NO_OPENID = "Access token does not contain openid scope"
BAD_REQUEST = "Bad OAuth2 request at UserInfo Endpoint"
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class Refused(Exception):
    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status, self.error, self.description = status, error, description

    def response(self) -> Response:
        challenge = f'Bearer error="{self.error}", error_description="{self.description}"'
        body = {"error": self.error, "error_description": self.description}
        headers = NO_STORE | {"WWW-Authenticate": challenge}
        return JSONResponse(body, status_code=self.status, headers=headers)


def _bearer(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Refused(400, "invalid_request", BAD_REQUEST)
    return token.strip()


def shown(attributes: dict[str, str], readable: list[str] | None, scopes: set[str]) -> set[str]:
    """The attribute names the scopes show, of those the client may read."""
    names = {name for name in attributes if readable is None or name in readable}
    if not scopes & {"profile", *BY_SCOPE}:
        return names
    wanted: set[str] = set()
    if "profile" in scopes:
        wanted |= {name for name in names if name in PROFILE or name.startswith("custom:")}
    for scope, group in BY_SCOPE.items():
        if scope in scopes:
            wanted |= names & group
    return wanted


def claims_for(runtime: Runtime, pool_id: str, token: str, now: float) -> dict[str, Any]:
    try:
        checked = verify_access_token(token, runtime.keys, runtime.signer.issuer_for, now)
        with runtime.store.read() as tx:
            found = caller(tx, checked)
            client = tx.clients.get(checked.client_id)
    except (CognitoError, KeyError) as error:  # KeyError: a machine's token names no user
        raise Refused(401, "invalid_token", EXPIRED) from error
    if found.pool.id != pool_id or client is None:  # another pool's token, or its client gone
        raise Refused(401, "invalid_token", EXPIRED)
    scopes = set(str(checked.claims.get("scope", "")).split())
    if "openid" not in scopes:
        raise Refused(401, "invalid_token", NO_OPENID)
    user = found.user
    readable = client.settings.get("ReadAttributes") or None
    names = shown(user.attributes, readable, scopes)
    values = {name: user.attributes[name] for name in sorted(names) if name != "sub"}
    return {"sub": user.sub, **values, "username": user.username}


async def user_info(runtime: Runtime, found: DomainRequest, request: Request) -> Response:
    try:
        token = _bearer(request)
        claims = await run_in_threadpool(claims_for, runtime, found.pool.id, token, runtime.clock())
    except Refused as refused:
        return refused.response()
    return JSONResponse(claims, headers=NO_STORE)
