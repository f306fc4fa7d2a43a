"""Tampered sessions: the sealed `Session` string of a real NEW_PASSWORD_REQUIRED challenge with
bits flipped, cut short, lengthened, replaced by random bytes; a session from another app
client of the pool, from another pool, or already answered; and the genuine session answered
for another user or another challenge. Each one must be refused, and must leave the genuine
session as it was: answerable once, afterwards."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

NEW_PASSWORD = "Fuzz-New-Passw0rd!"
# Challenges other than the one the genuine session expects, with answers of their shape.
OTHER_CHALLENGES = (
    ("SOFTWARE_TOKEN_MFA", {"SOFTWARE_TOKEN_MFA_CODE": "123456"}),
    ("SMS_MFA", {"SMS_MFA_CODE": "123456"}),
    ("EMAIL_OTP", {"EMAIL_OTP_CODE": "12345678"}),
    ("SELECT_MFA_TYPE", {"ANSWER": "SOFTWARE_TOKEN_MFA"}),
    ("MFA_SETUP", {}),
    ("CUSTOM_CHALLENGE", {"ANSWER": "fuzz"}),
    ("DEVICE_SRP_AUTH", {"DEVICE_KEY": "us-east-1_fuzz", "SRP_A": "1"}),
    ("SELECT_CHALLENGE", {"ANSWER": "PASSWORD"}),
)


@dataclass(frozen=True)
class GenuineSessions:
    """Real sessions of the pool made for the check, and whom they are for."""

    session: str  # NEW_PASSWORD_REQUIRED for `username`, through `client_id`
    username: str
    other_username: str
    client_id: str
    other_client_session: str  # the same challenge of `username`, through another client
    other_pool_session: str  # the same challenge in another pool
    spent_session: str  # answered already

    def tampered(self) -> Any:
        """(how, session) for sessions that are not the genuine one."""
        raw = base64.b64decode(self.session)

        def flipped(bit: int) -> str:
            changed = bytearray(raw)
            changed[bit // 8] ^= 1 << (bit % 8)
            return base64.b64encode(bytes(changed)).decode()

        return st.one_of(
            st.integers(0, len(raw) * 8 - 1).map(lambda bit: ("bit flipped", flipped(bit))),
            st.integers(0, len(self.session) - 1).map(
                lambda end: ("cut short", self.session[:end])
            ),
            st.binary(min_size=1, max_size=64).map(
                lambda more: ("lengthened", base64.b64encode(raw + more).decode())
            ),
            st.binary(min_size=len(raw), max_size=len(raw)).map(
                lambda random: ("random bytes", base64.b64encode(random).decode())
            ),
            st.sampled_from(
                (
                    ("another client's", self.other_client_session),
                    ("another pool's", self.other_pool_session),
                    ("answered already", self.spent_session),
                    ("not base64", "!" * 24 + self.session[24:]),
                )
            ),
        )

    def answers(self, pool_id: str) -> Any:
        """(how, operation, body) of requests that present a session which must be refused:
        a tampered one to any operation that takes a session, or the genuine one with another
        user's name or to another challenge."""
        responses = {"USERNAME": self.username, "NEW_PASSWORD": NEW_PASSWORD}

        def respond(session: str, name: str = "NEW_PASSWORD_REQUIRED", **answers: str) -> Any:
            return {
                "ClientId": self.client_id,
                "ChallengeName": name,
                "Session": session,
                "ChallengeResponses": {**responses, **answers},
            }

        def admin(body: dict[str, Any]) -> dict[str, Any]:
            return {**body, "UserPoolId": pool_id}

        tampered = self.tampered().flatmap(
            lambda drawn: st.sampled_from(
                (
                    ("RespondToAuthChallenge", respond(drawn[1])),
                    ("AdminRespondToAuthChallenge", admin(respond(drawn[1]))),
                    ("AssociateSoftwareToken", {"Session": drawn[1]}),
                    ("VerifySoftwareToken", {"Session": drawn[1], "UserCode": "123456"}),
                )
            ).map(lambda request: (drawn[0], *request))
        )
        misused = st.one_of(
            st.just(
                (
                    "genuine, another user's name",
                    "RespondToAuthChallenge",
                    respond(self.session, USERNAME=self.other_username),
                )
            ),
            st.sampled_from(OTHER_CHALLENGES).map(
                lambda other: (
                    f"genuine, answered as {other[0]}",
                    "RespondToAuthChallenge",
                    respond(self.session, other[0], **other[1]),
                )
            ),
        )
        return st.one_of(tampered, misused)
