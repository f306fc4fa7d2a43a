"""The one-time code record of a second-factor challenge: one per session (purpose
`mfa:<session id>`), valid as long as the session.

For SMS_MFA and EMAIL_OTP it holds the code that was sent; for SOFTWARE_TOKEN_MFA, whose codes
come from the user's authenticator, its own code is never sent and it only counts wrong
answers. A wrong answer is counted and refused with CodeMismatchException, and the same
session may answer again; after MAX_WRONG_ANSWERS of them the session is over.
"""

from __future__ import annotations

from collections.abc import Callable

from userpool.accounts import codes
from userpool.auth.challenges.spec import user_of
from userpool.auth.outcomes import Attempt, Record
from userpool.auth.sessions import INVALID, SignInState, consume
from userpool.domain.auth_events import Factor
from userpool.domain.errors import (
    CodeMismatchException,
    CognitoError,
    ExpiredCodeException,
    NotAuthorizedException,
)
from userpool.domain.flows import FactorRole
from userpool.domain.messages import StoredCode
from userpool.domain.models import User
from userpool.storage.repositories import Transaction

MAX_WRONG_ANSWERS = codes.MAX_FAILURES

# Judges an answer against the stored record and the user as read in the answering write
# transaction: on a right answer it saves what the answer changes and returns True.
Judge = Callable[[Transaction, StoredCode, User], bool]


def purpose(state: SignInState) -> str:
    return f"mfa:{state.sid}"


def mfa_factor(state: SignInState) -> Factor | None:
    """What the answer to this code proves in the sign-in's auth event: MFA where the code
    is a second factor (as a first factor of USER_AUTH, nothing the event lists)."""
    return Factor.MFA if state.role is FactorRole.SECOND else None


def new_code(attempt: Attempt, tx: Transaction, user: User, state: SignInState) -> str:
    """A fresh code for the session `state` will seal, stored in `tx` as a keyed hash: eight
    digits where it is a first factor (USER_AUTH's EMAIL_OTP and SMS_OTP, as observed on
    Cognito), six for MFA."""
    return codes.issue(
        tx,
        attempt.runtime.codes_key,
        user,
        purpose(state),
        attempt.now,
        state.expires - attempt.now,
        digits=8 if state.role is FactorRole.FIRST else 6,
    )


def answer_record(attempt: Attempt, state: SignInState, judge: Judge) -> Record:
    """The step's writes for one answer, in the step's write transaction, which holds the
    user and the code record (two answers at once are judged one after the other, the second
    against what the first left): a right one is saved by `judge` and uses the session and
    its code up; a wrong one is counted, and its error answered once the count is committed.
    An answer through a session already used is refused as such; through one whose code is
    gone, the session is used up too: no answer can pass it any more."""
    key = purpose(state)

    def record(tx: Transaction) -> User | CognitoError:
        user = user_of(tx, attempt, state)
        stored = tx.codes.get(user.sub, key)
        if stored is None:  # used up with its session, unless it is gone some other way
            consume(tx, state)
            return ExpiredCodeException()
        if attempt.now >= stored.expires:
            return ExpiredCodeException()
        if stored.attempts >= MAX_WRONG_ANSWERS:
            return NotAuthorizedException(INVALID)
        if not judge(tx, stored, user):
            tx.codes.count_failure(user.sub, key)
            return CodeMismatchException()
        consume(tx, state)
        tx.codes.delete(user.sub, key)
        return user

    return record
