"""PASSWORD_VERIFIER: the client's SRP proof. The server's secret `b` travels sealed inside
SECRET_BLOCK (clients such as pycognito answer without the Session), and the claim is
checked against the stored verifier in constant time."""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Mapping
from datetime import UTC, datetime

from userpool.auth import first_factor, lockout
from userpool.auth.challenges.spec import ChallengeSpec, session_user
from userpool.auth.outcomes import Attempt, Challenge, Proceed
from userpool.auth.params import required
from userpool.auth.sessions import SessionState, consume
from userpool.crypto import srp
from userpool.domain.client_rules import auth_session_seconds
from userpool.domain.errors import NotAuthorizedException
from userpool.domain.models import User

NAME = "PASSWORD_VERIFIER"
BLOCK = "PASSWORD_CLAIM_SECRET_BLOCK"
MAX_CLOCK_SKEW_SECONDS = 300


def srp_challenge(
    attempt: Attempt, user: User, big_a: int, name: str, *, simulated: bool
) -> Challenge:
    assert user.password is not None
    b, big_b = srp.server_keys(int(user.password.verifier, 16))
    state = SessionState(
        pool_id=attempt.pool.id,
        client_id=attempt.client.id,
        username=user.username,
        challenge=NAME,
        expires=attempt.now + auth_session_seconds(attempt.client.settings),
        data={
            "A": format(big_a, "x"),
            "b": format(b, "x"),
            "B": format(big_b, "x"),
            "name": name,
            "simulated": simulated,
        },
    )
    if simulated:
        state.data["verifier"] = user.password.verifier
    block = attempt.env.sessions.seal(state)
    parameters = {
        # Minimal hex: pycognito pads the text it is given, identity-js the number it parses.
        "SALT": format(int(user.password.salt, 16), "x"),
        "SRP_B": format(big_b, "x"),
        "SECRET_BLOCK": block,
        "USERNAME": user.username,
        "USER_ID_FOR_SRP": user.username,
    }
    return Challenge(NAME, parameters, session=None)


def _claim_holds(
    attempt: Attempt, state: SessionState, verifier: str, responses: Mapping[str, str]
) -> bool:
    timestamp = srp.parse_timestamp(required(responses, "TIMESTAMP"))
    now = datetime.fromtimestamp(attempt.now, UTC)
    if timestamp is None or abs((now - timestamp).total_seconds()) > MAX_CLOCK_SKEW_SECONDS:
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


def answer(attempt: Attempt, state: SessionState, responses: Mapping[str, str]) -> Proceed:
    if state.data.get("simulated"):
        _claim_holds(attempt, state, state.data["verifier"], responses)  # same work, same time
        with attempt.env.store.write() as tx:
            consume(tx, state)
        raise NotAuthorizedException(first_factor.WRONG_PASSWORD)
    user = session_user(attempt, state)
    assert user.password is not None
    holds = _claim_holds(attempt, state, user.password.verifier, responses)
    with attempt.env.store.write() as tx:
        consume(tx, state)
        if not holds:
            lockout.record_failure(tx, user, attempt.now)
        else:
            tx.lockouts.clear(user.sub)
    if not holds:
        raise NotAuthorizedException(first_factor.WRONG_PASSWORD)
    first_factor.check_after_proof(attempt, user)
    return Proceed(user)


PASSWORD_VERIFIER = ChallengeSpec(NAME, parameters=None, answer=answer, carried_in=BLOCK)
