"""WEB_AUTHN: a passkey as the first factor of choice-based sign-in (USER_AUTH). The challenge
shows CREDENTIAL_REQUEST_OPTIONS (the user's passkeys, a fresh WebAuthn challenge kept in the
session); the answer's CREDENTIAL, an AuthenticationResponseJSON, is verified by py_webauthn
(accounts/passkeys.py) against the passkey it names, read in the step's read. The signature
counter moves in the step's write by one conditional update, so one assertion signs in once;
a failed answer uses the session up and counts nothing against the user's lockout (it
guesses no password)."""

from __future__ import annotations

from collections.abc import Mapping

from webauthn.helpers import base64url_to_bytes

from userpool.accounts import passkeys
from userpool.auth.challenges.spec import ChallengeSpec, Shown, present, user_of
from userpool.auth.outcomes import Attempt, Proceed
from userpool.auth.params import required
from userpool.auth.runtime import Runtime
from userpool.auth.sessions import SignInState, consume
from userpool.domain.auth_records import Passkey
from userpool.domain.errors import CognitoError, NotAuthorizedException
from userpool.domain.flows import ChallengeName
from userpool.domain.models import User, UserPool
from userpool.storage.repositories import Transaction

NAME = ChallengeName.WEB_AUTHN
CREDENTIAL = "CREDENTIAL"


def _challenge(state: SignInState) -> bytes:
    return base64url_to_bytes(str(state.data["challenge"]))


def parameters(attempt: Attempt, tx: Transaction, user: User, state: SignInState) -> Shown:
    credentials = tx.passkeys.of_user(attempt.pool.id, user.sub)
    options = passkeys.authentication_options(attempt.pool, credentials, _challenge(state))
    return Shown({"CREDENTIAL_REQUEST_OPTIONS": options})


def load(
    _runtime: Runtime,
    tx: Transaction,
    pool: UserPool,
    _state: SignInState,
    responses: Mapping[str, str],
) -> Passkey | None:
    """The passkey the answer names (a malformed CREDENTIAL: InvalidParameterException)."""
    return tx.passkeys.get(pool.id, passkeys.credential_id_of(required(responses, CREDENTIAL)))


def answer(
    attempt: Attempt, state: SignInState, user: User | None, responses: Mapping[str, str]
) -> Proceed:
    user = present(user)
    passkey = attempt.loaded
    try:
        if not isinstance(passkey, Passkey) or passkey.sub != user.sub:
            raise NotAuthorizedException(passkeys.REFUSED)
        count = passkeys.verify_assertion(
            attempt.pool, passkey, _challenge(state), required(responses, CREDENTIAL)
        )
    except NotAuthorizedException:
        with attempt.runtime.store.write() as tx:
            consume(tx, state)
        raise
    key = passkey.credential_id

    def proved(tx: Transaction) -> User | CognitoError:
        consume(tx, state)
        if not tx.passkeys.update_sign_count(attempt.pool.id, key, passkey.sign_count, count):
            return NotAuthorizedException(passkeys.REFUSED)  # another sign-in used it first
        return user_of(tx, attempt, state)

    return Proceed(user, state.answered(), record=proved)


WEB_AUTHN = ChallengeSpec(NAME, parameters, answer, stores=True, load=load)
