"""InitiateAuth, AdminInitiateAuth, RespondToAuthChallenge, AdminRespondToAuthChallenge:
the wire side of the sign-in engine."""

from __future__ import annotations

from userpool.auth import engine
from userpool.auth.outcomes import Attempt, Authenticated, AuthEnv, IssuedTokens, Outcome
from userpool.domain.errors import ResourceNotFoundException
from userpool.domain.models import AppClient, UserPool
from userpool.services.common import require_client, require_pool
from userpool.services.context import Context, Request, Response, Runtime
from userpool.services.registry import operation
from userpool.storage.repositories import Store


def auth_env(store: Store, runtime: Runtime) -> AuthEnv:
    return AuthEnv(
        store,
        runtime.signer,
        runtime.sessions,
        runtime.simulation_key,
        runtime.codes_key,
        runtime.delivery,
    )


def client_and_pool(
    ctx: Context, client_id: str, pool_id: str | None
) -> tuple[AppClient, UserPool]:
    """The app client (of `pool_id`, when the operation names one) and its pool."""
    with ctx.store.read() as tx:
        if pool_id is not None:
            pool = require_pool(tx, pool_id)
            return require_client(tx, pool.id, client_id), pool
        client = tx.clients.get(client_id)
        if client is None:
            raise ResourceNotFoundException(f"User pool client {client_id} does not exist.")
        return client, require_pool(tx, client.pool_id)


def attempt_for(ctx: Context, request: Request, *, admin: bool) -> Attempt:
    client, pool = client_and_pool(ctx, request["ClientId"], request.get("UserPoolId"))
    return Attempt(
        env=auth_env(ctx.store, ctx.runtime),
        pool=pool,
        client=client,
        admin=admin,
        now=ctx.clock(),
    )


def authentication_result(tokens: IssuedTokens) -> Response:
    result: Response = {
        "AccessToken": tokens.access_token,
        "ExpiresIn": tokens.expires_in,
        "TokenType": "Bearer",
        "IdToken": tokens.id_token,
    }
    if tokens.refresh_token is not None:
        result["RefreshToken"] = tokens.refresh_token
    return result


def outcome_response(outcome: Outcome) -> Response:
    if isinstance(outcome, Authenticated):
        result = authentication_result(outcome.tokens)
        return {"ChallengeParameters": {}, "AuthenticationResult": result}
    response: Response = {"ChallengeName": outcome.name, "ChallengeParameters": outcome.parameters}
    if outcome.session is not None:
        response["Session"] = outcome.session
    return response


def _initiate(ctx: Context, request: Request, *, admin: bool) -> Response:
    attempt = attempt_for(ctx, request, admin=admin)
    params = request.get("AuthParameters") or {}
    return outcome_response(engine.initiate(attempt, request["AuthFlow"], params))


def _respond(ctx: Context, request: Request, *, admin: bool) -> Response:
    attempt = attempt_for(ctx, request, admin=admin)
    outcome = engine.respond(
        attempt,
        request["ChallengeName"],
        request.get("ChallengeResponses") or {},
        request.get("Session"),
    )
    return outcome_response(outcome)


@operation("InitiateAuth")
def initiate_auth(ctx: Context, request: Request) -> Response:
    return _initiate(ctx, request, admin=False)


@operation("AdminInitiateAuth")
def admin_initiate_auth(ctx: Context, request: Request) -> Response:
    return _initiate(ctx, request, admin=True)


@operation("RespondToAuthChallenge")
def respond_to_auth_challenge(ctx: Context, request: Request) -> Response:
    return _respond(ctx, request, admin=False)


@operation("AdminRespondToAuthChallenge")
def admin_respond_to_auth_challenge(ctx: Context, request: Request) -> Response:
    return _respond(ctx, request, admin=True)
