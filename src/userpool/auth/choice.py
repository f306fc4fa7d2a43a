"""Choice-based sign-in (USER_AUTH): which first factors a user may choose, and starting the
one chosen (named in PREFERRED_CHALLENGE, or the ANSWER to SELECT_CHALLENGE).

A first factor is offered where the pool allows it (Policies.SignInPolicy.
AllowedFirstAuthFactors; PASSWORD stands for both password factors) and the user can use it:
a password for PASSWORD and PASSWORD_SRP, a verified email address for EMAIL_OTP, a verified
phone number for SMS_OTP, a passkey for WEB_AUTHN. A user who must change their password is
offered the password factors only (observed on Cognito). Passwords are proved as in their
own flows (flows/password.py, flows/srp.py: the same lockout, triggers and stand-ins); a
code or a passkey proves the user alone, and no MFA follows it (next_step.py).

For a name that means nobody, where the client hides that, the choice looks like a user's
with a password (and an email address, where the name is one and the pool allows codes by
email): SELECT_CHALLENGE offers those, and a code challenge is shown as sent but no answer
passes it.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from userpool.accounts.attributes import has_valid_format
from userpool.accounts.secret_hash import check_secret_hash
from userpool.auth import first_factor
from userpool.auth.first_factor import Candidate
from userpool.auth.flows import password, srp
from userpool.auth.outcomes import Attempt, Challenge, Next, Outcome, Proceed
from userpool.auth.sessions import Progress, begin
from userpool.delivery import mask
from userpool.domain.client_rules import auth_session_seconds, hides_user_existence
from userpool.domain.errors import (
    InvalidParameterException,
    UserNotConfirmedException,
    UserNotFoundException,
)
from userpool.domain.flows import ChallengeName, FactorRole
from userpool.domain.messages import Medium
from userpool.domain.models import User, UserPool, UserStatus
from userpool.storage.repositories import Transaction

PASSWORD = ChallengeName.PASSWORD
PASSWORD_SRP = ChallengeName.PASSWORD_SRP
EMAIL_OTP = ChallengeName.EMAIL_OTP
SMS_OTP = ChallengeName.SMS_OTP
WEB_AUTHN = ChallengeName.WEB_AUTHN
SELECT_CHALLENGE = ChallengeName.SELECT_CHALLENGE
ORDER = (PASSWORD_SRP, PASSWORD, EMAIL_OTP, SMS_OTP, WEB_AUTHN)
CODES = {EMAIL_OTP: (Medium.EMAIL, "email"), SMS_OTP: (Medium.SMS, "phone_number")}
STAND_IN = "stand_in"  # session data of a code challenge shown for a name that means nobody


@dataclass(frozen=True)
class Chooser:
    """What USER_AUTH reads in the step's read: the candidate (or a missing user's stand-in)
    and whether the user has a passkey."""

    candidate: Candidate
    has_passkey: bool


def has_passkey(tx: Transaction, pool: UserPool, user: User | None) -> bool:
    """Whether WEB_AUTHN could be offered to `user`: asked of storage only where the pool
    allows it (every USER_AUTH step that offers factors would read it otherwise)."""
    if user is None or "WEB_AUTHN" not in pool_allows(pool):
        return False
    return tx.passkeys.count(pool.id, user.sub) > 0


def pool_allows(pool: UserPool) -> frozenset[str]:
    policy = pool.settings.get("Policies", {}).get("SignInPolicy", {})
    return frozenset(policy.get("AllowedFirstAuthFactors") or ["PASSWORD"])


def _verified(user: User, attribute: str) -> bool:
    attributes = user.attributes
    return bool(attributes.get(attribute)) and attributes.get(f"{attribute}_verified") == "true"


def available(pool: UserPool, user: User | None, has_passkey: bool, name: str) -> tuple[str, ...]:
    """The first factors `user` may choose (for None: what a stand-in shows), in order."""
    allowed = pool_allows(pool)
    if user is None:
        shaped = "EMAIL_OTP" in allowed and has_valid_format("email", name)
        usable = {PASSWORD, PASSWORD_SRP} | ({EMAIL_OTP} if shaped else set())
    elif user.status == UserStatus.FORCE_CHANGE_PASSWORD:
        usable = {PASSWORD, PASSWORD_SRP}
    else:
        usable = {PASSWORD, PASSWORD_SRP} if user.password is not None else set()
        # An imported hash proves a password sent as it is, never an SRP claim (no verifier
        # yet): the Developer Guide's "Importing users with password hashes".
        usable |= {PASSWORD} if user.imported_hash is not None else set()
        usable |= {code for code, (_, attr) in CODES.items() if _verified(user, attr)}
        usable |= {WEB_AUTHN} if has_passkey else set()
    offered = {
        factor
        for factor in usable
        if (factor in (PASSWORD, PASSWORD_SRP) and "PASSWORD" in allowed) or factor in allowed
    }
    return tuple(str(factor) for factor in ORDER if factor in offered)


def start(
    attempt: Attempt,
    chooser: Chooser,
    factor: str,
    params: Mapping[str, str],
    progress: Progress,
    username: str,
) -> Outcome | Proceed:
    """Start `factor` (one of the user's available ones) with `params` (AuthParameters, or
    the SELECT_CHALLENGE answer's responses)."""
    candidate = chooser.candidate
    if factor == PASSWORD:
        return password.start(attempt, candidate, params, progress)
    if factor == PASSWORD_SRP:
        return srp.start(attempt, candidate, params, progress)
    check_secret_hash(attempt.client, params.get("SECRET_HASH"), username)
    first_factor.check_not_locked(attempt, candidate, username, progress)
    user = candidate.user
    if user is None:
        return _stand_in_code(attempt, ChallengeName(factor), username, progress)
    first_factor.check_may_sign_in(attempt, user, username, progress)
    if user.status == UserStatus.UNCONFIRMED:
        raise UserNotConfirmedException()
    first_factor.before_proof(attempt, user, username, progress)
    data = {"challenge": _webauthn_challenge()} if factor == WEB_AUTHN else {}
    return Proceed(user, progress, then=Next(ChallengeName(factor), FactorRole.FIRST, data))


def choose(
    attempt: Attempt,
    chooser: Chooser,
    params: Mapping[str, str],
    progress: Progress,
    username: str,
    preferred: str | None,
) -> Outcome | Proceed:
    """USER_AUTH's first step: the preferred factor where the user may use it, else
    SELECT_CHALLENGE with the factors they may choose."""
    user = chooser.candidate.user
    if user is None and not hides_user_existence(attempt.client.settings):
        raise UserNotFoundException()
    factors = available(attempt.pool, user, chooser.has_passkey, username)
    if preferred is not None and preferred not in ORDER:
        raise InvalidParameterException(f"Invalid PREFERRED_CHALLENGE: {preferred}")
    if preferred in factors:
        assert preferred is not None
        return start(attempt, chooser, preferred, params, progress, username)
    check_secret_hash(attempt.client, params.get("SECRET_HASH"), username)
    first_factor.check_not_locked(attempt, chooser.candidate, username, progress)
    if user is None:
        return _stand_in_select(attempt, factors, username, progress)
    first_factor.check_may_sign_in(attempt, user, username, progress)
    then = Next(SELECT_CHALLENGE, data={"available": list(factors)}, available=factors)
    return Proceed(user, progress, then=then)


def _webauthn_challenge() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()


def _expires(attempt: Attempt) -> float:
    return attempt.now + auth_session_seconds(attempt.client.settings)


def _stand_in_select(
    attempt: Attempt, factors: tuple[str, ...], name: str, progress: Progress
) -> Challenge:
    stand_in = Progress(progress.flow, progress.answered, None, (), True)
    state = begin(
        attempt.pool.id,
        attempt.client.id,
        name,
        SELECT_CHALLENGE,
        _expires(attempt),
        stand_in,
        data={"available": list(factors)},
    )
    return Challenge(SELECT_CHALLENGE, {}, attempt.runtime.sessions.seal(state), factors)


def _stand_in_code(
    attempt: Attempt, factor: ChallengeName, name: str, progress: Progress
) -> Challenge:
    """A code challenge for a name that means nobody: shown as sent to the name (an email
    address), answered by no code (challenges/message_code.py)."""
    if factor not in CODES:
        raise InvalidParameterException(f"{factor} is not available for this user.")
    medium, _ = CODES[factor]
    stand_in = Progress(progress.flow, progress.answered, None, (), True)
    state = begin(
        attempt.pool.id,
        attempt.client.id,
        name,
        factor,
        _expires(attempt),
        stand_in,
        FactorRole.FIRST,
        {STAND_IN: 1},
    )
    shown = {
        "CODE_DELIVERY_DELIVERY_MEDIUM": medium.value,
        "CODE_DELIVERY_DESTINATION": mask(medium, name),
    }
    return Challenge(factor, shown, attempt.runtime.sessions.seal(state), (str(factor),))
