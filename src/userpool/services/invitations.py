"""AdminCreateUser's invitation: the temporary password, by each of `DesiredDeliveryMediums`
(default SMS), unless `MessageAction` is SUPPRESS. Each medium needs its attribute, which is
checked before the user is stored; the messages go out after the commit."""

from __future__ import annotations

from userpool.accounts import messages
from userpool.domain.errors import InvalidParameterException
from userpool.domain.messages import Medium, Message
from userpool.domain.models import User, UserPool
from userpool.services.code_delivery import ATTRIBUTES, send
from userpool.services.context import Context, Request

DEFAULT_MEDIUMS = ("SMS",)
_MISSING = {
    Medium.EMAIL: "No email provided but desired delivery medium was Email",
    Medium.SMS: "No phone_number provided but desired delivery medium was Sms",
}


def invitations(pool: UserPool, user: User, password: str, request: Request) -> list[Message]:
    """The messages to send `user`, or Cognito's refusal when one has nowhere to go."""
    if request.get("MessageAction") == "SUPPRESS":
        return []
    wanted = dict.fromkeys(request.get("DesiredDeliveryMediums") or DEFAULT_MEDIUMS)
    mediums = [Medium(name) for name in wanted]
    for medium in mediums:
        if not user.attributes.get(ATTRIBUTES[medium]):
            raise InvalidParameterException(_MISSING[medium])
    return [messages.invitation(pool, user, medium, password) for medium in mediums]


def send_invitations(ctx: Context, invites: list[Message]) -> None:
    """Call after the user is committed: a failed delivery leaves the user created (as on
    Cognito), and AdminCreateUser with RESEND sends a new temporary password."""
    for message in invites:
        send(ctx, message)
