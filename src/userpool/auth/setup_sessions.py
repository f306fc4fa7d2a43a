"""AssociateSoftwareToken and VerifySoftwareToken during a sign-in: they are called with the
Session of an MFA_SETUP challenge, use it up, and return one for the next step (the one
VerifySoftwareToken returns says that an authenticator was verified, and answers MFA_SETUP:
challenges/mfa_setup)."""

from __future__ import annotations

from dataclasses import dataclass

from userpool.auth.challenges.mfa_setup import VERIFIED
from userpool.auth.next_step import MFA_SETUP
from userpool.auth.runtime import Runtime
from userpool.auth.sessions import INVALID, SignInState, begin, check_binding, consume
from userpool.domain.client_rules import auth_session_seconds
from userpool.domain.errors import NotAuthorizedException
from userpool.domain.models import AppClient, UserPool
from userpool.storage.repositories import Transaction


@dataclass(frozen=True)
class SetupSession:
    """An open MFA_SETUP session, with its pool, app client and user."""

    state: SignInState
    pool: UserPool
    client: AppClient
    sub: str

    def use(self, tx: Transaction) -> None:
        """Use the session up, in the transaction that makes the change it was for."""
        consume(tx, self.state)


def open_setup(runtime: Runtime, session: str, now: float) -> SetupSession:
    with runtime.store.read() as tx:
        state = runtime.sessions.open(session, tx)
        check_binding(state, state.pool_id, state.client_id, MFA_SETUP, now)
        pool = tx.pools.get(state.pool_id)
        client = tx.clients.get(state.client_id)
        user = tx.users.get(state.pool_id, pool.username_key(state.username)) if pool else None
    if pool is None or client is None or user is None:
        raise NotAuthorizedException(INVALID)
    return SetupSession(state, pool, client, user.sub)


def following(runtime: Runtime, setup: SetupSession, now: float, *, verified: bool) -> str:
    """The Session for the next step of this MFA setup (`verified`: an authenticator is)."""
    state = setup.state
    data = {**state.data, VERIFIED: True} if verified else state.data
    expires = now + auth_session_seconds(setup.client.settings)
    following = begin(
        state.pool_id,
        state.client_id,
        state.username,
        MFA_SETUP,
        expires,
        state.progress,
        state.role,
        data,
    )
    return runtime.sessions.seal(following)
