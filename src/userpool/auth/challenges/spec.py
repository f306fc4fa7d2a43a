"""The shape every challenge module fills in: what to send, and how to take the answer."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from userpool.auth.outcomes import Attempt, Outcome, Proceed
from userpool.auth.sessions import INVALID, SessionState
from userpool.domain.errors import NotAuthorizedException
from userpool.domain.models import User

Parameters = Callable[[Attempt, User, SessionState], dict[str, str]]
Answer = Callable[[Attempt, SessionState, Mapping[str, str]], "Outcome | Proceed"]


@dataclass(frozen=True)
class ChallengeSpec:
    """`parameters` builds what the engine sends when it decides on this challenge, given the
    session it will be sealed into (None for challenges only a flow starts); `carried_in`
    names the response field that carries the sealed state when a client answers without
    the Session."""

    name: str
    parameters: Parameters | None
    answer: Answer
    carried_in: str | None = None


def session_user(attempt: Attempt, state: SessionState) -> User:
    """The user the session was issued to, as stored now."""
    with attempt.env.store.read() as tx:
        user = tx.users.get(attempt.pool.id, attempt.pool.username_key(state.username))
    if user is None:
        raise NotAuthorizedException(INVALID)
    return user
