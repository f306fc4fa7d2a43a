"""What comes after a passed factor, as tables: the pool's MFA mode and offered factors, the
user's status, contacts, authenticator and MFA settings, and the challenges already answered
in this sign-in -> the challenge sent next, or None (tokens). No server, no database.

Every row follows from the rules in auth/next_step.py's docstring and docs/signin.md
("Second factors (MFA)"). Users are raw `User` records with `mfa` in its stored format
(enabled, preferred, software_token, software_token_pending, and the wire fields derived from
them); pools keep `MfaConfiguration` and `MfaFactors` as services/mfa_config stores them.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

import pytest

from userpool.auth.next_step import next_challenge, usable_factors
from userpool.domain.models import AppClient, User, UserPool, UserStatus

# Challenge names as Cognito sends them.
SMS, TOTP, EMAIL = "SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP"
ALL = (SMS, TOTP, EMAIL)  # Cognito's order
SETUP, SELECT = "MFA_SETUP", "SELECT_MFA_TYPE"
NEW_PASSWORD, SRP = "NEW_PASSWORD_REQUIRED", "PASSWORD_VERIFIER"
TOKENS = None
FIRST_FACTOR_ONLY: tuple[str, ...] = ()  # a password passed (USER_PASSWORD_AUTH), nothing else

VERIFIED, UNVERIFIED = "true", "false"
SEALED = "c2VhbGVkIHNlY3JldA=="  # stands for a sealed secret; the decision never opens it

POOL_ID = "us-east-1_Decisions"
CLIENT = AppClient(
    id="decisionclient0000000000", pool_id=POOL_ID, name="web", secret=None, created=0, modified=0
)


def mfa_pool(mode: str, *offered: str) -> UserPool:
    """A pool as SetUserPoolMfaConfig leaves it: the mode and the blocks of the offered
    factors (with OFF: blocks left from before, as UpdateUserPool leaves them)."""
    factors: dict[str, Any] = {"SmsMfa": SMS in offered}
    if TOTP in offered:
        factors["SoftwareTokenMfaConfiguration"] = {"Enabled": True}
    if EMAIL in offered:
        factors["EmailMfaConfiguration"] = {"Subject": "Your code", "Message": "Code {####}"}
    settings = {"MfaConfiguration": mode, "MfaFactors": factors}
    return UserPool(id=POOL_ID, name="decisions", created=0, modified=0, settings=settings)


def mfa_off(*offered: str) -> UserPool:
    return mfa_pool("OFF", *offered)


def mfa_optional(*offered: str) -> UserPool:
    return mfa_pool("OPTIONAL", *offered)


def mfa_on(*offered: str) -> UserPool:
    return mfa_pool("ON", *offered)


def never_configured(mode: str) -> UserPool:
    """A pool created with `mode` and never given factors: CreateUserPool's MFA is SMS."""
    settings = {"MfaConfiguration": mode}
    return UserPool(id=POOL_ID, name="decisions", created=0, modified=0, settings=settings)


def stored_mfa(
    turned_on: Sequence[str], preferred: str | None, authenticator: bool, pending: bool
) -> dict[str, Any]:
    """`User.mfa` as stored; {} for a user whose factors were never written."""
    if not (turned_on or preferred or authenticator or pending):
        return {}
    mfa: dict[str, Any] = {"enabled": list(turned_on)}
    if preferred is not None:
        mfa["preferred"] = preferred
    if authenticator:
        mfa["software_token"] = {"secret": SEALED, "last_step": 0, "name": "phone app"}
    if pending:
        mfa["software_token_pending"] = SEALED
    if turned_on:
        mfa["UserMFASettingList"] = list(turned_on)
    if preferred is not None:
        mfa["PreferredMfaSetting"] = preferred
    if SMS in turned_on:
        mfa["MFAOptions"] = [{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]
    return mfa


def user(
    *,
    phone: str | None = None,
    email: str | None = None,
    authenticator: bool = False,
    pending_authenticator: bool = False,
    turned_on: Sequence[str] = (),
    preferred: str | None = None,
    status: UserStatus = UserStatus.CONFIRMED,
) -> User:
    """`phone` / `email`: VERIFIED, UNVERIFIED or None (no such attribute)."""
    attributes = {"sub": "0b1e6f2c-0000-4000-8000-000000000001"}
    if phone is not None:
        attributes |= {"phone_number": "+15555550100", "phone_number_verified": phone}
    if email is not None:
        attributes |= {"email": "jo@example.com", "email_verified": email}
    return User(
        sub=attributes["sub"],
        pool_id=POOL_ID,
        username="jo",
        status=status,
        enabled=True,
        created=0,
        modified=0,
        attributes=attributes,
        mfa=stored_mfa(turned_on, preferred, authenticator, pending_authenticator),
    )


def invited(**details: Any) -> User:
    """A user an administrator created, still on a temporary password."""
    return user(status=UserStatus.FORCE_CHANGE_PASSWORD, **details)


def everything(**details: Any) -> User:
    """A user who can receive every factor: phone, email, verified authenticator."""
    return user(phone=VERIFIED, email=VERIFIED, authenticator=True, **details)


def row(
    sentence: str,
    pool: UserPool,
    who: User,
    answered: tuple[str, ...],
    expected: str | None,
    disagreement: str | None = None,
) -> Any:
    marks = [pytest.mark.xfail(strict=True, reason=disagreement)] if disagreement else []
    return pytest.param(pool, who, answered, expected, id=sentence, marks=marks)


FORCE_CHANGE_PASSWORD_FIRST = [
    row(
        "MFA off: an invited user sets a new password",
        mfa_off(),
        invited(),
        FIRST_FACTOR_ONLY,
        NEW_PASSWORD,
    ),
    row(
        "MFA on: an invited user with a phone sets a new password before any code",
        mfa_on(SMS),
        invited(phone=VERIFIED),
        FIRST_FACTOR_ONLY,
        NEW_PASSWORD,
    ),
    row(
        "MFA on: an invited user with no factor sets a new password before MFA_SETUP",
        mfa_on(*ALL),
        invited(),
        FIRST_FACTOR_ONLY,
        NEW_PASSWORD,
    ),
    row(
        "MFA optional: an invited user with TOTP on, after SRP, sets a new password first",
        mfa_optional(SMS, TOTP),
        invited(authenticator=True, turned_on=[TOTP], preferred=TOTP),
        (SRP,),
        NEW_PASSWORD,
    ),
    row(
        "MFA on: after the new password, a user with a phone gets SMS_MFA",
        mfa_on(SMS),
        user(phone=VERIFIED),
        (NEW_PASSWORD,),
        SMS,
    ),
    row(
        "MFA on: after the new password, a user with nothing sets up MFA",
        mfa_on(*ALL),
        user(),
        (NEW_PASSWORD,),
        SETUP,
    ),
    row(
        "MFA optional: after SRP and the new password, TOTP turned on is asked",
        mfa_optional(*ALL),
        user(authenticator=True, turned_on=[TOTP]),
        (SRP, NEW_PASSWORD),
        TOTP,
    ),
    row(
        "MFA optional: after the new password, a user with nothing turned on gets tokens",
        mfa_optional(*ALL),
        user(phone=VERIFIED, email=VERIFIED),
        (NEW_PASSWORD,),
        TOKENS,
    ),
]

ONE_SECOND_FACTOR_PER_SIGN_IN = [
    row(
        "MFA on: a user with every factor gets tokens after SMS_MFA",
        mfa_on(*ALL),
        everything(),
        (SMS,),
        TOKENS,
    ),
    row(
        "MFA on: a user with every factor gets tokens after SOFTWARE_TOKEN_MFA",
        mfa_on(*ALL),
        everything(),
        (SRP, TOTP),
        TOKENS,
    ),
    row(
        "MFA on: a user with every factor gets tokens after EMAIL_OTP",
        mfa_on(*ALL),
        everything(),
        (EMAIL,),
        TOKENS,
    ),
    row(
        "MFA on: a user who just set up an authenticator in MFA_SETUP gets tokens",
        mfa_on(*ALL),
        everything(),
        (SETUP,),
        TOKENS,
    ),
    row(
        "MFA on: after choosing SMS_MFA in SELECT_MFA_TYPE and answering it, tokens",
        mfa_on(*ALL),
        everything(),
        (SRP, SELECT, SMS),
        TOKENS,
    ),
    row(
        "MFA on: after a new password and SOFTWARE_TOKEN_MFA, tokens",
        mfa_on(*ALL),
        everything(),
        (NEW_PASSWORD, TOTP),
        TOKENS,
    ),
    row(
        "MFA on: after setting up email in MFA_SETUP and answering its EMAIL_OTP, tokens",
        mfa_on(*ALL),
        everything(),
        (SETUP, EMAIL),
        TOKENS,
    ),
    row(
        "MFA optional: SMS turned on and answered, tokens",
        mfa_optional(*ALL),
        user(phone=VERIFIED, turned_on=[SMS]),
        (SMS,),
        TOKENS,
    ),
    row(
        "MFA on: a password proof is not a second factor, the user still chooses one",
        mfa_on(*ALL),
        everything(),
        (SRP,),
        SELECT,
    ),
    row(
        "MFA on: choosing in SELECT_MFA_TYPE is not answering a factor, one is still owed",
        mfa_on(SMS),
        user(phone=VERIFIED),
        (SELECT,),
        SMS,
    ),
]

MFA_OFF_ASKS_NONE = [
    row(
        "MFA off with factors left stored: every factor on and one preferred gets tokens",
        mfa_off(*ALL),
        everything(turned_on=ALL, preferred=TOTP),
        FIRST_FACTOR_ONLY,
        TOKENS,
    ),
    row(
        "MFA off in a pool never configured: legacy SMS MFA on gets tokens",
        never_configured("OFF"),
        user(phone=VERIFIED, turned_on=[SMS]),
        FIRST_FACTOR_ONLY,
        TOKENS,
    ),
    row(
        "MFA off: a user with nothing is not sent to MFA_SETUP",
        mfa_off(),
        user(),
        FIRST_FACTOR_ONLY,
        TOKENS,
    ),
    row(
        "MFA off: after SRP, an authenticator turned on and preferred asks nothing",
        mfa_off(TOTP),
        user(authenticator=True, turned_on=[TOTP], preferred=TOTP),
        (SRP,),
        TOKENS,
    ),
]

MFA_OPTIONAL_ASKS_WHAT_THE_USER_TURNED_ON = [
    row(
        "MFA optional: phone, email and authenticator, none turned on, gets tokens",
        mfa_optional(*ALL),
        everything(),
        FIRST_FACTOR_ONLY,
        TOKENS,
    ),
    row(
        "MFA optional: a user with nothing is not sent to MFA_SETUP",
        mfa_optional(*ALL),
        user(),
        FIRST_FACTOR_ONLY,
        TOKENS,
    ),
    row(
        "MFA optional: SMS turned on, verified phone, gets SMS_MFA",
        mfa_optional(*ALL),
        user(phone=VERIFIED, turned_on=[SMS]),
        FIRST_FACTOR_ONLY,
        SMS,
    ),
    row(
        "MFA optional: SMS turned on, unverified phone, still gets SMS_MFA",
        mfa_optional(*ALL),
        user(phone=UNVERIFIED, turned_on=[SMS]),
        FIRST_FACTOR_ONLY,
        SMS,
    ),
    row(
        "MFA optional: TOTP turned on with a verified authenticator gets SOFTWARE_TOKEN_MFA",
        mfa_optional(*ALL),
        user(authenticator=True, turned_on=[TOTP]),
        (SRP,),
        TOTP,
    ),
    row(
        "MFA optional: email turned on, unverified address, still gets EMAIL_OTP",
        mfa_optional(*ALL),
        user(email=UNVERIFIED, turned_on=[EMAIL]),
        FIRST_FACTOR_ONLY,
        EMAIL,
    ),
    row(
        "MFA optional: a verified authenticator never turned on asks nothing",
        mfa_optional(*ALL),
        user(authenticator=True),
        FIRST_FACTOR_ONLY,
        TOKENS,
    ),
    row(
        "MFA optional: TOTP turned on with only an unverified authenticator asks nothing",
        mfa_optional(*ALL),
        user(pending_authenticator=True, turned_on=[TOTP]),
        FIRST_FACTOR_ONLY,
        TOKENS,
    ),
    row(
        "MFA optional: SMS turned on but the phone number since removed asks nothing",
        mfa_optional(*ALL),
        user(turned_on=[SMS]),
        FIRST_FACTOR_ONLY,
        TOKENS,
    ),
    row(
        "MFA optional: email turned on but no address asks nothing",
        mfa_optional(*ALL),
        user(turned_on=[EMAIL]),
        FIRST_FACTOR_ONLY,
        TOKENS,
    ),
    row(
        "MFA optional: only SMS turned on, authenticator and email unused, gets SMS_MFA",
        mfa_optional(*ALL),
        everything(turned_on=[SMS]),
        FIRST_FACTOR_ONLY,
        SMS,
    ),
]

MFA_ON_ASKS_WHAT_THE_USER_CAN_RECEIVE = [
    row(
        "MFA on: a verified phone, nothing turned on, gets SMS_MFA",
        mfa_on(SMS),
        user(phone=VERIFIED),
        FIRST_FACTOR_ONLY,
        SMS,
    ),
    row(
        "MFA on: an unverified phone gets SMS_MFA",
        mfa_on(SMS),
        user(phone=UNVERIFIED),
        FIRST_FACTOR_ONLY,
        SMS,
    ),
    row(
        "MFA on: an unverified email address gets EMAIL_OTP",
        mfa_on(EMAIL),
        user(email=UNVERIFIED),
        FIRST_FACTOR_ONLY,
        EMAIL,
    ),
    row(
        "MFA on: a verified authenticator never turned on gets SOFTWARE_TOKEN_MFA",
        mfa_on(TOTP),
        user(authenticator=True),
        (SRP,),
        TOTP,
    ),
    row(
        "MFA on: SMS and TOTP offered, a user with only a phone gets SMS_MFA, not MFA_SETUP",
        mfa_on(SMS, TOTP),
        user(phone=VERIFIED),
        FIRST_FACTOR_ONLY,
        SMS,
    ),
    row(
        "MFA on: a user with no phone, email or authenticator sets up MFA",
        mfa_on(*ALL),
        user(),
        FIRST_FACTOR_ONLY,
        SETUP,
    ),
    row(
        "MFA on: an authenticator associated but not verified still needs MFA_SETUP",
        mfa_on(TOTP),
        user(pending_authenticator=True),
        (SRP,),
        SETUP,
    ),
    row(
        "MFA on: phone and email, nothing turned on or preferred, chooses",
        mfa_on(*ALL),
        user(phone=VERIFIED, email=UNVERIFIED),
        FIRST_FACTOR_ONLY,
        SELECT,
    ),
    row(
        "MFA on: TOTP turned on, yet the phone counts too, so the user chooses",
        mfa_on(SMS, TOTP),
        user(phone=VERIFIED, authenticator=True, turned_on=[TOTP]),
        FIRST_FACTOR_ONLY,
        SELECT,
    ),
    row(
        "MFA on in a pool never configured: a user with a phone gets SMS_MFA",
        never_configured("ON"),
        user(phone=UNVERIFIED),
        FIRST_FACTOR_ONLY,
        SMS,
    ),
]

ONLY_FACTORS_THE_POOL_OFFERS_COUNT = [
    row(
        "MFA optional, TOTP offered only: SMS turned on and preferred asks nothing",
        mfa_optional(TOTP),
        user(phone=VERIFIED, turned_on=[SMS], preferred=SMS),
        FIRST_FACTOR_ONLY,
        TOKENS,
    ),
    row(
        "MFA optional, SMS offered only: email turned on and preferred asks nothing",
        mfa_optional(SMS),
        user(email=VERIFIED, turned_on=[EMAIL], preferred=EMAIL),
        FIRST_FACTOR_ONLY,
        TOKENS,
    ),
    row(
        "MFA on, TOTP offered only: a user with phone and email sets up MFA",
        mfa_on(TOTP),
        user(phone=VERIFIED, email=VERIFIED),
        FIRST_FACTOR_ONLY,
        SETUP,
    ),
    row(
        "MFA on, SMS and TOTP offered: a preference for email is passed over for SMS_MFA",
        mfa_on(SMS, TOTP),
        user(phone=VERIFIED, email=VERIFIED, turned_on=[EMAIL], preferred=EMAIL),
        FIRST_FACTOR_ONLY,
        SMS,
    ),
    row(
        "MFA on in a pool never configured (SMS): a user with only email sets up MFA",
        never_configured("ON"),
        user(email=VERIFIED),
        FIRST_FACTOR_ONLY,
        SETUP,
    ),
    row(
        "MFA optional, TOTP since turned off in the pool: the user's authenticator still counts",
        mfa_optional(SMS),
        user(authenticator=True, turned_on=[TOTP], preferred=TOTP),
        FIRST_FACTOR_ONLY,
        TOTP,
    ),
]

PREFERRED_WINS_ELSE_THE_USER_CHOOSES = [
    row(
        "MFA optional: all three on, email preferred, gets EMAIL_OTP",
        mfa_optional(*ALL),
        everything(turned_on=ALL, preferred=EMAIL),
        FIRST_FACTOR_ONLY,
        EMAIL,
    ),
    row(
        "MFA optional: all three on, SMS preferred, gets SMS_MFA",
        mfa_optional(*ALL),
        everything(turned_on=ALL, preferred=SMS),
        FIRST_FACTOR_ONLY,
        SMS,
    ),
    row(
        "MFA optional: all three on, TOTP preferred, gets SOFTWARE_TOKEN_MFA",
        mfa_optional(*ALL),
        everything(turned_on=ALL, preferred=TOTP),
        (SRP,),
        TOTP,
    ),
    row(
        "MFA optional: SMS and TOTP on, none preferred, chooses",
        mfa_optional(*ALL),
        everything(turned_on=[SMS, TOTP]),
        FIRST_FACTOR_ONLY,
        SELECT,
    ),
    row(
        "MFA optional: TOTP and email on, none preferred, chooses",
        mfa_optional(*ALL),
        everything(turned_on=[TOTP, EMAIL]),
        FIRST_FACTOR_ONLY,
        SELECT,
    ),
    row(
        "MFA on: phone and authenticator, TOTP preferred, gets SOFTWARE_TOKEN_MFA",
        mfa_on(*ALL),
        user(phone=VERIFIED, authenticator=True, turned_on=[TOTP], preferred=TOTP),
        FIRST_FACTOR_ONLY,
        TOTP,
    ),
    row(
        "MFA on: phone and email, email preferred, gets EMAIL_OTP",
        mfa_on(*ALL),
        user(phone=VERIFIED, email=VERIFIED, turned_on=[EMAIL], preferred=EMAIL),
        FIRST_FACTOR_ONLY,
        EMAIL,
    ),
    row(
        "MFA optional: SMS preferred but the phone removed, the one left (email) is asked",
        mfa_optional(*ALL),
        user(email=VERIFIED, turned_on=[SMS, EMAIL], preferred=SMS),
        FIRST_FACTOR_ONLY,
        EMAIL,
    ),
    row(
        "MFA on: TOTP preferred with no authenticator, phone and email left, chooses",
        mfa_on(*ALL),
        user(phone=VERIFIED, email=VERIFIED, preferred=TOTP),
        FIRST_FACTOR_ONLY,
        SELECT,
    ),
]

DECISIONS = [
    *FORCE_CHANGE_PASSWORD_FIRST,
    *ONE_SECOND_FACTOR_PER_SIGN_IN,
    *MFA_OFF_ASKS_NONE,
    *MFA_OPTIONAL_ASKS_WHAT_THE_USER_TURNED_ON,
    *MFA_ON_ASKS_WHAT_THE_USER_CAN_RECEIVE,
    *ONLY_FACTORS_THE_POOL_OFFERS_COUNT,
    *PREFERRED_WINS_ELSE_THE_USER_CHOOSES,
]


@pytest.mark.parametrize(("pool", "who", "answered", "expected"), DECISIONS)
def test_what_comes_after_a_passed_factor(
    pool: UserPool, who: User, answered: tuple[str, ...], expected: str | None
) -> None:
    assert next_challenge(pool, CLIENT, who, answered) == expected


@pytest.mark.parametrize(
    ("pool", "who", "answered", "expected"),
    [pytest.param(*case.values, id=case.id) for case in DECISIONS],  # marks are about answers
)
def test_the_decision_changes_nothing(
    pool: UserPool, who: User, answered: tuple[str, ...], expected: str | None
) -> None:
    """Pure: deciding leaves the pool and the user as they were, and decides alike twice."""
    pool_before, user_before = copy.deepcopy(pool), copy.deepcopy(who)
    first = next_challenge(pool, CLIENT, who, answered)
    assert (pool, who) == (pool_before, user_before)
    assert next_challenge(pool, CLIENT, who, answered) == first


USABLE = [
    pytest.param(
        mfa_on(*ALL),
        everything(),
        [SMS, TOTP, EMAIL],
        id="MFA on: a user with all three can be asked SMS, TOTP, email, in that order",
    ),
    pytest.param(
        mfa_optional(*ALL),
        everything(turned_on=[EMAIL, SMS]),
        [SMS, EMAIL],
        id="MFA optional: email and SMS turned on are listed SMS first",
    ),
    pytest.param(
        mfa_optional(*ALL),
        everything(turned_on=[EMAIL, TOTP]),
        [TOTP, EMAIL],
        id="MFA optional: email and TOTP turned on are listed TOTP first",
    ),
    pytest.param(
        mfa_on(TOTP, EMAIL),
        everything(),
        [TOTP, EMAIL],
        id="MFA on, TOTP and email offered: SMS is left out",
    ),
    pytest.param(
        never_configured("ON"),
        user(phone=VERIFIED, email=VERIFIED),  # no authenticator: the pool never offered one
        [SMS],
        id="MFA on in a pool never configured: SMS alone",
    ),
    pytest.param(
        mfa_off(*ALL),
        everything(turned_on=ALL),
        [],
        id="MFA off: none, whatever the user turned on",
    ),
    pytest.param(
        mfa_optional(*ALL),
        everything(),
        [],
        id="MFA optional: none while the user turned nothing on",
    ),
]


@pytest.mark.parametrize(("pool", "who", "expected"), USABLE)
def test_usable_factors_in_cognitos_order(pool: UserPool, who: User, expected: list[str]) -> None:
    assert usable_factors(pool, who) == expected
