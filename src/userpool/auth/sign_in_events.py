"""The auth event of a sign-in (accounts/auth_events.py), kept by the engine in the write
each step makes anyway, so a recorded sign-in costs no transaction more than another.

A sign-in gets its event id once it reaches a step that writes (`with_event`), where threat
protection covers its flow and it is for a user (not a stand-in for a name that means
nobody); the id travels in its Session to the later steps, and is the `event_id` claim of the
tokens it ends with, and of those refreshed from them, as Cognito's tokens carry the id of
the sign-in event that issued them. A step that writes nothing (SRP's first) records nothing.

A refusal before any answer is judged (a lockout, a disabled user, a reset pending, the
PreAuthentication function's denial) writes nothing of its own; where threat protection
covers the sign-in it fails the sign-in's event in one write (`refused`), and does the same
write, leaving nothing, for a name that means nobody; where it does not, nothing is written.
"""

from __future__ import annotations

from dataclasses import replace

from userpool.accounts import auth_events
from userpool.auth.outcomes import Attempt, Proceed
from userpool.auth.sessions import Progress
from userpool.domain.auth_events import EventResponse, Factor, protected
from userpool.domain.flows import AuthFlow
from userpool.domain.models import User
from userpool.storage.repositories import Transaction


def _covered(attempt: Attempt, progress: Progress) -> bool:
    custom = progress.flow is AuthFlow.CUSTOM_AUTH
    return not progress.stand_in and protected(attempt.pool.settings, custom_auth=custom)


def _with_id(attempt: Attempt, progress: Progress) -> Progress:
    if progress.event_id is not None or not _covered(attempt, progress):
        return progress
    return replace(progress, event_id=auth_events.new_event_id())


def with_event(attempt: Attempt, result: Proceed) -> Proceed:
    """`result`, its sign-in given an event id if it is to have one and has none yet."""
    progress = _with_id(attempt, result.progress)
    return result if progress is result.progress else replace(result, progress=progress)


def step(
    tx: Transaction,
    attempt: Attempt,
    user: User,
    result: Proceed,
    response: EventResponse,
    *,
    passed: bool = True,
) -> None:
    """Record the step `result` stands for in `tx`, if its sign-in has an event: the factor
    it judged (`passed`: whether the answer was right), and how the sign-in stands."""
    answered = (result.proves, passed) if result.proves else None
    _record(tx, attempt, user, result.progress, response, answered)


def refused_by_function(tx: Transaction, attempt: Attempt, user: User, progress: Progress) -> None:
    """The sign-in fails after its last step: a Lambda function refused its tokens."""
    _record(tx, attempt, user, progress, EventResponse.FAIL, None)


def _record(
    tx: Transaction,
    attempt: Attempt,
    user: User,
    progress: Progress,
    response: EventResponse,
    answered: tuple[Factor, bool] | None,
) -> None:
    if progress.event_id is None:
        return
    auth_events.sign_in_step(
        tx,
        progress.event_id,
        user,
        response,
        answered,
        now=attempt.now,
        origin=attempt.origin,
        client=attempt.client,
        admin=attempt.admin,
    )


def wrong_password(tx: Transaction, attempt: Attempt, user: User, progress: Progress) -> None:
    """A refused password (or SRP proof) of `user`'s: the sign-in fails here, in the write
    that counts the failure."""
    failed = _with_id(attempt, progress)
    _record(tx, attempt, user, failed, EventResponse.FAIL, (Factor.PASSWORD, False))


def refused(attempt: Attempt, user: User | None, name: str, progress: Progress) -> None:
    """The sign-in `progress` stands for, of `user` (None: `name` means nobody), refused
    before any answer was judged: its event failed, in a write of its own, where threat
    protection covers it (accounts/auth_events.refusal)."""
    custom = progress.flow is AuthFlow.CUSTOM_AUTH
    if not protected(attempt.pool.settings, custom_auth=custom):
        return
    event_id = progress.event_id or auth_events.new_event_id()
    with attempt.runtime.store.write() as tx:
        auth_events.refusal(
            tx,
            event_id,
            attempt.pool,
            user,
            name,
            now=attempt.now,
            origin=attempt.origin,
            client=attempt.client,
            admin=attempt.admin,
        )
