"""What a flow starter or a challenge handler returns: another challenge, or tokens."""

from __future__ import annotations

from dataclasses import dataclass

from userpool.auth.sessions import SessionSealer
from userpool.delivery import Sender
from userpool.domain.models import AppClient, User, UserPool
from userpool.storage.repositories import Store
from userpool.tokens.issuer import TokenSigner


@dataclass(frozen=True)
class IssuedTokens:
    id_token: str
    access_token: str
    expires_in: int
    refresh_token: str | None = None


@dataclass(frozen=True)
class Challenge:
    name: str
    parameters: dict[str, str]
    session: str | None


@dataclass(frozen=True)
class Authenticated:
    tokens: IssuedTokens


Outcome = Challenge | Authenticated


@dataclass(frozen=True)
class Proceed:
    """A factor passed: the engine decides what comes next (a challenge, or tokens).
    `admit`: a password proof whose admission past the lockout (auth/lockout.py `admit`)
    is still to be made, in the write transaction that acts on it."""

    user: User
    admit: bool = False


@dataclass(frozen=True)
class AuthEnv:
    """What the engine needs from the process: storage, token signing, session sealing."""

    store: Store
    signer: TokenSigner
    sessions: SessionSealer
    simulation_key: bytes  # makes stand-ins for unknown users stable per (pool, username)
    codes_key: bytes
    delivery: Sender


@dataclass(frozen=True)
class Attempt:
    """One call into the engine: which pool and client, through which operation, when."""

    env: AuthEnv
    pool: UserPool
    client: AppClient
    admin: bool
    now: float
