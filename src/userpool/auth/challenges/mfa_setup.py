"""MFA_SETUP: the pool requires MFA and the user has no second factor yet. MFAS_CAN_SETUP
lists the factors the pool offers. Two ways through:
- an authenticator: AssociateSoftwareToken and VerifySoftwareToken with the session (see
  services/software_token), then this challenge answered with the session VerifySoftwareToken
  returned; the authenticator is then turned on (and preferred if nothing else is);
- an email address, as EMAIL (Amplify's email setup): a code goes to it in an EMAIL_OTP
  challenge of the same sign-in, whose right answer stores the address and turns email MFA on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import orjson

from userpool.accounts.attributes import has_valid_format
from userpool.accounts.saving import refuse_taken_names, save_user
from userpool.auth.challenges import factors
from userpool.auth.challenges.email_otp import EMAIL_OTP
from userpool.auth.challenges.factors import SOFTWARE_TOKEN_MFA
from userpool.auth.challenges.issue import answered_with, issue
from userpool.auth.challenges.message_code import SETTING_UP
from userpool.auth.challenges.spec import ChallengeSpec, Shown, user_of
from userpool.auth.next_step import MFA_SETUP
from userpool.auth.outcomes import Attempt, Challenge, Proceed
from userpool.auth.sessions import SessionState, consume
from userpool.domain.errors import InvalidParameterException
from userpool.domain.models import User
from userpool.storage.repositories import Transaction

VERIFIED = "software_token_verified"  # in the session VerifySoftwareToken returns
NOT_VERIFIED = "User has not verified software token mfa"
EMAIL_NOT_OFFERED = "Email MFA is not enabled for this user pool."
BAD_EMAIL = "Invalid email address format."


def parameters(attempt: Attempt, _tx: Transaction, _user: User, _state: SessionState) -> Shown:
    return Shown({"MFAS_CAN_SETUP": orjson.dumps(factors.pool_factors(attempt.pool)).decode()})


def answer(
    attempt: Attempt, state: SessionState, responses: Mapping[str, str]
) -> Challenge | Proceed:
    address = responses.get("EMAIL")
    if address:
        return _set_up_email(attempt, state, address)
    with attempt.env.store.write() as tx:
        user = user_of(tx, attempt, state)
        mine = factors.read(user)
        if not state.data.get(VERIFIED) or mine.token is None:
            raise InvalidParameterException(NOT_VERIFIED)
        mine.enable(SOFTWARE_TOKEN_MFA)
        mine.preferred = mine.preferred or SOFTWARE_TOKEN_MFA
        factors.write(user, mine)
        user.modified = attempt.now
        consume(tx, state)
        save_user(tx, attempt.pool, user)
    return Proceed(user)


def _set_up_email(attempt: Attempt, state: SessionState, address: str) -> Challenge:
    if EMAIL_OTP.name not in factors.pool_factors(attempt.pool):
        raise InvalidParameterException(EMAIL_NOT_OFFERED)
    if not has_valid_format("email", address):
        raise InvalidParameterException(BAD_EMAIL)
    with attempt.env.store.write() as tx:
        user = user_of(tx, attempt, state)
        verified = {**user.attributes, "email": address, "email_verified": "true"}
        refuse_taken_names(tx, attempt.pool, replace(user, attributes=verified))
        consume(tx, state)
    return issue(attempt, user, EMAIL_OTP, answered_with(state), {SETTING_UP: address})


SET_UP_MFA = ChallengeSpec(MFA_SETUP, parameters, answer)
