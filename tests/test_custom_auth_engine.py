"""CUSTOM_AUTH in the engine, in-process: the pool's Define / Create / Verify functions are
Python callables behind the trigger port's recording invoker, so every event they received
can be asserted field by field. (Real Node and Python handler files through a running
server: tests/test_custom_auth.py.)"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pycognito.aws_srp import AWSSRP

from tests.srp_support import claim, cognito_timestamp
from tests.trigger_support import RecordingInvoker
from userpool import auth
from userpool.app import build_runtime
from userpool.auth import Authenticated, Challenge, Runtime
from userpool.config import ServerConfig
from userpool.domain.errors import InvalidParameterException, NotAuthorizedException
from userpool.services.catalog import OPERATIONS
from userpool.services.context import Context, Settings
from userpool.storage import database
from userpool.storage.sql_store import SqlStore
from userpool.triggers import Triggers

NOW = 1_793_000_000.0
PASSWORD = "Custom-Passw0rd!"
DEFINE, CREATE, VERIFY = "define", "create", "verify"
LAMBDA = {
    "DefineAuthChallenge": f"arn:aws:lambda:us-east-1:000000000000:function:{DEFINE}",
    "CreateAuthChallenge": f"arn:aws:lambda:us-east-1:000000000000:function:{CREATE}",
    "VerifyAuthChallengeResponse": VERIFY,
}


def define(event: dict[str, Any]) -> dict[str, Any]:
    """Two right answers in a row issue tokens, three wrong ones fail; SRP first if started."""
    session = event["request"]["session"]
    response = event["response"]
    results = [entry["challengeResult"] for entry in session]
    if session and session[-1]["challengeName"] == "SRP_A":
        response["challengeName"] = "PASSWORD_VERIFIER"
    elif results[-2:] == [True, True] and session[-1]["challengeName"] == "CUSTOM_CHALLENGE":
        response["issueTokens"] = True
    elif results.count(False) >= 3:
        response["failAuthentication"] = True
    else:
        response["challengeName"] = "CUSTOM_CHALLENGE"
        response.update(issueTokens=False, failAuthentication=False)
    return event


def create(event: dict[str, Any]) -> dict[str, Any]:
    round_number = len(event["request"]["session"])
    event["response"] = {
        "publicChallengeParameters": {"question": f"what is {round_number} + 1?"},
        "privateChallengeParameters": {"answer": str(round_number + 1)},
        "challengeMetadata": f"ROUND-{round_number}",
    }
    return event


def verify(event: dict[str, Any]) -> dict[str, Any]:
    request = event["request"]
    event["response"]["answerCorrect"] = (
        request["challengeAnswer"] == request["privateChallengeParameters"]["answer"]
    )
    return event


@dataclasses.dataclass
class Pool:
    runtime: Runtime
    invoker: RecordingInvoker
    pool_id: str
    client_id: str

    def call(self, operation: str, **request: Any) -> Any:
        return OPERATIONS[operation](Context(Settings(), self.runtime, clock=lambda: NOW), request)

    def initiate(self, params: dict[str, str], **metadata: str) -> Any:
        return auth.initiate(
            self.runtime,
            self.client_id,
            None,
            admin=False,
            now=NOW,
            flow="CUSTOM_AUTH",
            params=params,
            client_metadata=metadata,
        )

    def respond(self, challenge: Challenge, answers: dict[str, str], **metadata: str) -> Any:
        return auth.respond(
            self.runtime,
            self.client_id,
            None,
            admin=False,
            now=NOW,
            challenge=challenge.name,
            responses={"USERNAME": "cy", **answers},
            session=challenge.session,
            client_metadata=metadata,
        )

    def events(self, function: str) -> list[dict[str, Any]]:
        return [call.event for call in self.invoker.calls if call.function.endswith(function)]


def make_pool(tmp_path: Path, hide: bool = False) -> Iterator[Pool]:
    engine = database.create(database.sqlite_url(tmp_path))
    database.migrate(engine)
    functions = {"DefineAuthChallenge": define, "CreateAuthChallenge": create}
    answers = {LAMBDA[key]: handler for key, handler in functions.items()}
    invoker = RecordingInvoker({**answers, LAMBDA["VerifyAuthChallengeResponse"]: verify})
    config = ServerConfig(data_dir=tmp_path, delivery="outbox", public_url="http://idp.test")
    runtime = dataclasses.replace(
        build_runtime(config, SqlStore(engine)), triggers=Triggers(invoker)
    )
    pool = Pool(runtime, invoker, "", "")
    pool.pool_id = pool.call("CreateUserPool", PoolName="custom", LambdaConfig=LAMBDA)["UserPool"][
        "Id"
    ]
    flows = ["ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    hiding = {"PreventUserExistenceErrors": "ENABLED"} if hide else {}
    client = pool.call(
        "CreateUserPoolClient",
        UserPoolId=pool.pool_id,
        ClientName="c",
        ExplicitAuthFlows=flows,
        **hiding,
    )
    pool.client_id = client["UserPoolClient"]["ClientId"]
    pool.call(
        "AdminCreateUser",
        UserPoolId=pool.pool_id,
        Username="cy",
        TemporaryPassword=PASSWORD,
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": "cy@example.com"}],
    )
    pool.call(
        "AdminSetUserPassword",
        UserPoolId=pool.pool_id,
        Username="cy",
        Password=PASSWORD,
        Permanent=True,
    )
    yield pool
    engine.dispose()


@pytest.fixture
def pool(tmp_path: Path) -> Iterator[Pool]:
    yield from make_pool(tmp_path)


def test_rounds_until_define_issues_tokens(pool: Pool) -> None:
    first = pool.initiate({"USERNAME": "cy"}, source="initiate")
    assert isinstance(first, Challenge) and first.name == "CUSTOM_CHALLENGE"
    assert first.parameters == {"question": "what is 0 + 1?", "USERNAME": "cy"}
    second = pool.respond(first, {"ANSWER": "1"}, source="answer-1")
    assert isinstance(second, Challenge) and second.name == "CUSTOM_CHALLENGE"
    third = pool.respond(second, {"ANSWER": "nope"})
    fourth = pool.respond(third, {"ANSWER": "nope"})
    assert isinstance(fourth, Challenge)
    fifth = pool.respond(fourth, {"ANSWER": "4"})
    assert isinstance(fifth, Challenge)
    tokens = pool.respond(fifth, {"ANSWER": "5"})
    assert isinstance(tokens, Authenticated)
    defines = pool.events(DEFINE)
    assert [len(event["request"]["session"]) for event in defines] == [0, 1, 2, 3, 4, 5]
    assert defines[-1]["request"]["session"] == [
        {"challengeName": "CUSTOM_CHALLENGE", "challengeResult": result, "challengeMetadata": meta}
        for result, meta in [
            (True, "ROUND-0"),
            (False, "ROUND-1"),
            (False, "ROUND-2"),
            (True, "ROUND-3"),
            (True, "ROUND-4"),
        ]
    ]
    # InitiateAuth's ClientMetadata reaches none of the challenge triggers; an answer's does.
    assert defines[0]["request"]["clientMetadata"] == {}
    assert defines[1]["request"]["clientMetadata"] == {"source": "answer-1"}
    assert pool.events(VERIFY)[0]["request"] == {
        "userAttributes": defines[0]["request"]["userAttributes"],
        "privateChallengeParameters": {"answer": "1"},
        "challengeAnswer": "1",
        "clientMetadata": {"source": "answer-1"},
        "userNotFound": False,
    }
    assert defines[0]["request"]["userAttributes"]["email"] == "cy@example.com"
    assert defines[0]["userName"] == "cy" and defines[0]["triggerSource"] == (
        "DefineAuthChallenge_Authentication"
    )


def test_define_fails_the_sign_in(pool: Pool) -> None:
    challenge = pool.initiate({"USERNAME": "cy"})
    for _ in range(2):
        challenge = pool.respond(challenge, {"ANSWER": "wrong"})
    with pytest.raises(NotAuthorizedException) as excinfo:
        pool.respond(challenge, {"ANSWER": "wrong"})
    assert excinfo.value.message == "Incorrect username or password."


def test_srp_first_then_custom_rounds(pool: Pool) -> None:
    helper = AWSSRP("cy", PASSWORD, pool.pool_id, pool.client_id, "us-east-1")
    params = {**helper.get_auth_params(), "CHALLENGE_NAME": "SRP_A"}
    verifier = pool.initiate(params)
    assert isinstance(verifier, Challenge) and verifier.name == "PASSWORD_VERIFIER"
    assert verifier.session is not None
    stamp = cognito_timestamp(datetime.fromtimestamp(NOW, UTC))
    custom = pool.respond(verifier, claim(helper, verifier.parameters, timestamp=stamp))
    assert isinstance(custom, Challenge) and custom.name == "CUSTOM_CHALLENGE"
    sessions = [event["request"]["session"] for event in pool.events(DEFINE)]
    assert sessions[0] == [
        {"challengeName": "SRP_A", "challengeResult": True, "challengeMetadata": None}
    ]
    assert [entry["challengeName"] for entry in sessions[1]] == ["SRP_A", "PASSWORD_VERIFIER"]


def test_an_unknown_name_goes_on_but_never_gets_tokens(tmp_path: Path) -> None:
    for pool in make_pool(tmp_path, hide=True):
        challenge = pool.respond(
            pool.initiate({"USERNAME": "nobody"}), {"ANSWER": "1", "USERNAME": "nobody"}
        )
        assert isinstance(challenge, Challenge)
        assert pool.events(DEFINE)[0]["request"]["userNotFound"] is True


def test_without_a_define_function_custom_auth_is_refused(tmp_path: Path) -> None:
    for pool in make_pool(tmp_path):
        pool.call("UpdateUserPool", UserPoolId=pool.pool_id, LambdaConfig={})
        with pytest.raises(InvalidParameterException) as excinfo:
            pool.initiate({"USERNAME": "cy"})
        assert (
            excinfo.value.message
            == "Custom auth lambda trigger is not configured for the user pool."
        )
