"""USER_SRP_AUTH -> PASSWORD_VERIFIER against a running server, with the real Python clients:
pycognito (`Cognito`, `AWSSRP`), warrant-lite (`WarrantLite`) and the AWS CLI, through
InitiateAuth and AdminInitiateAuth, in pools signed in to by username, email as username
and email alias; and every answer Cognito refuses, with its error.

What needs a fixed clock (a one-digit day) or the instant of a lockout runs the server's own
engine in-process on its store (see tests/signin_support.py)."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import warrant_lite
from pycognito import Cognito

from tests.conftest import REGION, Server, server_store
from tests.signin_support import (
    NEW_PASSWORD,
    PASSWORD,
    PASSWORD_FLOWS,
    RESULT_KEYS,
    TEMPORARY_PASSWORD,
    WRONG_PASSWORD,
    attempt_at,
    claims,
    confirmed_user,
    engine_env,
    engine_initiate,
    engine_respond,
    failure,
    invited_user,
    new_client,
    new_pool,
    stored_user,
    unique,
)
from tests.srp_support import (
    CHALLENGE_KEYS,
    FLOW,
    KINDS,
    MINIMAL_HEX,
    POOL_SETTINGS,
    SRP_FLOWS,
    VERIFIER,
    Channel,
    claim,
    cognito_timestamp,
    english_locale_available,
    flipped,
    srp_account,
    zero_padded,
)
from userpool.accounts.lockout import LOCKED
from userpool.auth.outcomes import Authenticated, Challenge
from userpool.auth.sessions import INVALID, REUSED
from userpool.crypto import srp as srp_maths
from userpool.domain.errors import NotAuthorizedException

REFUSED = ("NotAuthorizedException", WRONG_PASSWORD)
CHANNELS = {"InitiateAuth": False, "AdminInitiateAuth": True}


@pytest.fixture(scope="module")
def pool_id(cognito: Any) -> str:
    return new_pool(cognito)


@pytest.fixture(scope="module")
def client_id(cognito: Any, pool_id: str) -> str:
    return str(new_client(cognito, pool_id, SRP_FLOWS)["ClientId"])


@pytest.fixture(params=list(CHANNELS))
def channel(request: pytest.FixtureRequest, cognito: Any, pool_id: str, client_id: str) -> Channel:
    return Channel(cognito, pool_id, client_id, admin=CHANNELS[request.param])


@pytest.fixture
def username(cognito: Any, pool_id: str) -> str:
    name = unique("user")
    confirmed_user(cognito, pool_id, name)
    return name


@pytest.fixture
def warrant(monkeypatch: pytest.MonkeyPatch) -> type[warrant_lite.WarrantLite]:
    """warrant-lite formats TIMESTAMP inside `temp_locale(("en_US", "UTF-8"))`, which raises
    where that locale is not installed; the C locale writes the same English names."""
    if not english_locale_available():
        monkeypatch.setattr(warrant_lite, "temp_locale", lambda _: contextlib.nullcontext())
    return warrant_lite.WarrantLite


def pycognito_user(server: Server, channel: Channel, name: str) -> Cognito:
    return Cognito(
        channel.pool_id,
        channel.client_id,
        username=name,
        client_secret=channel.secret,
        boto3_client_kwargs={
            "endpoint_url": server.url,
            "aws_access_key_id": "AKIDLOCAL",
            "aws_secret_access_key": "local-secret",
        },
    )


def check_tokens(response: dict[str, Any], username: str) -> dict[str, Any]:
    assert "ChallengeName" not in response
    result: dict[str, Any] = response["AuthenticationResult"]
    assert set(result) == RESULT_KEYS
    assert claims(result["IdToken"])["cognito:username"] == username
    assert claims(result["AccessToken"])["username"] == username
    return result


def test_challenge_and_tokens(channel: Channel, username: str) -> None:
    srp = channel.helper(username)
    params = srp.get_auth_params()
    response = channel.initiate(params)

    assert response["ChallengeName"] == VERIFIER
    assert "Session" not in response and "AuthenticationResult" not in response
    challenge = response["ChallengeParameters"]
    assert set(challenge) == CHALLENGE_KEYS
    assert challenge["USERNAME"] == challenge["USER_ID_FOR_SRP"] == username
    assert MINIMAL_HEX.fullmatch(challenge["SALT"]), challenge["SALT"]
    assert int(challenge["SRP_B"], 16) % srp_maths.N != 0
    check_tokens(channel.respond(srp.process_challenge(challenge, params)), username)


@pytest.mark.parametrize("secret", [False, True], ids=["public", "secret"])
@pytest.mark.parametrize("kind", KINDS)
def test_pycognito_authenticate(server: Server, cognito: Any, kind: str, secret: bool) -> None:
    account = srp_account(cognito, kind, secret=secret)
    user = pycognito_user(server, account.channel, account.name)

    user.authenticate(PASSWORD)  # verifies both tokens with the JWKS at the endpoint

    assert user.id_claims["cognito:username"] == account.username
    assert user.access_claims["username"] == account.username
    assert user.token_type == "Bearer"
    first = user.access_token
    # REFRESH_TOKEN_AUTH: pycognito hashes the secret with `username`, but the hash must be of
    # the internal username (or sub), as on Cognito (pycognito issues #18, #196).
    user.username = account.username
    user.renew_access_token()
    assert user.access_token != first


@pytest.mark.parametrize("secret", [False, True], ids=["public", "secret"])
@pytest.mark.parametrize("kind", KINDS)
def test_warrant_lite_authenticate(
    cognito: Any, warrant: type[warrant_lite.WarrantLite], kind: str, secret: bool
) -> None:
    account = srp_account(cognito, kind, secret=secret)
    channel = account.channel
    client = warrant(
        account.name, PASSWORD, channel.pool_id, channel.client_id, None, cognito, channel.secret
    )

    check_tokens(client.authenticate_user(), account.username)


@pytest.mark.parametrize("kind", KINDS)
def test_admin_initiate_auth(cognito: Any, kind: str) -> None:
    account = srp_account(cognito, kind, secret=True, admin=True)
    channel = account.channel
    srp = channel.helper(account.name)
    params, challenge = channel.start(srp)

    # The internal username is USER_ID_FOR_SRP, whatever name was typed.
    assert challenge["USERNAME"] == challenge["USER_ID_FOR_SRP"] == account.username
    check_tokens(channel.respond(srp.process_challenge(challenge, params)), account.username)


@pytest.mark.parametrize("secret", [False, True], ids=["public", "secret"])
@pytest.mark.parametrize("kind", ["username", "email"])
def test_pycognito_new_password_challenge(
    server: Server, cognito: Any, kind: str, secret: bool
) -> None:
    account = srp_account(cognito, kind, secret=secret)
    channel = account.channel
    if kind == "email":
        name = f"{unique('new')}@example.com"
        internal = invited_user(cognito, channel.pool_id, name, email=name)["Username"]
    else:
        name = internal = unique("new")
        invited_user(cognito, channel.pool_id, name)
    user = pycognito_user(server, channel, name)

    user.new_password_challenge(TEMPORARY_PASSWORD, NEW_PASSWORD)  # set_new_password_challenge

    assert user.id_claims["cognito:username"] == internal
    status = cognito.admin_get_user(UserPoolId=channel.pool_id, Username=name)["UserStatus"]
    assert status == "CONFIRMED"
    user.authenticate(NEW_PASSWORD)
    assert failure(user.authenticate, password=TEMPORARY_PASSWORD) == REFUSED


def test_wrong_password(server: Server, channel: Channel, username: str) -> None:
    assert failure(channel.sign_in, username=username, password="Wrong-Passw0rd") == REFUSED
    user = pycognito_user(server, channel, username)
    assert failure(user.authenticate, password="Wrong-Passw0rd") == REFUSED


@pytest.mark.parametrize("minutes", [-10, 10])
def test_timestamp_ten_minutes_off(channel: Channel, username: str, minutes: int) -> None:
    srp = channel.helper(username)
    _, challenge = channel.start(srp)
    moment = datetime.now(UTC) + timedelta(minutes=minutes)

    answer = claim(srp, challenge, timestamp=cognito_timestamp(moment))

    assert failure(channel.respond, responses=answer) == REFUSED


def test_zero_padded_day(
    server: Server, cognito: Any, pool_id: str, client_id: str, username: str
) -> None:
    moment = datetime(2026, 11, 3, 9, 5, 1, tzinfo=UTC)
    timestamp = cognito_timestamp(moment)
    assert timestamp == "Tue Nov 3 09:05:01 UTC 2026"
    with server_store(server) as store:
        at = attempt_at(engine_env(server, store), pool_id, client_id, moment.timestamp())
        channel = Channel(cognito, pool_id, client_id)

        def answer(stamp: str) -> Any:
            srp = channel.helper(username)
            challenge = engine_initiate(at, FLOW, srp.get_auth_params())
            assert isinstance(challenge, Challenge)
            responses = claim(srp, challenge.parameters, timestamp=stamp)
            return engine_respond(at, VERIFIER, responses, None)

        with pytest.raises(NotAuthorizedException) as excinfo:
            answer(zero_padded(timestamp))  # "Tue Nov 03 09:05:01 UTC 2026"
        assert excinfo.value.message == WRONG_PASSWORD
        assert isinstance(answer(timestamp), Authenticated)  # same instant, day unpadded


def test_tampered_secret_block(channel: Channel, username: str) -> None:
    srp = channel.helper(username)
    _, challenge = channel.start(srp)
    now = cognito_timestamp(datetime.now(UTC))

    answer = claim(srp, challenge, timestamp=now, block=flipped(challenge["SECRET_BLOCK"]))

    assert failure(channel.respond, responses=answer) == ("NotAuthorizedException", INVALID)


def test_replayed_answer(channel: Channel, username: str) -> None:
    srp = channel.helper(username)
    params, challenge = channel.start(srp)
    answer = srp.process_challenge(challenge, params)

    check_tokens(channel.respond(answer), username)
    assert failure(channel.respond, responses=answer) == ("NotAuthorizedException", REUSED)


@pytest.mark.parametrize("value", [0, srp_maths.N, 2 * srp_maths.N], ids=["0", "N", "2N"])
def test_srp_a_that_is_zero_mod_n(channel: Channel, username: str, value: int) -> None:
    params = {"USERNAME": username, "SRP_A": format(value, "x")}
    assert failure(channel.initiate, params=params) == REFUSED


def test_flow_not_allowed(cognito: Any, pool_id: str, channel: Channel, username: str) -> None:
    client_id = new_client(cognito, pool_id, PASSWORD_FLOWS)["ClientId"]
    closed = Channel(cognito, pool_id, client_id, admin=channel.admin)
    refusal = ("InvalidParameterException", "USER_SRP_AUTH flow not enabled for this client")
    assert failure(closed.sign_in, username=username) == refusal


def test_lockout_counts_srp_failures(
    server: Server, cognito: Any, pool_id: str, client_id: str, username: str
) -> None:
    channel = Channel(cognito, pool_id, client_id)
    for _ in range(5):
        assert failure(channel.sign_in, username=username, password="Wrong-Passw0rd") == REFUSED
    with server_store(server) as store:
        user = stored_user(store, pool_id, username)
        with store.read() as tx:
            lockout = tx.lockouts.get(user.sub)
        assert lockout is not None and lockout.failures == 5
        assert lockout.locked_until > lockout.last_failure
        # While locked, even the right password is refused, before any challenge.
        env = engine_env(server, store)
        locked = attempt_at(env, pool_id, client_id, lockout.last_failure, admin=False)
        params = channel.helper(username).get_auth_params()
        with pytest.raises(NotAuthorizedException) as excinfo:
            engine_initiate(locked, FLOW, params)
        assert excinfo.value.message == LOCKED
        unlocked = attempt_at(env, pool_id, client_id, lockout.locked_until, admin=False)
        assert isinstance(engine_initiate(unlocked, FLOW, params), Challenge)


@pytest.mark.parametrize("kind", KINDS)
def test_unknown_user_with_prevent_user_existence_errors(cognito: Any, kind: str) -> None:
    pool_id = new_pool(cognito, **POOL_SETTINGS[kind])
    client_id = new_client(cognito, pool_id, SRP_FLOWS, PreventUserExistenceErrors="ENABLED")
    channel = Channel(cognito, pool_id, client_id["ClientId"])
    domain = "" if kind == "username" else "@example.com"
    ghost, other = (unique("ghost") + domain for _ in range(2))

    first, again, another = (
        channel.start(channel.helper(name))[1] for name in (ghost, ghost, other)
    )

    assert set(first) == CHALLENGE_KEYS
    assert MINIMAL_HEX.fullmatch(first["SALT"])
    for key in ("SALT", "USER_ID_FOR_SRP"):
        assert first[key] == again[key]  # stable per (pool, username)
        assert first[key] != another[key]
    assert first["SRP_B"] != again["SRP_B"]
    if domain:  # an email is never a username in these pools: a UUID, as real users get
        assert uuid.UUID(first["USER_ID_FOR_SRP"]).version == 4
    else:
        assert first["USER_ID_FOR_SRP"] == ghost
    assert failure(channel.sign_in, username=ghost) == REFUSED  # refused only at the answer


def test_unknown_user_legacy(channel: Channel) -> None:
    params = channel.helper(unique("nobody")).get_auth_params()
    assert failure(channel.initiate, params=params) == (
        "UserNotFoundException",
        "User does not exist.",
    )


def test_device_key_is_harmless(channel: Channel, username: str) -> None:
    device = {
        "device_key": f"{REGION}_{uuid.uuid4()}",
        "device_group_key": "-unknown",
        "device_password": "device-password",
    }
    check_tokens(channel.sign_in(username, **device), username)


def test_aws_cli_admin_initiate_auth(
    server: Server, cognito: Any, pool_id: str, client_id: str, username: str
) -> None:
    srp = Channel(cognito, pool_id, client_id).helper(username)
    params = srp.get_auth_params()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
        "AWS_ACCESS_KEY_ID": "AKIDLOCAL",
        "AWS_SECRET_ACCESS_KEY": "local-secret",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }

    def aws(*args: str) -> dict[str, Any]:
        command = [sys.executable, "-m", "awscli", "cognito-idp", *args]
        command += ["--endpoint-url", server.url, "--output", "json"]
        done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
        assert done.returncode == 0, done.stderr
        output: dict[str, Any] = json.loads(done.stdout)
        return output

    started = aws(
        "admin-initiate-auth",
        *("--user-pool-id", pool_id, "--client-id", client_id, "--auth-flow", FLOW),
        *("--auth-parameters", f"USERNAME={username},SRP_A={params['SRP_A']}"),
    )

    assert started["ChallengeName"] == VERIFIER
    challenge = started["ChallengeParameters"]
    assert set(challenge) == CHALLENGE_KEYS
    assert challenge["USER_ID_FOR_SRP"] == username
    answered = aws(
        "admin-respond-to-auth-challenge",
        *("--user-pool-id", pool_id, "--client-id", client_id, "--challenge-name", VERIFIER),
        *("--challenge-responses", json.dumps(srp.process_challenge(challenge, params))),
    )
    check_tokens(answered, username)
