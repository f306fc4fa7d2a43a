"""GetUserAttributeVerificationCode and VerifyUserAttribute: a signed-in user proves that
an email address or phone number is theirs with a code sent to it (valid 24 hours)."""

from __future__ import annotations

from userpool.accounts import codes
from userpool.accounts.lookup import VERIFIED_FLAGS
from userpool.accounts.saving import save_user
from userpool.domain.errors import InvalidParameterException
from userpool.domain.messages import Medium, MessagePurpose, Purpose
from userpool.services.access import caller, check_access_token
from userpool.services.code_delivery import MEDIUMS, issue_code, redeem, send
from userpool.services.context import Context, Request, Response
from userpool.services.registry import operation


def purpose(attribute: str) -> str:
    """The key of an attribute's verification code (one at a time, whoever asked for it)."""
    return f"verify:{attribute}"


def changed(attribute: str) -> Purpose:
    """The code UpdateUserAttributes sends to a changed, auto-verified attribute."""
    return Purpose(purpose(attribute), MessagePurpose.UPDATE_USER_ATTRIBUTE)


def _verifiable(attribute: str) -> Medium:
    medium = MEDIUMS.get(attribute)
    if medium is None:
        raise InvalidParameterException(
            f"Invalid attribute name: {attribute}. Only email and phone_number can be verified."
        )
    return medium


@operation("GetUserAttributeVerificationCode", sends_messages=True, calls_triggers=True)
def get_user_attribute_verification_code(ctx: Context, request: Request) -> Response:
    token = check_access_token(ctx, request["AccessToken"])
    attribute = request["AttributeName"]
    medium = _verifiable(attribute)
    with ctx.store.write() as tx:
        found = caller(tx, token)
        if not found.user.attributes.get(attribute):
            raise InvalidParameterException(
                f"Auth requested for an attribute the user does not have: {attribute}"
            )
        message = issue_code(
            ctx,
            tx,
            found.pool,
            found.user,
            medium,
            Purpose(purpose(attribute), MessagePurpose.VERIFY_USER_ATTRIBUTE),
            codes.VERIFY_VALIDITY,
        )
    return {"CodeDeliveryDetails": send(ctx, message, request)}


@operation("VerifyUserAttribute")
def verify_user_attribute(ctx: Context, request: Request) -> Response:
    """Marks `<attribute>_verified`; an alias another user holds verified is refused."""
    token = check_access_token(ctx, request["AccessToken"])
    attribute = request["AttributeName"]
    _verifiable(attribute)
    with ctx.store.write() as tx:
        found = caller(tx, token)
        user = found.user
        failure = redeem(ctx, tx, user, purpose(attribute), request["Code"])
        if failure is None:
            user.attributes[VERIFIED_FLAGS[attribute]] = "true"
            user.modified = ctx.clock()
            save_user(tx, found.pool, user)
    if failure is not None:
        raise failure
    return {}
