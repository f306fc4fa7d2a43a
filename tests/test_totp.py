"""Software tokens: crypto/totp against RFC 6238's own vectors, and AssociateSoftwareToken /
VerifySoftwareToken with an access token over boto3 (the MFA_SETUP session path is in
test_mfa_challenges). Codes come from pyotp, as an authenticator app computes them."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from tests.codes_support import outbox_fixtures
from tests.conftest import Server, server_store
from tests.mfa_support import (
    MISMATCH,
    Login,
    authenticator_code,
    away_from_step_edge,
    wrong_code,
)
from tests.signin_support import failure, tokens_of
from userpool.crypto import totp

VECTORS = json.loads((Path(__file__).parent / "data" / "rfc6238_totp_sha1.json").read_text())
MISMATCH_ON_VERIFY = (
    "EnableSoftwareTokenMFAException",
    "Code mismatch and fail enable Software Token MFA",
)
NOT_IN_POOL = (
    "SoftwareTokenMFANotFoundException",
    "Software Token MFA has not been enabled by the userPool.",
)
NO_TOKEN = ("SoftwareTokenMFANotFoundException", "Software Token MFA does not exist for the user.")
ONE_OF = ("InvalidParameterException", "Either AccessToken or Session is required, but not both.")
NOW = 1_800_000_015.0  # 15 s into a step


@pytest.mark.parametrize("vector", VECTORS["vectors"], ids=lambda vector: str(vector["time"]))
def test_rfc6238_sha1_vectors(vector: dict[str, Any]) -> None:
    step = totp.step_at(vector["time"])
    assert step == int(vector["step_hex"], 16)
    assert totp.hotp(VECTORS["seed_ascii"].encode(), step, VECTORS["digits"]) == vector["totp"]


def test_a_new_secret_is_160_random_bits_in_base32() -> None:
    secrets = {totp.new_secret() for _ in range(50)}
    assert len(secrets) == 50
    for secret in secrets:
        assert len(secret) == 32 and secret == secret.upper()
        assert len(base64.b32decode(secret)) == 20


@pytest.mark.parametrize("steps", [-1, 0, 1])
def test_one_step_of_drift_either_way_is_accepted(steps: int) -> None:
    secret = totp.new_secret()
    code = totp.hotp(totp.secret_bytes(secret), totp.step_at(NOW) + steps)
    assert totp.verify(secret, code, NOW) == totp.step_at(NOW) + steps


@pytest.mark.parametrize("steps", [-2, 2])
def test_two_steps_away_is_refused(steps: int) -> None:
    secret = totp.new_secret()
    code = totp.hotp(totp.secret_bytes(secret), totp.step_at(NOW) + steps)
    with pytest.raises(totp.TotpMismatch):
        totp.verify(secret, code, NOW)


def test_a_used_step_and_earlier_ones_are_refused() -> None:
    secret = totp.new_secret()
    step = totp.step_at(NOW)
    key = totp.secret_bytes(secret)
    for used in (step, step + 1):
        with pytest.raises(totp.TotpMismatch):
            totp.verify(secret, totp.hotp(key, step), NOW, after_step=used)
    assert totp.verify(secret, totp.hotp(key, step), NOW, after_step=step - 1) == step


server, cognito = outbox_fixtures("totp")


@pytest.fixture(scope="module")
def login(server: Server, cognito: Any) -> Login:
    return Login.make(server, cognito, mode="OPTIONAL", factors=("SOFTWARE_TOKEN_MFA",))


def test_associate_returns_a_fresh_base32_secret_and_no_session(login: Login) -> None:
    token = login.access_token(login.user())
    first = login.cognito.associate_software_token(AccessToken=token)
    second = login.cognito.associate_software_token(AccessToken=token)
    assert "Session" not in first
    assert first["SecretCode"] != second["SecretCode"]
    assert len(base64.b32decode(first["SecretCode"])) == 20


def test_verify_takes_a_code_of_the_secret_last_associated(login: Login) -> None:
    token = login.access_token(login.user())
    login.cognito.associate_software_token(AccessToken=token)
    secret = login.cognito.associate_software_token(AccessToken=token)["SecretCode"]
    away_from_step_edge()
    verified = login.cognito.verify_software_token(
        AccessToken=token, UserCode=authenticator_code(secret), FriendlyDeviceName="my phone"
    )
    assert verified["Status"] == "SUCCESS"
    assert "Session" not in verified


def test_a_wrong_code_is_refused_and_may_be_retried(login: Login) -> None:
    token = login.access_token(login.user())
    secret = login.cognito.associate_software_token(AccessToken=token)["SecretCode"]
    away_from_step_edge()
    wrong = wrong_code(secret)
    verify = login.cognito.verify_software_token
    assert failure(verify, AccessToken=token, UserCode=wrong) == MISMATCH_ON_VERIFY
    assert verify(AccessToken=token, UserCode=authenticator_code(secret))["Status"] == "SUCCESS"


@pytest.mark.parametrize("steps", [-1, 1])
def test_verify_allows_one_step_of_drift(login: Login, steps: int) -> None:
    token = login.access_token(login.user())
    secret = login.cognito.associate_software_token(AccessToken=token)["SecretCode"]
    away_from_step_edge()
    code = authenticator_code(secret, steps)
    assert login.cognito.verify_software_token(AccessToken=token, UserCode=code)["Status"] == (
        "SUCCESS"
    )


def test_verify_refuses_a_code_two_steps_old(login: Login) -> None:
    token = login.access_token(login.user())
    secret = login.cognito.associate_software_token(AccessToken=token)["SecretCode"]
    away_from_step_edge()
    code = authenticator_code(secret, -2)
    assert failure(login.cognito.verify_software_token, AccessToken=token, UserCode=code) == (
        MISMATCH_ON_VERIFY
    )


def test_verify_before_associate(login: Login) -> None:
    token = login.access_token(login.user())
    assert failure(login.cognito.verify_software_token, AccessToken=token, UserCode="123456") == (
        NO_TOKEN
    )


def test_a_pool_without_totp_refuses_both(server: Server, cognito: Any) -> None:
    sms_only = Login.make(server, cognito, mode="OPTIONAL", factors=("SMS_MFA",))
    token = sms_only.access_token(sms_only.user())
    assert failure(cognito.associate_software_token, AccessToken=token) == NOT_IN_POOL
    assert failure(cognito.verify_software_token, AccessToken=token, UserCode="123456") == (
        NOT_IN_POOL
    )


def test_exactly_one_of_access_token_and_session(login: Login) -> None:
    token = login.access_token(login.user())
    session = "s" * 40
    associate, verify = login.cognito.associate_software_token, login.cognito.verify_software_token
    assert failure(associate) == ONE_OF
    assert failure(associate, AccessToken=token, Session=session) == ONE_OF
    assert failure(verify, UserCode="123456") == ONE_OF
    invalid = ("NotAuthorizedException", "Invalid session for the user.")
    assert failure(associate, Session=session) == invalid
    assert failure(verify, Session=session, UserCode="123456") == invalid


def test_a_revoked_access_token_is_refused(login: Login) -> None:
    username = login.user()
    token = login.access_token(username)
    login.cognito.admin_user_global_sign_out(UserPoolId=login.pool_id, Username=username)
    assert failure(login.cognito.associate_software_token, AccessToken=token) == (
        "NotAuthorizedException",
        "Access Token has been revoked",
    )


def test_a_new_association_replaces_the_authenticator_only_once_verified(login: Login) -> None:
    username = login.user()
    token = login.access_token(username)
    old = login.register_authenticator(token)
    login.cognito.admin_set_user_mfa_preference(
        UserPoolId=login.pool_id, Username=username, SoftwareTokenMfaSettings={"Enabled": True}
    )
    new = login.cognito.associate_software_token(AccessToken=token)["SecretCode"]
    away_from_step_edge()
    challenge = login.password(username)
    code = authenticator_code(old)
    assert tokens_of(login.respond(challenge, username, SOFTWARE_TOKEN_MFA_CODE=code))
    login.cognito.verify_software_token(AccessToken=token, UserCode=authenticator_code(new))
    challenge = login.password(username)
    old_code = authenticator_code(old, 1)
    assert failure(login.respond, challenge, username, SOFTWARE_TOKEN_MFA_CODE=old_code) == MISMATCH
    assert tokens_of(
        login.respond(challenge, username, SOFTWARE_TOKEN_MFA_CODE=authenticator_code(new, 1))
    )


def test_a_code_is_good_once(login: Login) -> None:
    username = login.user()
    token = login.access_token(username)
    secret = login.cognito.associate_software_token(AccessToken=token)["SecretCode"]
    away_from_step_edge()
    code = authenticator_code(secret)
    login.cognito.verify_software_token(AccessToken=token, UserCode=code)
    login.cognito.set_user_mfa_preference(
        AccessToken=token, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True}
    )
    challenge = login.password(username)
    assert failure(login.respond, challenge, username, SOFTWARE_TOKEN_MFA_CODE=code) == MISMATCH
    later = authenticator_code(secret, 1)
    assert tokens_of(login.respond(challenge, username, SOFTWARE_TOKEN_MFA_CODE=later))
    again = login.password(username)
    assert failure(login.respond, again, username, SOFTWARE_TOKEN_MFA_CODE=later) == MISMATCH


def test_the_secret_is_sealed_at_rest(server: Server, login: Login) -> None:
    username = login.user()
    token = login.access_token(username)
    pending = login.cognito.associate_software_token(AccessToken=token)["SecretCode"]
    verified = login.register_authenticator(token)
    login.cognito.associate_software_token(AccessToken=token)
    with server_store(server) as store, store.engine.connect() as connection:
        raw = "\n".join(str(row) for row in connection.exec_driver_sql("SELECT * FROM users"))
    for secret in (pending, verified):
        for form in (secret, base64.b32decode(secret).hex(), secret.lower()):
            assert form not in raw
