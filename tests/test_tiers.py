"""Feature plans (UserPoolTier): what each plan allows, Cognito's refusals word for word, and
a pool moved down a plan while it still uses a feature."""

from __future__ import annotations

from typing import Any

import pytest

from tests.mfa_support import EMAIL_CONFIGURATION
from tests.signin_support import failure, new_client, new_pool, unique
from userpool.domain import tier_rules
from userpool.domain.errors import FeatureUnavailableInTierException
from userpool.domain.models import UserPool

REFUSED = "FeatureUnavailableInTierException"
DISABLE = "The following features need to be disabled for the {} pricing tier configured: {}"
NOT_AVAILABLE = "The following feature is not available for the {} pricing tier configured: {}"
PAID = ("ESSENTIALS", "PLUS")
ROTATION = {"RefreshTokenRotation": {"Feature": "ENABLED", "RetryGracePeriodSeconds": 10}}


def factors(*names: str) -> dict[str, Any]:
    return {"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", *names]}}


def pre_token(version: str) -> dict[str, Any]:
    arn = "arn:aws:lambda:us-east-1:000000000000:function:pre-token"
    return {"PreTokenGenerationConfig": {"LambdaVersion": version, "LambdaArn": arn}}


def described(cognito: Any, pool_id: str) -> dict[str, Any]:
    pool: dict[str, Any] = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    return pool


def create_refusal(cognito: Any, **settings: Any) -> tuple[str, str]:
    return failure(cognito.create_user_pool, PoolName="tiers", **settings)


# --- the plan itself -------------------------------------------------------------------------


def test_a_pool_created_without_a_plan_is_on_essentials(cognito: Any) -> None:
    created = cognito.create_user_pool(PoolName="tiers")["UserPool"]
    assert created["UserPoolTier"] == "ESSENTIALS"
    assert described(cognito, created["Id"])["UserPoolTier"] == "ESSENTIALS"


@pytest.mark.parametrize("tier", ["LITE", "ESSENTIALS", "PLUS"])
def test_an_update_that_omits_the_plan_keeps_it(cognito: Any, tier: str) -> None:
    """Every other omitted setting goes back to its default; the plan does not."""
    pool_id = new_pool(cognito, UserPoolTier=tier)
    cognito.update_user_pool(UserPoolId=pool_id)
    assert described(cognito, pool_id)["UserPoolTier"] == tier


def test_an_update_moves_the_pool_to_the_plan_it_names(cognito: Any) -> None:
    pool_id = new_pool(cognito, UserPoolTier="LITE")
    for tier in ("PLUS", "ESSENTIALS", "LITE"):
        cognito.update_user_pool(UserPoolId=pool_id, UserPoolTier=tier)
        assert described(cognito, pool_id)["UserPoolTier"] == tier


# --- gates on the pool's own settings ----------------------------------------------------------


@pytest.mark.parametrize("factor", ["EMAIL_OTP", "SMS_OTP", "WEB_AUTHN"])
def test_passwordless_first_factors_need_essentials(cognito: Any, factor: str) -> None:
    expected = (REFUSED, DISABLE.format("LITE", "Passwordless Sign-In"))
    assert create_refusal(cognito, UserPoolTier="LITE", Policies=factors(factor)) == expected
    pool_id = new_pool(cognito, UserPoolTier="LITE")
    update = cognito.update_user_pool
    assert failure(update, UserPoolId=pool_id, Policies=factors(factor)) == expected
    for tier in PAID:
        allowed = new_pool(cognito, UserPoolTier=tier, Policies=factors(factor))
        policy = described(cognito, allowed)["Policies"]["SignInPolicy"]
        assert policy == {"AllowedFirstAuthFactors": ["PASSWORD", factor]}


def test_a_password_alone_is_fine_on_lite(cognito: Any) -> None:
    pool_id = new_pool(cognito, UserPoolTier="LITE", Policies=factors())
    assert described(cognito, pool_id)["Policies"]["SignInPolicy"] == {
        "AllowedFirstAuthFactors": ["PASSWORD"]
    }


@pytest.mark.parametrize("version", ["V2_0", "V3_0"])
def test_access_token_customization_needs_essentials(cognito: Any, version: str) -> None:
    feature = f"Token Customization with Pre-Token Generation Lambda {version}"
    assert create_refusal(cognito, UserPoolTier="LITE", LambdaConfig=pre_token(version)) == (
        REFUSED,
        DISABLE.format("LITE", feature),
    )
    for tier in PAID:
        pool_id = new_pool(cognito, UserPoolTier=tier, LambdaConfig=pre_token(version))
        stored = described(cognito, pool_id)["LambdaConfig"]["PreTokenGenerationConfig"]
        assert stored["LambdaVersion"] == version


def test_id_token_customization_is_fine_on_lite(cognito: Any) -> None:
    pool_id = new_pool(cognito, UserPoolTier="LITE", LambdaConfig=pre_token("V1_0"))
    assert "PreTokenGenerationConfig" in described(cognito, pool_id)["LambdaConfig"]


@pytest.mark.parametrize(
    "add_ons",
    [
        {"AdvancedSecurityMode": "AUDIT"},
        {"AdvancedSecurityMode": "ENFORCED"},
        {
            "AdvancedSecurityMode": "OFF",
            "AdvancedSecurityAdditionalFlows": {"CustomAuthMode": "AUDIT"},
        },
    ],
)
def test_threat_protection_needs_plus(cognito: Any, add_ons: dict[str, Any]) -> None:
    for tier in ("LITE", "ESSENTIALS"):
        assert create_refusal(cognito, UserPoolTier=tier, UserPoolAddOns=add_ons) == (
            REFUSED,
            DISABLE.format(tier, "Threat Protection"),
        )
    pool_id = new_pool(cognito, UserPoolTier="PLUS", UserPoolAddOns=add_ons)
    assert described(cognito, pool_id)["UserPoolAddOns"] == add_ons


def test_threat_protection_off_is_fine_on_lite(cognito: Any) -> None:
    pool_id = new_pool(cognito, UserPoolTier="LITE", UserPoolAddOns={"AdvancedSecurityMode": "OFF"})
    assert described(cognito, pool_id)["UserPoolAddOns"] == {"AdvancedSecurityMode": "OFF"}


def test_every_missing_feature_is_named_at_once(cognito: Any) -> None:
    assert create_refusal(
        cognito,
        UserPoolTier="LITE",
        Policies=factors("EMAIL_OTP", "WEB_AUTHN"),
        LambdaConfig=pre_token("V2_0"),
        UserPoolAddOns={"AdvancedSecurityMode": "ENFORCED"},
    ) == (
        REFUSED,
        DISABLE.format(
            "LITE",
            "Passwordless Sign-In, Token Customization with Pre-Token Generation Lambda V2_0, "
            "Threat Protection",
        ),
    )


# --- gates on the MFA configuration and on app clients -------------------------------------


def test_email_mfa_needs_essentials(cognito: Any) -> None:
    email = {"EmailMfaConfiguration": {"Subject": "Your code"}}
    lite = new_pool(cognito, UserPoolTier="LITE", EmailConfiguration=EMAIL_CONFIGURATION)
    configure = cognito.set_user_pool_mfa_config
    assert failure(configure, UserPoolId=lite, MfaConfiguration="OPTIONAL", **email) == (
        REFUSED,
        NOT_AVAILABLE.format("LITE", "Email MFA"),
    )
    assert cognito.get_user_pool_mfa_config(UserPoolId=lite)["MfaConfiguration"] == "OFF"
    for tier in PAID:
        pool_id = new_pool(cognito, UserPoolTier=tier, EmailConfiguration=EMAIL_CONFIGURATION)
        configure(UserPoolId=pool_id, MfaConfiguration="OPTIONAL", **email)
        assert cognito.get_user_pool_mfa_config(UserPoolId=pool_id)["EmailMfaConfiguration"]


def test_refresh_token_rotation_needs_essentials(cognito: Any) -> None:
    expected = (REFUSED, DISABLE.format("LITE", "Refresh Token Rotation"))
    lite = new_pool(cognito, UserPoolTier="LITE")
    create = cognito.create_user_pool_client
    assert failure(create, UserPoolId=lite, ClientName="c", **ROTATION) == expected
    client_id = new_client(cognito, lite)["ClientId"]
    update = cognito.update_user_pool_client
    assert failure(update, UserPoolId=lite, ClientId=client_id, **ROTATION) == expected
    disabled = {"RefreshTokenRotation": {"Feature": "DISABLED"}}
    assert new_client(cognito, lite, **disabled)["RefreshTokenRotation"]["Feature"] == "DISABLED"
    for tier in PAID:
        pool_id = new_pool(cognito, UserPoolTier=tier)
        client = new_client(cognito, pool_id, **ROTATION)
        assert client["RefreshTokenRotation"] == ROTATION["RefreshTokenRotation"]


def test_choice_based_sign_in_needs_essentials(cognito: Any) -> None:
    flows = ("ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")
    lite = new_pool(cognito, UserPoolTier="LITE")
    create = cognito.create_user_pool_client
    assert failure(create, UserPoolId=lite, ClientName="c", ExplicitAuthFlows=list(flows)) == (
        REFUSED,
        DISABLE.format("LITE", "Choice-Based Sign-In"),
    )
    for tier in PAID:
        pool_id = new_pool(cognito, UserPoolTier=tier)
        assert new_client(cognito, pool_id, flows)["ExplicitAuthFlows"] == list(flows)


def test_passkeys_are_refused_on_lite_only() -> None:
    """Passkey registration and WebAuthnConfiguration call this (no operation of theirs yet)."""

    def pool_on(tier: str) -> UserPool:
        return UserPool("us-east-1_abc", "p", 0.0, 0.0, {"UserPoolTier": tier})

    with pytest.raises(FeatureUnavailableInTierException) as refused:
        tier_rules.check_webauthn(pool_on("LITE"))
    assert refused.value.message == NOT_AVAILABLE.format("LITE", "Passkeys")
    for tier in PAID:
        tier_rules.check_webauthn(pool_on(tier))


# --- moving a pool down a plan ---------------------------------------------------------------


def test_moving_down_with_a_feature_in_the_request_is_refused(cognito: Any) -> None:
    pool_id = new_pool(
        cognito, UserPoolTier="PLUS", UserPoolAddOns={"AdvancedSecurityMode": "AUDIT"}
    )
    update = cognito.update_user_pool
    assert failure(
        update,
        UserPoolId=pool_id,
        UserPoolTier="ESSENTIALS",
        UserPoolAddOns={"AdvancedSecurityMode": "AUDIT"},
    ) == (REFUSED, DISABLE.format("ESSENTIALS", "Threat Protection"))
    pool = described(cognito, pool_id)
    assert (pool["UserPoolTier"], pool["UserPoolAddOns"]) == (
        "PLUS",
        {"AdvancedSecurityMode": "AUDIT"},
    )
    # Turned off in the same request, the feature no longer stands in the way.
    update(UserPoolId=pool_id, UserPoolTier="ESSENTIALS")
    assert described(cognito, pool_id)["UserPoolTier"] == "ESSENTIALS"


def test_moving_down_with_passwordless_sign_in_is_refused(cognito: Any) -> None:
    pool_id = new_pool(cognito, Policies=factors("EMAIL_OTP"))
    update = cognito.update_user_pool
    assert failure(
        update, UserPoolId=pool_id, UserPoolTier="LITE", Policies=factors("EMAIL_OTP")
    ) == (REFUSED, DISABLE.format("LITE", "Passwordless Sign-In"))
    assert described(cognito, pool_id)["UserPoolTier"] == "ESSENTIALS"
    update(UserPoolId=pool_id, UserPoolTier="LITE", Policies=factors())
    assert described(cognito, pool_id)["UserPoolTier"] == "LITE"


def test_moving_down_while_a_client_rotates_refresh_tokens_is_refused(cognito: Any) -> None:
    pool_id = new_pool(cognito)
    client_id = new_client(cognito, pool_id, **ROTATION)["ClientId"]
    new_client(cognito, pool_id, flows=("ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"))
    update = cognito.update_user_pool
    assert failure(update, UserPoolId=pool_id, UserPoolTier="LITE") == (
        REFUSED,
        DISABLE.format("LITE", "Choice-Based Sign-In, Refresh Token Rotation"),
    )
    assert described(cognito, pool_id)["UserPoolTier"] == "ESSENTIALS"
    cognito.update_user_pool_client(UserPoolId=pool_id, ClientId=client_id)
    assert failure(update, UserPoolId=pool_id, UserPoolTier="LITE") == (
        REFUSED,
        DISABLE.format("LITE", "Choice-Based Sign-In"),
    )


def test_moving_down_with_email_mfa_on_is_refused(cognito: Any) -> None:
    pool_id = new_pool(cognito, EmailConfiguration=EMAIL_CONFIGURATION)
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool_id,
        MfaConfiguration="OPTIONAL",
        EmailMfaConfiguration={"Subject": "Your code"},
    )
    keep = {"MfaConfiguration": "OPTIONAL", "EmailConfiguration": EMAIL_CONFIGURATION}
    update = cognito.update_user_pool
    assert failure(update, UserPoolId=pool_id, UserPoolTier="LITE", **keep) == (
        REFUSED,
        DISABLE.format("LITE", "Email MFA"),
    )
    cognito.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="OFF")
    update(UserPoolId=pool_id, UserPoolTier="LITE", EmailConfiguration=EMAIL_CONFIGURATION)
    assert described(cognito, pool_id)["UserPoolTier"] == "LITE"


def test_moving_down_with_passkey_settings_is_refused(cognito: Any) -> None:
    pool_id = new_pool(cognito)
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool_id, WebAuthnConfiguration={"RelyingPartyId": "auth.example.com"}
    )
    assert failure(cognito.update_user_pool, UserPoolId=pool_id, UserPoolTier="LITE") == (
        REFUSED,
        DISABLE.format("LITE", "Passkeys"),
    )


def test_passkeys_are_refused_on_lite(cognito: Any) -> None:
    """WebAuthnConfiguration (SetUserPoolMfaConfig) needs Essentials or above."""
    pool_id = cognito.create_user_pool(PoolName=unique("lite"), UserPoolTier="LITE")["UserPool"][
        "Id"
    ]
    refused = failure(
        cognito.set_user_pool_mfa_config,
        UserPoolId=pool_id,
        WebAuthnConfiguration={"RelyingPartyId": "example.com"},
    )
    assert refused[0] == "FeatureUnavailableInTierException"
