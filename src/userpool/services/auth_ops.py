"""InitiateAuth, AdminInitiateAuth, RespondToAuthChallenge, AdminRespondToAuthChallenge:
the wire side of the sign-in engine."""

from __future__ import annotations

from userpool import auth
from userpool.accounts import resources
from userpool.auth import Authenticated, IssuedTokens, Outcome
from userpool.domain.models import AppClient, UserPool
from userpool.services.context import Context, Request, Response
from userpool.services.registry import operation


def client_and_pool(
    ctx: Context, client_id: str, pool_id: str | None
) -> tuple[AppClient, UserPool]:
    """The app client (of `pool_id`, when the operation names one) and its pool."""
    with ctx.store.read() as tx:
        return resources.client_and_pool(tx, client_id, pool_id)


def authentication_result(tokens: IssuedTokens) -> Response:
    result: Response = {
        "AccessToken": tokens.access_token,
        "ExpiresIn": tokens.expires_in,
        "TokenType": "Bearer",
        "IdToken": tokens.id_token,
    }
    if tokens.refresh_token is not None:
        result["RefreshToken"] = tokens.refresh_token
    if tokens.new_device is not None:
        device = tokens.new_device
        result["NewDeviceMetadata"] = {"DeviceKey": device.key, "DeviceGroupKey": device.group_key}
    return result


def outcome_response(outcome: Outcome) -> Response:
    if isinstance(outcome, Authenticated):
        result = authentication_result(outcome.tokens)
        return {"ChallengeParameters": {}, "AuthenticationResult": result}
    response: Response = {"ChallengeName": outcome.name, "ChallengeParameters": outcome.parameters}
    if outcome.session is not None:
        response["Session"] = outcome.session
    if outcome.available is not None:
        response["AvailableChallenges"] = list(outcome.available)
    return response


def _initiate(ctx: Context, request: Request, *, admin: bool) -> Response:
    outcome = auth.initiate(
        ctx.runtime,
        request["ClientId"],
        request.get("UserPoolId"),
        admin=admin,
        now=ctx.clock(),
        flow=request["AuthFlow"],
        params=request.get("AuthParameters") or {},
        client_metadata=request.get("ClientMetadata"),
        session=request.get("Session"),
        origin=ctx.origin(request),
    )
    return outcome_response(outcome)


def _respond(ctx: Context, request: Request, *, admin: bool) -> Response:
    outcome = auth.respond(
        ctx.runtime,
        request["ClientId"],
        request.get("UserPoolId"),
        admin=admin,
        now=ctx.clock(),
        challenge=request["ChallengeName"],
        responses=request.get("ChallengeResponses") or {},
        session=request.get("Session"),
        client_metadata=request.get("ClientMetadata"),
        origin=ctx.origin(request),
    )
    return outcome_response(outcome)


@operation("InitiateAuth", calls_triggers=True)
def initiate_auth(ctx: Context, request: Request) -> Response:
    return _initiate(ctx, request, admin=False)


@operation("AdminInitiateAuth", calls_triggers=True)
def admin_initiate_auth(ctx: Context, request: Request) -> Response:
    return _initiate(ctx, request, admin=True)


@operation("RespondToAuthChallenge", calls_triggers=True)
def respond_to_auth_challenge(ctx: Context, request: Request) -> Response:
    return _respond(ctx, request, admin=False)


@operation("AdminRespondToAuthChallenge", calls_triggers=True)
def admin_respond_to_auth_challenge(ctx: Context, request: Request) -> Response:
    return _respond(ctx, request, admin=True)
