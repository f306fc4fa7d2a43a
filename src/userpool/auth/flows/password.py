"""USER_PASSWORD_AUTH (InitiateAuth) and ADMIN_USER_PASSWORD_AUTH / ADMIN_NO_SRP_AUTH
(AdminInitiateAuth): the password itself is the first factor."""

from __future__ import annotations

from collections.abc import Mapping

from userpool.accounts.passwords import password_matches, upgrade_imported, verifier_for_imported
from userpool.accounts.secret_hash import check_secret_hash
from userpool.auth import first_factor
from userpool.auth.first_factor import Candidate
from userpool.auth.flows import Flow
from userpool.auth.migration import migrate
from userpool.auth.outcomes import Attempt, Proceed
from userpool.auth.params import required
from userpool.auth.runtime import Runtime
from userpool.auth.sessions import Progress
from userpool.domain.models import UserPool
from userpool.storage.repositories import Transaction
from userpool.triggers.sources import TriggerSource


def load(runtime: Runtime, tx: Transaction, pool: UserPool, params: Mapping[str, str]) -> Candidate:
    return first_factor.load_candidate(runtime, tx, pool, required(params, "USERNAME"))


def start(
    attempt: Attempt, candidate: Candidate, params: Mapping[str, str], progress: Progress
) -> Proceed:
    username = required(params, "USERNAME")
    password = required(params, "PASSWORD")
    check_secret_hash(attempt.client, params.get("SECRET_HASH"), username)
    first_factor.check_not_locked(attempt, candidate, username, progress)
    user = candidate.user
    if user is None:
        migrated = migrate(attempt, username, password, TriggerSource.USER_MIGRATION_AUTHENTICATION)
        if migrated is None:
            first_factor.before_proof(attempt, None, username, progress)
            first_factor.waste_a_proof(attempt, candidate, password)
            raise first_factor.refuse_missing(attempt, candidate)
        user = migrated
    # For a user just migrated, their verifier was made from this password (or, when another
    # request migrated them first, from that one's): checked like any other. A user imported
    # with their old system's hash is checked against it, and their first right password
    # becomes their verifier in the step's write (accounts/passwords.py).
    holds = password_matches(attempt.pool, user, password)
    first_factor.check_may_sign_in(attempt, user, username, progress)
    first_factor.before_proof(attempt, user, username, progress)
    verifier = verifier_for_imported(attempt.pool, user, password, attempt.now) if holds else None
    if verifier is None:
        return first_factor.verdict(attempt, user.sub, user, holds, progress)
    proven = user

    def upgrade(tx: Transaction) -> None:
        upgrade_imported(tx, proven, verifier)

    return first_factor.verdict(attempt, user.sub, user, holds, progress, also=upgrade)


PUBLIC = Flow("ALLOW_USER_PASSWORD_AUTH", load, start)
ADMIN = Flow("ALLOW_ADMIN_USER_PASSWORD_AUTH", load, start)
