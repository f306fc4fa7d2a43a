"""What the server gives every request: storage and the long-lived collaborators of one
process, in one bundle (a new collaborator is one field here, wired in app.py)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from userpool.auth.sessions import SessionSealer
from userpool.delivery import Sender
from userpool.domain.errors import CognitoError
from userpool.domain.flows import AuthFlow
from userpool.storage.repositories import Store
from userpool.tokens.issuer import TokenSigner
from userpool.tokens.keys import KeyRing
from userpool.triggers import Triggers

if TYPE_CHECKING:
    from userpool.auth.outcomes import Outcome


class SignInSteps(Protocol):
    def __call__(self, flow: AuthFlow | None, result: Outcome | CognitoError) -> None:
        """What one sign-in step came to (auth/reporting.py): the flow, when known."""


def unobserved(flow: AuthFlow | None, result: Outcome | CognitoError) -> None:
    """No one watches (tests that build a Runtime of their own)."""


@dataclass(frozen=True)
class Runtime:
    store: Store
    keys: KeyRing
    signer: TokenSigner
    sessions: SessionSealer
    simulation_key: bytes  # makes stand-ins for unknown users stable per (pool, username)
    codes_key: bytes  # keys the stored hashes of one-time codes
    delivery: Sender
    triggers: Triggers  # the pool's Lambda triggers (called from issue 13's hooks)
    sign_in_steps: SignInSteps = unobserved  # each step's outcome, for the server's metrics
    # What time it is for everything that expires or is dated (sessions, codes, tokens,
    # lockouts, records): the real time, or --dev-endpoints' clock (storage/dev_clock.py).
    clock: Callable[[], float] = time.time
