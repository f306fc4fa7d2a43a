"""USER_AUTH: choice-based sign-in (auth/choice.py). The client may name a first factor
(PREFERRED_CHALLENGE, with its parameters: PASSWORD, or SRP_A for PASSWORD_SRP); otherwise,
or where the user cannot use that one, SELECT_CHALLENGE lists the ones they may choose."""

from __future__ import annotations

from collections.abc import Mapping

from userpool.auth import choice, first_factor
from userpool.auth.choice import Chooser
from userpool.auth.flows import Flow
from userpool.auth.outcomes import Attempt, Outcome, Proceed
from userpool.auth.params import required
from userpool.auth.runtime import Runtime
from userpool.auth.sessions import Progress
from userpool.domain.models import UserPool
from userpool.storage.repositories import Transaction


def load(runtime: Runtime, tx: Transaction, pool: UserPool, params: Mapping[str, str]) -> Chooser:
    candidate = first_factor.load_candidate(runtime, tx, pool, required(params, "USERNAME"))
    return Chooser(candidate, choice.has_passkey(tx, pool, candidate.user))


def start(
    attempt: Attempt, chooser: Chooser, params: Mapping[str, str], progress: Progress
) -> Outcome | Proceed:
    username = required(params, "USERNAME")
    preferred = params.get("PREFERRED_CHALLENGE") or None
    return choice.choose(attempt, chooser, params, progress, username, preferred)


FLOW = Flow("ALLOW_USER_AUTH", load, start)
