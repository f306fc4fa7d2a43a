"""Second factors: which ones a pool offers, which ones a user has, and how a user's are kept.

`User.mfa` holds one internal record:
  enabled                 the factors the user turned on (SetUserMFAPreference, ...), in order
  preferred               the one to use when several are on
  software_token          the verified authenticator: {secret (sealed), last_step, name}
  software_token_pending  a secret associated but not verified yet (sealed)
and, recomputed from it on every write, the fields Cognito shows for it (GetUser,
AdminGetUser, ListUsers): UserMFASettingList, PreferredMfaSetting and the legacy MFAOptions
(SMS MFA on). Nothing else writes those.

Secrets are sealed (AES-GCM) under a key derived from the server key by way of the engine's
one-time-code key, so that the engine and the operations reach the same key from what each
is given; the user's sub is bound in, so a sealed secret fits no other user.
"""

from __future__ import annotations

import base64
import copy
from dataclasses import dataclass
from typing import Any

from userpool.crypto.sealing import Sealer, derive
from userpool.domain.flows import ChallengeName
from userpool.domain.models import User, UserPool

SMS_MFA = ChallengeName.SMS_MFA
SOFTWARE_TOKEN_MFA = ChallengeName.SOFTWARE_TOKEN_MFA
EMAIL_OTP = ChallengeName.EMAIL_OTP
FACTORS = (SMS_MFA, SOFTWARE_TOKEN_MFA, EMAIL_OTP)  # Cognito's order in lists
# Where each code challenge sends its code (SMS_OTP: USER_AUTH's first factor by text).
CONTACTS = {SMS_MFA: "phone_number", EMAIL_OTP: "email", ChallengeName.SMS_OTP: "phone_number"}

# Refusals of operations on a user's factors, shared by the sign-in's MFA_SETUP and the
# MFA settings operations.
NOT_VERIFIED = "User has not verified software token mfa"
EMAIL_NOT_OFFERED = "Email MFA is not enabled for this user pool."
NO_TOKEN = "Software Token MFA does not exist for the user."
SMS_OPTION = {"DeliveryMedium": "SMS", "AttributeName": "phone_number"}

MODE_OFF, MODE_ON = "OFF", "ON"


@dataclass
class UserFactors:
    enabled: list[str]
    preferred: str | None
    token: dict[str, Any] | None  # {"secret": sealed, "last_step": int, "name": str}
    pending: str | None  # sealed secret awaiting VerifySoftwareToken

    def enable(self, factor: str) -> None:
        if factor not in self.enabled:
            self.enabled = [name for name in FACTORS if name in self.enabled or name == factor]

    def disable(self, factor: str) -> None:
        self.enabled = [name for name in self.enabled if name != factor]
        if self.preferred == factor:
            self.preferred = None


def read(user: User) -> UserFactors:
    mfa = user.mfa
    return UserFactors(
        enabled=list(mfa.get("enabled", [])),
        preferred=mfa.get("preferred"),
        token=copy.deepcopy(mfa.get("software_token")),
        pending=mfa.get("software_token_pending"),
    )


def write(user: User, factors: UserFactors) -> None:
    """Store `factors` on `user`, with the wire fields derived from them."""
    mfa: dict[str, Any] = {"enabled": factors.enabled}
    if factors.preferred is not None:
        mfa["preferred"] = factors.preferred
    if factors.token is not None:
        mfa["software_token"] = factors.token
    if factors.pending is not None:
        mfa["software_token_pending"] = factors.pending
    if factors.enabled:
        mfa["UserMFASettingList"] = list(factors.enabled)
    if factors.preferred is not None:
        mfa["PreferredMfaSetting"] = factors.preferred
    if SMS_MFA in factors.enabled:
        mfa["MFAOptions"] = [dict(SMS_OPTION)]
    user.mfa = mfa


def contact(user: User, factor: str) -> str | None:
    """Where a code for `factor` goes (phone number, email address), if the user has one."""
    attribute = CONTACTS.get(ChallengeName(factor)) if factor in CONTACTS else None
    if attribute is None:
        return None
    return user.attributes.get(attribute) or None


def pool_mode(pool: UserPool) -> str:
    return str(pool.settings.get("MfaConfiguration") or MODE_OFF)


def pool_factors(pool: UserPool) -> list[ChallengeName]:
    """The factors the pool offers (see services/mfa_config for how they are stored): none
    with MFA off; SMS alone in a pool that turned MFA on without choosing factors."""
    if pool_mode(pool) == MODE_OFF:
        return []
    stored = pool.settings.get("MfaFactors") or {"SmsMfa": True}
    offered = {
        SMS_MFA: bool(stored.get("SmsMfa")),
        SOFTWARE_TOKEN_MFA: bool(
            (stored.get("SoftwareTokenMfaConfiguration") or {}).get("Enabled")
        ),
        EMAIL_OTP: stored.get("EmailMfaConfiguration") is not None,
    }
    return [factor for factor in FACTORS if offered[factor]]


def token_sealer(codes_key: bytes) -> Sealer:
    return Sealer(derive(codes_key, "software-token-secrets"))


def seal_secret(sealer: Sealer, user: User, secret: str) -> str:
    return base64.b64encode(sealer.seal(secret.encode(), _context(user))).decode()


def open_secret(sealer: Sealer, user: User, sealed: str) -> str:
    return sealer.open(base64.b64decode(sealed), _context(user)).decode()


def _context(user: User) -> bytes:
    return f"software-token\x00{user.pool_id}\x00{user.sub}".encode()
