"""The sign-in engine's other Lambda triggers through boto3 against `userpool serve --triggers`,
with real handler files (tests/triggers/signin): PreAuthentication in every flow that proves a
password (and CUSTOM_AUTH; its denial in the user's auth events), PostAuthentication,
PreTokenGeneration in its three versions (the claims checked in the decoded tokens) from each
source, UserMigration_Authentication, a function on the Lambda Invoke API (FakeLambda); and
each failure (a function that throws, one
that answers nonsense, one too slow) gives Cognito's error and leaves nothing half-done. Last,
on SQLite, a slow function holds up only its own request, not the server worker's other ones."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from pycognito.aws_srp import AWSSRP

from tests.auth_events_support import THREAT_PROTECTION, export, history
from tests.conftest import make_client
from tests.signin_support import PASSWORD, claims, failure, unique
from tests.signin_trigger_support import (
    CUSTOM,
    INCORRECT,
    MIGRATE,
    POST_AUTH,
    PRE_AUTH,
    PRE_TOKEN,
    REMOTE,
    TriggerServer,
    app_client,
    initiate,
    password_sign_in,
    refresh_tokens_revoked,
    serving,
    sub_of,
    trigger_pool,
    trigger_server_fixture,
    user,
)
from tests.srp_support import Channel
from tests.trigger_support import fake_lambda

triggers = trigger_server_fixture("signin-triggers")

FLOWS = ("USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH", "USER_SRP_AUTH", "CUSTOM_AUTH")
LEGACY_PASSWORD = "Legacy-Passw0rd!"  # what migrate.mjs's "legacy system" knows
ADMIN_SCOPE = "aws.cognito.signin.user.admin"
TIMEOUT = "invocation failed due to error Socket timeout while invoking Lambda function."


@pytest.mark.parametrize("flow", FLOWS)
def test_pre_authentication_sees_the_attempt_and_may_deny_it(
    triggers: TriggerServer, flow: str
) -> None:
    cognito = triggers.cognito
    pool_id = trigger_pool(cognito, {"PreAuthentication": PRE_AUTH, **CUSTOM})
    flows = ("ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH")
    client_id = app_client(cognito, pool_id, *flows, "ALLOW_CUSTOM_AUTH")
    username = user(cognito, pool_id, email=f"{unique('pre')}@example.com")
    params = {"USERNAME": username, "PASSWORD": PASSWORD}
    if flow == "USER_SRP_AUTH":
        srp = AWSSRP(username, PASSWORD, pool_id, client_id, client=cognito)
        params = srp.get_auth_params()
    elif flow == "CUSTOM_AUTH":
        params = {"USERNAME": username}

    answer = initiate(cognito, pool_id, client_id, flow, params, pre="allow", app="web")
    expected = {"USER_SRP_AUTH": "PASSWORD_VERIFIER", "CUSTOM_AUTH": "CUSTOM_CHALLENGE"}
    assert answer.get("ChallengeName") == expected.get(flow)
    event = triggers.only(pool_id, "PreAuthentication_Authentication")
    assert (event["userName"], event["callerContext"]["clientId"]) == (username, client_id)
    attributes = event["request"]["userAttributes"]
    assert attributes["sub"] == sub_of(cognito, pool_id, username)
    assert event["request"] == {
        "userAttributes": attributes,
        "validationData": {"pre": "allow", "app": "web"},
        "userNotFound": False,
    }

    before = len(triggers.events(pool_id))
    assert failure(initiate, cognito, pool_id, client_id, flow, params, pre="throw") == (
        "UserLambdaValidationException",
        f"PreAuthentication failed with error {username} may not sign in today.",
    )
    # Denied before anything else ran; no refresh token was stored for it.
    assert triggers.sources(pool_id)[before:] == ["PreAuthentication_Authentication"]
    issued = [False] if flow in ("USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH") else []
    assert refresh_tokens_revoked(triggers.server, pool_id, attributes["sub"]) == issued


@pytest.mark.parametrize("hide", [True, False], ids=["hidden", "told"])
def test_pre_authentication_for_a_name_that_means_nobody(
    triggers: TriggerServer, hide: bool
) -> None:
    """Told (userNotFound) only where the client hides that users do not exist."""
    cognito = triggers.cognito
    pool_id = trigger_pool(cognito, {"PreAuthentication": PRE_AUTH})
    hiding = {"PreventUserExistenceErrors": "ENABLED" if hide else "LEGACY"}
    client_id = app_client(cognito, pool_id, "ALLOW_USER_PASSWORD_AUTH", **hiding)
    name = unique("nobody")
    refused = failure(password_sign_in, cognito, pool_id, client_id, name, app="web")
    if not hide:
        assert refused == ("UserNotFoundException", "User does not exist.")
        assert triggers.events(pool_id) == []
        return
    assert refused == INCORRECT
    event = triggers.only(pool_id, "PreAuthentication_Authentication")
    assert event["userName"] == name
    request = {"userAttributes": {}, "validationData": {"app": "web"}, "userNotFound": True}
    assert event["request"] == request


def test_a_denial_by_pre_authentication_is_a_failed_sign_in_event(triggers: TriggerServer) -> None:
    """Where threat protection keeps users' auth events: the user's denied sign-in is a failed
    SignIn with no challenge answered; a name that means nobody, denied too, leaves nothing."""
    cognito = triggers.cognito
    pool_id = trigger_pool(cognito, {"PreAuthentication": PRE_AUTH}, **THREAT_PROTECTION)
    hiding = {"PreventUserExistenceErrors": "ENABLED"}
    client_id = app_client(cognito, pool_id, "ALLOW_USER_PASSWORD_AUTH", **hiding)
    username = user(cognito, pool_id)
    for name in (username, unique("nobody")):
        refused = failure(password_sign_in, cognito, pool_id, client_id, name, pre="throw")
        assert refused[0] == "UserLambdaValidationException"
    assert history(cognito, pool_id, username) == [("SignIn", "Fail", [])]
    assert [line["Username"] for line in export(triggers.server, "--pool", pool_id)] == [username]


def test_post_authentication_runs_after_a_sign_in_and_its_failure_revokes_it(
    triggers: TriggerServer,
) -> None:
    cognito = triggers.cognito
    pool_id = trigger_pool(cognito, {"PostAuthentication": POST_AUTH})
    client_id = app_client(cognito, pool_id, "ALLOW_USER_PASSWORD_AUTH")
    username = user(cognito, pool_id, email=f"{unique('post')}@example.com")
    assert failure(password_sign_in, cognito, pool_id, client_id, username, "Wrong-Passw0rd") == (
        INCORRECT
    )
    assert triggers.events(pool_id) == []  # only a sign-in that succeeds is told
    assert "AuthenticationResult" in password_sign_in(cognito, pool_id, client_id, username)
    event = triggers.only(pool_id, "PostAuthentication_Authentication")
    assert event["request"] == {
        "userAttributes": event["request"]["userAttributes"],
        "newDeviceUsed": False,
        "clientMetadata": {},  # InitiateAuth's ClientMetadata does not reach it
    }
    assert event["request"]["userAttributes"]["email"].startswith("post-")

    failing = user(cognito, pool_id, custom_modes="post=throw")
    assert failure(password_sign_in, cognito, pool_id, client_id, failing) == (
        "UserLambdaValidationException",
        f"PostAuthentication failed with error audit log refused {failing}.",
    )
    # The refresh token stored for that sign-in is revoked: nothing can be made of it.
    sub = sub_of(cognito, pool_id, failing)
    assert refresh_tokens_revoked(triggers.server, pool_id, sub) == [True]


def token_pool(triggers: TriggerServer, version: str | None) -> tuple[str, str]:
    """A pool whose PreTokenGeneration is pre_token.py (`version` None: the legacy setting
    alone), with a group "readers"; and a password client."""
    config: dict[str, Any] = {"PreTokenGeneration": PRE_TOKEN}
    if version is not None:
        config["PreTokenGenerationConfig"] = {"LambdaVersion": version, "LambdaArn": PRE_TOKEN}
    pool_id = trigger_pool(triggers.cognito, config)
    triggers.cognito.create_group(UserPoolId=pool_id, GroupName="readers")
    return pool_id, app_client(triggers.cognito, pool_id, "ALLOW_USER_PASSWORD_AUTH")


@pytest.mark.parametrize("version", [None, "V1_0", "V2_0", "V3_0"])
def test_pre_token_generation_changes_the_tokens_as_its_version_allows(
    triggers: TriggerServer, version: str | None
) -> None:
    cognito = triggers.cognito
    pool_id, client_id = token_pool(triggers, version)
    username = user(cognito, pool_id, email=f"{unique('t')}@example.com", family_name="Smith")
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=username, GroupName="readers")
    tokens = password_sign_in(cognito, pool_id, client_id, username)["AuthenticationResult"]
    sub = sub_of(cognito, pool_id, username)
    number = (version or "V1_0")[1]
    event = triggers.only(pool_id, "TokenGeneration_Authentication")
    assert event["version"] == number
    request = event["request"]
    assert request["groupConfiguration"] == {
        "groupsToOverride": ["readers"],
        "iamRolesToOverride": [],
        "preferredRole": None,
    }
    assert request.get("scopes") == (None if number == "1" else [ADMIN_SCOPE])
    block = "claimsOverrideDetails" if number == "1" else "claimsAndScopeOverrideDetails"
    assert event["response"] == {block: None}

    id_claims, access = claims(tokens["IdToken"]), claims(tokens["AccessToken"])
    issuer = access["iss"]
    assert issuer.endswith(pool_id)
    assert id_claims["trigger_source"] == "TokenGeneration_Authentication"
    assert id_claims["favourite_drink"] == "tea"
    assert id_claims["email"] == "changed@example.com"
    assert "family_name" not in id_claims
    # Reserved claims keep their values whatever the function says.
    assert (id_claims["sub"], id_claims["iss"], id_claims["token_use"]) == (sub, issuer, "id")
    assert id_claims["cognito:groups"] == ["readers", "from-trigger"]
    assert access["cognito:groups"] == ["readers", "from-trigger"]
    assert (access["sub"], access["token_use"], access["client_id"]) == (sub, "access", client_id)
    assert access["username"] == username  # not suppressed: reserved
    if number == "1":  # the access token is the pool's own
        assert "trigger_source" not in access and "tier" not in access
        assert access["scope"] == ADMIN_SCOPE
    else:
        assert access["trigger_source"] == "TokenGeneration_Authentication"
        assert access["tier"] == "gold"
        assert access["scope"] == f"{ADMIN_SCOPE} orders/read"
        assert "favourite_drink" not in access


def test_pre_token_generation_sources_and_client_metadata(triggers: TriggerServer) -> None:
    """TokenGeneration_NewPasswordChallenge, _RefreshTokens (REFRESH_TOKEN_AUTH, whose
    InitiateAuth passes no ClientMetadata, and GetTokensFromRefreshToken, which does)."""
    cognito = triggers.cognito
    pool_id, client_id = token_pool(triggers, "V2_0")
    username = unique("invited")
    cognito.admin_create_user(UserPoolId=pool_id, Username=username, TemporaryPassword=PASSWORD)
    challenge = password_sign_in(cognito, pool_id, client_id, username)
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    answered = cognito.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": username, "NEW_PASSWORD": "Brand-New-Passw0rd"},
        ClientMetadata={"step": "new-password"},
    )["AuthenticationResult"]
    assert claims(answered["IdToken"])["trigger_source"] == "TokenGeneration_NewPasswordChallenge"
    refresh = answered["RefreshToken"]
    by_flow = cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": refresh},
        ClientMetadata={"step": "refresh-flow"},
    )["AuthenticationResult"]
    by_operation = cognito.get_tokens_from_refresh_token(
        ClientId=client_id, RefreshToken=refresh, ClientMetadata={"step": "get-tokens"}
    )["AuthenticationResult"]
    for refreshed in (by_flow, by_operation):
        assert claims(refreshed["IdToken"])["trigger_source"] == "TokenGeneration_RefreshTokens"
        assert claims(refreshed["AccessToken"])["tier"] == "gold"
    events = triggers.events(pool_id)
    assert [(e["triggerSource"], e["request"]["clientMetadata"]) for e in events] == [
        ("TokenGeneration_NewPasswordChallenge", {"step": "new-password"}),
        ("TokenGeneration_RefreshTokens", {}),
        ("TokenGeneration_RefreshTokens", {"step": "get-tokens"}),
    ]


def test_a_malformed_answer_from_pre_token_generation_issues_nothing(
    triggers: TriggerServer,
) -> None:
    cognito = triggers.cognito
    pool_id, client_id = token_pool(triggers, "V2_0")
    username = user(cognito, pool_id, custom_modes="token=malformed")
    assert failure(password_sign_in, cognito, pool_id, client_id, username) == (
        "InvalidLambdaResponseException",
        "Unrecognizable lambda output",
    )
    sub = sub_of(cognito, pool_id, username)
    assert refresh_tokens_revoked(triggers.server, pool_id, sub) == [True]


def migration_pool(triggers: TriggerServer) -> tuple[str, str]:
    cognito = triggers.cognito
    pool_id = trigger_pool(cognito, {"UserMigration": MIGRATE})
    flows = ("ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH")
    return pool_id, app_client(cognito, pool_id, *flows)


@pytest.mark.parametrize("flow", ["USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH"])
def test_user_migration_brings_the_user_and_their_password(
    triggers: TriggerServer, flow: str
) -> None:
    cognito = triggers.cognito
    pool_id, client_id = migration_pool(triggers)
    name = unique("legacy")
    params = {"USERNAME": name, "PASSWORD": LEGACY_PASSWORD}
    first = initiate(cognito, pool_id, client_id, flow, params, app="web")
    assert claims(first["AuthenticationResult"]["IdToken"])["email"] == f"{name}@legacy.example"
    event = triggers.only(pool_id, "UserMigration_Authentication")
    assert event["userName"] == name
    # The password it is to check, and the sign-in's ClientMetadata as validationData.
    request = event["request"]
    assert (request["password"], request["validationData"]) == (LEGACY_PASSWORD, {"app": "web"})
    stored = cognito.admin_get_user(UserPoolId=pool_id, Username=name)
    assert stored["UserStatus"] == "CONFIRMED"
    attributes = {entry["Name"]: entry["Value"] for entry in stored["UserAttributes"]}
    assert attributes["email_verified"] == "true" and attributes["given_name"] == "Legacy"

    # From now on a user like any other: the same password signs in, by SRP too.
    assert "AuthenticationResult" in password_sign_in(
        cognito, pool_id, client_id, name, params["PASSWORD"]
    )
    srp = Channel(cognito, pool_id, client_id).sign_in(name, LEGACY_PASSWORD)
    assert claims(srp["AuthenticationResult"]["AccessToken"])["username"] == name
    assert failure(password_sign_in, cognito, pool_id, client_id, name, "Other-Passw0rd") == (
        INCORRECT
    )
    assert len(triggers.events(pool_id, "UserMigration_Authentication")) == 1


def test_a_failed_migration_creates_no_user(triggers: TriggerServer) -> None:
    cognito = triggers.cognito
    pool_id, client_id = migration_pool(triggers)
    name = unique("legacy")
    assert failure(password_sign_in, cognito, pool_id, client_id, name, "Wrong-Passw0rd") == (
        "UserLambdaValidationException",
        "UserMigration failed with error Bad password.",
    )
    assert failure(
        password_sign_in, cognito, pool_id, client_id, name, LEGACY_PASSWORD, migrate="malformed"
    ) == ("InvalidLambdaResponseException", "Unrecognizable lambda output")
    stranger = unique("stranger")  # the legacy system does not know them either
    assert failure(password_sign_in, cognito, pool_id, client_id, stranger) == (
        "UserNotFoundException",
        "User does not exist.",
    )
    for missing in (name, stranger):
        gone = failure(cognito.admin_get_user, UserPoolId=pool_id, Username=missing)
        assert gone == ("UserNotFoundException", "User does not exist.")


def test_a_function_on_the_lambda_invoke_api(triggers: TriggerServer) -> None:
    cognito = triggers.cognito
    pool_id = trigger_pool(cognito, {"PostAuthentication": REMOTE})
    client_id = app_client(cognito, pool_id, "ALLOW_USER_PASSWORD_AUTH")
    username = user(cognito, pool_id)
    before = len(triggers.lambda_api.invocations)
    assert "AuthenticationResult" in password_sign_in(cognito, pool_id, client_id, username)
    (invocation,) = triggers.lambda_api.invocations[before:]
    assert (invocation.function, invocation.region) == ("remote", "us-east-1")
    event = json.loads(invocation.body)
    sent = (event["triggerSource"], event["userPoolId"], event["userName"])
    assert sent == ("PostAuthentication_Authentication", pool_id, username)


def test_a_function_too_slow_to_answer_leaves_nothing_behind(triggers: TriggerServer) -> None:
    """Cognito waits 5 s: a pre token generation function and a migration that take longer
    (FakeLambda answers after 6 s) issue no tokens and create no user. Both run at once."""
    cognito = triggers.cognito
    token_pool_id = trigger_pool(cognito, {"PreTokenGeneration": REMOTE})
    token_client = app_client(cognito, token_pool_id, "ALLOW_USER_PASSWORD_AUTH")
    username = user(cognito, token_pool_id)
    migration_pool_id = trigger_pool(cognito, {"UserMigration": REMOTE})
    migration_client = app_client(cognito, migration_pool_id, "ALLOW_USER_PASSWORD_AUTH")
    name = unique("legacy")
    triggers.lambda_api.replies = [6.0, 6.0]
    with ThreadPoolExecutor(2) as pool:
        tokens = pool.submit(
            failure, password_sign_in, cognito, token_pool_id, token_client, username
        )
        migrated = pool.submit(
            failure, password_sign_in, cognito, migration_pool_id, migration_client, name
        )
        assert tokens.result() == ("UnexpectedLambdaException", f"PreTokenGeneration {TIMEOUT}")
        assert migrated.result() == ("UnexpectedLambdaException", f"UserMigration {TIMEOUT}")
    sub = sub_of(cognito, token_pool_id, username)
    assert refresh_tokens_revoked(triggers.server, token_pool_id, sub) == [True]
    missing = failure(cognito.admin_get_user, UserPoolId=migration_pool_id, Username=name)
    assert missing[0] == "UserNotFoundException"


def test_on_sqlite_a_waiting_function_holds_up_only_its_own_request(tmp_path: Path) -> None:
    """One server worker (`--workers 1`): while PreAuthentication waits for a file this test
    makes, a sign-in to another pool (one without triggers, run on the event loop) is answered;
    then the file appears and the waiting sign-in ends in tokens. Were the waiting request on
    the event loop, the other would be answered only after it (and the function would give up
    waiting first)."""
    log, release = tmp_path / "events.jsonl", tmp_path / "release"
    with (
        fake_lambda() as api,
        serving("sqlite", tmp_path, log, api.url, "--workers", "1") as server,
    ):
        triggers = TriggerServer(server, make_client(server.url), log, api)
        cognito = triggers.cognito
        slow_pool = trigger_pool(cognito, {"PreAuthentication": PRE_AUTH})
        slow_client = app_client(cognito, slow_pool, "ALLOW_USER_PASSWORD_AUTH")
        slow_user = user(cognito, slow_pool)
        quick_pool = trigger_pool(cognito, {})
        quick_client = app_client(cognito, quick_pool, "ALLOW_USER_PASSWORD_AUTH")
        quick_user = user(cognito, quick_pool)
        finished: list[str] = []
        outcome: dict[str, Any] = {}

        def slow_sign_in() -> None:
            meta = {"pre": "wait", "release": str(release)}
            try:
                outcome.update(password_sign_in(cognito, slow_pool, slow_client, slow_user, **meta))
            except ClientError as error:
                outcome.update(error.response)
            finally:
                finished.append("slow")

        waiting = threading.Thread(target=slow_sign_in)
        waiting.start()
        while not triggers.events(slow_pool) and waiting.is_alive():
            time.sleep(0.01)  # until the function has the event and waits
        assert triggers.sources(slow_pool) == ["PreAuthentication_Authentication"]
        quick = password_sign_in(cognito, quick_pool, quick_client, quick_user)
        finished.append("quick")
        release.touch()
        waiting.join(timeout=30)
        assert finished == ["quick", "slow"]
        assert "AuthenticationResult" in quick
        assert "AuthenticationResult" in outcome, outcome.get("Error")
