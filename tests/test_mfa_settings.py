"""A user's MFA settings over boto3: SetUserMFAPreference / AdminSetUserMFAPreference, the
legacy SetUserSettings / AdminSetUserSettings (SMS only), and what GetUser, AdminGetUser and
ListUsers show of them (UserMFASettingList, PreferredMfaSetting, MFAOptions)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.codes_support import outbox_fixtures
from tests.conftest import Server
from tests.mfa_support import Login, email, phone
from tests.signin_support import failure

SMS_OPTION = {"DeliveryMedium": "SMS", "AttributeName": "phone_number"}
NO_DELIVERY = "User does not have delivery config set to turn on {}"
NOT_VERIFIED = ("InvalidParameterException", "User has not verified software token mfa")
ONE_PREFERRED = ("InvalidParameterException", "Only one MFA type can be set as preferred.")
PREFERRED_OFF = ("InvalidParameterException", "The preferred MFA type must be enabled.")
EMAIL_NOT_OFFERED = ("InvalidParameterException", "Email MFA is not enabled for this user pool.")
SMS_ONLY = (
    "InvalidParameterException",
    "Only SMS delivery to phone_number can be set in MFAOptions.",
)
SetPreference = Callable[..., Any]


def no_delivery(factor: str) -> tuple[str, str]:
    return "InvalidParameterException", NO_DELIVERY.format(factor)


server, cognito = outbox_fixtures("mfa-settings")


@pytest.fixture(scope="module")
def login(server: Server, cognito: Any) -> Login:
    return Login.make(server, cognito, mode="OPTIONAL")


@pytest.fixture(params=["SetUserMFAPreference", "AdminSetUserMFAPreference"])
def set_preference(request: pytest.FixtureRequest, login: Login) -> Callable[..., SetPreference]:
    """For a username: a call that sets their preference through one of the two operations."""

    def for_user(username: str) -> SetPreference:
        if request.param == "AdminSetUserMFAPreference":

            def admin(**settings: Any) -> Any:
                return login.cognito.admin_set_user_mfa_preference(
                    UserPoolId=login.pool_id, Username=username, **settings
                )

            return admin
        token = login.access_token(username)

        def own(**settings: Any) -> Any:
            return login.cognito.set_user_mfa_preference(AccessToken=token, **settings)

        return own

    return for_user


def test_a_new_user_shows_no_mfa(login: Login) -> None:
    username = login.user(phone_number=phone())
    assert login.mfa_settings(username) == {}
    user = login.cognito.get_user(AccessToken=login.access_token(username))
    assert not {"UserMFASettingList", "PreferredMfaSetting", "MFAOptions"} & set(user)


def test_sms_on_and_preferred(login: Login, set_preference: Callable[..., SetPreference]) -> None:
    username = login.user(phone_number=phone())
    set_preference(username)(SMSMfaSettings={"Enabled": True, "PreferredMfa": True})
    assert login.mfa_settings(username) == {
        "UserMFASettingList": ["SMS_MFA"],
        "PreferredMfaSetting": "SMS_MFA",
        "MFAOptions": [SMS_OPTION],
    }


def test_sms_needs_a_phone_number(
    login: Login, set_preference: Callable[..., SetPreference]
) -> None:
    username = login.user()
    call = set_preference(username)
    assert failure(call, SMSMfaSettings={"Enabled": True}) == no_delivery("SMS_MFA")
    assert login.mfa_settings(username) == {}


def test_email_needs_an_address(login: Login, set_preference: Callable[..., SetPreference]) -> None:
    username = login.user()
    call = set_preference(username)
    assert failure(call, EmailMfaSettings={"Enabled": True}) == no_delivery("EMAIL_OTP")


def test_email_mfa_needs_a_pool_that_offers_it(server: Server, cognito: Any) -> None:
    no_email = Login.make(server, cognito, mode="OPTIONAL", factors=("SMS_MFA",))
    username = no_email.user(email=email())
    assert (
        failure(
            cognito.admin_set_user_mfa_preference,
            UserPoolId=no_email.pool_id,
            Username=username,
            EmailMfaSettings={"Enabled": True},
        )
        == EMAIL_NOT_OFFERED
    )


def test_sms_may_be_turned_on_where_mfa_is_off(server: Server, cognito: Any) -> None:
    off = Login.make(server, cognito, mode="OFF", factors=())
    username = off.user(phone_number=phone())
    cognito.admin_set_user_mfa_preference(
        UserPoolId=off.pool_id, Username=username, SMSMfaSettings={"Enabled": True}
    )
    assert off.mfa_settings(username)["UserMFASettingList"] == ["SMS_MFA"]
    assert "AuthenticationResult" in off.password(username)


def test_totp_needs_a_verified_authenticator(
    login: Login, set_preference: Callable[..., SetPreference]
) -> None:
    username = login.user()
    call = set_preference(username)
    totp_on = {"SoftwareTokenMfaSettings": {"Enabled": True}}
    assert failure(call, **totp_on) == no_delivery("SOFTWARE_TOKEN_MFA")
    token = login.access_token(username)
    login.cognito.associate_software_token(AccessToken=token)
    assert failure(call, **totp_on) == NOT_VERIFIED
    login.register_authenticator(token)
    call(SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
    assert login.mfa_settings(username) == {
        "UserMFASettingList": ["SOFTWARE_TOKEN_MFA"],
        "PreferredMfaSetting": "SOFTWARE_TOKEN_MFA",
    }


def test_all_three_in_cognitos_order(login: Login) -> None:
    username = login.user(phone_number=phone(), email=email())
    login.register_authenticator(login.access_token(username))
    login.cognito.admin_set_user_mfa_preference(
        UserPoolId=login.pool_id,
        Username=username,
        EmailMfaSettings={"Enabled": True},
        SoftwareTokenMfaSettings={"Enabled": True},
        SMSMfaSettings={"Enabled": True, "PreferredMfa": False},
    )
    assert login.mfa_settings(username) == {
        "UserMFASettingList": ["SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP"],
        "MFAOptions": [SMS_OPTION],
    }


def test_only_one_factor_may_be_preferred(
    login: Login, set_preference: Callable[..., SetPreference]
) -> None:
    username = login.user(phone_number=phone(), email=email())
    call = set_preference(username)
    both = {
        "SMSMfaSettings": {"Enabled": True, "PreferredMfa": True},
        "EmailMfaSettings": {"Enabled": True, "PreferredMfa": True},
    }
    assert failure(call, **both) == ONE_PREFERRED
    assert login.mfa_settings(username) == {}


def test_preferring_moves_and_a_factor_off_is_not_preferred(login: Login) -> None:
    username = login.user(phone_number=phone(), email=email())
    call = login.cognito.admin_set_user_mfa_preference
    user = {"UserPoolId": login.pool_id, "Username": username}
    call(**user, SMSMfaSettings={"Enabled": True, "PreferredMfa": True})
    call(**user, EmailMfaSettings={"Enabled": True, "PreferredMfa": True})
    assert login.mfa_settings(username)["PreferredMfaSetting"] == "EMAIL_OTP"
    assert failure(call, **user, SMSMfaSettings={"Enabled": False, "PreferredMfa": True}) == (
        PREFERRED_OFF
    )
    call(**user, SMSMfaSettings={"PreferredMfa": True})  # no Enabled: SMS stays on
    assert login.mfa_settings(username)["PreferredMfaSetting"] == "SMS_MFA"
    call(**user, SMSMfaSettings={"Enabled": False})
    assert login.mfa_settings(username) == {"UserMFASettingList": ["EMAIL_OTP"]}
    call(**user, EmailMfaSettings={"PreferredMfa": True})
    call(**user, EmailMfaSettings={"PreferredMfa": False})
    assert login.mfa_settings(username) == {"UserMFASettingList": ["EMAIL_OTP"]}


def test_turning_everything_off(login: Login) -> None:
    username = login.user(phone_number=phone())
    token = login.access_token(username)
    login.cognito.set_user_mfa_preference(
        AccessToken=token, SMSMfaSettings={"Enabled": True, "PreferredMfa": True}
    )
    login.cognito.set_user_mfa_preference(
        AccessToken=token,
        SMSMfaSettings={"Enabled": False},
        SoftwareTokenMfaSettings={"Enabled": False},
        EmailMfaSettings={"Enabled": False},
    )
    assert login.mfa_settings(username) == {}


def test_get_user_agrees_with_admin_get_user(login: Login) -> None:
    username = login.user(phone_number=phone())
    token = login.access_token(username)
    login.cognito.set_user_mfa_preference(
        AccessToken=token, SMSMfaSettings={"Enabled": True, "PreferredMfa": True}
    )
    own = login.cognito.get_user(AccessToken=token)
    for name, value in login.mfa_settings(username).items():
        assert own[name] == value


def test_unknown_users_and_pools(login: Login) -> None:
    call = login.cognito.admin_set_user_mfa_preference
    sms = {"SMSMfaSettings": {"Enabled": False}}
    assert failure(call, UserPoolId=login.pool_id, Username="nobody", **sms) == (
        "UserNotFoundException",
        "User does not exist.",
    )
    assert failure(call, UserPoolId="us-east-1_000000000", Username="nobody", **sms)[0] == (
        "ResourceNotFoundException"
    )


def test_a_revoked_access_token_sets_nothing(login: Login) -> None:
    username = login.user(phone_number=phone())
    token = login.access_token(username)
    login.cognito.global_sign_out(AccessToken=token)
    assert failure(
        login.cognito.set_user_mfa_preference,
        AccessToken=token,
        SMSMfaSettings={"Enabled": True},
    ) == ("NotAuthorizedException", "Access Token has been revoked")


@pytest.fixture(params=["SetUserSettings", "AdminSetUserSettings"])
def set_settings(request: pytest.FixtureRequest, login: Login) -> Callable[..., SetPreference]:
    def for_user(username: str) -> SetPreference:
        if request.param == "AdminSetUserSettings":

            def admin(options: list[dict[str, str]]) -> Any:
                return login.cognito.admin_set_user_settings(
                    UserPoolId=login.pool_id, Username=username, MFAOptions=options
                )

            return admin
        token = login.access_token(username)

        def own(options: list[dict[str, str]]) -> Any:
            return login.cognito.set_user_settings(AccessToken=token, MFAOptions=options)

        return own

    return for_user


def test_legacy_sms_options_turn_sms_on_and_off(
    login: Login, set_settings: Callable[..., SetPreference]
) -> None:
    username = login.user(phone_number=phone())
    call = set_settings(username)
    call([SMS_OPTION])
    assert login.mfa_settings(username) == {
        "UserMFASettingList": ["SMS_MFA"],
        "MFAOptions": [SMS_OPTION],
    }
    listed = login.cognito.list_users(UserPoolId=login.pool_id, Filter=f'username = "{username}"')
    assert listed["Users"][0]["MFAOptions"] == [SMS_OPTION]
    call([])
    assert login.mfa_settings(username) == {}


def test_legacy_options_are_sms_to_a_phone_number_only(
    login: Login, set_settings: Callable[..., SetPreference]
) -> None:
    call = set_settings(login.user(email=email()))
    assert failure(call, [{"DeliveryMedium": "EMAIL", "AttributeName": "email"}]) == SMS_ONLY
    assert failure(call, [{"DeliveryMedium": "SMS", "AttributeName": "email"}]) == SMS_ONLY
    assert failure(call, [SMS_OPTION]) == no_delivery("SMS_MFA")


def test_legacy_options_leave_other_factors_alone(login: Login) -> None:
    username = login.user(phone_number=phone(), email=email())
    user = {"UserPoolId": login.pool_id, "Username": username}
    login.cognito.admin_set_user_mfa_preference(
        **user, EmailMfaSettings={"Enabled": True, "PreferredMfa": True}
    )
    login.cognito.admin_set_user_settings(**user, MFAOptions=[SMS_OPTION])
    login.cognito.admin_set_user_settings(**user, MFAOptions=[])
    assert login.mfa_settings(username) == {
        "UserMFASettingList": ["EMAIL_OTP"],
        "PreferredMfaSetting": "EMAIL_OTP",
    }
