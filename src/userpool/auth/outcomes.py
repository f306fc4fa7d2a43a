"""What a flow or a challenge handler returns: another challenge, tokens, or `Proceed` (the
engine decides what comes next); and `Attempt`, what each of them is given."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from userpool.auth.runtime import Runtime
from userpool.auth.sessions import Progress
from userpool.domain.auth_events import Factor, Origin
from userpool.domain.auth_records import Device
from userpool.domain.errors import CognitoError
from userpool.domain.flows import ChallengeName, FactorRole
from userpool.domain.models import AppClient, User, UserPool
from userpool.storage.repositories import Transaction


@dataclass(frozen=True)
class NewDevice:
    """NewDeviceMetadata: the key of the device a sign-in came from, new to the pool, and
    the user's device group key; the client may confirm it (ConfirmDevice)."""

    key: str
    group_key: str


@dataclass(frozen=True)
class IssuedTokens:
    id_token: str
    access_token: str
    expires_in: int
    refresh_token: str | None = None
    new_device: NewDevice | None = None


@dataclass(frozen=True)
class Challenge:
    """`available`: USER_AUTH's AvailableChallenges, the first factors the user may choose."""

    name: ChallengeName
    parameters: dict[str, str]
    session: str | None
    available: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Authenticated:
    tokens: IssuedTokens


Outcome = Challenge | Authenticated

# The writes a step decided on, made first in the step's one write transaction: they give
# the user as they leave them (read there, held until commit), or an error to answer with
# once they are committed (a wrong code's count must stay); raising writes nothing.
Record = Callable[[Transaction], "User | CognitoError"]


@dataclass(frozen=True)
class Next:
    """What comes after a passed factor: the challenge, the role of its factor, its data."""

    challenge: ChallengeName
    role: FactorRole | None = None
    data: Mapping[str, Any] = field(default_factory=dict)
    available: tuple[str, ...] | None = None  # USER_AUTH: AvailableChallenges to show with it


@dataclass(frozen=True)
class Proceed:
    """The answer holds (or will, once `record` has made its writes): the engine makes what
    comes next in the same write transaction. Next is what the flow's decider says, unless
    the answer named it (`then`: SELECT_MFA_TYPE's choice). `user` is the user as the
    decision must see them; `data`, what the decider needs of this step (CUSTOM_AUTH's
    SRP_A); `proves`, the factor `record` judges, as the user's auth events name it."""

    user: User
    progress: Progress
    record: Record | None = None
    then: Next | None = None
    data: Mapping[str, Any] = field(default_factory=dict)
    answered_sid: str | None = None  # the session this step answered, if any (engine)
    proves: Factor | None = None


@dataclass(frozen=True)
class Hosted:
    """A sign-in through a pool domain's managed login (userpool.oauth): the OAuth scopes the
    tokens are for and the OpenID nonce the ID token must carry. Such a sign-in is not bound
    by the client's ExplicitAuthFlows (managed login is its own way in)."""

    scopes: tuple[str, ...]
    nonce: str | None = None


@dataclass(frozen=True)
class Attempt:
    """One call into the engine: which pool and client, through which operation, when; the
    call's ClientMetadata, and `responding`: whether it reaches the triggers after the first
    factor (an answer to a challenge, GetTokensFromRefreshToken) or only PreAuthentication
    and UserMigration (InitiateAuth); auth/hooks.py. `device`: the confirmed device the
    sign-in names (DEVICE_KEY), as the step's read found it; None when it names none or one
    that is not stored. `origin`: where the call came from (its auth event's context)."""

    runtime: Runtime
    pool: UserPool
    client: AppClient
    admin: bool
    now: float
    client_metadata: Mapping[str, str] = field(default_factory=dict)
    responding: bool = False
    device: Device | None = None
    loaded: Any = None  # what the answered challenge's `load` read (challenges/spec.py)
    hosted: Hosted | None = None
    origin: Origin | None = None
