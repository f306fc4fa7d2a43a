"""DEVICE_PASSWORD_VERIFIER: the client's device SRP claim, checked as a user's SRP claim is
(auth/challenges/password_verifier.py) with the device group key in place of the pool's name
and the device key in place of the user's; the verifier is the device's, stored when it was
confirmed. A wrong claim uses the session up and counts nothing against the user: it guesses
no password."""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Mapping

from userpool.auth import devices
from userpool.auth.challenges.password_verifier import BLOCK, timestamp_fresh
from userpool.auth.challenges.spec import ChallengeSpec, Shown, present, user_of
from userpool.auth.first_factor import WRONG_PASSWORD
from userpool.auth.outcomes import Attempt, Proceed
from userpool.auth.params import required
from userpool.auth.sessions import SignInState, consume
from userpool.crypto import srp
from userpool.domain.auth_records import Device
from userpool.domain.errors import NotAuthorizedException
from userpool.domain.flows import ChallengeName
from userpool.domain.models import User
from userpool.storage.repositories import Transaction

NAME = ChallengeName.DEVICE_PASSWORD_VERIFIER


def parameters(_attempt: Attempt, _tx: Transaction, user: User, state: SignInState) -> Shown:
    data = state.data
    return Shown(
        {
            "SRP_B": data["B"],
            # Minimal hex, as PASSWORD_VERIFIER's SALT (clients pad the number they parse).
            "SALT": format(int(data["salt"], 16), "x"),
            "SECRET_BLOCK": data["block"],
            "USERNAME": user.username,
        }
    )


def _claim_holds(
    attempt: Attempt, state: SignInState, device: Device, responses: Mapping[str, str]
) -> bool:
    data = state.data
    if not hmac.compare_digest(required(responses, BLOCK).encode(), data["block"].encode()):
        return False
    stamp = required(responses, "TIMESTAMP")
    if not timestamp_fresh(stamp, attempt.now):
        return False
    try:
        signature = base64.b64decode(required(responses, "PASSWORD_CLAIM_SIGNATURE"), validate=True)
    except binascii.Error:
        return False
    key = srp.session_key(
        int(data["A"], 16), int(data["B"], 16), int(data["b"], 16), int(device.verifier, 16)
    )
    if key is None:
        return False
    block = base64.b64decode(data["block"])
    expected = srp.claim_signature(key, device.group_key, device.key, block, stamp)
    return hmac.compare_digest(expected, signature)


def answer(
    attempt: Attempt, state: SignInState, user: User | None, responses: Mapping[str, str]
) -> Proceed:
    user = present(user)
    key = state.progress.device_key
    if responses.get(devices.KEY) not in (None, key):
        raise devices.missing()
    device = devices.users_device(attempt, user, key)
    if not _claim_holds(attempt, state, device, responses):
        with attempt.runtime.store.write() as tx:
            consume(tx, state)
        raise NotAuthorizedException(WRONG_PASSWORD)

    def proved(tx: Transaction) -> User:
        consume(tx, state)
        tx.devices.authenticated(attempt.pool.id, device.key, attempt.now)
        return user_of(tx, attempt, state)

    return Proceed(user, state.answered(), record=proved)


DEVICE_PASSWORD_VERIFIER = ChallengeSpec(NAME, parameters, answer)
