"""What each sign-in step came to, told to the runtime's `sign_in_steps` (the server's
metrics): the sign-in's flow and the step's outcome, tokens, a challenge or the error it
raised. The engine's two entry points are wrapped here, so that no step can end without
being told, however it ends.

A RespondToAuthChallenge learns its sign-in's flow only when it has opened its session: it
writes it into the `Report` it is given. A step refused before that (no session, a session
that does not open) is told with no flow.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import ParamSpec

from userpool.auth.outcomes import Outcome
from userpool.auth.runtime import Runtime
from userpool.domain.errors import CognitoError
from userpool.domain.flows import AuthFlow

P = ParamSpec("P")


@dataclass
class Report:
    flow: AuthFlow | None = None


UNREPORTED = Report()  # the default of a wrapped step's `report`; the wrapper passes its own


def reported(step: Callable[P, Outcome]) -> Callable[P, Outcome]:
    """`step(runtime, ..., flow=?, report=...)`, with its outcome told."""

    @functools.wraps(step)
    def run(*args: P.args, **kwargs: P.kwargs) -> Outcome:
        runtime = args[0]
        assert isinstance(runtime, Runtime)
        report = Report(_flow(kwargs.get("flow")))
        kwargs["report"] = report
        try:
            outcome = step(*args, **kwargs)
        except CognitoError as error:
            runtime.sign_in_steps(report.flow, error)
            raise
        runtime.sign_in_steps(report.flow, outcome)
        return outcome

    return run


def _flow(name: object) -> AuthFlow | None:
    """The flow an InitiateAuth names, if it names one."""
    return AuthFlow(name) if isinstance(name, str) and name in AuthFlow.__members__ else None
