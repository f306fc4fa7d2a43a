"""CustomMessage: the pool's function may reword any message Cognito sends (sign-up and
verification codes, invitations, reset codes, MFA codes). It is given the placeholders,
not the code: what it returns must keep the code's place ({####}), which is then filled
in, and is what gets delivered. An answer without a message (or one that lost the code)
leaves the pool's own text."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace

from userpool.accounts.messages import CODE, sign_in_name
from userpool.accounts.trigger_view import trigger_attributes
from userpool.domain.messages import Medium, Message, MessagePurpose
from userpool.domain.models import User, UserPool
from userpool.triggers import Triggers
from userpool.triggers.events import JSONDict, trigger_event
from userpool.triggers.sources import TriggerSource

USERNAME = "{username}"
LINK = "{##Click Here##}"
log = logging.getLogger("userpool.triggers")


def customized(
    triggers: Triggers,
    pool: UserPool,
    user: User,
    message: Message,
    client_id: str | None,
    client_metadata: Mapping[str, str],
) -> Message:
    """`message` as the pool's CustomMessage function words it, if the pool sets one."""
    source = TriggerSource(f"CustomMessage_{message.sent_for.value}")
    if triggers.function_for(pool.settings, source) is None:
        return message
    invited = message.sent_for is MessagePurpose.ADMIN_CREATE_USER
    request = {
        "userAttributes": trigger_attributes(user),
        "codeParameter": CODE,
        "linkParameter": LINK,
        "usernameParameter": USERNAME if invited else None,
        "clientMetadata": dict(client_metadata),
    }
    event = trigger_event(
        source, pool_id=pool.id, user_name=user.username, client_id=client_id, request=request
    )
    response = triggers.call(pool.settings, event) or {}
    return _reworded(pool, user, message, response)


def _reworded(pool: UserPool, user: User, message: Message, response: JSONDict) -> Message:
    email = message.medium is Medium.EMAIL
    body = response.get("emailMessage" if email else "smsMessage")
    subject = response.get("emailSubject") if email else None
    if not isinstance(body, str) or not body:
        return message
    if message.code is not None and CODE not in body:
        log.warning(
            "CustomMessage for %s in %s lost %s: the pool's text is sent",
            user.username,
            pool.id,
            CODE,
        )
        return message

    def filled(text: str) -> str:
        return text.replace(CODE, message.code or "").replace(USERNAME, sign_in_name(pool, user))

    worded_subject = filled(subject) if isinstance(subject, str) and subject else message.subject
    return replace(message, body=filled(body), subject=worded_subject)
