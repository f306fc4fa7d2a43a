"""What a signed-in user does with an access token: GetUser, UpdateUserAttributes,
DeleteUserAttributes, DeleteUser, ChangePassword; and the tokens those refuse."""

from __future__ import annotations

from typing import Any

import pytest

from tests.signin_support import (
    NEW_PASSWORD,
    PASSWORD,
    WRONG_PASSWORD,
    Account,
    admin_auth,
    attribute_list,
    claims,
    failure,
    new_client,
    signed_in_account,
    tokens_of,
    user_auth,
)

INVALID_TOKEN = ("NotAuthorizedException", "Invalid Access Token")
UNAUTHORIZED_WRITE = (
    "NotAuthorizedException",
    "A client attempted to write unauthorized attribute",
)


@pytest.fixture
def account(cognito: Any) -> Account:
    return signed_in_account(cognito, email="self@example.com", name="Self Service")


def attributes(cognito: Any, access_token: str) -> dict[str, str]:
    user = cognito.get_user(AccessToken=access_token)
    return {entry["Name"]: entry["Value"] for entry in user["UserAttributes"]}


def admin_attributes(cognito: Any, account: Account) -> dict[str, str]:
    user = cognito.admin_get_user(UserPoolId=account.pool_id, Username=account.username)
    return {entry["Name"]: entry["Value"] for entry in user["UserAttributes"]}


def test_get_user(cognito: Any, account: Account) -> None:
    response = cognito.get_user(AccessToken=account.tokens["AccessToken"])
    assert response["Username"] == account.username
    values = {entry["Name"]: entry["Value"] for entry in response["UserAttributes"]}
    assert values["sub"] == claims(account.tokens["AccessToken"])["sub"]
    assert values["email"] == "self@example.com"
    assert values["name"] == "Self Service"
    assert values == admin_attributes(cognito, account)


def test_update_user_attributes(cognito: Any, account: Account) -> None:
    token = account.tokens["AccessToken"]
    cognito.update_user_attributes(
        AccessToken=token, UserAttributes=attribute_list(name="Renamed", family_name="Lovelace")
    )
    assert attributes(cognito, token)["name"] == "Renamed"
    assert admin_attributes(cognito, account)["family_name"] == "Lovelace"
    # New tokens carry the new values.
    fresh = tokens_of(admin_auth(cognito, account.pool_id, account.client_id, account.username))
    assert claims(fresh["IdToken"])["name"] == "Renamed"


def test_update_user_attributes_checks_the_schema(cognito: Any, account: Account) -> None:
    code, _ = failure(
        cognito.update_user_attributes,
        AccessToken=account.tokens["AccessToken"],
        UserAttributes=attribute_list(custom_nope="x"),
    )
    assert code == "InvalidParameterException"
    assert "custom:nope" not in admin_attributes(cognito, account)


def test_write_attributes_are_respected(cognito: Any, account: Account) -> None:
    client_id = new_client(cognito, account.pool_id, WriteAttributes=["name"])["ClientId"]
    token = tokens_of(admin_auth(cognito, account.pool_id, client_id, account.username))[
        "AccessToken"
    ]
    cognito.update_user_attributes(AccessToken=token, UserAttributes=attribute_list(name="Allowed"))
    assert attributes(cognito, token)["name"] == "Allowed"
    for names in ({"family_name": "Refused"}, {"name": "Again", "family_name": "Refused"}):
        found = failure(
            cognito.update_user_attributes,
            AccessToken=token,
            UserAttributes=attribute_list(**names),
        )
        assert found == UNAUTHORIZED_WRITE
    found = failure(cognito.delete_user_attributes, AccessToken=token, UserAttributeNames=["email"])
    assert found == UNAUTHORIZED_WRITE
    values = admin_attributes(cognito, account)
    assert values["name"] == "Allowed" and "family_name" not in values
    assert values["email"] == "self@example.com"


def test_delete_user_attributes(cognito: Any, account: Account) -> None:
    token = account.tokens["AccessToken"]
    cognito.delete_user_attributes(AccessToken=token, UserAttributeNames=["name"])
    values = attributes(cognito, token)
    assert "name" not in values
    assert values["email"] == "self@example.com"


def test_delete_user(cognito: Any, account: Account) -> None:
    token = account.tokens["AccessToken"]
    cognito.delete_user(AccessToken=token)
    assert failure(cognito.get_user, AccessToken=token)[0] == "NotAuthorizedException"
    gone = ("UserNotFoundException", "User does not exist.")
    assert failure(user_auth, cognito, account.client_id, account.username) == gone
    assert (
        failure(cognito.admin_get_user, UserPoolId=account.pool_id, Username=account.username)[0]
        == gone[0]
    )
    refreshed = failure(
        cognito.initiate_auth,
        ClientId=account.client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": account.tokens["RefreshToken"]},
    )
    assert refreshed[0] == "NotAuthorizedException"


def change_password(cognito: Any, account: Account, previous: str, proposed: str) -> None:
    cognito.change_password(
        AccessToken=account.tokens["AccessToken"],
        PreviousPassword=previous,
        ProposedPassword=proposed,
    )


def test_change_password(cognito: Any, account: Account) -> None:
    found = failure(
        change_password,
        cognito=cognito,
        account=account,
        previous="Wrong-Passw0rd",
        proposed=NEW_PASSWORD,
    )
    assert found == ("NotAuthorizedException", WRONG_PASSWORD)
    code, message = failure(
        change_password, cognito=cognito, account=account, previous=PASSWORD, proposed="short"
    )
    assert code == "InvalidPasswordException"
    assert message.startswith("Password did not conform with policy")
    assert "AuthenticationResult" in user_auth(cognito, account.client_id, account.username)

    change_password(cognito, account, PASSWORD, NEW_PASSWORD)
    assert "AuthenticationResult" in user_auth(
        cognito, account.client_id, account.username, NEW_PASSWORD
    )
    assert failure(user_auth, cognito, account.client_id, account.username) == (
        "NotAuthorizedException",
        WRONG_PASSWORD,
    )
    # The access token used for the change still works.
    assert attributes(cognito, account.tokens["AccessToken"])["email"] == "self@example.com"


def test_change_password_attempt_limit(cognito: Any, account: Account) -> None:
    for _ in range(5):
        found = failure(
            change_password,
            cognito=cognito,
            account=account,
            previous="Wrong-Passw0rd",
            proposed=NEW_PASSWORD,
        )
        assert found == ("NotAuthorizedException", WRONG_PASSWORD)
    found = failure(
        change_password, cognito=cognito, account=account, previous=PASSWORD, proposed=NEW_PASSWORD
    )
    assert found == (
        "LimitExceededException",
        "Attempt limit exceeded, please try after some time.",
    )


def calls(cognito: Any) -> dict[str, Any]:
    """Each access-token operation, given only the token."""
    return {
        "GetUser": lambda token: cognito.get_user(AccessToken=token),
        "UpdateUserAttributes": lambda token: cognito.update_user_attributes(
            AccessToken=token, UserAttributes=attribute_list(name="Nope")
        ),
        "DeleteUserAttributes": lambda token: cognito.delete_user_attributes(
            AccessToken=token, UserAttributeNames=["name"]
        ),
        "ChangePassword": lambda token: cognito.change_password(
            AccessToken=token, PreviousPassword=PASSWORD, ProposedPassword=NEW_PASSWORD
        ),
        "GlobalSignOut": lambda token: cognito.global_sign_out(AccessToken=token),
        "DeleteUser": lambda token: cognito.delete_user(AccessToken=token),
    }


def tampered(token: str) -> str:
    header, payload, signature = token.split(".")
    flipped = "A" if signature[10] != "A" else "B"
    return f"{header}.{payload}.{signature[:10]}{flipped}{signature[11:]}"


@pytest.mark.parametrize(
    "operation",
    [
        "GetUser",
        "UpdateUserAttributes",
        "DeleteUserAttributes",
        "ChangePassword",
        "GlobalSignOut",
        "DeleteUser",
    ],
)
def test_bad_access_tokens(cognito: Any, account: Account, operation: str) -> None:
    call = calls(cognito)[operation]
    access_token = account.tokens["AccessToken"]
    for bad in ("garbage", "a.b.c", tampered(access_token), account.tokens["IdToken"]):
        with pytest.raises(cognito.exceptions.NotAuthorizedException) as excinfo:
            call(bad)
        error = excinfo.value.response["Error"]
        assert (error["Code"], error["Message"]) == INVALID_TOKEN, bad
    # None of them did anything.
    assert attributes(cognito, access_token)["name"] == "Self Service"
    assert "AuthenticationResult" in user_auth(cognito, account.client_id, account.username)


def test_disabled_user(cognito: Any, account: Account) -> None:
    cognito.admin_disable_user(UserPoolId=account.pool_id, Username=account.username)
    token = account.tokens["AccessToken"]
    for operation, call in calls(cognito).items():
        with pytest.raises(cognito.exceptions.NotAuthorizedException) as excinfo:
            call(token)
        # "User is disabled." today; "Access Token has been revoked" once disabling revokes
        # tokens (see test_disabling_revokes_tokens). Cognito documents only the type here.
        message = excinfo.value.response["Error"]["Message"]
        assert message in ("User is disabled.", "Access Token has been revoked"), operation
    # Nothing was done: the user is still there, with their name, and signs in once enabled.
    assert admin_attributes(cognito, account)["name"] == "Self Service"
    cognito.admin_enable_user(UserPoolId=account.pool_id, Username=account.username)
    fresh = tokens_of(user_auth(cognito, account.client_id, account.username))
    assert attributes(cognito, fresh["AccessToken"])["name"] == "Self Service"


def test_disabling_revokes_tokens(cognito: Any, account: Account) -> None:
    cognito.admin_disable_user(UserPoolId=account.pool_id, Username=account.username)
    cognito.admin_enable_user(UserPoolId=account.pool_id, Username=account.username)
    found = failure(cognito.get_user, AccessToken=account.tokens["AccessToken"])
    assert found == ("NotAuthorizedException", "Access Token has been revoked")
