"""Sending a challenge the engine (or a challenge that leads to another) decided on: a fresh
session bound to the pool, client, user and challenge, which also records the challenges
answered so far in this sign-in, and the challenge's parameters."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from userpool.auth.challenges.spec import ChallengeSpec
from userpool.auth.outcomes import Attempt, Challenge
from userpool.auth.sessions import SessionState
from userpool.domain.client_rules import auth_session_seconds
from userpool.domain.models import User

ANSWERED = "answered"


def issue(
    attempt: Attempt,
    user: User,
    spec: ChallengeSpec,
    answered: Sequence[str],
    data: Mapping[str, Any] | None = None,
) -> Challenge:
    state = SessionState(
        pool_id=attempt.pool.id,
        client_id=attempt.client.id,
        username=user.username,
        challenge=spec.name,
        expires=attempt.now + auth_session_seconds(attempt.client.settings),
        data={ANSWERED: list(answered), **(data or {})},
    )
    assert spec.parameters is not None, f"{spec.name} cannot follow a passed factor"
    parameters = spec.parameters(attempt, user, state)
    return Challenge(spec.name, parameters, attempt.env.sessions.seal(state))


def answered_with(state: SessionState) -> list[str]:
    """The challenges answered in this sign-in, the one `state` was issued for included."""
    return [*state.data.get(ANSWERED, []), state.challenge]
