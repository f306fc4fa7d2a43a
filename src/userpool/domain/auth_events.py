"""A user's auth events, as threat protection records them (AdminListUserAuthEvents): what
happened, how it ended, the challenges answered on the way, where it came from.

Cognito records them only where threat protection is on (the Plus plan's
UserPoolAddOns: AdvancedSecurityMode AUDIT or ENFORCED for the standard sign-in flows and
the other events, AdvancedSecurityAdditionalFlows.CustomAuthMode for CUSTOM_AUTH). There is
no risk engine here: every event is recorded as Cognito records one it finds no risk in
(RiskDecision NoRisk, no compromised credentials, no risk level).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from userpool.domain.tier_rules import THREAT_MODES

# Times are kept in microseconds since the epoch: a user's events, listed newest first, keep
# the order they happened in even when two come within a millisecond (Cognito's precision).
US = 1_000_000


class EventType(StrEnum):
    SIGN_IN = "SignIn"
    SIGN_UP = "SignUp"
    FORGOT_PASSWORD = "ForgotPassword"
    PASSWORD_CHANGE = "PasswordChange"
    RESEND_CODE = "ResendCode"


class EventResponse(StrEnum):
    PASS = "Pass"
    FAIL = "Fail"
    IN_PROGRESS = "InProgress"


class Factor(StrEnum):
    """The challenges a sign-in event lists (ChallengeResponseType's ChallengeName)."""

    PASSWORD = "Password"
    MFA = "Mfa"


class FeedbackValue(StrEnum):
    VALID = "Valid"
    INVALID = "Invalid"


class FeedbackProvider(StrEnum):
    """Who gave the feedback: an administrator (AdminUpdateAuthEventFeedback, as Cognito
    names feedback from its console) or the user (UpdateAuthEventFeedback)."""

    ADMIN = "Admin"
    USER = "User"


@dataclass(frozen=True)
class Feedback:
    value: FeedbackValue
    provider: FeedbackProvider
    date: int  # µs


@dataclass(frozen=True)
class Origin:
    """Where a request came from: the peer's address as the server saw it (a trusted proxy's
    X-Forwarded-For already applied), and the IpAddress its ContextData (admin operations)
    or UserContextData named, if any."""

    source_ip: str | None = None
    named_ip: str | None = None


@dataclass(frozen=True)
class AuthEvent:
    event_id: str
    pool_id: str
    sub: str
    username: str
    type: EventType
    created: int  # µs
    response: EventResponse
    challenges: tuple[tuple[Factor, bool], ...] = ()  # each factor answered, and whether right
    context: Mapping[str, str] = field(default_factory=dict)  # EventContextData as recorded
    feedback: Feedback | None = None


def _add_ons(settings: Mapping[str, Any]) -> Mapping[str, Any]:
    add_ons = settings.get("UserPoolAddOns")
    return add_ons if isinstance(add_ons, Mapping) else {}


def protected(settings: Mapping[str, Any], *, custom_auth: bool = False) -> bool:
    """Whether threat protection covers what a pool with these settings does: its standard
    sign-ins and other events, or (`custom_auth`) its CUSTOM_AUTH sign-ins."""
    add_ons = _add_ons(settings)
    if custom_auth:
        flows = add_ons.get("AdvancedSecurityAdditionalFlows")
        mode = flows.get("CustomAuthMode") if isinstance(flows, Mapping) else None
    else:
        mode = add_ons.get("AdvancedSecurityMode")
    return mode in THREAT_MODES


def any_protection(settings: Mapping[str, Any]) -> bool:
    """Threat protection is on for some of the pool's sign-ins: its event history is kept."""
    return protected(settings) or protected(settings, custom_auth=True)


def context_data(origin: Origin | None, *, trusts_named_ip: bool) -> dict[str, str]:
    """EventContextData: the IpAddress a request named where Cognito takes it (the admin
    operations' ContextData; a client's UserContextData only where the client has
    EnablePropagateAdditionalUserContextData), else the request's own source. DeviceName,
    Timezone, City and Country come from Cognito's encoded device fingerprint and its
    address geolocation, neither of which exists here: they are left out."""
    if origin is None:
        return {}
    ip = origin.named_ip if trusts_named_ip and origin.named_ip else origin.source_ip
    return {"IpAddress": ip} if ip else {}
