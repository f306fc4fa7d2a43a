"""Recording a user's auth events (domain/auth_events.py), each in the write transaction of
the step it describes, where threat protection covers the pool.

A sign-in is one event from its first write on: created by the first step that writes
(the proof of a password, a code sent), then brought up to date by each later step of the
same sign-in, which carries the event's id in its session: the factors answered, and how it
stands (InProgress while a challenge is out, Pass with tokens, Fail when a proof is refused).
The other events (a sign-up, a password reset or change, a code sent again) are one step.
"""

from __future__ import annotations

import uuid

from userpool.domain.auth_events import (
    US,
    AuthEvent,
    EventResponse,
    EventType,
    Factor,
    Origin,
    context_data,
    protected,
)
from userpool.domain.models import AppClient, User, UserPool
from userpool.storage.repositories import Transaction

Answered = tuple[Factor, bool]  # a factor the step judged, and whether the answer was right


def new_event_id() -> str:
    return str(uuid.uuid4())


def _context(origin: Origin | None, client: AppClient | None, admin: bool) -> dict[str, str]:
    propagates = client is not None and bool(
        client.settings.get("EnablePropagateAdditionalUserContextData")
    )
    return context_data(origin, trusts_named_ip=admin or propagates)


def _event(
    event_id: str,
    user: User,
    kind: EventType,
    response: EventResponse,
    now: float,
    context: dict[str, str],
    answered: Answered | None = None,
) -> AuthEvent:
    return AuthEvent(
        event_id,
        user.pool_id,
        user.sub,
        user.username,
        kind,
        int(now * US),
        response,
        (answered,) if answered else (),
        context,
    )


def record(
    tx: Transaction,
    pool: UserPool,
    user: User,
    kind: EventType,
    response: EventResponse,
    *,
    now: float,
    origin: Origin | None,
    client: AppClient | None = None,
) -> None:
    """A one-step event of `user`'s (an operation of the user's own, not an admin's), where
    threat protection covers `pool`."""
    if protected(pool.settings):
        context = _context(origin, client, admin=False)
        tx.auth_events.record(_event(new_event_id(), user, kind, response, now, context))


def refusal(
    tx: Transaction,
    event_id: str,
    pool: UserPool,
    user: User | None,
    name: str,
    *,
    now: float,
    origin: Origin | None,
    client: AppClient,
    admin: bool,
) -> None:
    """A sign-in of `user`'s refused before any answer was judged (the caller judged that
    threat protection covers it): a failed SignIn event, listing no challenge (the event made
    by an earlier step of the sign-in, if any, failed). For a name that means nobody (`user`
    None), the same statements, leaving nothing: the refusal takes as long either way."""
    sub, username = (user.sub, user.username) if user is not None else (new_event_id(), name)
    event = AuthEvent(
        event_id,
        pool.id,
        sub,
        username,
        EventType.SIGN_IN,
        int(now * US),
        EventResponse.FAIL,
        context=_context(origin, client, admin),
    )
    tx.auth_events.record_alike(event, keep=user is not None)


def sign_in_step(
    tx: Transaction,
    event_id: str,
    user: User,
    response: EventResponse,
    answered: Answered | None,
    *,
    now: float,
    origin: Origin | None,
    client: AppClient,
    admin: bool,
) -> None:
    """One step of the sign-in whose event is `event_id` (the caller judged that threat
    protection covers it): the event made by its first step, or brought up to date by a
    later one (its challenges added to, its response replaced; its time and context kept)."""
    context = _context(origin, client, admin)
    tx.auth_events.record(
        _event(event_id, user, EventType.SIGN_IN, response, now, context, answered)
    )
