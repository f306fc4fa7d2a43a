"""A user's devices: ConfirmDevice, UpdateDeviceStatus, GetDevice, ListDevices, ForgetDevice
and their Admin* twins.

A sign-in on a pool that tracks devices hands out a new device key (NewDeviceMetadata) and
puts it in the access token's `device_key` claim; ConfirmDevice stores that key with the SRP
verifier of a secret the client made up for the device. Only the verifier is kept, so the
sign-in engine can run device SRP (DEVICE_SRP_AUTH) against it and nobody can read the secret
back.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from userpool.accounts.devices import device_group_key
from userpool.accounts.lookup import require_user
from userpool.accounts.resources import require_pool
from userpool.crypto import srp
from userpool.domain.auth_records import Device
from userpool.domain.device_rules import remembers_on_confirm, tracks_devices
from userpool.domain.errors import (
    DeviceKeyExistsException,
    InvalidParameterException,
    ResourceNotFoundException,
)
from userpool.domain.models import Page, User, UserPool
from userpool.services.access import Caller, caller, check_access_token
from userpool.services.common import decode_token, encode_token
from userpool.services.context import Context, Request, Response
from userpool.services.registry import operation
from userpool.storage.repositories import Transaction

DEFAULT_LIMIT = 60  # also the model's maximum for ListDevices and AdminListDevices
REMEMBERED = "remembered"
NOT_REMEMBERED = "not_remembered"
DEVICE_GONE = "Device does not exist."
# What Cognito answers when ConfirmDevice names a key other than the one the access token's
# sign-in was handed (reported by amplify-js, boto3 and .NET SDK users).
INVALID_KEY = "Invalid device key given."
VERIFIER_CONFIG = "DeviceSecretVerifierConfig"


def device_type(ctx: Context, pool: UserPool, user: User, device: Device) -> dict[str, Any]:
    """DeviceType with the attributes in the order Cognito lists them. `dev:device_sdk` is
    left out (Cognito derives it from the confirming SDK, which is not recorded here), as is
    `last_ip_used` while no address is known."""
    owner = f"{user.username}.{pool.id}"
    arn = (
        f"arn:aws:cognito-idp:{pool.region}:{ctx.settings.account_id}"
        f":owner/{owner}/device/{device.key}"
    )
    attributes = [("device_status", "valid")]
    if device.name is not None:
        attributes.append(("device_name", device.name))
    attributes += [("dev:device_arn", arn), ("dev:device_owner", owner)]
    if device.last_ip is not None:
        attributes.append(("last_ip_used", device.last_ip))
    status = REMEMBERED if device.remembered else NOT_REMEMBERED
    attributes.append(("dev:device_remembered_status", status))
    result: dict[str, Any] = {
        "DeviceKey": device.key,
        "DeviceAttributes": [{"Name": name, "Value": value} for name, value in attributes],
        "DeviceCreateDate": device.created,
        "DeviceLastModifiedDate": device.modified,
    }
    if device.last_authenticated is not None:
        result["DeviceLastAuthenticatedDate"] = device.last_authenticated
    return result


def _decoded(config: dict[str, Any], member: str) -> bytes:
    text = config.get(member)
    if not text:
        raise InvalidParameterException(f"{VERIFIER_CONFIG} requires a {member}.")
    try:
        value = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as error:
        raise InvalidParameterException(f"{VERIFIER_CONFIG}.{member} is not base64.") from error
    if not value:
        raise InvalidParameterException(f"{VERIFIER_CONFIG} requires a {member}.")
    return value


def _verifier_config(request: Request) -> tuple[str, str]:
    """(salt hex, verifier hex) from base64, as the engine reads them back."""
    config = request.get(VERIFIER_CONFIG)
    if not config:
        raise InvalidParameterException(f"Missing required parameter {VERIFIER_CONFIG}")
    verifier = _decoded(config, "PasswordVerifier")
    salt = _decoded(config, "Salt")
    # v ≡ 0 (mod N) makes the device's SRP session key 0 whatever the secret: anyone holding
    # the device key could then pass for the device.
    if int.from_bytes(verifier, "big") % srp.N == 0:
        raise InvalidParameterException(f"{VERIFIER_CONFIG}.PasswordVerifier is not valid.")
    return salt.hex(), verifier.hex()


def _owned(tx: Transaction, pool_id: str, sub: str, key: str) -> Device:
    device = tx.devices.get(pool_id, key)
    if device is None or device.sub != sub:
        raise ResourceNotFoundException(DEVICE_GONE)
    return device


def _set_status(
    ctx: Context, tx: Transaction, pool: UserPool, user: User, request: Request
) -> None:
    key = request["DeviceKey"]
    status = request.get("DeviceRememberedStatus")
    if status is None:
        # Optional in the model; without one nothing changes, but the device must exist.
        _owned(tx, pool.id, user.sub, key)
        return
    if not tx.devices.set_remembered(pool.id, user.sub, key, status == REMEMBERED, ctx.clock()):
        raise ResourceNotFoundException(DEVICE_GONE)


def _forget(tx: Transaction, pool: UserPool, user: User, key: str) -> None:
    if not tx.devices.forget(pool.id, user.sub, key):
        raise ResourceNotFoundException(DEVICE_GONE)


def _listing(
    ctx: Context, tx: Transaction, pool: UserPool, user: User, request: Request
) -> Response:
    # Limit 0 is allowed by the model but would make a page that can never move on.
    limit = int(request.get("Limit") or DEFAULT_LIMIT)
    after = decode_token(request.get("PaginationToken"))
    page: Page = tx.devices.list(pool.id, user.sub, limit, after)
    response: Response = {"Devices": [device_type(ctx, pool, user, d) for d in page.items]}
    if page.next_key is not None:
        response["PaginationToken"] = encode_token(page.next_key)
    return response


def _token_caller(ctx: Context, tx: Transaction, request: Request) -> Caller:
    """GetDevice and ForgetDevice leave AccessToken optional in the model; there is no other
    way to say whose device it is."""
    access_token = request.get("AccessToken")
    if not access_token:
        raise InvalidParameterException("Missing required parameter AccessToken")
    return caller(tx, check_access_token(ctx, access_token))


@operation("ConfirmDevice")
def confirm_device(ctx: Context, request: Request) -> Response:
    """Only the key of the access token's own sign-in can be confirmed, once."""
    token = check_access_token(ctx, request["AccessToken"])
    key = request["DeviceKey"]
    salt, verifier = _verifier_config(request)
    now = ctx.clock()
    with ctx.store.write() as tx:
        found = caller(tx, token)
        pool, user = found.pool, found.user
        # A pool that does not track devices hands out no keys, so none can match.
        if not tracks_devices(pool) or token.claims.get("device_key") != key:
            raise InvalidParameterException(INVALID_KEY)
        remembered = remembers_on_confirm(pool)
        device = Device(
            key=key,
            pool_id=pool.id,
            sub=user.sub,
            group_key=device_group_key(ctx.runtime.simulation_key, pool.id, user.sub),
            salt=salt,
            verifier=verifier,
            name=request.get("DeviceName"),
            remembered=remembered,
            created=now,
            modified=now,
            # The sign-in that was handed this key is the device's last authentication.
            last_authenticated=float(token.iat),
        )
        if not tx.devices.put(device):
            raise DeviceKeyExistsException()
    return {"UserConfirmationNecessary": not remembered}


@operation("UpdateDeviceStatus")
def update_device_status(ctx: Context, request: Request) -> Response:
    token = check_access_token(ctx, request["AccessToken"])
    with ctx.store.write() as tx:
        found = caller(tx, token)
        _set_status(ctx, tx, found.pool, found.user, request)
    return {}


@operation("GetDevice")
def get_device(ctx: Context, request: Request) -> Response:
    with ctx.store.read() as tx:
        found = _token_caller(ctx, tx, request)
        device = _owned(tx, found.pool.id, found.user.sub, request["DeviceKey"])
    return {"Device": device_type(ctx, found.pool, found.user, device)}


@operation("ListDevices")
def list_devices(ctx: Context, request: Request) -> Response:
    token = check_access_token(ctx, request["AccessToken"])
    with ctx.store.read() as tx:
        found = caller(tx, token)
        return _listing(ctx, tx, found.pool, found.user, request)


@operation("ForgetDevice")
def forget_device(ctx: Context, request: Request) -> Response:
    with ctx.store.write() as tx:
        found = _token_caller(ctx, tx, request)
        _forget(tx, found.pool, found.user, request["DeviceKey"])
    return {}


@operation("AdminGetDevice")
def admin_get_device(ctx: Context, request: Request) -> Response:
    with ctx.store.read() as tx:
        pool = require_pool(tx, request["UserPoolId"])
        user = require_user(tx, pool, request["Username"])
        device = _owned(tx, pool.id, user.sub, request["DeviceKey"])
    return {"Device": device_type(ctx, pool, user, device)}


@operation("AdminListDevices")
def admin_list_devices(ctx: Context, request: Request) -> Response:
    with ctx.store.read() as tx:
        pool = require_pool(tx, request["UserPoolId"])
        user = require_user(tx, pool, request["Username"])
        return _listing(ctx, tx, pool, user, request)


@operation("AdminUpdateDeviceStatus")
def admin_update_device_status(ctx: Context, request: Request) -> Response:
    with ctx.store.write() as tx:
        pool = require_pool(tx, request["UserPoolId"])
        user = require_user(tx, pool, request["Username"])
        _set_status(ctx, tx, pool, user, request)
    return {}


@operation("AdminForgetDevice")
def admin_forget_device(ctx: Context, request: Request) -> Response:
    with ctx.store.write() as tx:
        pool = require_pool(tx, request["UserPoolId"])
        user = require_user(tx, pool, request["Username"])
        _forget(tx, pool, user, request["DeviceKey"])
    return {}
