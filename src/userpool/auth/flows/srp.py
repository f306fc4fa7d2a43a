"""USER_SRP_AUTH: the client proves it knows the password without sending it (SRP-6a,
Cognito's variant). This starter answers SRP_A with the PASSWORD_VERIFIER challenge."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from userpool.accounts.attributes import has_valid_format
from userpool.accounts.lookup import VERIFIED_FLAGS
from userpool.accounts.secret_hash import check_secret_hash
from userpool.auth import first_factor
from userpool.auth.challenges.password_verifier import srp_challenge
from userpool.auth.first_factor import Candidate
from userpool.auth.flows import Flow
from userpool.auth.outcomes import Attempt, Challenge
from userpool.auth.params import required
from userpool.auth.runtime import Runtime
from userpool.auth.sessions import Progress
from userpool.crypto import srp
from userpool.domain.client_rules import hides_user_existence
from userpool.domain.errors import NotAuthorizedException, UserNotFoundException
from userpool.domain.models import PasswordVerifier, User, UserPool, UserStatus
from userpool.storage.repositories import Transaction


def client_public(params: Mapping[str, str]) -> int:
    try:
        big_a = int(required(params, "SRP_A"), 16)
    except ValueError as error:
        raise NotAuthorizedException(first_factor.WRONG_PASSWORD) from error
    if big_a % srp.N == 0:
        raise NotAuthorizedException(first_factor.WRONG_PASSWORD)
    return big_a


def simulated_user(attempt: Attempt, username: str) -> User:
    """A stand-in for a user that does not exist, stable per (pool, username), so the
    challenge it gets looks like a real one (PreventUserExistenceErrors=ENABLED)."""
    seed = first_factor.stand_in_seed(attempt.runtime, attempt.pool, username)
    salt = format(int(seed[:32], 16) | (1 << 127), "x")
    verifier = first_factor.stand_in_verifier()
    return User(
        sub=seed[:36],
        pool_id=attempt.pool.id,
        username=_simulated_username(attempt.pool, username, seed),
        status=UserStatus.CONFIRMED,
        enabled=True,
        created=0.0,
        modified=0.0,
        password=PasswordVerifier(salt, verifier, 0.0, temporary=False),
    )


def _simulated_username(pool: UserPool, name: str, seed: str) -> str:
    """The USER_ID_FOR_SRP a real user signing in as `name` would show: `name` itself where
    it could be a username, else an internal-looking UUID. An email or phone number is never
    a username where it signs in as one (UsernameAttributes) or as an alias (AliasAttributes
    refuse usernames of that shape), so echoing it would tell that no such user exists."""
    shaped = [a for a in VERIFIED_FLAGS if a in pool.alias_attributes and has_valid_format(a, name)]
    if pool.username_attributes or shaped:
        return str(uuid.UUID(hex=seed[32:64], version=4))
    return name


def load(runtime: Runtime, tx: Transaction, pool: UserPool, params: Mapping[str, str]) -> Candidate:
    return first_factor.load_candidate(runtime, tx, pool, required(params, "USERNAME"))


def start(
    attempt: Attempt, candidate: Candidate, params: Mapping[str, str], progress: Progress
) -> Challenge:
    username = required(params, "USERNAME")
    check_secret_hash(attempt.client, params.get("SECRET_HASH"), username)
    big_a = client_public(params)
    first_factor.check_not_locked(attempt, candidate, username, progress)
    user = candidate.user
    if user is None:
        if not hides_user_existence(attempt.client.settings):
            raise UserNotFoundException()
        first_factor.before_proof(attempt, None, username, progress)
        stand_in = simulated_user(attempt, username)
        return srp_challenge(attempt, stand_in, big_a, username, progress, simulated=True)
    first_factor.check_may_sign_in(attempt, user, username, progress)
    first_factor.before_proof(attempt, user, username, progress)
    if user.password is None:  # no password to prove: fails at the answer, like a wrong one
        stand_in = simulated_user(attempt, username)
        return srp_challenge(attempt, stand_in, big_a, username, progress, simulated=True)
    return srp_challenge(attempt, user, big_a, username, progress, simulated=False)


FLOW = Flow("ALLOW_USER_SRP_AUTH", load, start)
