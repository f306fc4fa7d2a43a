"""NEW_PASSWORD_REQUIRED: a user made by AdminCreateUser signs in with the temporary password
and must choose a new one, over RespondToAuthChallenge and AdminRespondToAuthChallenge.

What needs a clock minutes or days ahead (an expired session, an expired temporary password)
runs the server's own engine in-process on its store, with the clock moved."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import Server, server_store
from tests.signin_support import (
    NEW_PASSWORD,
    RESULT_KEYS,
    TEMPORARY_PASSWORD,
    WRONG_PASSWORD,
    admin_auth,
    attempt_at,
    claims,
    engine_env,
    engine_initiate,
    engine_respond,
    failure,
    invited_user,
    new_client,
    new_pool,
    secret_hash,
    stored_user,
    tokens_of,
    unique,
    user_auth,
)
from userpool.auth import first_factor
from userpool.auth.outcomes import Authenticated, Challenge
from userpool.auth.sessions import EXPIRED, INVALID, REUSED, Progress, SignInState, check_binding
from userpool.domain.errors import NotAuthorizedException
from userpool.domain.flows import AuthFlow, ChallengeName

CHALLENGE = "NEW_PASSWORD_REQUIRED"
DAY = 86400
Respond = Callable[..., dict[str, Any]]


@pytest.fixture(scope="module")
def pool_id(cognito: Any) -> str:
    return new_pool(cognito)


@pytest.fixture(scope="module")
def client_id(cognito: Any, pool_id: str) -> str:
    return str(new_client(cognito, pool_id)["ClientId"])


@pytest.fixture(params=["RespondToAuthChallenge", "AdminRespondToAuthChallenge"])
def respond(request: pytest.FixtureRequest, cognito: Any, pool_id: str) -> Respond:
    """Answer a challenge through one of the two operations (same arguments for both)."""

    def answer(client_id: str, **kwargs: Any) -> dict[str, Any]:
        kwargs.setdefault("ChallengeName", CHALLENGE)
        if request.param == "AdminRespondToAuthChallenge":
            response: dict[str, Any] = cognito.admin_respond_to_auth_challenge(
                UserPoolId=kwargs.pop("UserPoolId", pool_id), ClientId=client_id, **kwargs
            )
        else:
            kwargs.pop("UserPoolId", None)
            response = cognito.respond_to_auth_challenge(ClientId=client_id, **kwargs)
        return response

    return answer


def start(cognito: Any, pool_id: str, client_id: str, username: str) -> dict[str, Any]:
    """Sign in with the temporary password; the NEW_PASSWORD_REQUIRED challenge."""
    response = admin_auth(cognito, pool_id, client_id, username, TEMPORARY_PASSWORD)
    assert response["ChallengeName"] == CHALLENGE
    assert "AuthenticationResult" not in response
    return response


def invited(cognito: Any, pool_id: str, **attributes: str) -> str:
    name = unique("invited")
    invited_user(cognito, pool_id, name, **attributes)
    return name


def status_of(cognito: Any, pool_id: str, username: str) -> str:
    return str(cognito.admin_get_user(UserPoolId=pool_id, Username=username)["UserStatus"])


def test_challenge_then_tokens(
    cognito: Any, pool_id: str, client_id: str, respond: Respond
) -> None:
    email = f"{unique('new')}@example.com"
    name = invited(cognito, pool_id, email=email, email_verified="true")
    challenge = start(cognito, pool_id, client_id, name)
    parameters = challenge["ChallengeParameters"]
    assert parameters["USER_ID_FOR_SRP"] == name
    assert json.loads(parameters["requiredAttributes"]) == []
    assert json.loads(parameters["userAttributes"]) == {"email": email, "email_verified": "true"}
    assert 20 <= len(challenge["Session"]) <= 2048
    # InitiateAuth gives the same challenge.
    assert user_auth(cognito, client_id, name, TEMPORARY_PASSWORD)["ChallengeName"] == CHALLENGE

    response = respond(
        client_id,
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": name, "NEW_PASSWORD": NEW_PASSWORD},
    )
    assert response["ChallengeParameters"] == {}
    assert set(tokens_of(response)) == RESULT_KEYS
    assert claims(tokens_of(response)["IdToken"])["cognito:username"] == name
    assert status_of(cognito, pool_id, name) == "CONFIRMED"
    assert "AuthenticationResult" in user_auth(cognito, client_id, name, NEW_PASSWORD)
    assert failure(user_auth, cognito, client_id, name, TEMPORARY_PASSWORD) == (
        "NotAuthorizedException",
        WRONG_PASSWORD,
    )


def test_required_attribute(cognito: Any, respond: Respond) -> None:
    pool_id = new_pool(
        cognito,
        Schema=[{"Name": "name", "AttributeDataType": "String", "Mutable": True, "Required": True}],
    )
    client_id = new_client(cognito, pool_id)["ClientId"]
    username = invited(cognito, pool_id)
    challenge = start(cognito, pool_id, client_id, username)
    parameters = challenge["ChallengeParameters"]
    assert json.loads(parameters["requiredAttributes"]) == ["userAttributes.name"]
    base = {"USERNAME": username, "NEW_PASSWORD": NEW_PASSWORD}
    found = failure(
        respond,
        client_id=client_id,
        UserPoolId=pool_id,
        Session=challenge["Session"],
        ChallengeResponses=base,
    )
    assert found == ("InvalidParameterException", "Invalid attributes given, name is missing")
    # The refused answer did not use the session up.
    response = respond(
        client_id,
        UserPoolId=pool_id,
        Session=challenge["Session"],
        ChallengeResponses={**base, "userAttributes.name": "Ada Lovelace"},
    )
    assert claims(tokens_of(response)["IdToken"])["name"] == "Ada Lovelace"
    user = cognito.admin_get_user(UserPoolId=pool_id, Username=username)
    assert {"Name": "name", "Value": "Ada Lovelace"} in user["UserAttributes"]
    assert user["UserStatus"] == "CONFIRMED"


def test_password_policy_then_retry(
    cognito: Any, pool_id: str, client_id: str, respond: Respond
) -> None:
    name = invited(cognito, pool_id)
    session = start(cognito, pool_id, client_id, name)["Session"]
    code, message = failure(
        respond,
        client_id=client_id,
        Session=session,
        ChallengeResponses={"USERNAME": name, "NEW_PASSWORD": "short"},
    )
    assert code == "InvalidPasswordException"
    assert message.startswith("Password did not conform with policy")
    assert status_of(cognito, pool_id, name) == "FORCE_CHANGE_PASSWORD"
    response = respond(
        client_id,
        Session=session,
        ChallengeResponses={"USERNAME": name, "NEW_PASSWORD": NEW_PASSWORD},
    )
    assert "AuthenticationResult" in response


def test_session_is_single_use(
    cognito: Any, pool_id: str, client_id: str, respond: Respond
) -> None:
    name = invited(cognito, pool_id)
    session = start(cognito, pool_id, client_id, name)["Session"]
    answer = {"USERNAME": name, "NEW_PASSWORD": NEW_PASSWORD}
    respond(client_id, Session=session, ChallengeResponses=answer)
    found = failure(
        respond,
        client_id=client_id,
        Session=session,
        ChallengeResponses={**answer, "NEW_PASSWORD": "Yet-An0ther-Passw0rd"},
    )
    assert found == ("NotAuthorizedException", REUSED)
    assert "AuthenticationResult" in user_auth(cognito, client_id, name, NEW_PASSWORD)


def test_garbage_and_tampered_sessions(
    cognito: Any, pool_id: str, client_id: str, respond: Respond
) -> None:
    name = invited(cognito, pool_id)
    session = start(cognito, pool_id, client_id, name)["Session"]
    middle = len(session) // 2
    tampered = session[:middle] + ("A" if session[middle] != "A" else "B") + session[middle + 1 :]
    answer = {"USERNAME": name, "NEW_PASSWORD": NEW_PASSWORD}
    for bad in ("x" * 40, "not base64 at all!" * 3, tampered):
        found = failure(respond, client_id=client_id, Session=bad, ChallengeResponses=answer)
        assert found == ("NotAuthorizedException", INVALID)
    assert status_of(cognito, pool_id, name) == "FORCE_CHANGE_PASSWORD"


def test_wrong_challenge_name(cognito: Any, pool_id: str, client_id: str, respond: Respond) -> None:
    name = invited(cognito, pool_id)
    session = start(cognito, pool_id, client_id, name)["Session"]
    answer = {"USERNAME": name, "NEW_PASSWORD": NEW_PASSWORD}
    found = failure(
        respond,
        client_id=client_id,
        ChallengeName="PASSWORD_VERIFIER",
        Session=session,
        ChallengeResponses=answer,
    )
    assert found == ("NotAuthorizedException", INVALID)
    assert "AuthenticationResult" in respond(client_id, Session=session, ChallengeResponses=answer)


def test_session_bound_to_client_and_user(
    cognito: Any, pool_id: str, client_id: str, respond: Respond
) -> None:
    name, other = invited(cognito, pool_id), invited(cognito, pool_id)
    session = start(cognito, pool_id, client_id, name)["Session"]
    second_client = new_client(cognito, pool_id)["ClientId"]
    answer = {"USERNAME": name, "NEW_PASSWORD": NEW_PASSWORD}
    found = failure(respond, client_id=second_client, Session=session, ChallengeResponses=answer)
    assert found == ("NotAuthorizedException", INVALID)
    found = failure(
        respond,
        client_id=client_id,
        Session=session,
        ChallengeResponses={**answer, "USERNAME": other},
    )
    assert found == ("NotAuthorizedException", INVALID)
    assert status_of(cognito, pool_id, other) == "FORCE_CHANGE_PASSWORD"
    assert "AuthenticationResult" in respond(client_id, Session=session, ChallengeResponses=answer)


def test_secret_hash_on_the_answer(cognito: Any, pool_id: str, respond: Respond) -> None:
    client = new_client(cognito, pool_id, GenerateSecret=True)
    client_id = client["ClientId"]
    name = invited(cognito, pool_id)
    hashed = secret_hash(client["ClientSecret"], name, client_id)
    session = start_with_hash(cognito, pool_id, client_id, name, hashed)
    answer = {"USERNAME": name, "NEW_PASSWORD": NEW_PASSWORD}
    found = failure(respond, client_id=client_id, Session=session, ChallengeResponses=answer)
    assert found == (
        "NotAuthorizedException",
        f"Client {client_id} is configured for secret but secret was not received",
    )
    response = respond(
        client_id, Session=session, ChallengeResponses={**answer, "SECRET_HASH": hashed}
    )
    assert "AuthenticationResult" in response


def start_with_hash(cognito: Any, pool_id: str, client_id: str, name: str, hashed: str) -> str:
    response = admin_auth(cognito, pool_id, client_id, name, TEMPORARY_PASSWORD, SECRET_HASH=hashed)
    assert response["ChallengeName"] == CHALLENGE
    return str(response["Session"])


# --- expiry, with the clock moved --------------------------------------------------------


def state(expires: float, challenge: str = CHALLENGE) -> SignInState:
    progress = Progress(AuthFlow.USER_PASSWORD_AUTH)
    name = ChallengeName(challenge)
    return SignInState("us-east-1_pool", "client", "user", name, expires, progress)


def test_check_binding_expiry_with_explicit_now() -> None:
    live = state(expires=1000.0)
    check_binding(live, "us-east-1_pool", "client", CHALLENGE, now=999.0)
    for now in (1000.0, 5000.0):
        with pytest.raises(NotAuthorizedException) as excinfo:
            check_binding(live, "us-east-1_pool", "client", CHALLENGE, now=now)
        assert excinfo.value.message == EXPIRED


@pytest.mark.parametrize(
    ("pool_id", "client_id", "challenge"),
    [
        ("us-east-1_other", "client", CHALLENGE),
        ("us-east-1_pool", "other", CHALLENGE),
        ("us-east-1_pool", "client", "SMS_MFA"),
    ],
)
def test_check_binding_refuses_another_binding(
    pool_id: str, client_id: str, challenge: str
) -> None:
    with pytest.raises(NotAuthorizedException) as excinfo:
        check_binding(state(expires=1000.0), pool_id, client_id, challenge, now=0.0)
    assert excinfo.value.message == INVALID


@pytest.mark.parametrize("minutes", [3, 15])
def test_session_expires_after_auth_session_validity(
    server: Server, cognito: Any, pool_id: str, minutes: int
) -> None:
    client_id = new_client(cognito, pool_id, AuthSessionValidity=minutes)["ClientId"]
    name = invited(cognito, pool_id)
    before = time.time()
    session = start(cognito, pool_id, client_id, name)["Session"]
    after = time.time()
    answer = {"USERNAME": name, "NEW_PASSWORD": NEW_PASSWORD}
    with server_store(server) as store:
        env = engine_env(server, store)
        expires = env.sessions.open(session).expires
        assert before + minutes * 60 <= expires <= after + minutes * 60
        late = attempt_at(env, pool_id, client_id, now=expires)
        with pytest.raises(NotAuthorizedException) as excinfo:
            engine_respond(late, CHALLENGE, answer, session)
        assert excinfo.value.message == EXPIRED
        in_time = attempt_at(env, pool_id, client_id, now=expires - 1)
        assert isinstance(engine_respond(in_time, CHALLENGE, answer, session), Authenticated)


def test_temporary_password_expiry(server: Server, cognito: Any) -> None:
    pool_id = new_pool(cognito, Policies={"PasswordPolicy": {"TemporaryPasswordValidityDays": 2}})
    client_id = new_client(cognito, pool_id)["ClientId"]
    name = invited(cognito, pool_id)
    params = {"USERNAME": name, "PASSWORD": TEMPORARY_PASSWORD}
    flow = "ADMIN_USER_PASSWORD_AUTH"
    with server_store(server) as store:
        env = engine_env(server, store)
        password = stored_user(store, pool_id, name).password
        assert password is not None and password.temporary
        set_at = password.set_at

        def at(days: float) -> Any:
            return attempt_at(env, pool_id, client_id, now=set_at + days * DAY)

        assert isinstance(engine_initiate(at(1.9), flow, params), Challenge)
        for days in (2.1, 8):
            with pytest.raises(NotAuthorizedException) as excinfo:
                engine_initiate(at(days), flow, params)
            assert excinfo.value.message == first_factor.TEMPORARY_EXPIRED
        # The password is checked first: a wrong one is only a wrong password.
        with pytest.raises(NotAuthorizedException) as excinfo:
            engine_initiate(at(8), flow, {**params, "PASSWORD": "Wrong-Passw0rd-1"})
        assert excinfo.value.message == WRONG_PASSWORD
        # And directly, as the engine checks it after the proof.
        user = stored_user(store, pool_id, name)
        with pytest.raises(NotAuthorizedException):
            first_factor.check_after_proof(at(8), user)
        first_factor.check_after_proof(at(1), user)


def test_default_validity_is_seven_days_and_permanent_passwords_do_not_expire(
    server: Server, cognito: Any, pool_id: str, client_id: str
) -> None:
    name = invited(cognito, pool_id)
    with server_store(server) as store:
        env = engine_env(server, store)
        user = stored_user(store, pool_id, name)
        assert user.password is not None
        set_at = user.password.set_at
        first_factor.check_after_proof(
            attempt_at(env, pool_id, client_id, set_at + 6.9 * DAY), user
        )
        with pytest.raises(NotAuthorizedException):
            first_factor.check_after_proof(
                attempt_at(env, pool_id, client_id, set_at + 7.1 * DAY), user
            )
    cognito.admin_set_user_password(
        UserPoolId=pool_id, Username=name, Password=NEW_PASSWORD, Permanent=True
    )
    with server_store(server) as store:
        env = engine_env(server, store)
        params = {"USERNAME": name, "PASSWORD": NEW_PASSWORD}
        later = attempt_at(env, pool_id, client_id, now=set_at + 400 * DAY)
        assert isinstance(engine_initiate(later, "ADMIN_USER_PASSWORD_AUTH", params), Authenticated)
