"""The Session ConfirmSignUp returns where the pool lets users choose their first factor
(choice-based sign-in): InitiateAuth USER_AUTH with it and the same USERNAME signs the new
user in without another factor (Amplify's autoSignIn after a passwordless sign-up). It is
sealed like any sign-in state, bound to the pool, the app client and the user, expires with
the client's AuthSessionValidity, and is single use."""

from __future__ import annotations

from userpool.auth.outcomes import Attempt, Proceed
from userpool.auth.runtime import Runtime
from userpool.auth.sessions import INVALID, Progress, SignInState, begin, check_binding, consume
from userpool.domain.errors import NotAuthorizedException
from userpool.domain.flows import AuthFlow, ChallengeName
from userpool.domain.models import User, UserStatus
from userpool.storage.repositories import Transaction

# The challenge a sign-up session stands for: one no RespondToAuthChallenge can name (the
# engine has no handler for PASSWORD), so the session opens nothing but this sign-in.
STANDS_FOR = ChallengeName.PASSWORD
SIGNED_UP = "signed_up"


def sign_up_session(
    runtime: Runtime, pool_id: str, client_id: str, username: str, expires: float
) -> str:
    progress = Progress(AuthFlow.USER_AUTH)
    state = begin(pool_id, client_id, username, STANDS_FOR, expires, progress, data={SIGNED_UP: 1})
    return runtime.sessions.seal(state)


def open_sign_up_session(
    runtime: Runtime, session: str, pool_id: str, client_id: str, now: float
) -> SignInState:
    """The state a sign-up session carries, bound to this pool and client and live."""
    state = runtime.sessions.open(session)
    check_binding(state, pool_id, client_id, STANDS_FOR, now)
    if not state.data.get(SIGNED_UP):
        raise NotAuthorizedException(INVALID)
    return state


def sign_in(attempt: Attempt, state: SignInState, user: User | None) -> Proceed:
    """The new user signed in with their sign-up session: `user` is whom USERNAME names (by
    username or an alias: Amplify sends what the user signed up with), who must be the
    session's user, still confirmed and enabled."""
    if user is None or user.username != state.username or user.status != UserStatus.CONFIRMED:
        raise NotAuthorizedException(INVALID)
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")

    def use_up(tx: Transaction) -> User:
        consume(tx, state)
        return user

    return Proceed(user, state.answered(), record=use_up)
