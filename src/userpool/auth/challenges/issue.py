"""Sending a challenge the engine (or a challenge that leads to another) decided on: a fresh
session bound to the pool, client, user and challenge, which also records the challenges
answered so far in this sign-in, and the challenge's parameters."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from userpool.auth import lockout
from userpool.auth.challenges.spec import ChallengeSpec
from userpool.auth.outcomes import Attempt, Challenge
from userpool.auth.sessions import SessionState
from userpool.delivery import deliver_or_fail
from userpool.domain.client_rules import auth_session_seconds
from userpool.domain.models import User

ANSWERED = "answered"


def issue(
    attempt: Attempt,
    user: User,
    spec: ChallengeSpec,
    answered: Sequence[str],
    data: Mapping[str, Any] | None = None,
    *,
    admit: bool = False,
) -> Challenge:
    """`admit`: the password proof that led here is admitted past the lockout in the same
    write transaction that stores the challenge's state (one write for both)."""
    state = SessionState(
        pool_id=attempt.pool.id,
        client_id=attempt.client.id,
        username=user.username,
        challenge=spec.name,
        expires=attempt.now + auth_session_seconds(attempt.client.settings),
        data={ANSWERED: list(answered), **(data or {})},
    )
    assert spec.parameters is not None, f"{spec.name} cannot follow a passed factor"
    store = attempt.env.store
    with store.write() if admit or spec.stores else store.read() as tx:
        if admit:
            lockout.admit(tx, user.sub, attempt.now)
        shown = spec.parameters(attempt, tx, user, state)
    if shown.message is not None:
        deliver_or_fail(attempt.env.delivery, shown.message)
    return Challenge(spec.name, shown.parameters, attempt.env.sessions.seal(state))


def answered_with(state: SessionState) -> list[str]:
    """The challenges answered in this sign-in, the one `state` was issued for included."""
    return [*state.data.get(ANSWERED, []), state.challenge]
