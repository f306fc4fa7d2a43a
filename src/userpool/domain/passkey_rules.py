"""What a pool's passkey settings mean, and which web origins may use a relying party id.

The settings: `WebAuthnConfiguration {RelyingPartyId, UserVerification, FactorConfiguration}`
as SetUserPoolMfaConfig last stored it (in `MfaFactors`, services/mfa_config.py), and WEB_AUTHN
among `Policies.SignInPolicy.AllowedFirstAuthFactors`.
"""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

from userpool.domain.models import UserPool

REQUIRED = "required"
PREFERRED = "preferred"
MULTI_FACTOR = "MULTI_FACTOR_WITH_USER_VERIFICATION"
LOCALHOST = "localhost"


def configuration(pool: UserPool) -> dict[str, Any]:
    factors = pool.settings.get("MfaFactors") or {}
    value = factors.get("WebAuthnConfiguration")
    return value if isinstance(value, dict) else {}


def enabled(pool: UserPool) -> bool:
    """Passkeys can be registered and used: sign-in may start with one (WEB_AUTHN is an
    allowed first factor), or one may stand for MFA (MULTI_FACTOR_WITH_USER_VERIFICATION)."""
    policy = (pool.settings.get("Policies") or {}).get("SignInPolicy") or {}
    first = policy.get("AllowedFirstAuthFactors") or []
    return "WEB_AUTHN" in first or configuration(pool).get("FactorConfiguration") == MULTI_FACTOR


def user_verification(pool: UserPool) -> str:
    """`required` or `preferred`; Cognito's default is `preferred` (the AWS CLI's examples of
    Get/SetUserPoolMfaConfig show it, and so do Amplify's and the CDK's defaults)."""
    settings = configuration(pool)
    # A passkey that stands for both factors (MULTI_FACTOR_WITH_USER_VERIFICATION, what a pool
    # with MFA on must say for WEB_AUTHN as a first factor) is one only if it verified its user:
    # without that flag it would be one factor passing for two.
    if settings.get("FactorConfiguration") == MULTI_FACTOR:
        return REQUIRED
    return REQUIRED if settings.get("UserVerification") == REQUIRED else PREFERRED


def configured_relying_party(pool: UserPool) -> str | None:
    value = configuration(pool).get("RelyingPartyId")
    return value if isinstance(value, str) and value else None


def default_relying_party(issuer: str) -> str | None:
    """The RP id when the pool names none: on AWS that is the pool's domain; pools here have
    no domain, so it is the host this server is reached at (its public URL, the host of its
    token issuer). A browser refuses an IP address as RP id, so a loopback address stands for
    `localhost` (the local-development case). None where no page could ever use the host:
    another IP address, or AWS's own issuer host (`--issuer aws`)."""
    host = urlsplit(issuer).hostname
    if not host:
        return None
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None if host.endswith(".amazonaws.com") else host
    return LOCALHOST if address.is_loopback else None


def origin_allowed(origin: str, relying_party_id: str) -> bool:
    """Which web origins may register or use a passkey of `relying_party_id`: https on the RP
    id's own host or any host under it (WebAuthn's rule for which pages may claim an RP id;
    Cognito allows the RP id's https origin), with any port. Plain http only for local
    development: when the RP id is `localhost`, http://localhost[:port] too."""
    try:
        parts = urlsplit(origin)
        port_ok = parts.port is None or parts.port > 0  # `port` raises on one that is no number
    except ValueError:
        return False
    host = (parts.hostname or "").lower()
    rp = relying_party_id.lower()
    extra = parts.path or parts.query or parts.fragment or parts.username or parts.password
    if extra or not port_ok:
        return False
    if host != rp and not host.endswith("." + rp):
        return False
    return parts.scheme == "https" or (parts.scheme == "http" and rp == LOCALHOST)


def friendly_name(attachment: str | None) -> str:
    """Cognito names a passkey itself (FriendlyCredentialName). Its documented example names a
    cross-platform one "Roaming passkey"; with no catalogue of authenticator models here, any
    other is "Passkey"."""
    return "Roaming passkey" if attachment == "cross-platform" else "Passkey"
