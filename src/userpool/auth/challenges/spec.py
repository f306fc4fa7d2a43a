"""The shape every challenge module fills in: what to send, and how to take the answer."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from userpool.auth.outcomes import Attempt, Outcome, Proceed
from userpool.auth.sessions import INVALID, SessionState
from userpool.domain.errors import NotAuthorizedException
from userpool.domain.messages import Message
from userpool.domain.models import User
from userpool.storage.repositories import Transaction


@dataclass(frozen=True)
class Shown:
    """What a challenge shows the client, and a message (a code) to deliver once the
    transaction that stored the challenge's state has committed."""

    parameters: dict[str, str]
    message: Message | None = None


Parameters = Callable[[Attempt, Transaction, User, SessionState], Shown]
Answer = Callable[[Attempt, SessionState, Mapping[str, str]], "Outcome | Proceed"]


@dataclass(frozen=True)
class ChallengeSpec:
    """`parameters` builds what the engine sends when it decides on this challenge, given the
    session it will be sealed into and the transaction it is issued in, a write one when
    `stores` (None for challenges only a flow starts); `carried_in` names the response field
    that carries the sealed state when a client answers without the Session."""

    name: str
    parameters: Parameters | None
    answer: Answer
    carried_in: str | None = None
    stores: bool = False


def user_of(tx: Transaction, attempt: Attempt, state: SessionState) -> User:
    """The user the session was issued to, as stored now (held until commit, in a write)."""
    user = tx.users.get(attempt.pool.id, attempt.pool.username_key(state.username))
    if user is None:
        raise NotAuthorizedException(INVALID)
    return user


def session_user(attempt: Attempt, state: SessionState) -> User:
    """`user_of`, for a challenge that only reads the user."""
    with attempt.env.store.read() as tx:
        return user_of(tx, attempt, state)
