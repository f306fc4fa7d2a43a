"""What comes after a passed factor. The one place that decides it, for every flow.

Pure: it looks at the pool, the client, the user and the challenges already answered in this
sign-in, and names the challenge to send next, or None when the user gets tokens.

Second factors, as Cognito applies them: with MFA OFF, none. With OPTIONAL, the factors the
user turned on. With ON, every factor the user can receive: a verified authenticator, and a
code by SMS or email wherever the user has a phone number or an email address (Cognito sends
to unverified ones too); a user with none of them must set one up first (MFA_SETUP). A factor
counts only where the pool offers it (but a verified authenticator stays usable after the pool
turns TOTP off, as on Cognito). Of several, the preferred one, else the user chooses
(SELECT_MFA_TYPE). One second factor per sign-in.
"""

from __future__ import annotations

from collections.abc import Collection

from userpool.accounts import mfa as factors
from userpool.accounts.mfa import EMAIL_OTP, SMS_MFA, SOFTWARE_TOKEN_MFA
from userpool.auth import devices
from userpool.auth.outcomes import Attempt, Next, Proceed
from userpool.domain.flows import ChallengeName, FactorRole
from userpool.domain.models import AppClient, User, UserPool, UserStatus

NEW_PASSWORD_REQUIRED = ChallengeName.NEW_PASSWORD_REQUIRED
SELECT_MFA_TYPE = ChallengeName.SELECT_MFA_TYPE
MFA_SETUP = ChallengeName.MFA_SETUP
SECOND_FACTORS = frozenset({SMS_MFA, SOFTWARE_TOKEN_MFA, EMAIL_OTP, MFA_SETUP})
# A passwordless first factor of USER_AUTH proves the user alone: no MFA follows it. (EMAIL_OTP
# is among the second factors already: one code by email is all a sign-in asks.)
PASSWORDLESS = frozenset({ChallengeName.SMS_OTP, ChallengeName.WEB_AUTHN})

# A decision: the challenge to send next, or None for tokens.
Decision = Next | None


def usable_factors(pool: UserPool, user: User) -> list[ChallengeName]:
    """The second factors `user` would be asked for, in Cognito's order."""
    mine = factors.read(user)
    mode = factors.pool_mode(pool)
    required = mode == factors.MODE_ON
    offered = factors.pool_factors(pool)
    if mode != factors.MODE_OFF and mine.token is not None and SOFTWARE_TOKEN_MFA not in offered:
        # Cognito: users who verified an authenticator keep using it after the pool turns
        # TOTP off (Developer Guide, "TOTP software token MFA").
        offered = [
            factor
            for factor in factors.FACTORS
            if factor in offered or factor == SOFTWARE_TOKEN_MFA
        ]
    usable: list[ChallengeName] = []
    for factor in offered:
        if factor == SOFTWARE_TOKEN_MFA:
            reachable = mine.token is not None
        else:
            reachable = factors.contact(user, factor) is not None
        if reachable and (required or factor in mine.enabled):
            usable.append(factor)
    return usable


def next_challenge(
    pool: UserPool,
    client: AppClient,
    user: User,
    answered: Collection[str] = (),
    remembered_device: bool = False,
) -> ChallengeName | None:
    """`remembered_device`: the sign-in's device stands in for MFA (auth/devices.py); it
    does not for setting a factor up."""
    if user.status == UserStatus.FORCE_CHANGE_PASSWORD:
        return NEW_PASSWORD_REQUIRED
    if SECOND_FACTORS.intersection(answered) or PASSWORDLESS.intersection(answered):
        return None
    usable = usable_factors(pool, user)
    if not usable:
        required = factors.pool_mode(pool) == factors.MODE_ON
        return MFA_SETUP if required else None
    if remembered_device:
        return None
    preferred = factors.read(user).preferred
    if preferred in usable:
        return ChallengeName(preferred)
    return usable[0] if len(usable) == 1 else SELECT_MFA_TYPE


def decide(attempt: Attempt, result: Proceed) -> Decision:
    """The built-in decider (password, SRP and, later, choice-based sign-in): `next_challenge`,
    with the role of the factor it asks for."""
    progress, user = result.progress, result.user
    remembered = devices.stands_in_for_mfa(attempt, user, progress)
    challenge = next_challenge(attempt.pool, attempt.client, user, progress.answered, remembered)
    return None if challenge is None else Next(challenge, role_of(challenge))


def role_of(challenge: ChallengeName) -> FactorRole | None:
    """A second factor's challenges are SECOND; the others here prove nothing themselves."""
    return FactorRole.SECOND if challenge in SECOND_FACTORS else None
