"""PASSWORD_VERIFIER: the client's SRP proof. The server's secret `b` travels sealed inside
SECRET_BLOCK (clients such as pycognito answer without the Session), and the claim is
checked against the stored verifier in constant time."""

from __future__ import annotations

import base64
import binascii
import hmac
import time
from collections.abc import Mapping
from functools import partial
from typing import Any

from userpool.auth import first_factor
from userpool.auth.challenges.spec import ChallengeSpec, Shown, present
from userpool.auth.outcomes import Attempt, Challenge, Proceed
from userpool.auth.params import required
from userpool.auth.sessions import Progress, SignInState, begin, consume
from userpool.crypto import srp
from userpool.domain.client_rules import auth_session_seconds
from userpool.domain.errors import NotAuthorizedException
from userpool.domain.flows import AuthFlow, ChallengeName, FactorRole
from userpool.domain.models import User
from userpool.storage.repositories import Transaction

NAME = ChallengeName.PASSWORD_VERIFIER
BLOCK = "PASSWORD_CLAIM_SECRET_BLOCK"
MAX_CLOCK_SKEW_SECONDS = 300


def timestamp_fresh(stamp: str, now: float) -> bool:
    """Whether TIMESTAMP is in Cognito's format and within MAX_CLOCK_SKEW_SECONDS of the
    server's time `now` or of the real time. A client stamps it with its own clock, the real
    time, which the dev clock (`serve --dev-endpoints`) may have left behind the server's:
    client libraries (amazon-cognito-identity-js, Amplify, pycognito) cannot be given another
    time. Without the dev clock the two are one moment."""
    moment = srp.parse_timestamp(stamp)
    if moment is None:
        return False
    signed = moment.timestamp()
    return any(abs(signed - at) <= MAX_CLOCK_SKEW_SECONDS for at in (now, time.time()))


def srp_data(user: User, big_a: int, name: str, *, simulated: bool) -> dict[str, Any]:
    """The challenge's state: the client's A, the server's secret b and its B (from the
    user's verifier), the name signed in with, and whether `user` is a stand-in."""
    assert user.password is not None
    b, big_b = srp.server_keys(int(user.password.verifier, 16))
    return {
        "A": format(big_a, "x"),
        "b": format(b, "x"),
        "B": format(big_b, "x"),
        "name": name,
        # 0 / 1 rather than false / true: a stand-in's SECRET_BLOCK must not be longer.
        "simulated": int(simulated),
    }


def parameters(attempt: Attempt, _tx: Transaction, user: User, state: SignInState) -> Shown:
    """What the client gets (when DefineAuthChallenge asks for the password)."""
    return _shown(attempt, user, state)


def _shown(attempt: Attempt, user: User, state: SignInState) -> Shown:
    """The challenge's parameters; its state travels whole in SECRET_BLOCK too (clients
    such as pycognito answer without the Session)."""
    assert user.password is not None
    return Shown(
        {
            # Minimal hex: pycognito pads the text it is given, identity-js the number it parses.
            "SALT": format(int(user.password.salt, 16), "x"),
            "SRP_B": state.data["B"],
            "SECRET_BLOCK": attempt.runtime.sessions.seal(state),
            "USERNAME": user.username,
            "USER_ID_FOR_SRP": user.username,
        }
    )


def srp_challenge(
    attempt: Attempt, user: User, big_a: int, name: str, progress: Progress, *, simulated: bool
) -> Challenge:
    """USER_SRP_AUTH's answer to SRP_A: nothing to store, so no write (and no Session)."""
    state = begin(
        attempt.pool.id,
        attempt.client.id,
        user.username,
        NAME,
        attempt.now + auth_session_seconds(attempt.client.settings),
        progress,
        FactorRole.FIRST,
        srp_data(user, big_a, name, simulated=simulated),
    )
    return Challenge(NAME, _shown(attempt, user, state).parameters, session=None)


def _claim_holds(
    attempt: Attempt, state: SignInState, verifier: str, responses: Mapping[str, str]
) -> bool:
    if not timestamp_fresh(required(responses, "TIMESTAMP"), attempt.now):
        return False
    try:
        block = base64.b64decode(required(responses, BLOCK), validate=True)
        signature = base64.b64decode(required(responses, "PASSWORD_CLAIM_SIGNATURE"), validate=True)
    except binascii.Error:
        return False
    data = state.data
    key = srp.session_key(
        int(data["A"], 16), int(data["B"], 16), int(data["b"], 16), int(verifier, 16)
    )
    if key is None:
        return False
    expected = srp.claim_signature(
        key, attempt.pool.srp_name, state.username, block, responses["TIMESTAMP"]
    )
    return hmac.compare_digest(expected, signature)


def answer(
    attempt: Attempt, state: SignInState, user: User | None, responses: Mapping[str, str]
) -> Proceed:
    """The proof is judged here; the session is used up with the verdict, counted (a
    failure) or admitted (a right proof, in the step's write). A stand-in's proof fails
    with the same work (the same read by the engine), counted against the stand-in."""
    simulated = bool(state.data.get("simulated"))
    real = None if simulated else present(user)
    verifier = first_factor.stand_in_verifier() if real is None else _verifier_of(real)
    holds = _claim_holds(attempt, state, verifier, responses)
    name = state.data["name"]
    sub = real.sub if real else first_factor.stand_in_sub(attempt.runtime, attempt.pool, name)
    use_up = partial(consume, state=state)
    progress = state.answered()
    if progress.flow is AuthFlow.CUSTOM_AUTH:  # DefineAuthChallenge sees it in session[]
        progress = progress.with_round(NAME, True)
    return first_factor.verdict(attempt, sub, real, holds, progress, also=use_up)


def _verifier_of(user: User) -> str:
    if user.password is None:  # its password was removed since the challenge was issued
        raise NotAuthorizedException(first_factor.WRONG_PASSWORD)
    return user.password.verifier


PASSWORD_VERIFIER = ChallengeSpec(NAME, parameters, answer, carried_in=BLOCK)
