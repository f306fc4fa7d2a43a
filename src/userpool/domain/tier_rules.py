"""Cognito's feature plans (UserPoolTier LITE / ESSENTIALS / PLUS): which settings need which
plan, and how Cognito words a refusal. Pure functions over stored settings, called by the pool,
client and MFA-configuration operations.

Cognito answers with FeatureUnavailableInTierException in one of two wordings:
- CreateUserPool, UpdateUserPool and the client operations judge the whole resulting
  configuration and list everything in it the plan lacks ("The following features need to be
  disabled for the LITE pricing tier configured: Passwordless Sign-In"). A pool moved down a
  plan while a feature is still on is refused the same way, whether the feature is in the
  request or was set elsewhere (its clients, its MFA configuration).
- Operations that configure one feature name that one ("The following feature is not
  available for the LITE pricing tier configured: Email MFA").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from userpool.domain.errors import FeatureUnavailableInTierException
from userpool.domain.models import UserPool

Settings = Mapping[str, Any]


class Tier(StrEnum):
    LITE = "LITE"
    ESSENTIALS = "ESSENTIALS"
    PLUS = "PLUS"


# Pools created through the API without a UserPoolTier (API reference, developer guide).
DEFAULT_TIER = Tier.ESSENTIALS
_RANK = {Tier.LITE: 0, Tier.ESSENTIALS: 1, Tier.PLUS: 2}

NEED_DISABLING = (
    "The following features need to be disabled for the {tier} pricing tier configured: "
)
NOT_AVAILABLE = "The following feature is not available for the {tier} pricing tier configured: "

# Feature names as Cognito's messages spell them.
PASSWORDLESS = "Passwordless Sign-In"
THREAT_PROTECTION = "Threat Protection"
EMAIL_MFA = "Email MFA"
REFRESH_TOKEN_ROTATION = "Refresh Token Rotation"
# No refusal of these two has been seen: named in the same style.
PASSKEYS = "Passkeys"
CHOICE_BASED_SIGN_IN = "Choice-Based Sign-In"

CLIENT_ORDER = (CHOICE_BASED_SIGN_IN, REFRESH_TOKEN_ROTATION)

PASSWORD_FACTOR = "PASSWORD"
ACCESS_TOKEN_VERSIONS = ("V2_0", "V3_0")  # pre token generation events that shape access tokens
THREAT_MODES = ("AUDIT", "ENFORCED")


@dataclass(frozen=True)
class Feature:
    name: str
    needs: Tier


def tier_of(settings: Settings) -> Tier:
    """The pool's plan; pools stored before plans were kept are on the default one."""
    return Tier(settings.get("UserPoolTier") or DEFAULT_TIER)


def token_customization(version: str) -> str:
    return f"Token Customization with Pre-Token Generation Lambda {version}"


def _dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _sign_in_features(settings: Settings) -> list[Feature]:
    policy = _dict(_dict(settings.get("Policies")).get("SignInPolicy"))
    factors = policy.get("AllowedFirstAuthFactors") or []
    if any(factor != PASSWORD_FACTOR for factor in factors):
        return [Feature(PASSWORDLESS, Tier.ESSENTIALS)]
    return []


def _token_features(settings: Settings) -> list[Feature]:
    versioned = _dict(_dict(settings.get("LambdaConfig")).get("PreTokenGenerationConfig"))
    version = versioned.get("LambdaVersion")
    if version in ACCESS_TOKEN_VERSIONS:
        return [Feature(token_customization(str(version)), Tier.ESSENTIALS)]
    return []


def _threat_features(settings: Settings) -> list[Feature]:
    add_ons = _dict(settings.get("UserPoolAddOns"))
    custom = _dict(add_ons.get("AdvancedSecurityAdditionalFlows")).get("CustomAuthMode")
    if add_ons.get("AdvancedSecurityMode") in THREAT_MODES or custom in THREAT_MODES:
        return [Feature(THREAT_PROTECTION, Tier.PLUS)]
    return []


def _mfa_features(settings: Settings) -> list[Feature]:
    """Email MFA and passkey settings live in the MFA configuration (services/mfa_config);
    email MFA counts only while MFA is on, which is when GetUserPoolMfaConfig shows it."""
    factors = _dict(settings.get("MfaFactors"))
    features = []
    mfa_on = (settings.get("MfaConfiguration") or "OFF") != "OFF"
    if mfa_on and factors.get("EmailMfaConfiguration") is not None:
        features.append(Feature(EMAIL_MFA, Tier.ESSENTIALS))
    if factors.get("WebAuthnConfiguration") is not None:
        features.append(Feature(PASSKEYS, Tier.ESSENTIALS))
    return features


def pool_features(settings: Settings) -> list[Feature]:
    """The plan-limited features a pool's own settings have on."""
    return [
        *_sign_in_features(settings),
        *_token_features(settings),
        *_threat_features(settings),
        *_mfa_features(settings),
    ]


def client_features(client: Settings) -> list[Feature]:
    """The plan-limited features an app client's settings have on."""
    features = []
    if "ALLOW_USER_AUTH" in (client.get("ExplicitAuthFlows") or []):
        features.append(Feature(CHOICE_BASED_SIGN_IN, Tier.ESSENTIALS))
    if _dict(client.get("RefreshTokenRotation")).get("Feature") == "ENABLED":
        features.append(Feature(REFRESH_TOKEN_ROTATION, Tier.ESSENTIALS))
    return features


def missing(tier: Tier, features: Iterable[Feature]) -> list[str]:
    """Names of the features `tier` lacks, each once, in the order given."""
    names: list[str] = []
    for feature in features:
        if _RANK[feature.needs] > _RANK[tier] and feature.name not in names:
            names.append(feature.name)
    return names


def _refuse_all(tier: Tier, features: Iterable[Feature]) -> None:
    names = missing(tier, features)
    if names:
        raise FeatureUnavailableInTierException(
            NEED_DISABLING.format(tier=tier.value) + ", ".join(names)
        )


def check_pool(settings: Settings, clients: Iterable[Settings] = ()) -> None:
    """CreateUserPool / UpdateUserPool: the pool's settings as they would be stored, on the plan
    they name, with its app clients' settings (a plan applies to the whole pool)."""
    features = pool_features(settings)
    from_clients = [feature for client in clients for feature in client_features(client)]
    # Clients come in no meaningful order: their features are named in one fixed order.
    features.extend(sorted(from_clients, key=lambda feature: CLIENT_ORDER.index(feature.name)))
    _refuse_all(tier_of(settings), features)


def check_client(pool_settings: Settings, client: Settings) -> None:
    """Create/UpdateUserPoolClient: the client's settings as they would be stored."""
    _refuse_all(tier_of(pool_settings), client_features(client))


def _refuse_one(pool: UserPool, name: str) -> None:
    tier = tier_of(pool.settings)
    if tier is Tier.LITE:
        raise FeatureUnavailableInTierException(NOT_AVAILABLE.format(tier=tier.value) + name)


def check_email_mfa(pool: UserPool) -> None:
    """SetUserPoolMfaConfig with an EmailMfaConfiguration."""
    _refuse_one(pool, EMAIL_MFA)


def check_webauthn(pool: UserPool) -> None:
    """Passkeys (a WebAuthnConfiguration, passkey registration) on this pool's plan."""
    _refuse_one(pool, PASSKEYS)
