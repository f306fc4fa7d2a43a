"""SELECT_MFA_TYPE: the user can be asked for several second factors and prefers none.
MFAS_CAN_CHOOSE lists them; the user answers with one (ANSWER) and gets that challenge in
the same sign-in."""

from __future__ import annotations

from collections.abc import Mapping

import orjson

from userpool.auth.challenges.spec import ChallengeSpec, Shown, present
from userpool.auth.next_step import SELECT_MFA_TYPE, usable_factors
from userpool.auth.outcomes import Attempt, Next, Proceed
from userpool.auth.params import required
from userpool.auth.sessions import SignInState, consume
from userpool.domain.errors import InvalidParameterException
from userpool.domain.flows import ChallengeName, FactorRole
from userpool.domain.models import User
from userpool.storage.repositories import Transaction

ALIASES = {"EMAIL_MFA": ChallengeName.EMAIL_OTP}  # the API reference's name for the email choice
NOT_OFFERED = "Invalid ANSWER: not one of MFAS_CAN_CHOOSE."


def parameters(attempt: Attempt, _tx: Transaction, user: User, _state: SignInState) -> Shown:
    return Shown({"MFAS_CAN_CHOOSE": orjson.dumps(usable_factors(attempt.pool, user)).decode()})


def answer(
    attempt: Attempt, state: SignInState, user: User | None, responses: Mapping[str, str]
) -> Proceed:
    choice = required(responses, "ANSWER")
    user = present(user)
    chosen = ALIASES.get(choice) or next(
        (factor for factor in usable_factors(attempt.pool, user) if factor == choice), None
    )
    if chosen is None or chosen not in usable_factors(attempt.pool, user):
        raise InvalidParameterException(NOT_OFFERED)

    def record(tx: Transaction) -> User:
        consume(tx, state)
        return user

    return Proceed(user, state.answered(), record, then=Next(chosen, FactorRole.SECOND))


SELECT_MFA = ChallengeSpec(SELECT_MFA_TYPE, parameters, answer)
