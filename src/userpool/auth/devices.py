"""Remembered devices in a sign-in (issue 14).

A sign-in names a device with DEVICE_KEY (in AuthParameters, or in the answer that proves
the first factor, where a client that was told "Device does not exist." answers again
without it). The device is then proved with device SRP as the sign-in's last step,
DEVICE_SRP_AUTH then DEVICE_PASSWORD_VERIFIER, after any MFA: amazon-cognito-identity-js and
Amplify both expect it there, after a password or SRP proof, a custom challenge or an MFA
code. A remembered device stands in for MFA where the pool says so. A sign-in that proved
no device gets a new one's key with its tokens (NewDeviceMetadata).
"""

from __future__ import annotations

from collections.abc import Mapping

from userpool.accounts.devices import device_group_key
from userpool.auth.outcomes import Attempt, NewDevice, Next
from userpool.auth.sessions import Progress
from userpool.domain import device_rules
from userpool.domain.auth_records import Device
from userpool.domain.errors import ResourceNotFoundException
from userpool.domain.flows import ChallengeName
from userpool.domain.models import User, UserPool

MISSING = "Device does not exist."
KEY = "DEVICE_KEY"


def named(
    pool: UserPool, given: Mapping[str, str | None], carried: str | None = None
) -> str | None:
    """The device a step names: its own DEVICE_KEY when it has the field (an explicit null
    drops the one named before), else the one the sign-in carried. None where the pool does
    not track devices: the key is then ignored, as on Cognito."""
    if not device_rules.tracks_devices(pool):
        return None
    return (given.get(KEY) or None) if KEY in given else carried


def missing() -> ResourceNotFoundException:
    return ResourceNotFoundException(MISSING)


def users_device(attempt: Attempt, user: User, key: str | None) -> Device:
    """The confirmed device `key` of `user`, as the step's read found it; Cognito's
    ResourceNotFoundException otherwise (clients then forget the key and sign in again)."""
    device = attempt.device
    if key is None or device is None or device.key != key or device.sub != user.sub:
        raise missing()
    return device


def check_named(attempt: Attempt, user: User, progress: Progress) -> None:
    """A device named by a sign-in of a real user is that user's, confirmed."""
    if progress.device_key is not None and not progress.stand_in:
        users_device(attempt, user, progress.device_key)


def stands_in_for_mfa(attempt: Attempt, user: User, progress: Progress) -> bool:
    """The sign-in's device is remembered and the pool lets it replace MFA (it is proved
    before tokens are issued)."""
    device = attempt.device
    return (
        progress.device_key is not None
        and device is not None
        and device.key == progress.device_key
        and device.sub == user.sub
        and device.remembered
        and device_rules.remembered_device_skips_mfa(attempt.pool)
    )


def before_tokens(progress: Progress) -> Next | None:
    """DEVICE_SRP_AUTH, where the sign-in named a device it has not proved yet."""
    if progress.device_key is None or ChallengeName.DEVICE_PASSWORD_VERIFIER in progress.answered:
        return None
    return Next(ChallengeName.DEVICE_SRP_AUTH)


def new_device(attempt: Attempt, user: User, progress: Progress) -> NewDevice | None:
    """NewDeviceMetadata for a sign-in on a device-tracking pool that proved no device."""
    if progress.device_key is not None or not device_rules.tracks_devices(attempt.pool):
        return None
    group = device_group_key(attempt.runtime.simulation_key, attempt.pool.id, user.sub)
    return NewDevice(device_rules.new_device_key(attempt.pool), group)
