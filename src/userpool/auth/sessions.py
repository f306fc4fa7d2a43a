"""The state of a sign-in between two calls, and the `Session` string that carries it.

One typed record (`SignInState`), made in one place (`begin`): the pool, client and user it
is bound to, the challenge it expects and until when, how far the sign-in has come
(`Progress`: its flow, the challenges answered, the device it runs on, the rounds of a
custom challenge), the role of the current factor, and the challenge's own data.

Where it lives: sealed (AES-GCM, a key derived from the server key) into the Session itself
when that fits botocore's limit for it (2,048 characters), so that any node opens it and
nothing is stored; otherwise (a custom challenge's rounds and private parameters can be
large) sealed into a row keyed by the session id, and the Session carries only that id and
the expiry. A challenge answered without the Session (SRP's PASSWORD_CLAIM_SECRET_BLOCK)
always carries its state itself. Single use is a consumed-marker in storage either way.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import orjson

from userpool.crypto.sealing import Sealer, SealError
from userpool.domain.errors import NotAuthorizedException
from userpool.domain.flows import AuthFlow, ChallengeName, FactorRole
from userpool.storage.repositories import Transaction

INVALID = "Invalid session for the user."
REUSED = "Invalid session for the user, session can only be used once."
EXPIRED = "Invalid session for the user, session is expired."
CONTEXT = b"userpool-auth-session"
MAX_SESSION = 2048  # botocore's SessionType: a longer Session would not reach the server
_STORED = "stored"  # the first item of a Session that only names a stored state
_SUCCESSOR = "after-"  # the key of a state kept as the successor of a session (by its sid)
_FORMAT = 2


@dataclass(frozen=True)
class CustomRound:
    """One round of a custom challenge, as DefineAuthChallenge's `session[]` shows it."""

    challenge_name: str
    challenge_result: bool
    challenge_metadata: str | None = None


@dataclass(frozen=True)
class Progress:
    """How far one sign-in has come: carried from each challenge to the next. `stand_in`:
    it is for a name that means nobody, where the client hides that (custom auth goes on,
    its triggers told userNotFound). `event_id`: the sign-in's auth event, where threat
    protection records one (auth/sign_in_events.py)."""

    flow: AuthFlow
    answered: tuple[ChallengeName, ...] = ()
    device_key: str | None = None
    rounds: tuple[CustomRound, ...] = ()
    stand_in: bool = False
    event_id: str | None = None

    def after(self, challenge: ChallengeName) -> Progress:
        return replace(self, answered=(*self.answered, challenge))

    def with_round(self, name: str, result: bool, metadata: str | None = None) -> Progress:
        """This progress with one more round of a custom sign-in (DefineAuthChallenge's
        `session[]`)."""
        return replace(self, rounds=(*self.rounds, CustomRound(name, result, metadata)))


@dataclass(frozen=True)
class SignInState:
    pool_id: str
    client_id: str
    username: str
    challenge: ChallengeName
    expires: float
    progress: Progress
    role: FactorRole | None = None
    data: Mapping[str, Any] = field(default_factory=dict)
    sid: str = field(default_factory=lambda: secrets.token_hex(16))

    def answered(self) -> Progress:
        """The progress once this state's challenge is answered."""
        return self.progress.after(self.challenge)


def begin(
    pool_id: str,
    client_id: str,
    username: str,
    challenge: ChallengeName,
    expires: float,
    progress: Progress,
    role: FactorRole | None = None,
    data: Mapping[str, Any] | None = None,
) -> SignInState:
    """The state of a challenge about to be sent: the one place states are made."""
    return SignInState(
        pool_id, client_id, username, challenge, expires, progress, role, dict(data or {})
    )


class SessionSealer:
    def __init__(self, sealer: Sealer) -> None:
        self._sealer = sealer

    def seal_bytes(self, data: bytes, context: bytes) -> bytes:
        """Other short-lived secrets sealed with the same key, kept apart by `context` (the
        tokens an authorization code stands for: userpool.oauth.codes)."""
        return self._sealer.seal(data, context)

    def open_bytes(self, sealed: bytes, context: bytes) -> bytes:
        return self._sealer.open(sealed, context)

    def seal(self, state: SignInState) -> str:
        """`state` as a string that carries it whole (any length)."""
        return self._encode(_to_list(state))

    def keep(self, tx: Transaction, state: SignInState) -> str:
        """The Session for `state`: itself when it fits, else a reference to a row that
        `tx` stores (see the module notes)."""
        whole = self.seal(state)
        if len(whole) <= MAX_SESSION:
            return whole
        tx.sign_in_states.put(state.sid, state.pool_id, state.expires, whole)
        return self._encode([_STORED, state.sid, state.expires])

    def keep_as_successor(self, tx: Transaction, earlier: str, state: SignInState) -> None:
        """Also keep `state` as what the session `earlier` (a sid) led to, for a client that
        answers it with that session again (see `successor`)."""
        tx.sign_in_states.put(_SUCCESSOR + earlier, state.pool_id, state.expires, self.seal(state))

    def successor(self, tx: Transaction, earlier: SignInState) -> SignInState | None:
        """The state `earlier`'s answer led to, where it was kept as its successor: the one
        DEVICE_SRP_AUTH that follows an MFA code. amazon-cognito-identity-js 6 answers that
        DEVICE_SRP_AUTH with the Session of the code it has just answered (sendMFACode goes
        on without keeping the new one). The successor is single-use by its own sid, and
        exists only once the code was right."""
        stored = tx.sign_in_states.get(_SUCCESSOR + earlier.sid)
        return _from_list(self._decode(stored)) if stored is not None else None

    def open(self, session: str, tx: Transaction | None = None) -> SignInState:
        """The state `session` carries (read from storage through `tx` when it names a
        stored one); NotAuthorizedException if it was not made here or is gone."""
        items = self._decode(session)
        if items and items[0] == _STORED:
            stored = tx.sign_in_states.get(items[1]) if tx is not None else None
            if stored is None:  # handed out only once stored: purged since it expired
                raise NotAuthorizedException(EXPIRED)
            items = self._decode(stored)
        try:
            return _from_list(items)
        except (ValueError, TypeError, KeyError) as error:
            raise NotAuthorizedException(INVALID) from error

    def _encode(self, items: list[Any]) -> str:
        return base64.b64encode(self._sealer.seal(orjson.dumps(items), CONTEXT)).decode()

    def _decode(self, session: str) -> list[Any]:
        try:
            raw = self._sealer.open(base64.b64decode(session.encode(), validate=True), CONTEXT)
            items = orjson.loads(raw)
        except (SealError, binascii.Error, ValueError, TypeError) as error:
            raise NotAuthorizedException(INVALID) from error
        if not isinstance(items, list):
            raise NotAuthorizedException(INVALID)
        return items


def _to_list(state: SignInState) -> list[Any]:
    progress = state.progress
    rounds = [[r.challenge_name, r.challenge_result, r.challenge_metadata] for r in progress.rounds]
    # The event id only where there is one: a node of the version before reads the rest.
    event = [progress.event_id] if progress.event_id is not None else []
    return [
        _FORMAT,
        state.sid,
        state.pool_id,
        state.client_id,
        state.username,
        state.challenge,
        state.expires,
        progress.flow,
        list(progress.answered),
        progress.device_key,
        rounds,
        int(progress.stand_in),
        state.role,
        state.data,
        *event,
    ]


def _from_list(items: list[Any]) -> SignInState:
    version, sid, pool_id, client_id, username, challenge, expires, flow, answered, *rest = items
    device_key, rounds, stand_in, role, data, *event_id = rest
    if version != _FORMAT:
        raise ValueError(f"sign-in state format {version}")
    progress = Progress(
        AuthFlow(flow),
        tuple(ChallengeName(name) for name in answered),
        device_key,
        tuple(CustomRound(*each) for each in rounds),
        bool(stand_in),
        event_id[0] if event_id else None,
    )
    role = FactorRole(role) if role is not None else None
    return SignInState(
        pool_id, client_id, username, ChallengeName(challenge), expires, progress, role, data, sid
    )


def check_binding(
    state: SignInState, pool_id: str, client_id: str, challenge: str, now: float
) -> None:
    """The session belongs to this pool and client, expects this challenge, and is live."""
    if state.pool_id != pool_id or state.client_id != client_id or state.challenge != challenge:
        raise NotAuthorizedException(INVALID)
    if now >= state.expires:
        raise NotAuthorizedException(EXPIRED)


def consume(tx: Transaction, state: SignInState) -> None:
    """Use the session up; a second use of it fails."""
    if not tx.session_markers.consume(state.sid, state.expires):
        raise NotAuthorizedException(REUSED)
