"""SELECT_CHALLENGE: the user chooses a first factor of choice-based sign-in (USER_AUTH) as
ANSWER, with that factor's parameters in the same answer (PASSWORD; SRP_A for PASSWORD_SRP);
the chosen factor starts as it would from PREFERRED_CHALLENGE (auth/choice.py). The session
is used up by the factor's own step: the password's proof, or the next challenge's write."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from userpool.auth import choice, first_factor
from userpool.auth.challenges.spec import ChallengeSpec, Shown
from userpool.auth.outcomes import Attempt, Outcome, Proceed
from userpool.auth.params import required
from userpool.auth.runtime import Runtime
from userpool.auth.sessions import SignInState, consume
from userpool.domain.errors import InvalidParameterException
from userpool.domain.models import User, UserPool
from userpool.storage.repositories import Transaction

NAME = choice.SELECT_CHALLENGE


def parameters(_attempt: Attempt, _tx: Transaction, _user: User, _state: SignInState) -> Shown:
    return Shown({})  # the choices travel as AvailableChallenges


def load(
    runtime: Runtime, tx: Transaction, pool: UserPool, state: SignInState, _: Mapping[str, str]
) -> choice.Chooser:
    """The step's read: the user's candidate (their lockout record) and passkeys."""
    candidate = first_factor.load_candidate(runtime, tx, pool, state.username)
    return choice.Chooser(candidate, choice.has_passkey(tx, pool, candidate.user))


def answer(
    attempt: Attempt, state: SignInState, _user: User | None, responses: Mapping[str, str]
) -> Outcome | Proceed:
    chosen = required(responses, "ANSWER")
    if chosen not in state.data.get("available", []):
        raise InvalidParameterException(f"{chosen} is not an available challenge.")
    chooser: Any = attempt.loaded
    assert isinstance(chooser, choice.Chooser)
    result = choice.start(attempt, chooser, chosen, responses, state.answered(), state.username)
    if isinstance(result, Proceed):
        return _using_up(state, result)
    # A challenge stored nowhere (PASSWORD_SRP's PASSWORD_VERIFIER, a stand-in's code): the
    # session is used up on its own.
    with attempt.runtime.store.write() as tx:
        consume(tx, state)
    return result


def _using_up(state: SignInState, result: Proceed) -> Proceed:
    """`result` with this session used up in its write, before its own writes."""
    own = result.record

    def record(tx: Transaction) -> Any:
        consume(tx, state)
        return own(tx) if own is not None else result.user

    return Proceed(result.user, result.progress, record, result.then, result.data)


SELECT_CHALLENGE = ChallengeSpec(NAME, parameters, answer, load=load)
