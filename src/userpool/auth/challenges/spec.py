"""The shape every challenge module fills in: what to send, and how to take the answer."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from userpool.auth.outcomes import Attempt, Outcome, Proceed
from userpool.auth.runtime import Runtime
from userpool.auth.sessions import INVALID, SignInState
from userpool.domain.errors import NotAuthorizedException
from userpool.domain.flows import ChallengeName
from userpool.domain.messages import Message
from userpool.domain.models import User, UserPool
from userpool.storage.repositories import Transaction


@dataclass(frozen=True)
class Shown:
    """What a challenge shows the client, and a message (a code) to deliver once the
    transaction that stored the challenge's state has committed."""

    parameters: dict[str, str]
    message: Message | None = None


Parameters = Callable[[Attempt, Transaction, User, SignInState], Shown]
# What an answer needs read besides its session's user, in the step's read (Attempt.loaded).
Load = Callable[[Runtime, Transaction, UserPool, SignInState, Mapping[str, str]], Any]
# The answer to a challenge, given its session's state and its user as the step's read found
# them (None when gone, or for a stand-in's PASSWORD_VERIFIER).
Answer = Callable[[Attempt, SignInState, User | None, Mapping[str, str]], "Outcome | Proceed"]


@dataclass(frozen=True)
class ChallengeSpec:
    """`parameters` builds what the engine sends when it decides on this challenge, given the
    session it will be sealed into and the transaction it is issued in, a write one when
    `stores` (None for challenges only a flow starts); `carried_in` names the response field
    that carries the sealed state when a client answers without the Session. Adding a
    challenge is one module that makes one of these, and one entry in engine.CHALLENGES."""

    name: ChallengeName
    parameters: Parameters | None
    answer: Answer
    carried_in: str | None = None
    stores: bool = False
    load: Load | None = None


def user_of(tx: Transaction, attempt: Attempt, state: SignInState) -> User:
    """The user the session was issued to, as stored now (held until commit, in a write)."""
    user = tx.users.get(attempt.pool.id, attempt.pool.username_key(state.username))
    if user is None:
        raise NotAuthorizedException(INVALID)
    return user


def present(user: User | None) -> User:
    """The session's user as the step's read found them; gone since: the session is over."""
    if user is None:
        raise NotAuthorizedException(INVALID)
    return user
