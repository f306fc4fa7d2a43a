"""CUSTOM_AUTH and PreTokenGeneration through the real JavaScript clients (pinned in
tests/node): amazon-cognito-identity-js 6.3.21 (initiateAuth and authenticateUser with the
flow type CUSTOM_AUTH, the customChallenge callback, sendCustomChallengeAnswer), Amplify
6.22.1 (signIn with authFlowType CUSTOM_WITHOUT_SRP and CUSTOM_WITH_SRP, confirmSignIn) and
aws-jwt-verify 5.2.1 (the PreTokenGeneration function's claims and scope, signed).

One server runs the trigger handlers of tests/triggers/clients (`--triggers`) in real node
workers: Define asks two questions (after the password by SRP when the sign-in starts with
SRP_A) and fails the sign-in at a wrong answer, Create makes each question, Verify judges it,
PreTokenGeneration (V2_0) adds an ID-token claim, an access-token claim and a scope. Define
logs what it saw, which the server's log keeps. Harness: tests/test_node_clients.py."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Server, make_client, start_server
from tests.test_node_clients import NodeRunner, node_runner

pytestmark = pytest.mark.one_backend  # wire compatibility: SQLite only (conftest)

TRIGGERS = Path(__file__).resolve().parent / "triggers" / "clients" / "triggers.json"
ARN = "arn:aws:lambda:us-east-1:000000000000:function:{}"
LAMBDA_CONFIG = {
    "DefineAuthChallenge": ARN.format("define"),
    "CreateAuthChallenge": ARN.format("create"),
    "VerifyAuthChallengeResponse": ARN.format("verify"),
    "PreTokenGenerationConfig": {"LambdaVersion": "V2_0", "LambdaArn": ARN.format("pretoken")},
}
# CUSTOM_AUTH alone: its SRP first step needs no ALLOW_USER_SRP_AUTH.
FLOWS = ["ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
SCOPE = "userpool-tests/custom.read"  # tests/triggers/clients/pretoken.mjs adds it
QUESTION = re.compile(r"^What is \d+ \+ \d+\?$")
REFUSED = ("NotAuthorizedException", "Incorrect username or password.")

INITIATE = "InitiateAuth CUSTOM_AUTH"
PASSWORD = "RespondToAuthChallenge PASSWORD_VERIFIER"
ANSWER = "RespondToAuthChallenge CUSTOM_CHALLENGE"
REFRESH = "InitiateAuth REFRESH_TOKEN_AUTH"
SRP_START = ["CHALLENGE_NAME", "SRP_A", "USERNAME"]  # the AuthParameters both libraries send
SRP_PARAMETERS = ["SALT", "SECRET_BLOCK", "SRP_B", "USERNAME", "USER_ID_FOR_SRP"]
PROOF = ["PASSWORD_CLAIM_SECRET_BLOCK", "PASSWORD_CLAIM_SIGNATURE", "TIMESTAMP", "USERNAME"]

# What Define is shown (challengeName, challengeResult, challengeMetadata) and answers, round
# by round, in a sign-in that answers both questions right.
ASK = {"challengeName": "CUSTOM_CHALLENGE", "issueTokens": False, "failAuthentication": False}
ISSUE = {"issueTokens": True, "failAuthentication": False}
FAIL = {"issueTokens": False, "failAuthentication": True}
ROUND_1, ROUND_2 = ["CUSTOM_CHALLENGE", True, "SUM-1"], ["CUSTOM_CHALLENGE", True, "SUM-2"]
CUSTOM_ONLY = [([], ASK), ([ROUND_1], ASK), ([ROUND_1, ROUND_2], ISSUE)]
SRP_A, VERIFIED = ["SRP_A", True, None], ["PASSWORD_VERIFIER", True, None]
SRP_FIRST = [
    ([SRP_A], {**ASK, "challengeName": "PASSWORD_VERIFIER"}),
    ([SRP_A, VERIFIED], ASK),
    ([SRP_A, VERIFIED, ROUND_1], ASK),
    ([SRP_A, VERIFIED, ROUND_1, ROUND_2], ISSUE),
]


@pytest.fixture(scope="module")
def node() -> NodeRunner:
    return node_runner()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = start_server(tmp_path_factory.mktemp("custom-auth"), "--triggers", str(TRIGGERS))
    yield running
    running.stop()


@dataclass
class CustomPool:
    server: Server
    cognito: Any
    pool_id: str
    client_id: str

    def user(self) -> tuple[str, str]:
        """A new CONFIRMED user (email at example.com) and its password."""
        username = f"custom-{uuid.uuid4().hex[:8]}"
        password = f"Passw0rd!{uuid.uuid4().hex[:6]}"
        self.cognito.admin_create_user(
            UserPoolId=self.pool_id,
            Username=username,
            TemporaryPassword=password,
            MessageAction="SUPPRESS",
            UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"}],
        )
        self.cognito.admin_set_user_password(
            UserPoolId=self.pool_id, Username=username, Password=password, Permanent=True
        )
        return username, password

    def run(self, node: NodeRunner, script: str, username: str, **extra: str) -> Any:
        """A script's whole output (`result`, `steps`, ...)."""
        options = {"endpoint": self.server.url, "pool_id": self.pool_id}
        return node(script, **options, client_id=self.client_id, username=username, **extra)

    def define_calls(self, username: str) -> list[tuple[list[Any], dict[str, Any]]]:
        """What Define was shown (session[]) and answered for `username`, in order."""
        calls = []
        for line in self.server.log.read_text().splitlines():
            if re.match(r"^\[define [0-9a-f-]+\] DEFINE ", line):
                logged = json.loads(line.split(" DEFINE ", 1)[1])
                if logged["user"] == username:
                    calls.append((logged["session"], logged["response"]))
        return calls


@pytest.fixture(scope="module")
def pool(server: Server) -> CustomPool:
    cognito = make_client(server.url)
    created = cognito.create_user_pool(
        PoolName=f"custom-{uuid.uuid4().hex[:8]}", LambdaConfig=LAMBDA_CONFIG
    )
    pool_id = created["UserPool"]["Id"]
    client = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="custom", ExplicitAuthFlows=FLOWS
    )["UserPoolClient"]
    return CustomPool(server, cognito, pool_id, client["ClientId"])


def assert_questions(challenges: list[dict[str, str]], username: str) -> None:
    """Two rounds, each Create's public parameters plus USERNAME, nothing else."""
    assert [challenge["round"] for challenge in challenges] == ["1", "2"]
    for challenge in challenges:
        assert set(challenge) == {"round", "question", "USERNAME"}
        assert challenge["USERNAME"] == username
        assert QUESTION.match(challenge["question"]), challenge


def assert_shaped(id_claims: dict[str, Any], access_claims: dict[str, Any], source: str) -> None:
    """The claims and the scope PreTokenGeneration added, each in its own token."""
    assert id_claims["token_source"] == source
    assert "tenant" not in id_claims
    assert access_claims["tenant"] == "example.com"
    assert "token_source" not in access_claims
    assert access_claims["scope"].split() == ["aws.cognito.signin.user.admin", SCOPE]


def answered(exchanges: list[dict[str, Any]]) -> list[Any]:
    """What the server answered each request: a challenge's name, tokens or an error."""
    return [
        exchange["answered"].get("error")
        or ("tokens" if exchange["answered"]["tokens"] else exchange["answered"]["challengeName"])
        for exchange in exchanges
    ]


def test_identity_js_custom_auth_answers_two_questions(node: NodeRunner, pool: CustomPool) -> None:
    username, _ = pool.user()
    output = pool.run(node, "custom_auth_identity_js.mjs", username, scenario="custom")
    result = output["result"]

    assert output["steps"] == [INITIATE, ANSWER, ANSWER, REFRESH]
    exchanges = result["exchanges"]
    assert exchanges[0]["authParameters"] == ["USERNAME"]  # initiateAuth: no SRP_A
    assert [exchange.get("challengeResponses") for exchange in exchanges[1:3]] == [
        ["ANSWER", "USERNAME"],
        ["ANSWER", "USERNAME"],
    ]
    assert answered(exchanges) == ["CUSTOM_CHALLENGE", "CUSTOM_CHALLENGE", "tokens", "tokens"]
    assert_questions(result["challenges"], username)
    assert result["flowType"] == "CUSTOM_AUTH"
    assert result["cachedUser"] == username

    session = result["session"]
    assert session["valid"] and session["hasRefreshToken"]
    assert session["idClaims"]["cognito:username"] == username
    assert_shaped(session["idClaims"], session["accessClaims"], "TokenGeneration_Authentication")
    # The refreshed tokens went through PreTokenGeneration again, as a refresh.
    refreshed = result["refreshed"]
    assert refreshed["accessClaims"]["auth_time"] == session["accessClaims"]["auth_time"]
    assert_shaped(refreshed["idClaims"], refreshed["accessClaims"], "TokenGeneration_RefreshTokens")
    assert pool.define_calls(username) == CUSTOM_ONLY
    me = pool.cognito.get_user(AccessToken=session["accessToken"])
    assert me["Username"] == username


def test_identity_js_authenticate_user_proves_the_password_first(
    node: NodeRunner, pool: CustomPool
) -> None:
    username, password = pool.user()
    output = pool.run(
        node, "custom_auth_identity_js.mjs", username, scenario="srp", password=password
    )
    result = output["result"]

    assert output["steps"] == [INITIATE, PASSWORD, ANSWER, ANSWER, REFRESH]
    exchanges = result["exchanges"]
    assert exchanges[0]["authParameters"] == SRP_START
    assert exchanges[0]["answered"]["challengeParameters"] == SRP_PARAMETERS
    assert exchanges[1]["challengeResponses"] == PROOF  # the library answered it itself
    assert answered(exchanges) == [
        "PASSWORD_VERIFIER",
        "CUSTOM_CHALLENGE",
        "CUSTOM_CHALLENGE",
        "tokens",
        "tokens",
    ]
    assert_questions(result["challenges"], username)
    session = result["session"]
    assert session["valid"] and session["accessClaims"]["username"] == username
    assert_shaped(session["idClaims"], session["accessClaims"], "TokenGeneration_Authentication")
    assert pool.define_calls(username) == SRP_FIRST


@pytest.mark.parametrize("wrong_round", ["1", "2"])
def test_identity_js_wrong_answer_fails_the_sign_in(
    node: NodeRunner, pool: CustomPool, wrong_round: str
) -> None:
    username, _ = pool.user()
    output = pool.run(
        node, "custom_auth_identity_js.mjs", username, scenario="custom", wrong_round=wrong_round
    )
    result = output["result"]

    refused = result["refused"]
    assert (refused["code"], refused["message"]) == REFUSED
    rounds = int(wrong_round)
    assert output["steps"] == [INITIATE, *[ANSWER] * rounds]
    assert len(result["challenges"]) == rounds
    assert answered(result["exchanges"])[-1] == "NotAuthorizedException"
    session, response = pool.define_calls(username)[-1]
    assert session[-1] == ["CUSTOM_CHALLENGE", False, f"SUM-{rounds}"]
    assert response == FAIL


def test_identity_js_wrong_password_before_the_questions(
    node: NodeRunner, pool: CustomPool
) -> None:
    username, password = pool.user()
    output = pool.run(
        node, "custom_auth_identity_js.mjs", username, scenario="srp", password=password + "x"
    )
    refused = output["result"]["refused"]
    assert (refused["code"], refused["message"]) == REFUSED
    assert output["steps"] == [INITIATE, PASSWORD]
    assert output["result"]["challenges"] == []


@pytest.mark.parametrize("flow", ["CUSTOM_WITHOUT_SRP", "CUSTOM_WITH_SRP"])
def test_amplify_confirms_sign_in_with_two_answers(
    node: NodeRunner, pool: CustomPool, flow: str
) -> None:
    username, password = pool.user()
    with_password = {"password": password} if flow == "CUSTOM_WITH_SRP" else {}
    output = pool.run(node, "custom_auth_amplify.mjs", username, flow=flow, **with_password)
    result = output["result"]

    first, second, done = result["results"]
    for step in (first, second):
        assert step["isSignedIn"] is False
        assert step["nextStep"]["signInStep"] == "CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE"
    assert_questions(
        [first["nextStep"]["additionalInfo"], second["nextStep"]["additionalInfo"]], username
    )
    assert done == {"isSignedIn": True, "nextStep": {"signInStep": "DONE"}}
    assert result["currentUser"]["username"] == username
    assert result["currentUser"]["signInDetails"] == {"loginId": username, "authFlowType": flow}

    tokens = result["tokens"]
    assert tokens["idClaims"]["cognito:username"] == username
    assert_shaped(tokens["idClaims"], tokens["accessClaims"], "TokenGeneration_Authentication")
    exchanges = result["exchanges"]
    if flow == "CUSTOM_WITH_SRP":
        assert output["steps"] == [INITIATE, PASSWORD, ANSWER, ANSWER]
        assert exchanges[0]["authParameters"] == SRP_START
        assert exchanges[1]["challengeResponses"] == PROOF
        assert pool.define_calls(username) == SRP_FIRST
    else:
        assert output["steps"] == [INITIATE, ANSWER, ANSWER]
        assert exchanges[0]["authParameters"] == ["USERNAME"]
        assert pool.define_calls(username) == CUSTOM_ONLY
    assert answered(exchanges)[-1] == "tokens"


def test_amplify_wrong_answer_is_thrown_by_confirm_sign_in(
    node: NodeRunner, pool: CustomPool
) -> None:
    username, _ = pool.user()
    output = pool.run(
        node, "custom_auth_amplify.mjs", username, flow="CUSTOM_WITHOUT_SRP", wrong_round="2"
    )
    result = output["result"]
    refused = result["refused"]
    assert (refused["name"], refused["message"]) == REFUSED
    assert output["steps"] == [INITIATE, ANSWER, ANSWER]
    assert len(result["results"]) == 2
    assert pool.define_calls(username)[-1][1] == FAIL


def test_jwt_verify_checks_the_claims_and_scope_pre_token_generation_added(
    node: NodeRunner, pool: CustomPool
) -> None:
    username, _ = pool.user()
    signed_in = pool.run(node, "custom_auth_amplify.mjs", username, flow="CUSTOM_WITHOUT_SRP")
    tokens = signed_in["result"]["tokens"]
    issuer = f"{pool.server.url}/{pool.pool_id}"
    result = node(
        "jwt_verify_claims.mjs",
        issuer=issuer,
        jwks_uri=f"{issuer}/.well-known/jwks.json",
        client_id=pool.client_id,
        id_token=tokens["idToken"],
        access_token=tokens["accessToken"],
        id_claim="token_source",
        access_claim="tenant",
        scope=SCOPE,
    )["result"]

    assert result["id"]["token_source"] == "TokenGeneration_Authentication"
    assert result["id"]["cognito:username"] == username
    assert result["id"]["iss"] == issuer
    assert result["access"]["tenant"] == "example.com"
    assert SCOPE in result["access"]["scope"].split()
    assert result["access"]["client_id"] == pool.client_id
    rejected = result["rejected"]
    assert rejected["otherScope"]["type"] == "JwtInvalidScopeError"
    assert rejected["idClaimChanged"]["type"] == "JwtInvalidSignatureError"
    assert rejected["accessClaimChanged"]["type"] == "JwtInvalidSignatureError"
    assert rejected["idWithoutAccessClaim"]["message"] == "no tenant claim in the id token"
