"""Helpers for the sign-in engine tests: pools, app clients and confirmed users made over the
wire, token claims, and the running server's own store and engine (for what the wire cannot
reach, such as a clock moved days ahead)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jwt
import pytest
from botocore.exceptions import ClientError

from tests.conftest import Server, error_of
from userpool import auth
from userpool.app import build_runtime
from userpool.auth import Attempt, Outcome, Runtime
from userpool.config import ServerConfig
from userpool.domain.models import AppClient, User, UserPool
from userpool.storage.sql_store import SqlStore

PASSWORD = "Sign-in-Passw0rd"
NEW_PASSWORD = "Brand-New-Passw0rd"
TEMPORARY_PASSWORD = "Temp-Passw0rd-1"
PASSWORD_FLOWS = (
    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
)
WRONG_PASSWORD = "Incorrect username or password."
RESULT_KEYS = {"AccessToken", "ExpiresIn", "TokenType", "RefreshToken", "IdToken"}


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def attribute_list(**attributes: str) -> list[dict[str, str]]:
    """Keyword arguments as `[{Name, Value}]`; `custom_x` stands for `custom:x`."""
    return [
        {"Name": name.replace("custom_", "custom:", 1), "Value": value}
        for name, value in attributes.items()
    ]


def new_pool(cognito: Any, **settings: Any) -> str:
    return str(cognito.create_user_pool(PoolName=unique("pool"), **settings)["UserPool"]["Id"])


def new_client(
    cognito: Any, pool_id: str, flows: tuple[str, ...] | None = PASSWORD_FLOWS, **settings: Any
) -> dict[str, Any]:
    """An app client (`flows=None` leaves ExplicitAuthFlows unset); its UserPoolClientType."""
    if flows is not None:
        settings["ExplicitAuthFlows"] = list(flows)
    response = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName=unique("client"), **settings
    )
    client: dict[str, Any] = response["UserPoolClient"]
    return client


def invited_user(
    cognito: Any, pool_id: str, username: str, password: str = TEMPORARY_PASSWORD, **attributes: str
) -> dict[str, Any]:
    """AdminCreateUser with a temporary password (FORCE_CHANGE_PASSWORD)."""
    user: dict[str, Any] = cognito.admin_create_user(
        UserPoolId=pool_id,
        Username=username,
        TemporaryPassword=password,
        MessageAction="SUPPRESS",
        UserAttributes=attribute_list(**attributes),
    )["User"]
    return user


def confirmed_user(
    cognito: Any, pool_id: str, username: str, password: str = PASSWORD, **attributes: str
) -> dict[str, Any]:
    """A CONFIRMED user with a permanent password; its UserType from AdminCreateUser."""
    user = invited_user(cognito, pool_id, username, **attributes)
    cognito.admin_set_user_password(
        UserPoolId=pool_id, Username=username, Password=password, Permanent=True
    )
    return user


def admin_auth(
    cognito: Any,
    pool_id: str,
    client_id: str,
    username: str,
    password: str = PASSWORD,
    flow: str = "ADMIN_USER_PASSWORD_AUTH",
    **extra: str,
) -> dict[str, Any]:
    """The AdminInitiateAuth response for a password flow."""
    response: dict[str, Any] = cognito.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow=flow,
        AuthParameters={"USERNAME": username, "PASSWORD": password, **extra},
    )
    return response


def user_auth(
    cognito: Any, client_id: str, username: str, password: str = PASSWORD, **extra: str
) -> dict[str, Any]:
    """The InitiateAuth USER_PASSWORD_AUTH response."""
    response: dict[str, Any] = cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password, **extra},
    )
    return response


def tokens_of(response: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = response["AuthenticationResult"]
    return result


@dataclass(frozen=True)
class Account:
    """A confirmed user of a fresh pool, signed in through a password client."""

    pool_id: str
    client_id: str
    username: str
    tokens: dict[str, Any]


def signed_in_account(
    cognito: Any,
    pool_settings: dict[str, Any] | None = None,
    client_settings: dict[str, Any] | None = None,
    **attributes: str,
) -> Account:
    pool_id = new_pool(cognito, **(pool_settings or {}))
    client_id = new_client(cognito, pool_id, **(client_settings or {}))["ClientId"]
    username = unique("user")
    confirmed_user(cognito, pool_id, username, **attributes)
    tokens = tokens_of(admin_auth(cognito, pool_id, client_id, username))
    return Account(pool_id, client_id, username, tokens)


def secret_hash(secret: str, username: str, client_id: str) -> str:
    """Computed here independently of the server: Base64(HMAC-SHA256(secret, user + id))."""
    digest = hmac.new(secret.encode(), (username + client_id).encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def claims(token: str) -> dict[str, Any]:
    """A JWT's claims, unverified (signatures are checked in test_tokens)."""
    decoded: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return decoded


def failure(call: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[str, str]:
    """(error type, message) of a call that must fail."""
    with pytest.raises(ClientError) as excinfo:
        call(*args, **kwargs)
    return error_of(excinfo)


def engine_env(server: Server, store: SqlStore) -> Runtime:
    """The engine's collaborators as the server builds them (same keys, same session seal)."""
    config = ServerConfig(data_dir=server.data_dir, public_url=server.url)
    return build_runtime(config, store)


def attempt_at(
    runtime: Runtime, pool_id: str, client_id: str, now: float, *, admin: bool = True
) -> Attempt:
    """An engine call for this pool and client with the clock at `now`."""
    with runtime.store.read() as tx:
        pool: UserPool | None = tx.pools.get(pool_id)
        client: AppClient | None = tx.clients.get(client_id)
    assert pool is not None and client is not None
    return Attempt(runtime=runtime, pool=pool, client=client, admin=admin, now=now)


def engine_initiate(at: Attempt, flow: str, params: dict[str, str]) -> Outcome:
    """InitiateAuth (or AdminInitiateAuth) as `at` says, straight into the engine."""
    pool_id = at.pool.id if at.admin else None
    return auth.initiate(
        at.runtime, at.client.id, pool_id, admin=at.admin, now=at.now, flow=flow, params=params
    )


def engine_respond(
    at: Attempt, challenge: str, responses: dict[str, str], session: str | None
) -> Outcome:
    """RespondToAuthChallenge (or the admin one) as `at` says, straight into the engine."""
    pool_id = at.pool.id if at.admin else None
    return auth.respond(
        at.runtime,
        at.client.id,
        pool_id,
        admin=at.admin,
        now=at.now,
        challenge=challenge,
        responses=responses,
        session=session,
    )


def stored_user(store: SqlStore, pool_id: str, username_key: str) -> User:
    with store.read() as tx:
        user = tx.users.get(pool_id, username_key)
    assert user is not None
    return user
