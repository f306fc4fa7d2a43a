"""Refresh tokens: REFRESH_TOKEN_AUTH on both operations, GetTokensFromRefreshToken with and
without rotation, and revocation (RevokeToken, GlobalSignOut, AdminUserGlobalSignOut)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.signin_support import (
    Account,
    admin_auth,
    claims,
    confirmed_user,
    failure,
    new_client,
    new_pool,
    secret_hash,
    signed_in_account,
    tokens_of,
    unique,
)

INVALID_REFRESH = ("NotAuthorizedException", "Invalid Refresh Token")
REFRESH_REVOKED = ("NotAuthorizedException", "Refresh Token has been revoked")
ACCESS_REVOKED = ("NotAuthorizedException", "Access Token has been revoked")


def refresh(
    cognito: Any,
    account: Account,
    token: str,
    admin: bool = False,
    flow: str = "REFRESH_TOKEN_AUTH",
    client_id: str | None = None,
    **extra: str,
) -> dict[str, Any]:
    params = {"REFRESH_TOKEN": token, **extra}
    client_id = client_id or account.client_id
    if admin:
        response: dict[str, Any] = cognito.admin_initiate_auth(
            UserPoolId=account.pool_id, ClientId=client_id, AuthFlow=flow, AuthParameters=params
        )
    else:
        response = cognito.initiate_auth(ClientId=client_id, AuthFlow=flow, AuthParameters=params)
    return response


def refresh_failure(cognito: Any, account: Account, token: str, **kwargs: Any) -> tuple[str, str]:
    return failure(refresh, cognito=cognito, account=account, token=token, **kwargs)


def access_failure(cognito: Any, access_token: str) -> tuple[str, str]:
    return failure(cognito.get_user, AccessToken=access_token)


@pytest.fixture
def account(cognito: Any) -> Account:
    return signed_in_account(cognito)


@pytest.mark.parametrize(
    ("admin", "flow"),
    [(False, "REFRESH_TOKEN_AUTH"), (True, "REFRESH_TOKEN_AUTH"), (False, "REFRESH_TOKEN")],
)
def test_refresh_token_auth(cognito: Any, account: Account, admin: bool, flow: str) -> None:
    time.sleep(1.1)  # so that a new iat differs from the original auth_time
    response = refresh(cognito, account, account.tokens["RefreshToken"], admin=admin, flow=flow)
    assert response["ChallengeParameters"] == {}
    result = tokens_of(response)
    assert set(result) == {"AccessToken", "ExpiresIn", "TokenType", "IdToken"}  # no refresh
    assert result["TokenType"] == "Bearer" and result["ExpiresIn"] == 3600
    before = claims(account.tokens["AccessToken"])
    for new_token in (result["AccessToken"], result["IdToken"]):
        after = claims(new_token)
        assert after["auth_time"] == before["auth_time"]
        assert after["iat"] > after["auth_time"]
        assert after["origin_jti"] == before["origin_jti"]
        assert after["jti"] != before["jti"]
        assert after["sub"] == before["sub"]
    assert cognito.get_user(AccessToken=result["AccessToken"])["Username"] == account.username
    # Refreshing does not use the refresh token up.
    assert "AuthenticationResult" in refresh(cognito, account, account.tokens["RefreshToken"])


@pytest.mark.parametrize("admin", [False, True])
def test_invalid_refresh_tokens(cognito: Any, account: Account, admin: bool) -> None:
    for bad in ("not-a-refresh-token", account.tokens["RefreshToken"][:-4] + "AAAA"):
        assert refresh_failure(cognito, account, bad, admin=admin) == INVALID_REFRESH
    code, message = failure(
        cognito.initiate_auth,
        ClientId=account.client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={},
    )
    assert code == "InvalidParameterException" and "REFRESH_TOKEN" in message


def test_refresh_token_of_another_client(cognito: Any, account: Account) -> None:
    other = new_client(cognito, account.pool_id)["ClientId"]
    token = account.tokens["RefreshToken"]
    assert refresh_failure(cognito, account, token, client_id=other) == INVALID_REFRESH
    found = failure(cognito.get_tokens_from_refresh_token, RefreshToken=token, ClientId=other)
    assert found == INVALID_REFRESH


def test_refresh_with_a_client_secret(cognito: Any) -> None:
    pool_id = new_pool(cognito)
    client = new_client(cognito, pool_id, GenerateSecret=True)
    client_id, secret = client["ClientId"], client["ClientSecret"]
    name = unique("user")
    confirmed_user(cognito, pool_id, name)
    hashed = secret_hash(secret, name, client_id)
    tokens = tokens_of(admin_auth(cognito, pool_id, client_id, name, SECRET_HASH=hashed))
    account = Account(pool_id, client_id, name, tokens)
    token = tokens["RefreshToken"]
    assert refresh_failure(cognito, account, token) == (
        "NotAuthorizedException",
        f"Client {client_id} is configured for secret but secret was not received",
    )
    wrong = secret_hash("not-the-secret", name, client_id)
    assert refresh_failure(cognito, account, token, SECRET_HASH=wrong) == (
        "NotAuthorizedException",
        f"Unable to verify secret hash for client {client_id}",
    )
    assert "AuthenticationResult" in refresh(cognito, account, token, SECRET_HASH=hashed)
    # GetTokensFromRefreshToken takes the secret itself.
    found = failure(cognito.get_tokens_from_refresh_token, RefreshToken=token, ClientId=client_id)
    assert found[0] == "NotAuthorizedException"
    found = failure(
        cognito.get_tokens_from_refresh_token,
        RefreshToken=token,
        ClientId=client_id,
        ClientSecret="x" * 51,
    )
    assert found[0] == "NotAuthorizedException"
    result = cognito.get_tokens_from_refresh_token(
        RefreshToken=token, ClientId=client_id, ClientSecret=secret
    )["AuthenticationResult"]
    assert claims(result["AccessToken"])["username"] == name


def test_get_tokens_without_rotation(cognito: Any, account: Account) -> None:
    token = account.tokens["RefreshToken"]
    for _ in range(2):  # the same refresh token keeps working
        result = cognito.get_tokens_from_refresh_token(
            RefreshToken=token, ClientId=account.client_id
        )["AuthenticationResult"]
        assert "RefreshToken" not in result
        assert claims(result["IdToken"])["cognito:username"] == account.username
        assert (
            claims(result["AccessToken"])["origin_jti"]
            == claims(account.tokens["AccessToken"])["origin_jti"]
        )


def rotating_account(cognito: Any, grace: int) -> Account:
    rotation = {"Feature": "ENABLED", "RetryGracePeriodSeconds": grace}
    return signed_in_account(cognito, client_settings={"RefreshTokenRotation": rotation})


def rotate(cognito: Any, account: Account, token: str) -> dict[str, Any]:
    result: dict[str, Any] = cognito.get_tokens_from_refresh_token(
        RefreshToken=token, ClientId=account.client_id
    )["AuthenticationResult"]
    return result


def test_rotation_without_grace(cognito: Any) -> None:
    account = rotating_account(cognito, grace=0)
    old = account.tokens["RefreshToken"]
    first = rotate(cognito, account, old)
    assert first["RefreshToken"] != old
    auth_time = claims(account.tokens["IdToken"])["auth_time"]
    assert claims(first["IdToken"])["auth_time"] == auth_time
    found = failure(
        cognito.get_tokens_from_refresh_token, RefreshToken=old, ClientId=account.client_id
    )
    assert found[0] == "RefreshTokenReuseException"
    second = rotate(cognito, account, first["RefreshToken"])  # the new one works, once more
    assert second["RefreshToken"] not in (old, first["RefreshToken"])
    assert cognito.get_user(AccessToken=second["AccessToken"])["Username"] == account.username


def test_rotation_grace_period(cognito: Any) -> None:
    account = rotating_account(cognito, grace=60)
    old = account.tokens["RefreshToken"]
    first = rotate(cognito, account, old)
    retried = rotate(cognito, account, old)  # a client retry, well within the 60 s grace
    assert retried["RefreshToken"] != old
    assert "AccessToken" in retried and "AccessToken" in first


@pytest.mark.parametrize("admin", [False, True])
def test_refresh_token_auth_refused_when_rotating(cognito: Any, admin: bool) -> None:
    account = rotating_account(cognito, grace=0)
    found = refresh_failure(cognito, account, account.tokens["RefreshToken"], admin=admin)
    assert found[0] == "NotAuthorizedException"
    # The refused attempt did not rotate (or spend) the token.
    assert "RefreshToken" in rotate(cognito, account, account.tokens["RefreshToken"])


def test_revoke_token(cognito: Any, account: Account) -> None:
    elsewhere = tokens_of(admin_auth(cognito, account.pool_id, account.client_id, account.username))
    refreshed = tokens_of(refresh(cognito, account, account.tokens["RefreshToken"]))
    assert cognito.revoke_token(Token=account.tokens["RefreshToken"], ClientId=account.client_id)
    assert refresh_failure(cognito, account, account.tokens["RefreshToken"]) == REFRESH_REVOKED
    # Every access token issued from it is revoked too, the refreshed one included ...
    for access_token in (account.tokens["AccessToken"], refreshed["AccessToken"]):
        assert access_failure(cognito, access_token) == ACCESS_REVOKED
    # ... but not the tokens of another sign-in.
    assert cognito.get_user(AccessToken=elsewhere["AccessToken"])["Username"] == account.username
    assert "AuthenticationResult" in refresh(cognito, account, elsewhere["RefreshToken"])


def test_revoke_token_refusals(cognito: Any, account: Account) -> None:
    found = failure(
        cognito.revoke_token, Token=account.tokens["AccessToken"], ClientId=account.client_id
    )
    assert found[0] == "UnsupportedTokenTypeException"
    no_revocation = new_client(cognito, account.pool_id, EnableTokenRevocation=False)["ClientId"]
    found = failure(
        cognito.revoke_token, Token=account.tokens["RefreshToken"], ClientId=no_revocation
    )
    assert found[0] == "UnsupportedOperationException"
    # Nothing was revoked by the refusals.
    assert "AuthenticationResult" in refresh(cognito, account, account.tokens["RefreshToken"])


def sign_out_everywhere_then_check(cognito: Any, account: Account, sign_out: Any) -> None:
    second = tokens_of(admin_auth(cognito, account.pool_id, account.client_id, account.username))
    sign_out()
    for tokens in (account.tokens, second):
        assert access_failure(cognito, tokens["AccessToken"]) == ACCESS_REVOKED
        assert refresh_failure(cognito, account, tokens["RefreshToken"]) == REFRESH_REVOKED
        found = failure(
            cognito.get_tokens_from_refresh_token,
            RefreshToken=tokens["RefreshToken"],
            ClientId=account.client_id,
        )
        assert found == REFRESH_REVOKED
    # Signing in again afterwards gives tokens that work.
    fresh = tokens_of(admin_auth(cognito, account.pool_id, account.client_id, account.username))
    assert cognito.get_user(AccessToken=fresh["AccessToken"])["Username"] == account.username
    assert "AuthenticationResult" in refresh(cognito, account, fresh["RefreshToken"])


def test_global_sign_out(cognito: Any, account: Account) -> None:
    bystander = signed_in_account(cognito)
    sign_out_everywhere_then_check(
        cognito,
        account,
        lambda: cognito.global_sign_out(AccessToken=account.tokens["AccessToken"]),
    )
    assert cognito.get_user(AccessToken=bystander.tokens["AccessToken"])


def test_admin_user_global_sign_out(cognito: Any, account: Account) -> None:
    sign_out_everywhere_then_check(
        cognito,
        account,
        lambda: cognito.admin_user_global_sign_out(
            UserPoolId=account.pool_id, Username=account.username
        ),
    )


def test_global_sign_out_with_a_bad_token(cognito: Any) -> None:
    found = failure(cognito.global_sign_out, AccessToken="not.a.token")
    assert found == ("NotAuthorizedException", "Invalid Access Token")
