"""DEVICE_SRP_AUTH: the sign-in named a device; the client starts device SRP with SRP_A and
DEVICE_KEY, and is answered DEVICE_PASSWORD_VERIFIER: B from the device's stored verifier,
its salt and a secret block, the secret b kept sealed in the next session."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Mapping

from userpool.auth import devices
from userpool.auth.challenges.spec import ChallengeSpec, Shown, present, user_of
from userpool.auth.flows.srp import client_public
from userpool.auth.outcomes import Attempt, Next, Proceed
from userpool.auth.params import required
from userpool.auth.sessions import SignInState, consume
from userpool.crypto import srp
from userpool.domain.flows import ChallengeName
from userpool.domain.models import User
from userpool.storage.repositories import Transaction

NAME = ChallengeName.DEVICE_SRP_AUTH


def parameters(_attempt: Attempt, _tx: Transaction, _user: User, _state: SignInState) -> Shown:
    # Nothing to show: the client has the device's key, group key and secret. No USERNAME
    # either: Amplify would look its device up under it, where it may have kept the name
    # the user typed.
    return Shown({})


def answer(
    attempt: Attempt, state: SignInState, user: User | None, responses: Mapping[str, str]
) -> Proceed:
    user = present(user)
    key = state.progress.device_key
    if required(responses, devices.KEY) != key:
        raise devices.missing()
    device = devices.users_device(attempt, user, key)
    big_a = client_public(responses)
    b, big_b = srp.server_keys(int(device.verifier, 16))
    data = {
        "A": format(big_a, "x"),
        "b": format(b, "x"),
        "B": format(big_b, "x"),
        "salt": device.salt,
        "block": base64.b64encode(secrets.token_bytes(48)).decode(),
    }

    def use_up(tx: Transaction) -> User:
        consume(tx, state)
        return user_of(tx, attempt, state)

    then = Next(ChallengeName.DEVICE_PASSWORD_VERIFIER, data=data)
    return Proceed(user, state.answered(), record=use_up, then=then)


DEVICE_SRP_AUTH = ChallengeSpec(NAME, parameters, answer)
