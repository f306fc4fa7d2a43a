"""What the server tests of the account flows' Lambda triggers share (test_triggers_account.py,
test_triggers_messages.py): a `userpool serve` whose messages go to the outbox, whose functions
are the handler files of tests/triggers/account/ (real node and python workers) and, for any
other ARN, FakeLambda's Invoke API; the events the handlers were given, read back from the
file they append them to; and the event envelope as Cognito sends it.

The handlers answer as `ClientMetadata={"script": "..."}` tells them (see account.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.codes_support import delivered
from tests.conftest import BACKENDS, REGION, Server, make_client
from tests.signin_support import PASSWORD, failure, new_client, new_pool
from tests.trigger_support import FakeLambda, fake_lambda, trigger_server

HANDLERS = Path(__file__).parent / "triggers" / "account"
RECORD_VARIABLE = "ACCOUNT_TRIGGER_RECORD"


def arn(name: str) -> str:
    return f"arn:aws:lambda:{REGION}:000000000000:function:{name}"


NODE = arn("node-account")  # tests/triggers/account/account.mjs
PYTHON = arn("py-account")  # tests/triggers/account/account.py
REMOTE = arn("remote-account")  # not in the triggers file: FakeLambda's Invoke API
RUNTIMES = {"node": NODE, "python": PYTHON}

# What Cognito puts in every event it sends from these operations.
UNKNOWN_SDK = "aws-sdk-unknown-unknown"
NO_CLIENT = "CLIENT_ID_NOT_APPLICABLE"
# The `response` each trigger's event starts with.
PRE_SIGN_UP_START = {"autoConfirmUser": False, "autoVerifyEmail": False, "autoVerifyPhone": False}
MIGRATION_START = dict.fromkeys(
    (
        "userAttributes",
        "finalUserStatus",
        "messageAction",
        "desiredDeliveryMediums",
        "forceAliasCreation",
        "enableSMSMFA",
    )
)
CUSTOM_MESSAGE_START = dict.fromkeys(("smsMessage", "emailMessage", "emailSubject"))
# The placeholders a CustomMessage event gives.
CODE, LINK, USERNAME = "{####}", "{##Click Here##}", "{username}"
# How the server reports a function's failures.
LAMBDA_ERROR = "UserLambdaValidationException"
BAD_ANSWER = "InvalidLambdaResponseException"
NOT_FOUND = ("UserNotFoundException", "User does not exist.")


@dataclass(frozen=True)
class Call:
    runtime: str  # "node" or "python": which handler file was given the event
    event: dict[str, Any]


@dataclass(frozen=True)
class TriggerServer:
    server: Server
    cognito: Any
    record: Path
    lambda_api: FakeLambda

    def calls(self, pool_id: str) -> list[Call]:
        """What the handler files were given for `pool_id`, oldest first."""
        if not self.record.exists():
            return []
        lines = self.record.read_text(encoding="utf-8").splitlines()
        calls = [Call(**json.loads(line)) for line in lines]
        return [call for call in calls if call.event["userPoolId"] == pool_id]

    def sources(self, pool_id: str) -> list[str]:
        return [call.event["triggerSource"] for call in self.calls(pool_id)]

    def only_call(self, pool_id: str, source: str) -> Call:
        """The one call `source` made in `pool_id`."""
        calls = [call for call in self.calls(pool_id) if call.event["triggerSource"] == source]
        assert len(calls) == 1, self.sources(pool_id)
        return calls[0]

    def log(self) -> str:
        return self.server.log.read_text(encoding="utf-8", errors="replace")


def envelope(
    source: str,
    pool_id: str,
    user_name: str,
    client_id: str | None,
    request: dict[str, Any],
    response: dict[str, Any],
) -> dict[str, Any]:
    """The whole event Cognito sends (`client_id` None: an admin operation's)."""
    return {
        "version": "1",
        "triggerSource": source,
        "region": REGION,
        "userPoolId": pool_id,
        "userName": user_name,
        "callerContext": {"awsSdkVersion": UNKNOWN_SDK, "clientId": client_id or NO_CLIENT},
        "request": request,
        "response": response,
    }


def custom_request(
    attributes: dict[str, str], metadata: dict[str, str], *, invitation: bool = False
) -> dict[str, Any]:
    """The `request` of a CustomMessage event."""
    return {
        "userAttributes": attributes,
        "codeParameter": CODE,
        "linkParameter": LINK,
        "usernameParameter": USERNAME if invitation else None,
        "clientMetadata": metadata,
    }


def custom_event(
    source: str,
    pool_id: str,
    username: str,
    client_id: str | None,
    attributes: dict[str, str],
    metadata: dict[str, str],
    *,
    invitation: bool = False,
) -> dict[str, Any]:
    """The whole CustomMessage event, with the response it starts with."""
    request = custom_request(attributes, metadata, invitation=invitation)
    return envelope(source, pool_id, username, client_id, request, CUSTOM_MESSAGE_START)


def worded(source: str, runtime: str, code: str, who: str) -> tuple[str, str, str]:
    """(email subject, email body, SMS body) as the handlers word `source`'s message."""
    return (
        f"{source} subject from {runtime}",
        f"<p>{source} email from {runtime}: {code} for {who}</p>",
        f"{source} SMS from {runtime}: {code} for {who}",
    )


def delivered_as(message: dict[str, Any], source: str, runtime: str, who: str) -> bool:
    """Whether `message` (from the outbox) is the handler's text with its code filled in."""
    subject, email, sms = worded(source, runtime, message["code"], who)
    if message["medium"] == "EMAIL":
        return (message["subject"], message["body"]) == (subject, email)
    return (message["subject"], message["body"]) == (None, sms)


def trigger_pool(cognito: Any, lambda_config: dict[str, str], **settings: Any) -> str:
    return new_pool(cognito, LambdaConfig=lambda_config, **settings)


def client_of(triggers: TriggerServer, pool_id: str, **settings: Any) -> str:
    return str(new_client(triggers.cognito, pool_id, **settings)["ClientId"])


def sign_up(
    triggers: TriggerServer, client_id: str, username: str, script: str | None = None, **extra: Any
) -> dict[str, Any]:
    """SignUp with PASSWORD; `script` tells the handlers what to answer."""
    if script is not None:
        extra["ClientMetadata"] = {"script": script, **extra.get("ClientMetadata", {})}
    response: dict[str, Any] = triggers.cognito.sign_up(
        ClientId=client_id, Username=username, Password=PASSWORD, **extra
    )
    return response


def status_of(triggers: TriggerServer, pool_id: str, username: str) -> str:
    user = triggers.cognito.admin_get_user(UserPoolId=pool_id, Username=username)
    return str(user["UserStatus"])


def missing(triggers: TriggerServer, pool_id: str, username: str) -> bool:
    """Nothing was stored for `username`: no user, and no message sent them."""
    get = triggers.cognito.admin_get_user
    gone = failure(get, UserPoolId=pool_id, Username=username) == NOT_FOUND
    return gone and delivered(triggers.server, pool_id, username) == []


def user_attributes(cognito: Any, pool_id: str, username: str) -> dict[str, str]:
    """AdminGetUser's attributes, and the status, as a trigger's `userAttributes` shows them."""
    user = cognito.admin_get_user(UserPoolId=pool_id, Username=username)
    attributes = {entry["Name"]: entry["Value"] for entry in user["UserAttributes"]}
    return {**attributes, "cognito:user_status": user["UserStatus"]}


def trigger_server_fixture(name: str) -> Any:
    """A test module's `triggers` fixture: `triggers = trigger_server_fixture("messages")`."""

    @pytest.fixture(scope="module", params=BACKENDS)
    def triggers(
        request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
    ) -> Iterator[TriggerServer]:
        data_dir = tmp_path_factory.mktemp(f"{name}-{request.param}")
        record = data_dir / "trigger-events.jsonl"
        with (
            fake_lambda() as api,
            trigger_server(
                request.param,
                data_dir,
                HANDLERS,
                (RECORD_VARIABLE, record),
                "--lambda-endpoint-url",
                api.url,
            ) as server,
        ):
            yield TriggerServer(server, make_client(server.url), record, api)

    return triggers
