"""What the server tests of the sign-in engine's Lambda triggers share (test_custom_auth.py,
test_triggers_signin.py): a `userpool serve` whose functions are the handler files of
tests/triggers/signin/ (real node and python workers) and, for any other ARN, FakeLambda's
Invoke API; the events the handlers were given, read back from the file they append them to;
pools that set those functions; and what the database keeps of a sign-in's refresh tokens.

The handlers answer as the user's `custom:modes` attribute and the call's ClientMetadata tell
them (tests/triggers/signin/recording.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.conftest import BACKENDS, REGION, Server, make_client
from tests.signin_support import PASSWORD, attribute_list, unique
from tests.trigger_support import FakeLambda, fake_lambda, trigger_server
from userpool.storage import database, schema

HANDLERS = Path(__file__).parent / "triggers" / "signin"
LOG_VARIABLE = "SIGNIN_TRIGGER_LOG"  # where the handlers append the events they receive


def arn(name: str) -> str:
    return f"arn:aws:lambda:{REGION}:000000000000:function:{name}"


DEFINE = arn("define")  # define.mjs
CREATE = arn("create")  # create.cjs
VERIFY = arn("verify")  # verify.py
PRE_AUTH = arn("pre_auth")  # pre_authentication.py
POST_AUTH = arn("post_auth")  # post_authentication.mjs
PRE_TOKEN = arn("pre_token")  # pre_token.py
MIGRATE = arn("migrate")  # migrate.mjs
REMOTE = arn("remote")  # not in the triggers file: FakeLambda's Invoke API
CUSTOM = {
    "DefineAuthChallenge": DEFINE,
    "CreateAuthChallenge": CREATE,
    "VerifyAuthChallengeResponse": VERIFY,
}
# Where the handlers read what a test wants of them for this user ("post=throw,...").
MODES = {"Name": "modes", "AttributeDataType": "String", "Mutable": True}
INCORRECT = ("NotAuthorizedException", "Incorrect username or password.")
USED_SESSION = "Invalid session for the user, session can only be used once."


@dataclass(frozen=True)
class TriggerServer:
    server: Server
    cognito: Any
    log: Path
    lambda_api: FakeLambda

    def events(self, pool_id: str, source: str | None = None) -> list[dict[str, Any]]:
        """The events the handler files were given for `pool_id` (of `source`), oldest first."""
        if not self.log.exists():
            return []
        events = [json.loads(line) for line in self.log.read_text("utf-8").splitlines()]
        return [
            event
            for event in events
            if event["userPoolId"] == pool_id and source in (None, event["triggerSource"])
        ]

    def sources(self, pool_id: str) -> list[str]:
        return [event["triggerSource"] for event in self.events(pool_id)]

    def only(self, pool_id: str, source: str) -> dict[str, Any]:
        events = self.events(pool_id, source)
        assert len(events) == 1, self.sources(pool_id)
        return events[0]


def serving(backend: str, data_dir: Path, log: Path, endpoint: str, *args: str) -> Any:
    """`userpool serve --triggers tests/triggers/signin/triggers.json` on `backend`."""
    record = (LOG_VARIABLE, log)
    return trigger_server(
        backend, data_dir, HANDLERS, record, "--lambda-endpoint-url", endpoint, *args
    )


def trigger_server_fixture(name: str) -> Any:
    """A test module's `triggers` fixture, one server per backend for the whole module."""

    @pytest.fixture(scope="module", params=BACKENDS)
    def triggers(
        request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
    ) -> Iterator[TriggerServer]:
        data_dir = tmp_path_factory.mktemp(f"{name}-{request.param}")
        log = data_dir / "trigger-events.jsonl"
        with fake_lambda() as api, serving(request.param, data_dir, log, api.url) as server:
            yield TriggerServer(server, make_client(server.url), log, api)

    return triggers


def initiate(
    cognito: Any, pool_id: str, client_id: str, flow: str, params: dict[str, str], **meta: str
) -> dict[str, Any]:
    call = {"ClientId": client_id, "AuthFlow": flow, "AuthParameters": params}
    if flow.startswith("ADMIN_"):
        return dict(cognito.admin_initiate_auth(UserPoolId=pool_id, ClientMetadata=meta, **call))
    return dict(cognito.initiate_auth(ClientMetadata=meta, **call))


def password_sign_in(
    cognito: Any, pool_id: str, client_id: str, username: str, password: str = PASSWORD, **meta: str
) -> dict[str, Any]:
    params = {"USERNAME": username, "PASSWORD": password}
    return initiate(cognito, pool_id, client_id, "USER_PASSWORD_AUTH", params, **meta)


@dataclass
class CustomSignIn:
    """InitiateAuth CUSTOM_AUTH and the answers to its challenges (or the Admin* twins)."""

    cognito: Any
    pool_id: str
    client_id: str
    username: str
    admin: bool = False
    last: dict[str, Any] = field(default_factory=dict)

    def initiate(self, params: dict[str, str] | None = None, **metadata: str) -> dict[str, Any]:
        call: dict[str, Any] = {
            "ClientId": self.client_id,
            "AuthFlow": "CUSTOM_AUTH",
            "AuthParameters": {"USERNAME": self.username, **(params or {})},
            "ClientMetadata": metadata,
        }
        if self.admin:
            self.last = self.cognito.admin_initiate_auth(UserPoolId=self.pool_id, **call)
        else:
            self.last = self.cognito.initiate_auth(**call)
        return self.last

    def answer(self, answer: str, *, client_id: str | None = None, **metadata: str) -> Any:
        return self.respond("CUSTOM_CHALLENGE", {"ANSWER": answer}, client_id, **metadata)

    def respond(
        self, challenge: str, answers: dict[str, str], client_id: str | None = None, **meta: str
    ) -> dict[str, Any]:
        call: dict[str, Any] = {
            "ClientId": client_id or self.client_id,
            "ChallengeName": challenge,
            "Session": self.last["Session"],
            "ChallengeResponses": {"USERNAME": self.username, **answers},
            "ClientMetadata": meta,
        }
        if self.admin:
            response = self.cognito.admin_respond_to_auth_challenge(UserPoolId=self.pool_id, **call)
        else:
            response = self.cognito.respond_to_auth_challenge(**call)
        self.last = response
        return dict(response)


def trigger_pool(cognito: Any, lambda_config: dict[str, Any], **settings: Any) -> str:
    """A pool that sets `lambda_config`, with a `custom:modes` attribute."""
    response = cognito.create_user_pool(
        PoolName=unique("pool"), LambdaConfig=lambda_config, Schema=[MODES], **settings
    )
    return str(response["UserPool"]["Id"])


def app_client(cognito: Any, pool_id: str, *flows: str, **settings: Any) -> str:
    response = cognito.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName=unique("client"),
        ExplicitAuthFlows=[*flows, "ALLOW_REFRESH_TOKEN_AUTH"],
        **settings,
    )
    return str(response["UserPoolClient"]["ClientId"])


def user(cognito: Any, pool_id: str, password: str = PASSWORD, **attributes: str) -> str:
    """A CONFIRMED user (`custom_modes="post=throw"` sets custom:modes); their username."""
    username = unique("user")
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username=username,
        TemporaryPassword="Temp-Passw0rd-1",
        MessageAction="SUPPRESS",
        UserAttributes=attribute_list(**attributes),
    )
    cognito.admin_set_user_password(
        UserPoolId=pool_id, Username=username, Password=password, Permanent=True
    )
    return username


def sub_of(cognito: Any, pool_id: str, username: str) -> str:
    user = cognito.admin_get_user(UserPoolId=pool_id, Username=username)
    return next(entry["Value"] for entry in user["UserAttributes"] if entry["Name"] == "sub")


def refresh_tokens_revoked(server: Server, pool_id: str, sub: str) -> list[bool]:
    """For each refresh token the database keeps for the user, whether it is revoked."""
    table = schema.refresh_tokens
    engine = database.create(server.db_url)
    try:
        with engine.connect() as connection:
            query = select(table.c.revoked).where(table.c.pool_id == pool_id, table.c.sub == sub)
            return [bool(revoked) for (revoked,) in connection.execute(query)]
    finally:
        engine.dispose()
