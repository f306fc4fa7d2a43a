"""GetUserAuthFactors and AdminGetUserAuthFactors over boto3: the user's MFA settings and the
first factors a USER_AUTH sign-in would offer them (ConfiguredUserAuthFactors)."""

from __future__ import annotations

from typing import Any

from tests.codes_support import last_code, outbox_fixtures
from tests.conftest import Server
from tests.mfa_support import EMAIL_CONFIGURATION, email
from tests.passkey_support import SoftwareAuthenticator
from tests.signin_support import (
    PASSWORD,
    admin_auth,
    attribute_list,
    failure,
    invited_user,
    new_client,
    signed_in_account,
    tokens_of,
    unique,
)
from tests.user_auth_support import Choice

server, cognito = outbox_fixtures("auth-factors")


def factors_of(cognito: Any, access_token: str) -> dict[str, Any]:
    response = cognito.get_user_auth_factors(AccessToken=access_token)
    response.pop("ResponseMetadata")
    return dict(response)


def password_token(choice: Choice, username: str) -> str:
    signed_in = choice.initiate(username, PREFERRED_CHALLENGE="PASSWORD", PASSWORD=PASSWORD)
    return str(tokens_of(signed_in)["AccessToken"])


def test_a_password_user_of_a_plain_pool(cognito: Any) -> None:
    account = signed_in_account(cognito)
    assert factors_of(cognito, account.tokens["AccessToken"]) == {
        "Username": account.username,
        "ConfiguredUserAuthFactors": ["PASSWORD"],
    }


def test_codes_need_the_pool_to_allow_them_and_a_verified_address(
    server: Server, cognito: Any
) -> None:
    choice = Choice.make(server, cognito)
    verified = choice.user()
    assert factors_of(cognito, password_token(choice, verified))["ConfiguredUserAuthFactors"] == [
        "PASSWORD",
        "EMAIL_OTP",
        "SMS_OTP",
    ]
    unverified = choice.user(verified=False)
    token = password_token(choice, unverified)
    assert factors_of(cognito, token)["ConfiguredUserAuthFactors"] == ["PASSWORD"]
    cognito.admin_update_user_attributes(
        UserPoolId=choice.pool_id,
        Username=unverified,
        UserAttributes=attribute_list(phone_number_verified="true"),
    )
    assert factors_of(cognito, token)["ConfiguredUserAuthFactors"] == ["PASSWORD", "SMS_OTP"]

    email_only = Choice.make(server, cognito, factors=["PASSWORD", "EMAIL_OTP"])
    username = email_only.user()
    factors = factors_of(cognito, password_token(email_only, username))
    assert factors["ConfiguredUserAuthFactors"] == ["PASSWORD", "EMAIL_OTP"]


def test_a_registered_passkey_counts_while_the_pool_allows_passkeys(
    server: Server, cognito: Any
) -> None:
    choice = Choice.make(server, cognito)
    username = choice.user(verified=False)
    token = password_token(choice, username)
    options = cognito.start_web_authn_registration(AccessToken=token)
    credential = SoftwareAuthenticator().register(options["CredentialCreationOptions"])
    cognito.complete_web_authn_registration(AccessToken=token, Credential=credential)
    assert factors_of(cognito, token)["ConfiguredUserAuthFactors"] == ["PASSWORD", "WEB_AUTHN"]
    policies = {"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"]}}
    cognito.update_user_pool(UserPoolId=choice.pool_id, Policies=policies)
    assert factors_of(cognito, token)["ConfiguredUserAuthFactors"] == ["PASSWORD"]


def test_a_passwordless_account_has_its_code_only(server: Server, cognito: Any) -> None:
    policies = {"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"]}}
    pool_id = cognito.create_user_pool(
        PoolName=unique("passwordless"), Policies=policies, AutoVerifiedAttributes=["email"]
    )["UserPool"]["Id"]
    flows = ["ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="c", ExplicitAuthFlows=flows
    )["UserPoolClient"]["ClientId"]
    username = unique("nopass")
    cognito.sign_up(
        ClientId=client_id,
        Username=username,
        UserAttributes=attribute_list(email=f"{username}@example.com"),
    )
    session = cognito.confirm_sign_up(
        ClientId=client_id,
        Username=username,
        ConfirmationCode=last_code(server, pool_id, username),
    )["Session"]
    signed_in = cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_AUTH",
        AuthParameters={"USERNAME": username},
        Session=session,
    )
    token = tokens_of(signed_in)["AccessToken"]
    assert factors_of(cognito, token)["ConfiguredUserAuthFactors"] == ["EMAIL_OTP"]


def test_the_users_mfa_settings_are_shown(cognito: Any) -> None:
    pool_id = cognito.create_user_pool(
        PoolName=unique("mfa"), EmailConfiguration=EMAIL_CONFIGURATION
    )["UserPool"]["Id"]
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool_id,
        MfaConfiguration="OPTIONAL",
        EmailMfaConfiguration={"Subject": "Your code"},
    )
    client_id = new_client(cognito, pool_id)["ClientId"]
    username = unique("user")
    invited_user(cognito, pool_id, username, email=email(), email_verified="true")
    cognito.admin_set_user_password(
        UserPoolId=pool_id, Username=username, Password=PASSWORD, Permanent=True
    )
    token = tokens_of(admin_auth(cognito, pool_id, client_id, username))["AccessToken"]
    cognito.admin_set_user_mfa_preference(
        UserPoolId=pool_id,
        Username=username,
        EmailMfaSettings={"Enabled": True, "PreferredMfa": True},
    )
    assert factors_of(cognito, token) == {
        "Username": username,
        "PreferredMfaSetting": "EMAIL_OTP",
        "UserMFASettingList": ["EMAIL_OTP"],
        "ConfiguredUserAuthFactors": ["PASSWORD"],
    }


def test_a_revoked_access_token_is_refused(cognito: Any) -> None:
    account = signed_in_account(cognito)
    token = account.tokens["AccessToken"]
    cognito.global_sign_out(AccessToken=token)
    assert failure(cognito.get_user_auth_factors, AccessToken=token) == (
        "NotAuthorizedException",
        "Access Token has been revoked",
    )


def test_the_admin_operation_answers_for_any_user(server: Server, cognito: Any) -> None:
    choice = Choice.make(server, cognito)
    username = choice.user()
    response = cognito.admin_get_user_auth_factors(UserPoolId=choice.pool_id, Username=username)
    assert response["ConfiguredUserAuthFactors"] == ["PASSWORD", "EMAIL_OTP", "SMS_OTP"]
    # A user who must replace a temporary password is offered the password only.
    invited = unique("invited")
    invited_user(cognito, choice.pool_id, invited, email=email(), email_verified="true")
    response = cognito.admin_get_user_auth_factors(UserPoolId=choice.pool_id, Username=invited)
    assert response["ConfiguredUserAuthFactors"] == ["PASSWORD"]
    get = cognito.admin_get_user_auth_factors
    assert failure(get, UserPoolId=choice.pool_id, Username="nobody") == (
        "UserNotFoundException",
        "User does not exist.",
    )
