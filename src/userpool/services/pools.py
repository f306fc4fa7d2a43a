"""CreateUserPool, DescribeUserPool, UpdateUserPool, DeleteUserPool, ListUserPools."""

from __future__ import annotations

import copy
from typing import Any

from userpool.accounts.resources import require_pool
from userpool.crypto import ids
from userpool.domain import device_rules, pool_domains, sign_in_policy, tier_rules
from userpool.domain.errors import InvalidParameterException
from userpool.domain.models import JSONDict, UserPool
from userpool.domain.schema_rules import new_pool_schema
from userpool.services.common import decode_token, encode_token, pool_arn
from userpool.services.context import Context, Request, Response
from userpool.services.registry import operation
from userpool.storage.repositories import Transaction

DEFAULT_PASSWORD_POLICY = {
    "MinimumLength": 8,
    "RequireUppercase": True,
    "RequireLowercase": True,
    "RequireNumbers": True,
    "RequireSymbols": True,
    "TemporaryPasswordValidityDays": 7,
}

# Settings that UpdateUserPool may change; one it omits goes back to its default, as on AWS.
UPDATABLE = (
    "Policies",
    "DeletionProtection",
    "LambdaConfig",
    "AutoVerifiedAttributes",
    "SmsVerificationMessage",
    "EmailVerificationMessage",
    "EmailVerificationSubject",
    "VerificationMessageTemplate",
    "SmsAuthenticationMessage",
    "UserAttributeUpdateSettings",
    "MfaConfiguration",
    "DeviceConfiguration",
    "EmailConfiguration",
    "SmsConfiguration",
    "UserPoolTags",
    "AdminCreateUserConfig",
    "UserPoolAddOns",
    "AccountRecoverySetting",
    "UserPoolTier",
)
# VerificationMessageTemplate's fields and the top-level fields that came before them.
LEGACY_VERIFICATION_FIELDS = {
    "EmailMessage": "EmailVerificationMessage",
    "EmailSubject": "EmailVerificationSubject",
    "SmsMessage": "SmsVerificationMessage",
}
DEFAULT_EMAIL_OPTION = "CONFIRM_WITH_CODE"
CLIENT_PAGE = 60
FIXED = ("AliasAttributes", "UsernameAttributes", "UsernameConfiguration")
# The stored settings that DescribeUserPool shows; anything else is internal state.
DESCRIBED = frozenset((*UPDATABLE, *FIXED, "SchemaAttributes"))


def _defaults() -> dict[str, Any]:
    return {
        "Policies": {
            "PasswordPolicy": dict(DEFAULT_PASSWORD_POLICY),
            "SignInPolicy": sign_in_policy.normalized(None),
        },
        "DeletionProtection": "INACTIVE",
        "LambdaConfig": {},
        "VerificationMessageTemplate": {"DefaultEmailOption": DEFAULT_EMAIL_OPTION},
        "UserAttributeUpdateSettings": {"AttributesRequireVerificationBeforeUpdate": []},
        "MfaConfiguration": "OFF",
        "EmailConfiguration": {"EmailSendingAccount": "COGNITO_DEFAULT"},
        "AdminCreateUserConfig": {
            "AllowAdminCreateUserOnly": False,
            "UnusedAccountValidityDays": 7,
        },
        "UserPoolTier": tier_rules.DEFAULT_TIER.value,
    }


def _apply(settings: dict[str, Any], request: Request, names: tuple[str, ...]) -> None:
    defaults = _defaults()
    for name in names:
        if request.get(name) is not None:
            settings[name] = copy.deepcopy(request[name])
        elif name in defaults:
            settings[name] = defaults[name]
        else:
            settings.pop(name, None)
    policies = settings["Policies"]
    password = {**DEFAULT_PASSWORD_POLICY, **(policies.get("PasswordPolicy") or {})}
    policies["PasswordPolicy"] = password
    policies["SignInPolicy"] = sign_in_policy.normalized(policies.get("SignInPolicy"))
    if settings.get("DeviceConfiguration") is not None:
        settings["DeviceConfiguration"] = device_rules.normalized(settings["DeviceConfiguration"])
    _align_verification_messages(settings)


def _align_verification_messages(settings: dict[str, Any]) -> None:
    """Cognito keeps VerificationMessageTemplate and the older top-level fields in step: a
    template field wins over its older twin, an older field alone fills the template, and
    DescribeUserPool shows the same text in both places."""
    template = settings["VerificationMessageTemplate"]
    template.setdefault("DefaultEmailOption", DEFAULT_EMAIL_OPTION)
    for field, older in LEGACY_VERIFICATION_FIELDS.items():
        if template.get(field):
            settings[older] = template[field]
        elif settings.get(older):
            template[field] = settings[older]


def _check_sign_in_names(request: Request) -> None:
    if request.get("AliasAttributes") and request.get("UsernameAttributes"):
        raise InvalidParameterException(
            "Only one of AliasAttributes or UsernameAttributes can be set in a User Pool"
        )


def _clients(tx: Transaction, pool_id: str) -> list[JSONDict]:
    """Every app client's settings: a feature plan covers what the pool's clients do too."""
    settings: list[JSONDict] = []
    after: str | None = None
    while True:
        page = tx.clients.list(pool_id, CLIENT_PAGE, after)
        settings.extend(client.settings for client in page.items)
        if page.next_key is None:
            return settings
        after = page.next_key


def _check(settings: JSONDict, clients: list[JSONDict]) -> None:
    """The configuration about to be stored: its parameters first, then its feature plan."""
    sign_in_policy.check(settings["Policies"]["SignInPolicy"])
    tier_rules.check_pool(settings, clients)


def updated_settings(settings: JSONDict, request: Request) -> JSONDict:
    """The settings an UpdateUserPool with `request` leaves (a new dict, not yet checked)."""
    updated = copy.deepcopy(settings)
    tier = tier_rules.tier_of(settings)
    _apply(updated, request, UPDATABLE)
    if request.get("UserPoolTier") is None:
        # The one setting an UpdateUserPool that omits it leaves as it was (API reference).
        updated["UserPoolTier"] = tier.value
    return updated


def describe(ctx: Context, pool: UserPool, users: int) -> Response:
    """Cognito's UserPoolType: the settings it has fields for (internal state stays out)."""
    settings = {k: copy.deepcopy(v) for k, v in pool.settings.items() if k in DESCRIBED}
    return {
        "Id": pool.id,
        "Name": pool.name,
        "Arn": pool_arn(pool, ctx.settings.account_id),
        "CreationDate": pool.created,
        "LastModifiedDate": pool.modified,
        "EstimatedNumberOfUsers": users,
        **settings,
    }


@operation("CreateUserPool")
def create_user_pool(ctx: Context, request: Request, *, pool_id: str | None = None) -> Response:
    """`pool_id`: the id to give the pool instead of a new one (a seed file's; never a
    request's: no member of the request can set it)."""
    _check_sign_in_names(request)
    now = ctx.clock()
    settings: dict[str, Any] = {"SchemaAttributes": new_pool_schema(request.get("Schema") or [])}
    _apply(settings, request, UPDATABLE)
    _check(settings, [])
    for name in FIXED:
        if request.get(name) is not None:
            settings[name] = copy.deepcopy(request[name])
    pool_id = pool_id or ids.pool_id(ctx.effective_region)
    pool = UserPool(pool_id, request["PoolName"], now, now, settings)
    keys = ctx.runtime.keys.generate(pool.id, now)
    with ctx.store.write() as tx:
        tx.pools.add(pool)
        for key in keys:
            tx.signing_keys.add(key)
    return {"UserPool": describe(ctx, pool, 0)}


@operation("DescribeUserPool")
def describe_user_pool(ctx: Context, request: Request) -> Response:
    with ctx.store.read() as tx:
        pool = require_pool(tx, request["UserPoolId"])
        users = tx.users.count(pool.id)
        domains = tx.domains.of_pool(pool.id)
    return {"UserPool": {**describe(ctx, pool, users), **pool_domains.pool_fields(domains)}}


@operation("UpdateUserPool")
def update_user_pool(ctx: Context, request: Request) -> Response:
    with ctx.store.write() as tx:
        pool = require_pool(tx, request["UserPoolId"], for_update=True)
        pool.settings = updated_settings(pool.settings, request)
        _check(pool.settings, _clients(tx, pool.id))
        if request.get("PoolName") is not None:
            pool.name = request["PoolName"]
        pool.modified = ctx.clock()
        tx.pools.update(pool)
    return {}


@operation("DeleteUserPool")
def delete_user_pool(ctx: Context, request: Request) -> Response:
    with ctx.store.write() as tx:
        pool = require_pool(tx, request["UserPoolId"])
        if pool.settings.get("DeletionProtection") == "ACTIVE":
            raise InvalidParameterException(
                "The user pool cannot be deleted because deletion protection is activated. "
                "Deletion protection must be inactivated first."
            )
        tx.pools.delete(pool.id)
    return {}


@operation("ListUserPools")
def list_user_pools(ctx: Context, request: Request) -> Response:
    with ctx.store.read() as tx:
        page = tx.pools.list(request["MaxResults"], decode_token(request.get("NextToken")))
    pools = [
        {
            "Id": pool.id,
            "Name": pool.name,
            "LambdaConfig": pool.settings.get("LambdaConfig", {}),
            "CreationDate": pool.created,
            "LastModifiedDate": pool.modified,
        }
        for pool in page.items
    ]
    response: Response = {"UserPools": pools}
    if page.next_key is not None:
        response["NextToken"] = encode_token(page.next_key)
    return response
