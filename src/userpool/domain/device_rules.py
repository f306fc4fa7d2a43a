"""What a pool's DeviceConfiguration means (Cognito's DeviceConfigurationType): any value
turns device tracking on; DescribeUserPool shows both fields."""

from __future__ import annotations

import uuid
from typing import Any

from userpool.domain.models import UserPool

FIELDS = ("ChallengeRequiredOnNewDevice", "DeviceOnlyRememberedOnUserPrompt")


def normalized(configuration: dict[str, Any]) -> dict[str, Any]:
    """The configuration as Cognito keeps it: both fields, false where not given."""
    return {name: bool(configuration.get(name, False)) for name in FIELDS}


def _configuration(pool: UserPool) -> dict[str, Any] | None:
    value = pool.settings.get("DeviceConfiguration")
    return value if isinstance(value, dict) else None


def tracks_devices(pool: UserPool) -> bool:
    """Sign-ins hand out device keys, and devices may be confirmed and used."""
    return _configuration(pool) is not None


def remembered_device_skips_mfa(pool: UserPool) -> bool:
    """ChallengeRequiredOnNewDevice: a remembered device stands in for SMS, email and TOTP
    MFA; a new, forgotten or not-remembered one does not."""
    return bool((_configuration(pool) or {}).get("ChallengeRequiredOnNewDevice"))


def remembers_on_confirm(pool: UserPool) -> bool:
    """Without DeviceOnlyRememberedOnUserPrompt a confirmed device is remembered at once;
    with it, ConfirmDevice answers UserConfirmationNecessary and the user decides
    (UpdateDeviceStatus)."""
    return not (_configuration(pool) or {}).get("DeviceOnlyRememberedOnUserPrompt")


def new_device_key(pool: UserPool) -> str:
    """`{region}_{uuid}`, as Cognito makes them (the region is the pool id's prefix)."""
    return f"{pool.id.split('_', 1)[0]}_{uuid.uuid4()}"
