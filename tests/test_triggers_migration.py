"""UserMigration_Authentication details beyond tests/test_triggers_signin.py's: which of the
event's maps carries InitiateAuth's ClientMetadata, and `enableSMSMFA` (a migrated user must
then answer an SMS code; without a phone number the answer is refused, nobody is created)."""

from __future__ import annotations

from tests.mfa_support import FACTOR_BLOCKS
from tests.signin_support import failure, unique
from tests.signin_trigger_support import (
    MIGRATE,
    TriggerServer,
    app_client,
    password_sign_in,
    trigger_pool,
    trigger_server_fixture,
)

triggers = trigger_server_fixture("migration-triggers")
LEGACY_PASSWORD = "Legacy-Passw0rd!"  # what migrate.mjs's "legacy system" knows


def sms_mfa_pool(triggers: TriggerServer) -> tuple[str, str]:
    cognito = triggers.cognito
    pool_id = trigger_pool(cognito, {"UserMigration": MIGRATE})
    blocks = FACTOR_BLOCKS["SMS_MFA"]
    cognito.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="OPTIONAL", **blocks)
    return pool_id, app_client(cognito, pool_id, "ALLOW_USER_PASSWORD_AUTH")


def test_client_metadata_of_a_sign_in_is_validation_data_only(triggers: TriggerServer) -> None:
    pool_id, client_id = sms_mfa_pool(triggers)
    name = unique("legacy")
    signed_in = password_sign_in(
        triggers.cognito, pool_id, client_id, name, LEGACY_PASSWORD, app="web"
    )
    assert "AuthenticationResult" in signed_in
    request = triggers.only(pool_id, "UserMigration_Authentication")["request"]
    assert (request["validationData"], request["clientMetadata"]) == ({"app": "web"}, {})


def test_enable_sms_mfa_makes_the_migrated_user_answer_an_sms_code(
    triggers: TriggerServer,
) -> None:
    cognito = triggers.cognito
    pool_id, client_id = sms_mfa_pool(triggers)
    name = unique("legacy")
    first = password_sign_in(cognito, pool_id, client_id, name, LEGACY_PASSWORD, migrate="sms-mfa")
    assert first["ChallengeName"] == "SMS_MFA"
    assert first["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"] == "+*******0123"
    stored = cognito.admin_get_user(UserPoolId=pool_id, Username=name)
    assert (stored["UserMFASettingList"], stored["PreferredMfaSetting"]) == (["SMS_MFA"], "SMS_MFA")
    again = password_sign_in(cognito, pool_id, client_id, name, LEGACY_PASSWORD)
    assert again["ChallengeName"] == "SMS_MFA"  # from now on, every sign-in


def test_enable_sms_mfa_without_a_phone_number_creates_nobody(triggers: TriggerServer) -> None:
    cognito = triggers.cognito
    pool_id, client_id = sms_mfa_pool(triggers)
    name = unique("legacy")
    refused = failure(
        password_sign_in,
        cognito,
        pool_id,
        client_id,
        name,
        LEGACY_PASSWORD,
        migrate="sms-mfa-no-phone",
    )
    assert refused == ("InvalidLambdaResponseException", "Unrecognizable lambda output")
    missing = failure(cognito.admin_get_user, UserPoolId=pool_id, Username=name)
    assert missing == ("UserNotFoundException", "User does not exist.")
