"""The passkey functions the sign-in engine calls (accounts/passkeys.py), and the rules they
rest on (domain/passkey_rules.py), with passkeys registered by a software authenticator
through the same registration check CompleteWebAuthnRegistration runs."""

from __future__ import annotations

import dataclasses
import secrets
from typing import Any

import orjson
import pytest

from tests.passkey_support import (
    ES256,
    RS256,
    SoftwareAuthenticator,
    b64url,
    tampered_signature,
    unb64url,
)
from userpool.accounts import passkey_registration
from userpool.accounts.passkeys import (
    authentication_options,
    credential_id_of,
    verify_assertion,
)
from userpool.domain import passkey_rules
from userpool.domain.auth_records import Passkey, PasskeyChallenge
from userpool.domain.errors import InvalidParameterException, NotAuthorizedException
from userpool.domain.models import User, UserPool, UserStatus

SUB = "6c1f2b2e-0d5e-4c4e-9d3f-2a8c1f0e9b71"
REFUSED = "Incorrect username or password."


def pool(**webauthn: str) -> UserPool:
    settings: dict[str, Any] = {
        "Policies": {"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "WEB_AUTHN"]}}
    }
    if webauthn:
        settings["MfaFactors"] = {"SmsMfa": False, "WebAuthnConfiguration": webauthn}
    return UserPool("us-east-1_Verify", "verify", 1.0, 1.0, settings)


def registered(
    authenticator: SoftwareAuthenticator, rp_id: str = "localhost", uv: str = "preferred"
) -> Passkey:
    """Register `authenticator` as CompleteWebAuthnRegistration does: options, answer, check."""
    pending = PasskeyChallenge(
        "us-east-1_Verify", SUB, "client", b64url(secrets.token_bytes(16)), rp_id, uv, 9e9
    )
    user = User(SUB, "us-east-1_Verify", "alice", UserStatus.CONFIRMED, True, 1.0, 1.0, {})
    options = passkey_registration.creation_options(user, pending, [])
    origin = "http://localhost:3000" if rp_id == "localhost" else f"https://{rp_id}"
    answer = authenticator.register(options, origin=origin)
    return passkey_registration.verify_registration(pending, answer, now=100.0)


def options_for(the_pool: UserPool, passkey: Passkey, challenge: bytes) -> dict[str, Any]:
    parsed: dict[str, Any] = orjson.loads(authentication_options(the_pool, [passkey], challenge))
    return parsed


def refusal(the_pool: UserPool, passkey: Passkey, challenge: bytes, answer: str) -> str:
    with pytest.raises(NotAuthorizedException) as excinfo:
        verify_assertion(the_pool, passkey, challenge, answer)
    return excinfo.value.message


@pytest.mark.parametrize("algorithm", [ES256, RS256])
def test_a_good_assertion_passes_and_gives_the_new_counter(algorithm: int) -> None:
    authenticator = SoftwareAuthenticator(algorithm=algorithm, step=3)
    passkey = registered(authenticator)
    challenge = secrets.token_bytes(16)
    answer = authenticator.authenticate(options_for(pool(), passkey, challenge))
    assert verify_assertion(pool(), passkey, challenge, answer) == 3
    moved = dataclasses.replace(passkey, sign_count=3)
    second = secrets.token_bytes(16)
    answer = authenticator.authenticate(options_for(pool(), moved, second))
    assert verify_assertion(pool(), moved, second, answer) == 6


def test_the_request_options_are_shaped_as_cognitos() -> None:
    passkey = registered(SoftwareAuthenticator())
    challenge = bytes(range(16))
    text = authentication_options(pool(UserVerification="required"), [passkey], challenge)
    assert (
        text
        == orjson.dumps(
            {
                "hints": [],
                "attestation": "none",
                "attestationFormats": [],
                "challenge": b64url(challenge),
                "timeout": 180000,
                "rpId": "localhost",
                "allowCredentials": [{"id": passkey.credential_id, "type": "public-key"}],
                "userVerification": "required",
            }
        ).decode()
    )


def test_the_options_name_the_pools_rp_id_and_only_passkeys_made_for_it() -> None:
    here = registered(SoftwareAuthenticator(), rp_id="auth.example.com")
    elsewhere = registered(SoftwareAuthenticator(), rp_id="localhost")
    the_pool = pool(RelyingPartyId="auth.example.com")
    options = orjson.loads(authentication_options(the_pool, [here, elsewhere], b"c" * 16))
    assert options["rpId"] == "auth.example.com"
    assert options["userVerification"] == "preferred"
    assert [entry["id"] for entry in options["allowCredentials"]] == [here.credential_id]
    # No RP id configured and no passkey: the browser uses the page's own domain.
    assert "rpId" not in orjson.loads(authentication_options(pool(), [], b"c" * 16))


def test_a_bad_signature_is_refused() -> None:
    authenticator = SoftwareAuthenticator()
    passkey = registered(authenticator)
    challenge = secrets.token_bytes(16)
    answer = authenticator.authenticate(options_for(pool(), passkey, challenge))
    assert refusal(pool(), passkey, challenge, tampered_signature(answer)) == REFUSED


def test_an_answer_for_another_relying_party_is_refused() -> None:
    authenticator = SoftwareAuthenticator()
    passkey = registered(authenticator)
    challenge = secrets.token_bytes(16)
    options = options_for(pool(), passkey, challenge)
    assert refusal(pool(), passkey, challenge, authenticator.authenticate(options, rp_id="evil"))
    # Signed for its own RP id, but the pool's is another now: the passkey no longer counts.
    answer = authenticator.authenticate(options)
    assert refusal(pool(RelyingPartyId="auth.example.com"), passkey, challenge, answer)


def test_an_answer_to_another_challenge_is_refused() -> None:
    authenticator = SoftwareAuthenticator()
    passkey = registered(authenticator)
    sent, other = secrets.token_bytes(16), secrets.token_bytes(16)
    answer = authenticator.authenticate(options_for(pool(), passkey, other))
    assert refusal(pool(), passkey, sent, answer) == REFUSED


def test_a_counter_that_does_not_go_up_is_refused() -> None:
    authenticator = SoftwareAuthenticator(sign_count=4, step=1)
    passkey = dataclasses.replace(registered(authenticator), sign_count=10)
    challenge = secrets.token_bytes(16)
    options = options_for(pool(), passkey, challenge)
    assert refusal(pool(), passkey, challenge, authenticator.authenticate(options))  # 5 < 10
    authenticator.sign_count = 9
    assert refusal(pool(), passkey, challenge, authenticator.authenticate(options))  # 10 = 10
    assert verify_assertion(pool(), passkey, challenge, authenticator.authenticate(options)) == 11


def test_an_authenticator_without_a_counter_stays_at_zero() -> None:
    authenticator = SoftwareAuthenticator(step=0)
    passkey = registered(authenticator)
    challenge = secrets.token_bytes(16)
    answer = authenticator.authenticate(options_for(pool(), passkey, challenge))
    assert verify_assertion(pool(), passkey, challenge, answer) == 0


def test_the_origin_must_be_allowed_for_the_rp_id() -> None:
    authenticator = SoftwareAuthenticator()
    passkey = registered(authenticator)
    challenge = secrets.token_bytes(16)
    options = options_for(pool(), passkey, challenge)
    answer = authenticator.authenticate(options, origin="https://evil.example")
    assert refusal(pool(), passkey, challenge, answer) == REFUSED


def test_user_verification_is_needed_only_where_the_pool_requires_it() -> None:
    authenticator = SoftwareAuthenticator()
    passkey = registered(authenticator)
    challenge = secrets.token_bytes(16)
    options = options_for(pool(), passkey, challenge)
    assert verify_assertion(
        pool(), passkey, challenge, authenticator.authenticate(options, uv=False)
    )
    strict = pool(UserVerification="required")
    answer = authenticator.authenticate(options, uv=False)
    assert refusal(strict, passkey, challenge, answer) == REFUSED
    # User presence is never optional.
    assert refusal(pool(), passkey, challenge, authenticator.authenticate(options, up=False))


def test_an_answer_by_another_credential_or_for_another_user_is_refused() -> None:
    authenticator, other = SoftwareAuthenticator(), SoftwareAuthenticator()
    passkey = registered(authenticator)
    registered(other)
    challenge = secrets.token_bytes(16)
    options = options_for(pool(), passkey, challenge)
    assert refusal(pool(), passkey, challenge, other.authenticate(options)) == REFUSED
    answer = authenticator.authenticate(options, user_handle=b"someone-else")
    assert refusal(pool(), passkey, challenge, answer) == REFUSED


def test_credential_id_of_reads_the_claimed_id_as_stored() -> None:
    authenticator = SoftwareAuthenticator()
    passkey = registered(authenticator)
    answer = orjson.loads(authenticator.authenticate(options_for(pool(), passkey, b"x" * 16)))
    assert credential_id_of(orjson.dumps(answer).decode()) == passkey.credential_id
    answer["rawId"] += "=" * (-len(answer["rawId"]) % 4)  # padded base64url reads the same
    assert credential_id_of(orjson.dumps(answer).decode()) == passkey.credential_id
    assert unb64url(passkey.credential_id) == authenticator.credential_id
    for malformed in ("not json", "[]", "{}", '{"id": 5}', '{"rawId": "%%%"}', '{"id": "A"}'):
        with pytest.raises(InvalidParameterException):
            credential_id_of(malformed)


def test_a_malformed_answer_is_refused_not_an_error() -> None:
    passkey = registered(SoftwareAuthenticator())
    for answer in ("{", "{}", orjson.dumps({"id": passkey.credential_id}).decode()):
        assert refusal(pool(), passkey, b"x" * 16, answer) == REFUSED


@pytest.mark.parametrize(
    ("origin", "rp_id", "allowed"),
    [
        ("https://auth.example.com", "auth.example.com", True),
        ("https://auth.example.com:8443", "auth.example.com", True),
        ("https://app.auth.example.com", "auth.example.com", True),
        ("https://example.com", "auth.example.com", False),
        ("https://evilauth.example.com", "auth.example.com", False),
        ("http://auth.example.com", "auth.example.com", False),
        ("https://auth.example.com/path", "auth.example.com", False),
        ("http://localhost:3000", "localhost", True),
        ("http://localhost", "localhost", True),
        ("https://localhost", "localhost", True),
        ("http://127.0.0.1:3000", "localhost", False),
        ("http://localhost:notaport", "localhost", False),
        ("android:apk-key-hash:abc", "localhost", False),
    ],
)
def test_which_origins_may_use_an_rp_id(origin: str, rp_id: str, allowed: bool) -> None:
    assert passkey_rules.origin_allowed(origin, rp_id) is allowed


@pytest.mark.parametrize(
    ("issuer", "rp_id"),
    [
        ("http://127.0.0.1:9230/us-east-1_X", "localhost"),
        ("http://[::1]:9230/us-east-1_X", "localhost"),
        ("http://localhost:9230/us-east-1_X", "localhost"),
        ("https://id.example.com/us-east-1_X", "id.example.com"),
        ("http://10.0.0.5:9230/us-east-1_X", None),
        ("https://cognito-idp.us-east-1.amazonaws.com/us-east-1_X", None),
    ],
)
def test_the_default_rp_id_is_the_servers_own_host(issuer: str, rp_id: str | None) -> None:
    assert passkey_rules.default_relying_party(issuer) == rp_id
