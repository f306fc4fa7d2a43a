"""CUSTOM_CHALLENGE: a challenge the pool's CreateAuthChallenge function made. The client sees
its public parameters (and USERNAME); the private ones stay in the sign-in's state, for
VerifyAuthChallengeResponse to judge the ANSWER with. Right or wrong, the round is recorded
and DefineAuthChallenge decides what comes next (flows/custom.py).

The session is used up in a write of its own before any function sees the answer: a replayed
one reaches none of them (CreateAuthChallenge may send a code, VerifyAuthChallengeResponse
count a guess), and of two answers with one session at once, only one goes on."""

from __future__ import annotations

from collections.abc import Mapping

from userpool.auth import hooks
from userpool.auth.challenges.spec import ChallengeSpec, Shown, present
from userpool.auth.flows import srp
from userpool.auth.outcomes import Attempt, Proceed
from userpool.auth.params import required
from userpool.auth.sessions import SignInState, consume
from userpool.domain.flows import ChallengeName
from userpool.domain.models import User
from userpool.storage.repositories import Transaction

NAME = ChallengeName.CUSTOM_CHALLENGE


def parameters(_attempt: Attempt, _tx: Transaction, user: User, state: SignInState) -> Shown:
    return Shown({**state.data["public"], "USERNAME": user.username})


def answer(
    attempt: Attempt, state: SignInState, user: User | None, responses: Mapping[str, str]
) -> Proceed:
    response = required(responses, "ANSWER")
    name = state.data["name"]
    subject = None if state.progress.stand_in else present(user)
    with attempt.runtime.store.write() as tx:
        consume(tx, state)
    correct = hooks.verify_auth_challenge_response(
        attempt, subject, name, state.data["private"], response
    )
    progress = state.answered().with_round(NAME, correct, state.data.get("metadata"))
    carried = subject if subject is not None else srp.simulated_user(attempt, name)
    return Proceed(carried, progress, data={"name": name})


CUSTOM = ChallengeSpec(NAME, parameters, answer)
