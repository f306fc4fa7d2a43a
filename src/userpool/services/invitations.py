"""AdminCreateUser's invitation: the temporary password, by each of `DesiredDeliveryMediums`,
unless `MessageAction` is SUPPRESS. A medium that is asked for needs its attribute, checked
before the user is stored; the messages go out after the commit.

Without `DesiredDeliveryMediums` the medium is SMS, as on Cognito, but the API reference asks
for `phone_number` only "if you set SMS in the DesiredDeliveryMediums parameter", and a user
may be created with nothing but a username: such a user without a phone number is created and
sent nothing."""

from __future__ import annotations

from userpool.accounts import messages
from userpool.domain.errors import InvalidParameterException
from userpool.domain.messages import Medium
from userpool.domain.models import User, UserPool
from userpool.services.code_delivery import ATTRIBUTES, Outgoing, send
from userpool.services.context import Context, Request

DEFAULT_MEDIUM = Medium.SMS
_MISSING = {
    Medium.EMAIL: "No email provided but desired delivery medium was Email",
    Medium.SMS: "No phone_number provided but desired delivery medium was Sms",
}


def invitations(pool: UserPool, user: User, password: str, request: Request) -> list[Outgoing]:
    """The messages to send `user`, or Cognito's refusal when one has nowhere to go."""
    if request.get("MessageAction") == "SUPPRESS":
        return []
    asked = request.get("DesiredDeliveryMediums")
    if not asked:
        if not user.attributes.get(ATTRIBUTES[DEFAULT_MEDIUM]):
            return []
        return [Outgoing(messages.invitation(pool, user, DEFAULT_MEDIUM, password), pool, user)]
    mediums = [Medium(name) for name in dict.fromkeys(asked)]
    for medium in mediums:
        if not user.attributes.get(ATTRIBUTES[medium]):
            raise InvalidParameterException(_MISSING[medium])
    return [
        Outgoing(messages.invitation(pool, user, medium, password), pool, user)
        for medium in mediums
    ]


def send_invitations(ctx: Context, invites: list[Outgoing], request: Request) -> None:
    """Call after the user is committed: a failed delivery leaves the user created (as on
    Cognito), and AdminCreateUser with RESEND sends a new temporary password."""
    for invite in invites:
        send(ctx, invite, request)
