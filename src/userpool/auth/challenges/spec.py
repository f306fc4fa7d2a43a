"""The shape every challenge module fills in: what to send, and how to take the answer."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from userpool.auth.outcomes import Attempt, Outcome, Proceed
from userpool.auth.sessions import SessionState
from userpool.domain.models import User

Parameters = Callable[[Attempt, User], dict[str, str]]
Answer = Callable[[Attempt, User, Mapping[str, str], SessionState], "Outcome | Proceed"]


@dataclass(frozen=True)
class ChallengeSpec:
    name: str
    parameters: Parameters
    answer: Answer
