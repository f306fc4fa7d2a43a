"""AdminListUserAuthEvents, AdminUpdateAuthEventFeedback, UpdateAuthEventFeedback: a user's
auth events (accounts/auth_events.py records them), and the feedback on one.

Cognito keeps the history only where threat protection is on, which needs the Plus plan
(domain/tier_rules.py), and answers UserPoolAddOnNotEnabledException elsewhere. Its list is
newest first, up to 60 a page (MaxResults 0 or none: 60), and its NextToken names the last
event listed and when it happened ("<EventId>#<ISO 8601 time>", the AWS CLI's example).

A FeedbackToken is, on Cognito, in the notification email of a risky event; it lets whoever
holds it, without IAM credentials, say whether that one event of that one user was theirs.
Here it is that binding (pool, user's sub, event id) sealed with the server key; no risk
engine sends notifications, so `userpool events export --feedback-tokens` hands them out.
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from userpool.accounts import auth_events
from userpool.accounts.lookup import require_user
from userpool.accounts.resources import require_pool
from userpool.auth import SessionSealer
from userpool.crypto.sealing import SealError
from userpool.domain.auth_events import (
    US,
    AuthEvent,
    EventResponse,
    EventType,
    Feedback,
    FeedbackProvider,
    FeedbackValue,
    any_protection,
)
from userpool.domain.errors import (
    InvalidParameterException,
    NotAuthorizedException,
    ResourceNotFoundException,
    UserPoolAddOnNotEnabledException,
)
from userpool.domain.models import AppClient, User, UserPool
from userpool.services.context import Context, Request, Response
from userpool.services.registry import operation
from userpool.storage.repositories import Transaction

PAGE = 60
FEEDBACK_CONTEXT = b"userpool-auth-event-feedback"
NO_SUCH_EVENT = "Auth event does not exist."
BAD_FEEDBACK_TOKEN = "Invalid feedback token."
BAD_NEXT_TOKEN = "Invalid pagination token."
_TIME = "%Y-%m-%dT%H:%M:%S.%fZ"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def record(
    ctx: Context,
    tx: Transaction,
    request: Request,
    pool: UserPool,
    user: User,
    kind: EventType,
    *,
    passed: bool,
    client: AppClient | None = None,
) -> None:
    """A one-step auth event of `user`'s in `tx`, where threat protection covers `pool`."""
    response = EventResponse.PASS if passed else EventResponse.FAIL
    origin = ctx.origin(request)
    auth_events.record(
        tx, pool, user, kind, response, now=ctx.clock(), origin=origin, client=client
    )


def as_wire(event: AuthEvent) -> dict[str, Any]:
    """AuthEventType. No risk is assessed here: every event reads as one Cognito finds no
    risk in."""
    wire: dict[str, Any] = {
        "EventId": event.event_id,
        "EventType": event.type.value,
        "CreationDate": event.created / US,
        "EventResponse": event.response.value,
        "EventRisk": {"RiskDecision": "NoRisk", "CompromisedCredentialsDetected": False},
        "ChallengeResponses": [
            {"ChallengeName": factor.value, "ChallengeResponse": "Success" if passed else "Failure"}
            for factor, passed in event.challenges
        ],
        "EventContextData": dict(event.context),
    }
    if event.feedback is not None:
        wire["EventFeedback"] = {
            "FeedbackValue": event.feedback.value.value,
            "Provider": event.feedback.provider.value,
            "FeedbackDate": event.feedback.date / US,
        }
    return wire


def feedback_token(sessions: SessionSealer, event: AuthEvent) -> str:
    binding = orjson.dumps([event.pool_id, event.sub, event.event_id])
    sealed = sessions.seal_bytes(binding, FEEDBACK_CONTEXT)
    return base64.urlsafe_b64encode(sealed).decode().rstrip("=")


def _binding(sessions: SessionSealer, token: str) -> tuple[str, str, str]:
    """(pool id, sub, event id) of a token made by `feedback_token`."""
    try:
        sealed = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        pool_id, sub, event_id = orjson.loads(sessions.open_bytes(sealed, FEEDBACK_CONTEXT))
    except (binascii.Error, ValueError, TypeError, SealError) as error:
        raise NotAuthorizedException(BAD_FEEDBACK_TOKEN) from error
    return pool_id, sub, event_id


def _next_token(event: AuthEvent) -> str:
    when = datetime.fromtimestamp(event.created // US, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{event.event_id}#{when}.{event.created % US:06d}Z"


def _position(token: str | None) -> tuple[int, str] | None:
    if token is None:
        return None
    event_id, _, when = token.rpartition("#")
    try:
        moment = datetime.strptime(when, _TIME).replace(tzinfo=UTC)
    except ValueError as error:
        raise InvalidParameterException(BAD_NEXT_TOKEN) from error
    if not event_id:
        raise InvalidParameterException(BAD_NEXT_TOKEN)
    return (moment - _EPOCH) // timedelta(microseconds=1), event_id


def _protected_pool(tx: Transaction, pool_id: str) -> UserPool:
    pool = require_pool(tx, pool_id)
    if not any_protection(pool.settings):
        raise UserPoolAddOnNotEnabledException()
    return pool


@operation("AdminListUserAuthEvents")
def admin_list_user_auth_events(ctx: Context, request: Request) -> Response:
    limit = request.get("MaxResults") or PAGE
    before = _position(request.get("NextToken"))
    with ctx.store.read() as tx:
        pool = _protected_pool(tx, request["UserPoolId"])
        user = require_user(tx, pool, request["Username"])
        events = tx.auth_events.of_user(pool.id, user.sub, limit + 1, before)
    response: Response = {"AuthEvents": [as_wire(event) for event in events[:limit]]}
    if len(events) > limit:
        response["NextToken"] = _next_token(events[limit - 1])
    return response


def _set_feedback(
    ctx: Context, tx: Transaction, user: User, request: Request, by: FeedbackProvider
) -> None:
    feedback = Feedback(FeedbackValue(request["FeedbackValue"]), by, int(ctx.clock() * US))
    if not tx.auth_events.set_feedback(user.pool_id, user.sub, request["EventId"], feedback):
        raise ResourceNotFoundException(NO_SUCH_EVENT)


@operation("AdminUpdateAuthEventFeedback")
def admin_update_auth_event_feedback(ctx: Context, request: Request) -> Response:
    with ctx.store.write() as tx:
        pool = _protected_pool(tx, request["UserPoolId"])
        user = require_user(tx, pool, request["Username"])
        _set_feedback(ctx, tx, user, request, FeedbackProvider.ADMIN)
    return {}


@operation("UpdateAuthEventFeedback")
def update_auth_event_feedback(ctx: Context, request: Request) -> Response:
    """The token is judged before the user is looked up: without one, the operation tells
    nobody which users exist."""
    with ctx.store.write() as tx:
        pool = _protected_pool(tx, request["UserPoolId"])
        pool_id, sub, event_id = _binding(ctx.runtime.sessions, request["FeedbackToken"])
        if pool_id != pool.id or event_id != request["EventId"]:
            raise NotAuthorizedException(BAD_FEEDBACK_TOKEN)
        user = require_user(tx, pool, request["Username"])
        if sub != user.sub:
            raise NotAuthorizedException(BAD_FEEDBACK_TOKEN)
        _set_feedback(ctx, tx, user, request, FeedbackProvider.USER)
    return {}
