"""SetUserPoolMfaConfig and GetUserPoolMfaConfig."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import error_of

SMS = {"SnsCallerArn": "arn:aws:iam::000000000000:role/sns-caller", "ExternalId": "x"}
SES = "arn:aws:ses:us-east-1:000000000000:identity/noreply@example.com"
TOTP_ON = {"SoftwareTokenMfaConfiguration": {"Enabled": True}}
OFF_WITH_FACTOR = (
    "Invalid MFA configuration given, can't turn off MFA and configure an MFA together."
)
NO_FACTOR = (
    "Invalid MFA Configuration given. SMS MFA, Email MFA, or Software Token MFA must be enabled."
)


def config_of(cognito: Any, pool_id: str) -> dict[str, Any]:
    response = cognito.get_user_pool_mfa_config(UserPoolId=pool_id)
    response.pop("ResponseMetadata")
    return dict(response)


def refusal(cognito: Any, **request: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as excinfo:
        cognito.set_user_pool_mfa_config(**request)
    return error_of(excinfo)


def new_pool(cognito: Any, **settings: Any) -> str:
    return str(cognito.create_user_pool(PoolName="mfa", **settings)["UserPool"]["Id"])


def test_a_fresh_pool_has_mfa_off(cognito: Any, pool_id: str) -> None:
    assert config_of(cognito, pool_id) == {"MfaConfiguration": "OFF"}


def test_totp_on_is_stored_and_shown_by_describe_user_pool(cognito: Any, pool_id: str) -> None:
    response = cognito.set_user_pool_mfa_config(
        UserPoolId=pool_id, MfaConfiguration="ON", **TOTP_ON
    )
    response.pop("ResponseMetadata")
    assert response == {"MfaConfiguration": "ON", **TOTP_ON}
    assert config_of(cognito, pool_id) == response
    pool = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert pool["MfaConfiguration"] == "ON"


def test_each_call_replaces_the_whole_configuration(cognito: Any, pool_id: str) -> None:
    cognito.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="ON", **TOTP_ON)
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool_id,
        MfaConfiguration="OPTIONAL",
        SmsMfaConfiguration={"SmsAuthenticationMessage": "Code {####}", "SmsConfiguration": SMS},
    )
    assert config_of(cognito, pool_id) == {
        "MfaConfiguration": "OPTIONAL",
        "SmsMfaConfiguration": {"SmsAuthenticationMessage": "Code {####}", "SmsConfiguration": SMS},
    }
    pool = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert pool["SmsConfiguration"] == SMS
    assert pool["SmsAuthenticationMessage"] == "Code {####}"
    cognito.set_user_pool_mfa_config(UserPoolId=pool_id)
    assert config_of(cognito, pool_id) == {"MfaConfiguration": "OFF"}
    assert cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]["MfaConfiguration"] == "OFF"


@pytest.mark.parametrize(
    "block",
    [
        {"SoftwareTokenMfaConfiguration": {"Enabled": True}},
        {"SoftwareTokenMfaConfiguration": {"Enabled": False}},
        {"SmsMfaConfiguration": {"SmsConfiguration": SMS}},
        {"EmailMfaConfiguration": {"Subject": "Your code"}},
    ],
)
def test_off_with_any_factor_block_is_refused(
    cognito: Any, pool_id: str, block: dict[str, Any]
) -> None:
    assert refusal(cognito, UserPoolId=pool_id, MfaConfiguration="OFF", **block) == (
        "InvalidParameterException",
        OFF_WITH_FACTOR,
    )
    assert refusal(cognito, UserPoolId=pool_id, **block)[1] == OFF_WITH_FACTOR


@pytest.mark.parametrize("mode", ["ON", "OPTIONAL"])
@pytest.mark.parametrize("blocks", [{}, {"SoftwareTokenMfaConfiguration": {"Enabled": False}}])
def test_mfa_needs_an_enabled_factor(
    cognito: Any, pool_id: str, mode: str, blocks: dict[str, Any]
) -> None:
    assert refusal(cognito, UserPoolId=pool_id, MfaConfiguration=mode, **blocks) == (
        "InvalidParameterException",
        NO_FACTOR,
    )
    assert config_of(cognito, pool_id) == {"MfaConfiguration": "OFF"}


def test_sms_mfa_needs_an_sms_configuration(cognito: Any, pool_id: str) -> None:
    code, message = refusal(
        cognito, UserPoolId=pool_id, MfaConfiguration="ON", SmsMfaConfiguration={}
    )
    assert code == "InvalidParameterException"
    assert message.startswith("SMS configuration")


def test_sms_mfa_uses_the_pools_sms_configuration(cognito: Any) -> None:
    pool_id = new_pool(cognito, SmsConfiguration=SMS)
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool_id, MfaConfiguration="ON", SmsMfaConfiguration={}
    )
    assert config_of(cognito, pool_id) == {
        "MfaConfiguration": "ON",
        "SmsMfaConfiguration": {"SmsConfiguration": SMS},
    }


def test_a_pool_created_with_mfa_has_sms_mfa(cognito: Any) -> None:
    pool_id = new_pool(cognito, MfaConfiguration="OPTIONAL", SmsConfiguration=SMS)
    assert config_of(cognito, pool_id) == {
        "MfaConfiguration": "OPTIONAL",
        "SmsMfaConfiguration": {"SmsConfiguration": SMS},
    }


def test_email_mfa_needs_developer_email_sending(cognito: Any, pool_id: str) -> None:
    assert refusal(
        cognito, UserPoolId=pool_id, MfaConfiguration="ON", EmailMfaConfiguration={}
    ) == (
        "InvalidParameterException",
        "Cannot set EmailMfaConfiguration when user pool EmailConfiguration contains an "
        "EmailSendingAccount of COGNITO_DEFAULT",
    )


def test_email_mfa_with_developer_email_sending(cognito: Any) -> None:
    pool_id = new_pool(
        cognito, EmailConfiguration={"EmailSendingAccount": "DEVELOPER", "SourceArn": SES}
    )
    email = {"Message": "Your code is {####}", "Subject": "Sign-in code"}
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool_id, MfaConfiguration="OPTIONAL", EmailMfaConfiguration=email
    )
    assert config_of(cognito, pool_id) == {
        "MfaConfiguration": "OPTIONAL",
        "EmailMfaConfiguration": email,
    }


def test_required_mfa_refuses_one_time_codes_as_first_factor(cognito: Any) -> None:
    pool_id = new_pool(
        cognito,
        EmailConfiguration={"EmailSendingAccount": "DEVELOPER", "SourceArn": SES},
        Policies={"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"]}},
    )
    assert refusal(cognito, UserPoolId=pool_id, MfaConfiguration="ON", **TOTP_ON) == (
        "InvalidParameterException",
        "Only PASSWORD and WEB_AUTHN (if configured) can be enabled as an auth factor if MFA "
        "is enabled",
    )
    cognito.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="OPTIONAL", **TOTP_ON)
    assert config_of(cognito, pool_id)["MfaConfiguration"] == "OPTIONAL"


def test_required_mfa_with_passkey_sign_in_needs_multi_factor_passkeys(cognito: Any) -> None:
    pool_id = new_pool(
        cognito, Policies={"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "WEB_AUTHN"]}}
    )
    code, message = refusal(cognito, UserPoolId=pool_id, MfaConfiguration="ON", **TOTP_ON)
    assert (code, message.split(" if ")[0]) == (
        "InvalidParameterException",
        "Cannot set WebAuthn factor configuration to SINGLE_FACTOR",
    )
    webauthn = {
        "RelyingPartyId": "example.com",
        "FactorConfiguration": "MULTI_FACTOR_WITH_USER_VERIFICATION",
    }
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool_id, MfaConfiguration="ON", WebAuthnConfiguration=webauthn, **TOTP_ON
    )
    assert config_of(cognito, pool_id)["WebAuthnConfiguration"] == webauthn


def test_passkey_settings_do_not_need_mfa(cognito: Any, pool_id: str) -> None:
    webauthn = {"RelyingPartyId": "auth.example.com", "UserVerification": "required"}
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool_id, MfaConfiguration="OFF", WebAuthnConfiguration=webauthn
    )
    assert config_of(cognito, pool_id) == {
        "MfaConfiguration": "OFF",
        "WebAuthnConfiguration": webauthn,
    }


def test_update_user_pool_turning_mfa_off_is_seen_here(cognito: Any, pool_id: str) -> None:
    cognito.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="ON", **TOTP_ON)
    cognito.update_user_pool(UserPoolId=pool_id, MfaConfiguration="OFF")
    assert config_of(cognito, pool_id) == {"MfaConfiguration": "OFF"}


@pytest.mark.parametrize("operation", ["get_user_pool_mfa_config", "set_user_pool_mfa_config"])
def test_unknown_pool(cognito: Any, operation: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        getattr(cognito, operation)(UserPoolId="us-east-1_nopool")
    assert error_of(excinfo) == (
        "ResourceNotFoundException",
        "User pool us-east-1_nopool does not exist.",
    )
