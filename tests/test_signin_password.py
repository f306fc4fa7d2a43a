"""Password sign-in over the wire: AdminInitiateAuth (ADMIN_USER_PASSWORD_AUTH,
ADMIN_NO_SRP_AUTH) and InitiateAuth (USER_PASSWORD_AUTH), with Cognito's refusals, lockout
and the ways a pool lets a user name themselves."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Server, make_client, server_store, start_server
from tests.signin_support import (
    PASSWORD,
    RESULT_KEYS,
    WRONG_PASSWORD,
    admin_auth,
    claims,
    confirmed_user,
    failure,
    new_client,
    new_pool,
    secret_hash,
    tokens_of,
    unique,
    user_auth,
)
from userpool.crypto import srp
from userpool.domain.models import PasswordVerifier, User, UserStatus

LOCKED = "Password attempts exceeded"


@pytest.fixture(scope="module")
def pool_id(cognito: Any) -> str:
    return new_pool(cognito)


@pytest.fixture(scope="module")
def client_id(cognito: Any, pool_id: str) -> str:
    return str(new_client(cognito, pool_id)["ClientId"])


@pytest.fixture
def username(cognito: Any, pool_id: str) -> str:
    name = unique("user")
    confirmed_user(cognito, pool_id, name)
    return name


def check_tokens(response: dict[str, Any], client_id: str, username: str) -> None:
    assert response["ChallengeParameters"] == {}
    assert "ChallengeName" not in response and "Session" not in response
    result = tokens_of(response)
    assert set(result) == RESULT_KEYS
    assert result["TokenType"] == "Bearer"
    assert result["ExpiresIn"] == 3600
    assert claims(result["IdToken"])["cognito:username"] == username
    assert claims(result["IdToken"])["aud"] == client_id
    assert claims(result["AccessToken"])["username"] == username


@pytest.mark.parametrize("flow", ["ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"])
def test_admin_password_flows_return_tokens(
    cognito: Any, pool_id: str, client_id: str, username: str, flow: str
) -> None:
    check_tokens(admin_auth(cognito, pool_id, client_id, username, flow=flow), client_id, username)


def test_user_password_auth_returns_tokens(cognito: Any, client_id: str, username: str) -> None:
    check_tokens(user_auth(cognito, client_id, username), client_id, username)


@pytest.mark.parametrize(
    ("admin", "flow"),
    [
        (True, "USER_PASSWORD_AUTH"),
        (False, "ADMIN_USER_PASSWORD_AUTH"),
        (False, "ADMIN_NO_SRP_AUTH"),
    ],
)
def test_flow_the_operation_does_not_take(
    cognito: Any, pool_id: str, client_id: str, username: str, admin: bool, flow: str
) -> None:
    params = {"USERNAME": username, "PASSWORD": PASSWORD}
    if admin:
        found = failure(
            cognito.admin_initiate_auth,
            UserPoolId=pool_id,
            ClientId=client_id,
            AuthFlow=flow,
            AuthParameters=params,
        )
    else:
        found = failure(
            cognito.initiate_auth, ClientId=client_id, AuthFlow=flow, AuthParameters=params
        )
    assert found == ("InvalidParameterException", "Initiate Auth method not supported.")


@pytest.mark.parametrize("flow", ["ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"])
def test_admin_flow_the_client_does_not_allow(
    cognito: Any, pool_id: str, username: str, flow: str
) -> None:
    default_client = new_client(cognito, pool_id, flows=None)["ClientId"]
    found = failure(admin_auth, cognito, pool_id, default_client, username, flow=flow)
    assert found == ("InvalidParameterException", f"{flow} flow not enabled for this client")


def test_user_password_flow_the_client_does_not_allow(
    cognito: Any, pool_id: str, username: str
) -> None:
    for flows in (None, ("ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")):
        client = new_client(cognito, pool_id, flows=flows)["ClientId"]
        found = failure(user_auth, cognito, client, username)
        assert found == (
            "InvalidParameterException",
            "USER_PASSWORD_AUTH flow not enabled for this client",
        )


def test_legacy_flow_names_enable_their_flows(cognito: Any, pool_id: str, username: str) -> None:
    legacy = new_client(cognito, pool_id, flows=("ADMIN_NO_SRP_AUTH",))["ClientId"]
    assert "AuthenticationResult" in admin_auth(cognito, pool_id, legacy, username)
    found = failure(user_auth, cognito, legacy, username)
    assert found[1] == "USER_PASSWORD_AUTH flow not enabled for this client"
    public = new_client(cognito, pool_id, flows=("USER_PASSWORD_AUTH",))["ClientId"]
    assert "AuthenticationResult" in user_auth(cognito, public, username)


def test_unknown_client(cognito: Any, pool_id: str, username: str) -> None:
    unknown = "a" * 26
    found = failure(user_auth, cognito, unknown, username)
    assert found[0] == "ResourceNotFoundException"
    found = failure(admin_auth, cognito, pool_id, unknown, username)
    assert found[0] == "ResourceNotFoundException"
    # A client of another pool is unknown in this one.
    elsewhere = new_client(cognito, new_pool(cognito))["ClientId"]
    found = failure(admin_auth, cognito, pool_id, elsewhere, username)
    assert found[0] == "ResourceNotFoundException"


@pytest.mark.parametrize("admin", [True, False])
def test_secret_hash(cognito: Any, pool_id: str, username: str, admin: bool) -> None:
    client = new_client(cognito, pool_id, GenerateSecret=True)
    client_id, secret = client["ClientId"], client["ClientSecret"]

    def sign_in(**extra: str) -> dict[str, Any]:
        if admin:
            return admin_auth(cognito, pool_id, client_id, username, **extra)
        return user_auth(cognito, client_id, username, **extra)

    missing = f"Client {client_id} is configured for secret but secret was not received"
    assert failure(sign_in) == ("NotAuthorizedException", missing)
    wrong = ("NotAuthorizedException", f"Unable to verify secret hash for client {client_id}")
    assert failure(sign_in, SECRET_HASH=secret_hash(secret, "someone-else", client_id)) == wrong
    assert failure(sign_in, SECRET_HASH=secret_hash("not-the-secret", username, client_id)) == wrong
    right = sign_in(SECRET_HASH=secret_hash(secret, username, client_id))
    check_tokens(right, client_id, username)


@pytest.mark.parametrize("missing", ["USERNAME", "PASSWORD"])
def test_missing_parameters(
    cognito: Any, pool_id: str, client_id: str, username: str, missing: str
) -> None:
    params = {"USERNAME": username, "PASSWORD": PASSWORD}
    del params[missing]
    for call, extra in (
        (cognito.initiate_auth, {"AuthFlow": "USER_PASSWORD_AUTH"}),
        (
            cognito.admin_initiate_auth,
            {"AuthFlow": "ADMIN_USER_PASSWORD_AUTH", "UserPoolId": pool_id},
        ),
    ):
        code, message = failure(call, ClientId=client_id, AuthParameters=params, **extra)
        assert code == "InvalidParameterException"
        assert missing in message


def test_unknown_user_legacy_and_prevented(cognito: Any, pool_id: str) -> None:
    stranger = unique("nobody")
    settings: list[dict[str, Any]] = [{}, {"PreventUserExistenceErrors": "LEGACY"}]
    for setting in settings:
        client = new_client(cognito, pool_id, **setting)["ClientId"]
        assert failure(user_auth, cognito, client, stranger) == (
            "UserNotFoundException",
            "User does not exist.",
        )
    hiding = new_client(cognito, pool_id, PreventUserExistenceErrors="ENABLED")["ClientId"]
    assert failure(user_auth, cognito, hiding, stranger) == (
        "NotAuthorizedException",
        WRONG_PASSWORD,
    )
    found = failure(admin_auth, cognito, pool_id, hiding, stranger)
    assert found == ("NotAuthorizedException", WRONG_PASSWORD)


def test_wrong_password(cognito: Any, pool_id: str, client_id: str, username: str) -> None:
    wrong = ("NotAuthorizedException", WRONG_PASSWORD)
    assert failure(user_auth, cognito, client_id, username, "Not-the-Passw0rd") == wrong
    assert failure(admin_auth, cognito, pool_id, client_id, username, PASSWORD.lower()) == wrong


def test_disabled_user(cognito: Any, pool_id: str, client_id: str, username: str) -> None:
    cognito.admin_disable_user(UserPoolId=pool_id, Username=username)
    disabled = ("NotAuthorizedException", "User is disabled.")
    assert failure(user_auth, cognito, client_id, username) == disabled
    assert failure(admin_auth, cognito, pool_id, client_id, username) == disabled
    cognito.admin_enable_user(UserPoolId=pool_id, Username=username)
    assert "AuthenticationResult" in user_auth(cognito, client_id, username)


def test_unconfirmed_user(server: Server, cognito: Any, pool_id: str, client_id: str) -> None:
    # SignUp is not implemented yet, so the UNCONFIRMED user it would make (with a permanent
    # password) is written into the server's store directly.
    name = unique("signed-up")
    with server_store(server) as store, store.write() as tx:
        pool = tx.pools.get(pool_id)
        assert pool is not None
        now = time.time()
        user = User(str(uuid.uuid4()), pool_id, name, UserStatus.UNCONFIRMED, True, now, now)
        salt, verifier = srp.make_verifier(pool.srp_name, name, PASSWORD)
        user.password = PasswordVerifier(salt, verifier, now, temporary=False)
        assert tx.users.add(user, name, {}) == []
    assert failure(user_auth, cognito, client_id, name) == (
        "UserNotConfirmedException",
        "User is not confirmed.",
    )
    # The password is checked first: a wrong one is just a wrong password.
    assert failure(user_auth, cognito, client_id, name, "Not-the-Passw0rd") == (
        "NotAuthorizedException",
        WRONG_PASSWORD,
    )
    cognito.admin_confirm_sign_up(UserPoolId=pool_id, Username=name)
    check_tokens(user_auth(cognito, client_id, name), client_id, name)


def test_reset_required(cognito: Any, pool_id: str, client_id: str) -> None:
    name = unique("reset")
    confirmed_user(cognito, pool_id, name, email=f"{name}@example.com", email_verified="true")
    cognito.admin_reset_user_password(UserPoolId=pool_id, Username=name)
    reset = ("PasswordResetRequiredException", "Password reset required for the user")
    assert failure(user_auth, cognito, client_id, name) == reset
    assert failure(admin_auth, cognito, pool_id, client_id, name) == reset
    cognito.admin_set_user_password(
        UserPoolId=pool_id, Username=name, Password="After-Reset-Passw0rd", Permanent=True
    )
    assert "AuthenticationResult" in user_auth(cognito, client_id, name, "After-Reset-Passw0rd")


def fail_times(cognito: Any, client_id: str, username: str, times: int) -> None:
    for _ in range(times):
        assert failure(user_auth, cognito, client_id, username, "Wrong-Passw0rd") == (
            "NotAuthorizedException",
            WRONG_PASSWORD,
        )


def test_lockout_after_five_failures(cognito: Any, pool_id: str, client_id: str) -> None:
    locked, bystander = unique("locked"), unique("bystander")
    confirmed_user(cognito, pool_id, locked)
    confirmed_user(cognito, pool_id, bystander)
    fail_times(cognito, client_id, locked, 5)
    # Locked (1 s after the fifth failure): even the right password is refused.
    assert failure(user_auth, cognito, client_id, locked) == (
        "NotAuthorizedException",
        LOCKED,
    )
    assert "AuthenticationResult" in user_auth(cognito, client_id, bystander)


def test_success_before_lockout_forgets_failures(
    cognito: Any, pool_id: str, client_id: str, username: str
) -> None:
    fail_times(cognito, client_id, username, 4)
    assert "AuthenticationResult" in user_auth(cognito, client_id, username)
    fail_times(cognito, client_id, username, 4)  # 8 in all, but the count restarted at 0
    assert "AuthenticationResult" in user_auth(cognito, client_id, username)


def test_lockout_is_kept_across_a_restart(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    first = start_server(data_dir)
    try:
        cognito = make_client(first.url)
        pool_id = new_pool(cognito)
        client_id = new_client(cognito, pool_id)["ClientId"]
        name = unique("user")
        confirmed_user(cognito, pool_id, name)
        fail_times(cognito, client_id, name, 4)
    finally:
        first.stop()
    second = start_server(data_dir)
    try:
        cognito = make_client(second.url)
        fail_times(cognito, client_id, name, 1)  # the fifth, counted with the four before
        assert failure(user_auth, cognito, client_id, name) == (
            "NotAuthorizedException",
            LOCKED,
        )
    finally:
        second.stop()


def test_sign_in_with_verified_email_alias(cognito: Any) -> None:
    pool_id = new_pool(cognito, AliasAttributes=["email", "preferred_username"])
    client_id = new_client(cognito, pool_id)["ClientId"]
    name = unique("alias")
    email = f"{name}@example.com"
    confirmed_user(
        cognito,
        pool_id,
        name,
        email=email,
        email_verified="true",
        preferred_username=f"{name}-pref",
    )
    for alias in (email, f"{name}-pref", name):
        response = user_auth(cognito, client_id, alias)
        assert claims(tokens_of(response)["IdToken"])["cognito:username"] == name
    # An unverified email is not an alias.
    other = unique("unverified")
    confirmed_user(cognito, pool_id, other, email=f"{other}@example.com")
    found = failure(user_auth, cognito, client_id, f"{other}@example.com")
    assert found == ("UserNotFoundException", "User does not exist.")


def test_sign_in_with_email_as_username(cognito: Any) -> None:
    pool_id = new_pool(cognito, UsernameAttributes=["email"])
    client_id = new_client(cognito, pool_id)["ClientId"]
    email = f"{unique('mail')}@example.com"
    user = confirmed_user(cognito, pool_id, email)
    sub = next(a["Value"] for a in user["Attributes"] if a["Name"] == "sub")
    for response in (
        user_auth(cognito, client_id, email),
        admin_auth(cognito, pool_id, client_id, email),
    ):
        id_claims = claims(tokens_of(response)["IdToken"])
        assert id_claims["email"] == email
        assert id_claims["cognito:username"] == user["Username"] == sub


def test_case_insensitive_pool(cognito: Any) -> None:
    pool_id = new_pool(cognito, UsernameConfiguration={"CaseSensitive": False})
    client_id = new_client(cognito, pool_id)["ClientId"]
    name = unique("MixedCase")
    confirmed_user(cognito, pool_id, name)
    subs = {
        claims(tokens_of(user_auth(cognito, client_id, spelling))["IdToken"])["sub"]
        for spelling in (name, name.lower(), name.upper())
    }
    assert len(subs) == 1


def test_case_sensitive_pool(cognito: Any, pool_id: str, client_id: str) -> None:
    name = unique("MixedCase")
    confirmed_user(cognito, pool_id, name)
    assert failure(user_auth, cognito, client_id, name.upper()) == (
        "UserNotFoundException",
        "User does not exist.",
    )
