"""MFA_SETUP: the pool requires MFA and the user has no second factor yet. MFAS_CAN_SETUP
lists the factors the pool offers. Two ways through:
- an authenticator: AssociateSoftwareToken and VerifySoftwareToken with the session (see
  setup_sessions and services/software_token), then this challenge answered with the session
  VerifySoftwareToken returned; the authenticator is then turned on (and preferred if nothing
  else is);
- an email address, as EMAIL (Amplify's email setup): a code goes to it in an EMAIL_OTP
  challenge of the same sign-in, whose right answer stores the address and turns email MFA on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import orjson

from userpool.accounts import mfa as factors
from userpool.accounts.attributes import has_valid_format
from userpool.accounts.mfa import EMAIL_NOT_OFFERED, NOT_VERIFIED, SOFTWARE_TOKEN_MFA
from userpool.accounts.saving import refuse_taken_names, save_user
from userpool.auth.challenges.message_code import SETTING_UP
from userpool.auth.challenges.spec import ChallengeSpec, Shown, present, user_of
from userpool.auth.next_step import MFA_SETUP
from userpool.auth.outcomes import Attempt, Next, Proceed
from userpool.auth.sessions import SignInState, consume
from userpool.domain.errors import InvalidParameterException
from userpool.domain.flows import ChallengeName, FactorRole
from userpool.domain.models import User
from userpool.storage.repositories import Transaction

VERIFIED = "software_token_verified"  # in the session VerifySoftwareToken returns
BAD_EMAIL = "Invalid email address format."


def parameters(attempt: Attempt, _tx: Transaction, _user: User, _state: SignInState) -> Shown:
    return Shown({"MFAS_CAN_SETUP": orjson.dumps(factors.pool_factors(attempt.pool)).decode()})


def answer(
    attempt: Attempt, state: SignInState, user: User | None, responses: Mapping[str, str]
) -> Proceed:
    address = responses.get("EMAIL")
    if address:
        return _set_up_email(attempt, state, present(user), address)
    if not state.data.get(VERIFIED) or factors.read(present(user)).token is None:
        raise InvalidParameterException(NOT_VERIFIED)

    def record(tx: Transaction) -> User:
        consume(tx, state)
        current = _with_authenticator_on(attempt, user_of(tx, attempt, state))
        save_user(tx, attempt.pool, current)
        return current

    return Proceed(_with_authenticator_on(attempt, present(user)), state.answered(), record)


def _with_authenticator_on(attempt: Attempt, user: User) -> User:
    user = replace(user)
    mine = factors.read(user)
    mine.enable(SOFTWARE_TOKEN_MFA)
    mine.preferred = mine.preferred or SOFTWARE_TOKEN_MFA
    factors.write(user, mine)
    user.modified = attempt.now
    return user


def _set_up_email(attempt: Attempt, state: SignInState, user: User, address: str) -> Proceed:
    if ChallengeName.EMAIL_OTP not in factors.pool_factors(attempt.pool):
        raise InvalidParameterException(EMAIL_NOT_OFFERED)
    if not has_valid_format("email", address):
        raise InvalidParameterException(BAD_EMAIL)

    def record(tx: Transaction) -> User:
        current = user_of(tx, attempt, state)
        verified = {**current.attributes, "email": address, "email_verified": "true"}
        refuse_taken_names(tx, attempt.pool, replace(current, attributes=verified))
        consume(tx, state)
        return current

    then = Next(ChallengeName.EMAIL_OTP, FactorRole.SECOND, {SETTING_UP: address})
    return Proceed(user, state.answered(), record, then=then)


SET_UP_MFA = ChallengeSpec(MFA_SETUP, parameters, answer)
