"""SELECT_MFA_TYPE: the user can be asked for several second factors and prefers none.
MFAS_CAN_CHOOSE lists them; the user answers with one (ANSWER) and gets that challenge in
the same sign-in."""

from __future__ import annotations

from collections.abc import Mapping

import orjson

from userpool.auth.challenges.email_otp import EMAIL_OTP
from userpool.auth.challenges.issue import answered_with, issue
from userpool.auth.challenges.sms_mfa import SMS_MFA
from userpool.auth.challenges.software_token_mfa import SOFTWARE_TOKEN
from userpool.auth.challenges.spec import ChallengeSpec, Shown, session_user
from userpool.auth.next_step import SELECT_MFA_TYPE, usable_factors
from userpool.auth.outcomes import Attempt, Challenge
from userpool.auth.params import required
from userpool.auth.sessions import SessionState, consume
from userpool.domain.errors import InvalidParameterException
from userpool.domain.models import User
from userpool.storage.repositories import Transaction

CHOICES = {spec.name: spec for spec in (SMS_MFA, SOFTWARE_TOKEN, EMAIL_OTP)}
ALIASES = {"EMAIL_MFA": EMAIL_OTP.name}  # the API reference's name for the email choice
NOT_OFFERED = "Invalid ANSWER: not one of MFAS_CAN_CHOOSE."


def parameters(attempt: Attempt, _tx: Transaction, user: User, _state: SessionState) -> Shown:
    return Shown({"MFAS_CAN_CHOOSE": orjson.dumps(usable_factors(attempt.pool, user)).decode()})


def answer(attempt: Attempt, state: SessionState, responses: Mapping[str, str]) -> Challenge:
    choice = required(responses, "ANSWER")
    choice = ALIASES.get(choice, choice)
    user = session_user(attempt, state)
    if choice not in usable_factors(attempt.pool, user):
        raise InvalidParameterException(NOT_OFFERED)
    with attempt.env.store.write() as tx:
        consume(tx, state)
    return issue(attempt, user, CHOICES[choice], answered_with(state))


SELECT_MFA = ChallengeSpec(SELECT_MFA_TYPE, parameters, answer)
