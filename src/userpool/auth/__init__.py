"""The sign-in engine. What the rest of the server uses of it is named here: the engine's
calls, what they return, the runtime bundle they are given, refresh-token use, the
MFA_SETUP session steps of AssociateSoftwareToken / VerifySoftwareToken, UserMigration
(which ForgotPassword calls too), and, for managed login, a remembered user's tokens and the
first factors a pool allows (its sign-in page offers them). Nothing outside `auth/` imports
its inner modules (tests/test_layers.py holds that)."""

from userpool.auth.choice import pool_allows as allowed_first_factors
from userpool.auth.engine import initiate, respond
from userpool.auth.hooks import pre_token_generation_for_client
from userpool.auth.migration import migrate
from userpool.auth.outcomes import (
    Attempt,
    Authenticated,
    Challenge,
    Hosted,
    IssuedTokens,
    Outcome,
)
from userpool.auth.refresh_tokens import (
    read_refresh_token,
    redeem_refresh_token,
    refreshed_tokens,
    rotated_tokens,
)
from userpool.auth.remembered import sign_in_again
from userpool.auth.runtime import Runtime
from userpool.auth.sessions import SessionSealer
from userpool.auth.setup_sessions import SetupSession, following, open_setup
from userpool.auth.sign_up_sessions import sign_up_session

__all__ = [
    "Attempt",
    "Authenticated",
    "Challenge",
    "Hosted",
    "IssuedTokens",
    "Outcome",
    "Runtime",
    "SessionSealer",
    "SetupSession",
    "allowed_first_factors",
    "following",
    "initiate",
    "migrate",
    "open_setup",
    "pre_token_generation_for_client",
    "read_refresh_token",
    "redeem_refresh_token",
    "refreshed_tokens",
    "respond",
    "rotated_tokens",
    "sign_in_again",
    "sign_up_session",
]
