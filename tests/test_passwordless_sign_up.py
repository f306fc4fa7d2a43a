"""Passwordless accounts through boto3: SignUp without a Password where the pool and client
allow sign-in without one, ConfirmSignUp's Session and the sign-in it makes (InitiateAuth
USER_AUTH with that Session: once, for its client and user, before it expires), and the
account's later sign-ins, by email code and never by password."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.codes_support import (
    EXPIRED,
    VERIFICATION_MISMATCH,
    expire_code,
    last_code,
    outbox_fixtures,
)
from tests.conftest import Server, server_store
from tests.signin_support import (
    PASSWORD,
    WRONG_PASSWORD,
    attribute_list,
    claims,
    engine_env,
    failure,
    new_client,
    tokens_of,
    unique,
    user_auth,
)
from userpool import auth
from userpool.auth.sessions import EXPIRED as SESSION_EXPIRED
from userpool.auth.sessions import INVALID, REUSED
from userpool.domain.errors import NotAuthorizedException

server, cognito = outbox_fixtures("passwordless")

FLOWS = ("ALLOW_USER_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")
EMAIL_CODES = {"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"]}}
PASSWORD_REQUIRED = ("InvalidParameterException", "Password is required for this sign-up.")


def pool_and_client(
    cognito: Any,
    policies: dict[str, Any] | None = None,
    flows: tuple[str, ...] = FLOWS,
    **pool: Any,
) -> tuple[str, str]:
    """A pool that auto-verifies email and (by default) allows sign-in by email code."""
    pool_id = cognito.create_user_pool(
        PoolName=unique("passwordless"),
        Policies=EMAIL_CODES if policies is None else policies,
        AutoVerifiedAttributes=pool.pop("AutoVerifiedAttributes", ["email"]),
        **pool,
    )["UserPool"]["Id"]
    return pool_id, new_client(cognito, pool_id, flows)["ClientId"]


def sign_up(cognito: Any, client_id: str, username: str, **extra: Any) -> dict[str, Any]:
    """SignUp with no Password (unless `extra` gives one) and an email address."""
    attributes = attribute_list(email=f"{username}@example.com")
    response: dict[str, Any] = cognito.sign_up(
        ClientId=client_id, Username=username, UserAttributes=attributes, **extra
    )
    return response


def confirm(cognito: Any, client_id: str, username: str, code: str) -> dict[str, Any]:
    response: dict[str, Any] = cognito.confirm_sign_up(
        ClientId=client_id, Username=username, ConfirmationCode=code
    )
    return response


def session_sign_in(cognito: Any, client_id: str, username: str, session: str) -> dict[str, Any]:
    response: dict[str, Any] = cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_AUTH",
        AuthParameters={"USERNAME": username},
        Session=session,
    )
    return response


def signed_up(cognito: Any, server: Server, pool_id: str, client_id: str) -> tuple[str, str]:
    """A passwordless user confirmed with the emailed code; their name and the Session."""
    username = unique("pat")
    sign_up(cognito, client_id, username)
    response = confirm(cognito, client_id, username, last_code(server, pool_id, username))
    return username, response["Session"]


def test_sign_up_without_a_password_confirm_and_sign_in_with_the_session(
    cognito: Any, server: Server
) -> None:
    pool_id, client_id = pool_and_client(cognito)
    username = unique("pat")
    response = sign_up(cognito, client_id, username)
    assert response["UserConfirmed"] is False
    assert response["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    user = cognito.admin_get_user(UserPoolId=pool_id, Username=username)
    assert user["UserStatus"] == "UNCONFIRMED"

    confirmed = confirm(cognito, client_id, username, last_code(server, pool_id, username))
    session = confirmed["Session"]
    assert 20 <= len(session) <= 2048  # botocore's SessionType
    result = tokens_of(session_sign_in(cognito, client_id, username, session))
    assert claims(result["AccessToken"])["username"] == username
    assert claims(result["IdToken"])["email_verified"] is True

    again = failure(session_sign_in, cognito, client_id, username, session)
    assert again == ("NotAuthorizedException", REUSED)


def test_the_session_is_bound_to_its_client_and_its_user(cognito: Any, server: Server) -> None:
    pool_id, client_id = pool_and_client(cognito)
    username, session = signed_up(cognito, server, pool_id, client_id)
    other_user, _ = signed_up(cognito, server, pool_id, client_id)
    other_client = new_client(cognito, pool_id, FLOWS)["ClientId"]

    refused = ("NotAuthorizedException", INVALID)
    assert failure(session_sign_in, cognito, client_id, other_user, session) == refused
    assert failure(session_sign_in, cognito, other_client, username, session) == refused
    # Refusals do not use it up: its own user on its own client still signs in with it.
    tokens_of(session_sign_in(cognito, client_id, username, session))


def test_the_session_expires_with_the_clients_auth_session_validity(
    cognito: Any, server: Server
) -> None:
    """Straight into the engine with the clock past the client's AuthSessionValidity (3
    minutes here): the server's own clock would take that long to get there."""
    pool_id, client_id = pool_and_client(cognito)
    cognito.update_user_pool_client(
        UserPoolId=pool_id, ClientId=client_id, ExplicitAuthFlows=list(FLOWS), AuthSessionValidity=3
    )
    username, session = signed_up(cognito, server, pool_id, client_id)

    def initiate(now: float) -> auth.Outcome:
        params = {"USERNAME": username}
        return auth.initiate(
            runtime,
            client_id,
            None,
            admin=False,
            now=now,
            flow="USER_AUTH",
            params=params,
            session=session,
        )

    with server_store(server) as store:
        runtime = engine_env(server, store)
        with pytest.raises(NotAuthorizedException) as excinfo:
            initiate(time.time() + 3 * 60 + 5)
        assert excinfo.value.message == SESSION_EXPIRED
        assert isinstance(initiate(time.time()), auth.Authenticated)


def test_later_sign_ins_are_by_email_code_and_never_by_password(
    cognito: Any, server: Server
) -> None:
    pool_id, client_id = pool_and_client(cognito)
    username, _ = signed_up(cognito, server, pool_id, client_id)
    user_auth_call = {"ClientId": client_id, "AuthFlow": "USER_AUTH"}

    choice = cognito.initiate_auth(**user_auth_call, AuthParameters={"USERNAME": username})
    assert choice["ChallengeName"] == "SELECT_CHALLENGE"
    assert choice["AvailableChallenges"] == ["EMAIL_OTP"]  # no PASSWORD, no PASSWORD_SRP
    for preferred in ("PASSWORD", "PASSWORD_SRP"):
        params = {"USERNAME": username, "PREFERRED_CHALLENGE": preferred, "PASSWORD": PASSWORD}
        fallback = cognito.initiate_auth(**user_auth_call, AuthParameters=params)
        assert fallback["ChallengeName"] == "SELECT_CHALLENGE"
        assert fallback["AvailableChallenges"] == ["EMAIL_OTP"]
    assert failure(user_auth, cognito, client_id, username) == (
        "NotAuthorizedException",
        WRONG_PASSWORD,
    )

    params = {"USERNAME": username, "PREFERRED_CHALLENGE": "EMAIL_OTP"}
    challenge = cognito.initiate_auth(**user_auth_call, AuthParameters=params)
    assert challenge["ChallengeName"] == "EMAIL_OTP"
    code = last_code(server, pool_id, username)
    assert len(code) == 8 and code.isdigit()
    result = cognito.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="EMAIL_OTP",
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": username, "EMAIL_OTP_CODE": code},
    )
    assert claims(tokens_of(result)["AccessToken"])["username"] == username


def test_refused_where_the_user_would_have_no_way_in(cognito: Any) -> None:
    """Only passwords allowed (the pool's default policy); codes allowed but the client takes
    no USER_AUTH; codes by email but the pool does not verify email, or the user gives none."""
    passwords_only = pool_and_client(cognito, policies={})
    no_user_auth = pool_and_client(cognito, flows=FLOWS[1:])
    unverified = pool_and_client(cognito, AutoVerifiedAttributes=[])
    for pool_id, client_id in (passwords_only, no_user_auth, unverified):
        username = unique("nopass")
        assert failure(sign_up, cognito, client_id, username) == PASSWORD_REQUIRED
        missing = failure(cognito.admin_get_user, UserPoolId=pool_id, Username=username)
        assert missing[0] == "UserNotFoundException"

    _, client_id = pool_and_client(cognito)
    no_email = failure(cognito.sign_up, ClientId=client_id, Username=unique("noemail"))
    assert no_email == PASSWORD_REQUIRED


def test_a_wrong_code_and_an_expired_one_are_refused(cognito: Any, server: Server) -> None:
    pool_id, client_id = pool_and_client(cognito)
    username = unique("pat")
    sub = sign_up(cognito, client_id, username)["UserSub"]
    code = last_code(server, pool_id, username)
    wrong = "0" * len(code) if code != "0" * len(code) else "1" * len(code)
    mismatch = failure(confirm, cognito, client_id, username, wrong)
    assert mismatch == ("CodeMismatchException", VERIFICATION_MISMATCH)
    expire_code(server, sub, "sign-up")
    assert failure(confirm, cognito, client_id, username, code) == ("ExpiredCodeException", EXPIRED)
    user = cognito.admin_get_user(UserPoolId=pool_id, Username=username)
    assert user["UserStatus"] == "UNCONFIRMED"

    cognito.resend_confirmation_code(ClientId=client_id, Username=username)
    session = confirm(cognito, client_id, username, last_code(server, pool_id, username))["Session"]
    tokens_of(session_sign_in(cognito, client_id, username, session))


def test_a_session_only_where_the_client_takes_user_auth(cognito: Any, server: Server) -> None:
    """A user with a password gets one too (the code they confirmed with is their first
    factor); a client without ALLOW_USER_AUTH gets none."""
    pool_id, client_id = pool_and_client(cognito)
    username = unique("pw")
    sign_up(cognito, client_id, username, Password=PASSWORD)
    session = confirm(cognito, client_id, username, last_code(server, pool_id, username))["Session"]
    tokens_of(session_sign_in(cognito, client_id, username, session))

    legacy = new_client(cognito, pool_id, FLOWS[1:])["ClientId"]
    other = unique("pw")
    sign_up(cognito, legacy, other, Password=PASSWORD)
    response = confirm(cognito, legacy, other, last_code(server, pool_id, other))
    assert "Session" not in response
    tokens_of(user_auth(cognito, legacy, other))


def test_where_email_is_the_username_the_session_signs_in_by_email(
    server: Server, cognito: Any
) -> None:
    """Amplify's autoSignIn sends the name the user signed up with: here their email, while
    the pool keeps a generated username."""
    pool_id, client_id = pool_and_client(cognito, UsernameAttributes=["email"])
    address = f"{unique('first')}@example.com"
    signed_up = cognito.sign_up(ClientId=client_id, Username=address)
    stored = signed_up["UserSub"]
    code = last_code(server, pool_id, stored)
    session = confirm(cognito, client_id, address, code)["Session"]
    result = tokens_of(session_sign_in(cognito, client_id, address, session))
    assert claims(result["AccessToken"])["sub"] == stored
