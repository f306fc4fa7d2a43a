"""One module per AuthFlow: what the flow reads in the step's read transaction (`load`),
and how it starts once that is read (`start`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from userpool.auth.outcomes import Attempt, Outcome, Proceed
from userpool.auth.runtime import Runtime
from userpool.auth.sessions import Progress
from userpool.domain.models import UserPool
from userpool.storage.repositories import Transaction

Load = Callable[[Runtime, Transaction, UserPool, Mapping[str, str]], Any]
Start = Callable[[Attempt, Any, Mapping[str, str], Progress], "Outcome | Proceed"]


@dataclass(frozen=True)
class Flow:
    allowed_by: str  # the client's ExplicitAuthFlows value that allows it
    load: Load
    start: Start
