"""Passkey registration over boto3 against a running server (both backends): Start- and
CompleteWebAuthnRegistration answered by a software authenticator as a browser would,
ListWebAuthnCredentials, DeleteWebAuthnCredential, every refusal, and the pool's
WebAuthnConfiguration through Set/GetUserPoolMfaConfig.

The test server is reached at http://127.0.0.1:<port>, so a pool without a RelyingPartyId
registers passkeys for `localhost`, from pages on http://localhost:<port> (local development).
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.conftest import BACKENDS, Server, make_client, server_on, server_store
from tests.passkey_support import EDDSA, RS256, SoftwareAuthenticator, b64url, unb64url
from tests.signin_support import (
    admin_auth,
    claims,
    confirmed_user,
    failure,
    new_client,
    new_pool,
    tokens_of,
    unique,
)

PASSKEY_SIGN_IN = {"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "WEB_AUTHN"]}}
NOT_FOUND = ("WebAuthnChallengeNotFoundException",)


@dataclass(frozen=True)
class PasskeyUser:
    """A confirmed, signed-in user of a pool whose users may sign in with passkeys."""

    cognito: Any
    pool_id: str
    client_id: str
    username: str
    access_token: str

    @classmethod
    def make(cls, cognito: Any, **pool_settings: Any) -> PasskeyUser:
        pool_settings.setdefault("Policies", PASSKEY_SIGN_IN)
        pool_id = new_pool(cognito, **pool_settings)
        client_id = new_client(cognito, pool_id)["ClientId"]
        username = unique("user")
        confirmed_user(cognito, pool_id, username)
        return cls(
            cognito, pool_id, client_id, username, cls._token(cognito, pool_id, client_id, username)
        )

    @staticmethod
    def _token(cognito: Any, pool_id: str, client_id: str, username: str) -> str:
        return str(tokens_of(admin_auth(cognito, pool_id, client_id, username))["AccessToken"])

    def another(self) -> PasskeyUser:
        """Another user of the same pool and client."""
        username = unique("user")
        confirmed_user(self.cognito, self.pool_id, username)
        token = self._token(self.cognito, self.pool_id, self.client_id, username)
        return PasskeyUser(self.cognito, self.pool_id, self.client_id, username, token)

    def start(self) -> dict[str, Any]:
        response = self.cognito.start_web_authn_registration(AccessToken=self.access_token)
        options: dict[str, Any] = response["CredentialCreationOptions"]
        return options

    def complete(self, credential: dict[str, Any]) -> None:
        self.cognito.complete_web_authn_registration(
            AccessToken=self.access_token, Credential=credential
        )

    def register(self, authenticator: SoftwareAuthenticator, **answer: Any) -> None:
        self.complete(authenticator.register(self.start(), **answer))

    def refused(self, credential: dict[str, Any]) -> tuple[str, str]:
        return failure(
            self.cognito.complete_web_authn_registration,
            AccessToken=self.access_token,
            Credential=credential,
        )

    def credentials(self, **request: Any) -> dict[str, Any]:
        response = self.cognito.list_web_authn_credentials(AccessToken=self.access_token, **request)
        response.pop("ResponseMetadata")
        return dict(response)

    def credential_ids(self) -> list[str]:
        return [entry["CredentialId"] for entry in self.credentials()["Credentials"]]

    def configure(self, **webauthn: str) -> None:
        self.cognito.set_user_pool_mfa_config(
            UserPoolId=self.pool_id, MfaConfiguration="OFF", WebAuthnConfiguration=webauthn
        )


@pytest.fixture
def user(cognito: Any) -> PasskeyUser:
    return PasskeyUser.make(cognito)


def test_the_creation_options_are_cognitos(user: PasskeyUser) -> None:
    options = user.start()
    sub = claims(user.access_token)["sub"]
    assert len(unb64url(options.pop("challenge"))) == 16
    assert options == {
        "authenticatorSelection": {
            "requireResidentKey": True,
            "residentKey": "required",
            "userVerification": "preferred",
        },
        "excludeCredentials": [],
        "pubKeyCredParams": [
            {"alg": -7, "type": "public-key"},
            {"alg": -257, "type": "public-key"},
        ],
        "rp": {"id": "localhost", "name": "localhost"},
        "timeout": 60000,
        "user": {"displayName": user.username, "id": b64url(sub.encode()), "name": user.username},
    }


def test_a_passkey_is_registered_listed_and_deleted(user: PasskeyUser) -> None:
    platform = SoftwareAuthenticator()
    user.register(platform)
    roaming = SoftwareAuthenticator(
        algorithm=RS256, attachment="cross-platform", transports=("usb", "nfc")
    )
    user.register(roaming, attestation="packed")
    listed = {entry["CredentialId"]: entry for entry in user.credentials()["Credentials"]}
    assert set(listed) == {platform.id, roaming.id}
    assert isinstance(listed[platform.id].pop("CreatedAt"), datetime.datetime)
    assert listed[platform.id] == {
        "CredentialId": platform.id,
        "FriendlyCredentialName": "Passkey",
        "RelyingPartyId": "localhost",
        "AuthenticatorAttachment": "platform",
        "AuthenticatorTransports": ["internal", "hybrid"],
    }
    assert listed[roaming.id]["FriendlyCredentialName"] == "Roaming passkey"
    assert listed[roaming.id]["AuthenticatorTransports"] == ["usb", "nfc"]
    # A new registration leaves out what the user already has.
    excluded = [entry["id"] for entry in user.start()["excludeCredentials"]]
    assert sorted(excluded) == sorted([platform.id, roaming.id])
    user.cognito.delete_web_authn_credential(
        AccessToken=user.access_token, CredentialId=platform.id
    )
    assert user.credential_ids() == [roaming.id]
    gone = failure(
        user.cognito.delete_web_authn_credential,
        AccessToken=user.access_token,
        CredentialId=platform.id,
    )
    assert gone == ("ResourceNotFoundException", "Passkey credential not found.")


def test_the_list_comes_in_pages(user: PasskeyUser) -> None:
    keys = [SoftwareAuthenticator() for _ in range(3)]
    for key in keys:
        user.register(key)
    seen: list[str] = []
    page = user.credentials(MaxResults=2)
    seen += [entry["CredentialId"] for entry in page["Credentials"]]
    assert len(seen) == 2 and "NextToken" in page
    page = user.credentials(MaxResults=2, NextToken=page["NextToken"])
    seen += [entry["CredentialId"] for entry in page["Credentials"]]
    assert "NextToken" not in page
    assert sorted(seen) == sorted(key.id for key in keys)


def test_a_user_sees_and_deletes_only_their_own_passkeys(user: PasskeyUser) -> None:
    other = user.another()
    key = SoftwareAuthenticator()
    user.register(key)
    assert other.credentials() == {"Credentials": []}
    code, _ = failure(
        other.cognito.delete_web_authn_credential,
        AccessToken=other.access_token,
        CredentialId=key.id,
    )
    assert code == "ResourceNotFoundException"
    assert user.credential_ids() == [key.id]


def test_an_answer_from_another_origin_is_refused(user: PasskeyUser) -> None:
    key = SoftwareAuthenticator()
    code, message = user.refused(key.register(user.start(), origin="https://evil.example"))
    assert code == "WebAuthnOriginNotAllowedException"
    assert "https://evil.example" in message
    # Plain http is for localhost only; so is the RP id.
    user.configure(RelyingPartyId="auth.example.com")
    answer = key.register(user.start(), origin="http://auth.example.com")
    assert user.refused(answer)[0] == "WebAuthnOriginNotAllowedException"
    # A page on the RP id's own host or under it, over https.
    user.register(key, origin="https://app.auth.example.com")
    assert user.credentials()["Credentials"][0]["RelyingPartyId"] == "auth.example.com"


def test_an_answer_for_another_relying_party_is_refused(user: PasskeyUser) -> None:
    key = SoftwareAuthenticator()
    answer = key.register(user.start(), rp_id="example.com")
    assert user.refused(answer)[0] == "WebAuthnRelyingPartyMismatchException"
    assert user.credential_ids() == []


def test_a_challenge_is_answered_once(user: PasskeyUser) -> None:
    key = SoftwareAuthenticator()
    answer = key.register(user.start())
    user.complete(answer)
    assert user.refused(answer)[0:1] == NOT_FOUND
    # A refused answer uses the challenge up too: the right one cannot follow it.
    options = user.start()
    other = SoftwareAuthenticator()
    assert user.refused(other.register(options, rp_id="example.com"))
    assert user.refused(other.register(options))[0:1] == NOT_FOUND
    assert user.credential_ids() == [key.id]


def test_only_the_latest_start_can_be_answered(user: PasskeyUser) -> None:
    first = user.start()
    second = user.start()
    key = SoftwareAuthenticator()
    assert user.refused(key.register(first))[0:1] == NOT_FOUND
    user.start()  # the refusal used the second one up
    assert user.refused(key.register(second))[0:1] == NOT_FOUND


def test_a_complete_without_a_start_is_refused(user: PasskeyUser) -> None:
    options = {"challenge": b64url(b"x" * 16), "rp": {"id": "localhost"}, "user": {"id": ""}}
    code, message = user.refused(SoftwareAuthenticator().register(options))
    assert (code, message) == (
        "WebAuthnChallengeNotFoundException",
        "The passkey registration challenge was not found or has expired.",
    )


def test_an_expired_challenge_is_refused(user: PasskeyUser, server: Server) -> None:
    options = user.start()
    sub = claims(user.access_token)["sub"]
    with server_store(server) as store, store.write() as tx:  # five minutes go by
        pending = tx.passkeys.take_challenge(user.pool_id, sub)
        assert pending is not None
        tx.passkeys.put_challenge(dataclasses.replace(pending, expires=pending.expires - 301))
    assert user.refused(SoftwareAuthenticator().register(options))[0:1] == NOT_FOUND


def test_another_users_challenge_cannot_be_answered(user: PasskeyUser) -> None:
    other = user.another()
    options = user.start()
    key = SoftwareAuthenticator()
    assert other.refused(key.register(options))[0:1] == NOT_FOUND  # other has none open
    other.start()
    assert other.refused(key.register(options))[0:1] == NOT_FOUND  # nor this one
    user.register(key)  # ...which left the user's own open


def test_a_registration_is_finished_through_the_client_that_started_it(
    user: PasskeyUser,
) -> None:
    options = user.start()
    client_id = new_client(user.cognito, user.pool_id)["ClientId"]
    token = PasskeyUser._token(user.cognito, user.pool_id, client_id, user.username)
    code, _ = failure(
        user.cognito.complete_web_authn_registration,
        AccessToken=token,
        Credential=SoftwareAuthenticator().register(options),
    )
    assert code == "WebAuthnClientMismatchException"


def test_user_verification_is_required_where_the_pool_says(user: PasskeyUser) -> None:
    user.register(SoftwareAuthenticator(), uv=False)  # preferred: a passkey without UV will do
    user.configure(UserVerification="required")
    options = user.start()
    assert options["authenticatorSelection"]["userVerification"] == "required"
    code, _ = user.refused(SoftwareAuthenticator().register(options, uv=False))
    assert code == "WebAuthnCredentialNotSupportedException"
    user.register(SoftwareAuthenticator(), uv=True)
    assert len(user.credential_ids()) == 2


def test_a_key_of_another_algorithm_is_refused(user: PasskeyUser) -> None:
    code, _ = user.refused(SoftwareAuthenticator(algorithm=EDDSA).register(user.start()))
    assert code == "WebAuthnCredentialNotSupportedException"


def test_malformed_answers_are_invalid_parameters(user: PasskeyUser) -> None:
    options = user.start()
    answer = SoftwareAuthenticator().register(options, attestation="packed")
    broken = {**answer, "response": {**answer["response"], "attestationObject": "AAAA"}}
    assert user.refused(broken)[0] == "InvalidParameterException"
    answer = SoftwareAuthenticator().register(user.start())
    assert user.refused({"id": answer["id"]})[0] == "InvalidParameterException"


def test_a_pool_without_passkey_sign_in_has_none(cognito: Any) -> None:
    user = PasskeyUser.make(cognito, Policies={})
    code, _ = failure(cognito.start_web_authn_registration, AccessToken=user.access_token)
    assert code == "WebAuthnNotEnabledException"
    assert user.credentials() == {"Credentials": []}


def test_web_authn_configuration_is_set_and_shown(user: PasskeyUser) -> None:
    webauthn = {"RelyingPartyId": "auth.example.com", "UserVerification": "required"}
    response = user.cognito.set_user_pool_mfa_config(
        UserPoolId=user.pool_id, MfaConfiguration="OFF", WebAuthnConfiguration=webauthn
    )
    assert response["WebAuthnConfiguration"] == webauthn
    shown = user.cognito.get_user_pool_mfa_config(UserPoolId=user.pool_id)
    assert shown["WebAuthnConfiguration"] == webauthn
    assert user.start()["rp"] == {"id": "auth.example.com", "name": "auth.example.com"}


def test_web_authn_configuration_is_validated(user: PasskeyUser) -> None:
    code, message = failure(
        user.cognito.set_user_pool_mfa_config,
        UserPoolId=user.pool_id,
        WebAuthnConfiguration={"UserVerification": "discouraged"},
    )
    assert code == "InvalidParameterException"
    assert "Member must satisfy enum value set: [required, preferred]" in message
    code, message = failure(
        user.cognito.set_user_pool_mfa_config,
        UserPoolId=user.pool_id,
        WebAuthnConfiguration={"RelyingPartyId": "a" * 128},
    )
    assert code == "InvalidParameterException"
    assert "length less than or equal to 127" in message


@pytest.fixture(scope="module", params=BACKENDS)
def aws_issuer(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Any]:
    """A server whose tokens name AWS's issuer: no host of its own a page could be on."""
    data_dir = tmp_path_factory.mktemp(f"aws-issuer-{request.param}")
    with server_on(request.param, data_dir, "--issuer", "aws") as running:
        yield make_client(running.url)


def test_without_a_host_to_stand_in_the_rp_id_must_be_configured(aws_issuer: Any) -> None:
    user = PasskeyUser.make(aws_issuer)
    code, _ = failure(aws_issuer.start_web_authn_registration, AccessToken=user.access_token)
    assert code == "WebAuthnConfigurationMissingException"
    user.configure(RelyingPartyId="auth.example.com")
    user.register(SoftwareAuthenticator(), origin="https://auth.example.com")
    assert user.credentials()["Credentials"][0]["RelyingPartyId"] == "auth.example.com"
