"""USER_PASSWORD_AUTH (InitiateAuth) and ADMIN_USER_PASSWORD_AUTH / ADMIN_NO_SRP_AUTH
(AdminInitiateAuth): the password itself is the first factor."""

from __future__ import annotations

from collections.abc import Mapping

from userpool.auth import first_factor
from userpool.auth.outcomes import Attempt, Proceed
from userpool.auth.params import required
from userpool.auth.secret_hash import check_secret_hash


def start(attempt: Attempt, params: Mapping[str, str]) -> Proceed:
    username = required(params, "USERNAME")
    password = required(params, "PASSWORD")
    check_secret_hash(attempt.client, params.get("SECRET_HASH"), username)
    candidate = first_factor.load_candidate(attempt, username)
    first_factor.check_not_locked(candidate, attempt.now)
    user = candidate.user
    if user is None:
        first_factor.waste_a_proof(attempt, candidate, password)
        raise first_factor.refuse_missing(attempt, candidate)
    first_factor.check_may_sign_in(user)
    if not first_factor.password_matches_verifier(attempt.pool, user, password):
        raise first_factor.fail_proof(attempt, user.sub)
    first_factor.check_after_proof(attempt, user)
    return Proceed(user, admit=True)
