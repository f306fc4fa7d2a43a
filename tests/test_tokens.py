"""ID and access tokens: published keys (JWKS, OpenID discovery), signatures checked with
PyJWT against the JWKS, Cognito's claims, validity from the app client, the issuer, and
signing keys kept sealed at rest."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from tests.conftest import Server, make_client, server_store, start_server
from tests.signin_support import (
    admin_auth,
    claims,
    confirmed_user,
    new_client,
    new_pool,
    signed_in_account,
    tokens_of,
    unique,
)

SCHEMA = [
    {"Name": "tier", "AttributeDataType": "String", "Mutable": True},
    {"Name": "level", "AttributeDataType": "Number", "Mutable": True},
]
ATTRIBUTES = {
    "name": "Grace Hopper",
    "phone_number": "+15555550100",
    "phone_number_verified": "false",
    "custom_tier": "gold",
    "custom_level": "7",
}
ID_BASE = {
    "sub",
    "aud",
    "token_use",
    "auth_time",
    "iat",
    "exp",
    "jti",
    "origin_jti",
    "event_id",
    "iss",
    "cognito:username",
}
ACCESS_BASE = {
    "sub",
    "client_id",
    "token_use",
    "scope",
    "auth_time",
    "iat",
    "exp",
    "jti",
    "origin_jti",
    "event_id",
    "iss",
    "username",
}
USER_CLAIMS = {
    "email",
    "email_verified",
    "name",
    "phone_number",
    "phone_number_verified",
    "custom:tier",
    "custom:level",
}


class Setup:
    """A pool with custom attributes, a client, and a user in a group, signed in."""

    def __init__(self, cognito: Any) -> None:
        self.pool_id = new_pool(cognito, Schema=SCHEMA)
        self.client_id = str(new_client(cognito, self.pool_id)["ClientId"])
        self.username = unique("token-user")
        self.email = f"{self.username}@example.com"
        user = confirmed_user(
            cognito,
            self.pool_id,
            self.username,
            email=self.email,
            email_verified="true",
            **ATTRIBUTES,
        )
        self.sub = next(a["Value"] for a in user["Attributes"] if a["Name"] == "sub")
        cognito.create_group(UserPoolId=self.pool_id, GroupName="admins")
        cognito.admin_add_user_to_group(
            UserPoolId=self.pool_id, Username=self.username, GroupName="admins"
        )
        self.tokens = tokens_of(admin_auth(cognito, self.pool_id, self.client_id, self.username))


@pytest.fixture(scope="module")
def setup(cognito: Any) -> Setup:
    return Setup(cognito)


def jwks_url(server: Server, pool_id: str) -> str:
    return f"{server.url}/{pool_id}/.well-known/jwks.json"


def verified(server: Server, pool_id: str, token: str, **options: Any) -> dict[str, Any]:
    """The claims of `token`, its RS256 signature checked against the pool's published JWKS."""
    key = jwt.PyJWKClient(jwks_url(server, pool_id), cache_keys=False).get_signing_key_from_jwt(
        token
    )
    decoded: dict[str, Any] = jwt.decode(token, key.key, algorithms=["RS256"], **options)
    return decoded


def test_jwks(server: Server, setup: Setup) -> None:
    response = httpx.get(jwks_url(server, setup.pool_id))
    assert response.status_code == 200
    keys = response.json()["keys"]
    assert len(keys) == 2
    assert len({key["kid"] for key in keys}) == 2
    for key in keys:
        assert set(key) == {"alg", "e", "kid", "kty", "n", "use"}  # no private parts
        assert (key["alg"], key["kty"], key["use"], key["e"]) == ("RS256", "RSA", "sig", "AQAB")
    assert httpx.get(jwks_url(server, "us-east-1_NoSuchPool")).status_code == 404


def test_openid_configuration(server: Server, setup: Setup) -> None:
    url = f"{server.url}/{setup.pool_id}/.well-known/openid-configuration"
    document = httpx.get(url).json()
    issuer = f"{server.url}/{setup.pool_id}"
    assert document["issuer"] == issuer
    assert document["jwks_uri"] == f"{issuer}/.well-known/jwks.json"
    assert "RS256" in document["id_token_signing_alg_values_supported"]


def test_tokens_verify_against_the_jwks_with_different_keys(server: Server, setup: Setup) -> None:
    issuer = f"{server.url}/{setup.pool_id}"
    id_token, access_token = setup.tokens["IdToken"], setup.tokens["AccessToken"]
    id_claims = verified(server, setup.pool_id, id_token, audience=setup.client_id, issuer=issuer)
    access_claims = verified(
        server, setup.pool_id, access_token, issuer=issuer, options={"verify_aud": False}
    )
    assert id_claims["token_use"] == "id" and access_claims["token_use"] == "access"
    id_header, access_header = (
        jwt.get_unverified_header(id_token),
        jwt.get_unverified_header(access_token),
    )
    assert id_header["alg"] == access_header["alg"] == "RS256"
    assert id_header["kid"] != access_header["kid"]


def test_a_token_does_not_verify_with_another_pool_or_altered(
    server: Server, cognito: Any, setup: Setup
) -> None:
    other_pool = new_pool(cognito)
    with pytest.raises(jwt.PyJWKClientError):
        verified(server, other_pool, setup.tokens["AccessToken"], options={"verify_aud": False})
    header, _payload, signature = setup.tokens["IdToken"].split(".")
    forged_claims = {**claims(setup.tokens["IdToken"]), "cognito:username": "mallory"}
    forged_payload = base64.urlsafe_b64encode(json.dumps(forged_claims).encode())
    forged = f"{header}.{forged_payload.decode().rstrip('=')}.{signature}"
    with pytest.raises(jwt.InvalidSignatureError):
        verified(server, setup.pool_id, forged, audience=setup.client_id)


def test_id_token_claims(server: Server, setup: Setup) -> None:
    id_claims = claims(setup.tokens["IdToken"])
    assert set(id_claims) == ID_BASE | USER_CLAIMS | {"cognito:groups"}
    assert id_claims["sub"] == setup.sub
    assert id_claims["aud"] == setup.client_id
    assert id_claims["token_use"] == "id"
    assert id_claims["iss"] == f"{server.url}/{setup.pool_id}"
    assert id_claims["cognito:username"] == setup.username
    assert id_claims["cognito:groups"] == ["admins"]
    assert id_claims["email"] == setup.email
    assert id_claims["email_verified"] is True
    assert id_claims["phone_number_verified"] is False
    assert id_claims["custom:tier"] == "gold"
    assert id_claims["custom:level"] == "7"  # custom attributes are strings, numbers too
    assert id_claims["name"] == "Grace Hopper"


def test_access_token_claims(server: Server, setup: Setup) -> None:
    access_claims = claims(setup.tokens["AccessToken"])
    assert set(access_claims) == ACCESS_BASE | {"cognito:groups"}
    assert access_claims["sub"] == setup.sub
    assert access_claims["client_id"] == setup.client_id
    assert access_claims["token_use"] == "access"
    assert access_claims["scope"] == "aws.cognito.signin.user.admin"
    assert access_claims["username"] == setup.username
    assert access_claims["cognito:groups"] == ["admins"]
    assert access_claims["iss"] == f"{server.url}/{setup.pool_id}"


def test_claims_shared_by_the_two_tokens(setup: Setup) -> None:
    id_claims, access_claims = claims(setup.tokens["IdToken"]), claims(setup.tokens["AccessToken"])
    for name in ("sub", "auth_time", "origin_jti", "event_id", "iss", "iat"):
        assert id_claims[name] == access_claims[name], name
    assert id_claims["jti"] != access_claims["jti"]
    for value in (
        id_claims["jti"],
        access_claims["jti"],
        id_claims["origin_jti"],
        id_claims["event_id"],
    ):
        assert str(uuid.UUID(value)) == value
    assert id_claims["auth_time"] == id_claims["iat"]  # a fresh sign-in
    assert isinstance(id_claims["auth_time"], int) and isinstance(id_claims["exp"], int)


def test_a_second_sign_in_is_a_new_event(cognito: Any, setup: Setup) -> None:
    again = tokens_of(admin_auth(cognito, setup.pool_id, setup.client_id, setup.username))
    first, second = claims(setup.tokens["AccessToken"]), claims(again["AccessToken"])
    assert first["origin_jti"] != second["origin_jti"]
    assert first["event_id"] != second["event_id"]


def test_no_groups_claim_without_groups(cognito: Any) -> None:
    account = signed_in_account(cognito)
    assert "cognito:groups" not in claims(account.tokens["IdToken"])
    assert "cognito:groups" not in claims(account.tokens["AccessToken"])


def test_read_attributes_filter_the_id_token(cognito: Any, setup: Setup) -> None:
    client_id = new_client(cognito, setup.pool_id, ReadAttributes=["email", "custom:tier"])[
        "ClientId"
    ]
    tokens = tokens_of(admin_auth(cognito, setup.pool_id, client_id, setup.username))
    id_claims = claims(tokens["IdToken"])
    assert id_claims["email"] == setup.email
    assert id_claims["custom:tier"] == "gold"
    for hidden in ("name", "phone_number", "phone_number_verified", "custom:level"):
        assert hidden not in id_claims
    assert set(id_claims) >= ID_BASE
    assert set(claims(tokens["AccessToken"])) == ACCESS_BASE | {"cognito:groups"}


@pytest.mark.parametrize(
    ("settings", "access_seconds", "id_seconds"),
    [
        ({}, 3600, 3600),
        ({"AccessTokenValidity": 2, "IdTokenValidity": 5}, 7200, 18000),  # hours by default
        (
            {
                "AccessTokenValidity": 10,
                "IdTokenValidity": 2,
                "TokenValidityUnits": {"AccessToken": "minutes", "IdToken": "hours"},
            },
            600,
            7200,
        ),
        (
            {
                "AccessTokenValidity": 1,
                "IdTokenValidity": 3600,
                "TokenValidityUnits": {"AccessToken": "days", "IdToken": "seconds"},
            },
            86400,
            3600,
        ),
    ],
)
def test_validity_from_the_client(
    cognito: Any, setup: Setup, settings: dict[str, Any], access_seconds: int, id_seconds: int
) -> None:
    client_id = new_client(cognito, setup.pool_id, **settings)["ClientId"]
    tokens = tokens_of(admin_auth(cognito, setup.pool_id, client_id, setup.username))
    access_claims, id_claims = claims(tokens["AccessToken"]), claims(tokens["IdToken"])
    assert access_claims["exp"] - access_claims["iat"] == access_seconds
    assert tokens["ExpiresIn"] == access_seconds
    assert id_claims["exp"] - id_claims["iat"] == id_seconds


@pytest.fixture(scope="module")
def aws_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = start_server(tmp_path_factory.mktemp("aws-issuer"), "--issuer", "aws")
    yield running
    running.stop()


def test_aws_issuer(aws_server: Server) -> None:
    cognito = make_client(aws_server.url)
    account = signed_in_account(cognito)
    issuer = f"https://cognito-idp.us-east-1.amazonaws.com/{account.pool_id}"
    for token in (account.tokens["IdToken"], account.tokens["AccessToken"]):
        assert claims(token)["iss"] == issuer
    verified(
        aws_server,
        account.pool_id,
        account.tokens["IdToken"],
        audience=account.client_id,
        issuer=issuer,
    )
    url = f"{aws_server.url}/{account.pool_id}/.well-known/openid-configuration"
    assert httpx.get(url).json()["issuer"] == issuer
    # The server accepts the access tokens it issued under that issuer.
    user = cognito.get_user(AccessToken=account.tokens["AccessToken"])
    assert user["Username"] == account.username


def database_bytes(data_dir: Path) -> bytes:
    """The SQLite database with its write-ahead log, as stored on disk."""
    files = sorted(data_dir.glob("userpool.db*"))
    assert files
    return b"".join(path.read_bytes() for path in files)


def test_private_keys_are_not_stored_in_clear(aws_server: Server) -> None:
    cognito = make_client(aws_server.url)
    pool_ids = [signed_in_account(cognito).pool_id for _ in range(2)]
    stored = database_bytes(aws_server.data_dir)
    assert b"PRIVATE KEY" not in stored
    # DER PKCS#8 of an RSA key: version 0, then the rsaEncryption algorithm identifier.
    assert b"\x02\x01\x00\x30\x0d\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01" not in stored
    for pool_id in pool_ids:
        for key in httpx.get(jwks_url(aws_server, pool_id)).json()["keys"]:
            modulus = base64.urlsafe_b64decode(key["n"] + "=" * (-len(key["n"]) % 4))
            # A clear DER private key (PKCS#8 or PKCS#1) holds the raw modulus.
            assert modulus not in stored
    with server_store(aws_server) as store, store.read() as tx:
        for pool_id in pool_ids:
            kept = tx.signing_keys.for_pool(pool_id)
            assert sorted(key.use for key in kept) == ["access", "id"]
            for key in kept:
                assert set(json.loads(key.public_jwk)) == {"alg", "e", "kid", "kty", "n", "use"}
                with pytest.raises(ValueError):
                    serialization.load_der_private_key(key.private_sealed, password=None)
