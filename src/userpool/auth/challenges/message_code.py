"""What SMS_MFA and EMAIL_OTP share: a code sent by text message or email once the engine
decides on the challenge, and the answer checked against it.

Cognito sends to unverified numbers and addresses, and marks one verified once a code sent
to it has come back. A session that sets a factor up during sign-in (MFA_SETUP with an email
address) carries the new destination: the code goes there, and only a right answer stores it
on the user and turns the factor on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from userpool.accounts import messages
from userpool.auth.challenges import factors, session_codes
from userpool.auth.challenges.spec import Answer, Parameters, session_user
from userpool.auth.outcomes import Attempt, Proceed
from userpool.auth.params import required
from userpool.auth.sessions import SessionState
from userpool.crypto.codes import code_matches
from userpool.delivery import deliver_or_fail, mask
from userpool.domain.messages import Medium, StoredCode
from userpool.domain.models import User

SETTING_UP = "setting_up"  # session data: the destination a factor is being set up with


@dataclass(frozen=True)
class Channel:
    challenge: str  # SMS_MFA, EMAIL_OTP
    medium: Medium
    answer_field: str  # SMS_MFA_CODE, EMAIL_OTP_CODE

    @property
    def attribute(self) -> str:
        return factors.CONTACTS[self.challenge]


def recipient(user: User, channel: Channel, data: Mapping[str, object]) -> User:
    """The user as the code sees them: with the destination being set up (in the session's
    `data`), if any."""
    setting_up = data.get(SETTING_UP)
    if not isinstance(setting_up, str):
        return user
    return replace(user, attributes={**user.attributes, channel.attribute: setting_up})


def parameters_for(channel: Channel) -> Parameters:
    def parameters(attempt: Attempt, user: User, state: SessionState) -> dict[str, str]:
        to = recipient(user, channel, state.data)
        destination = factors.contact(to, channel.challenge)
        assert destination is not None, f"{channel.challenge} decided for a user with no address"
        code = session_codes.new_code(attempt, to, state)
        message = messages.mfa(attempt.pool, to, channel.medium, session_codes.purpose(state), code)
        deliver_or_fail(attempt.env.delivery, message)
        return {
            "CODE_DELIVERY_DELIVERY_MEDIUM": channel.medium.value,
            "CODE_DELIVERY_DESTINATION": mask(channel.medium, destination),
        }

    return parameters


def answer_for(channel: Channel) -> Answer:
    def answer(attempt: Attempt, state: SessionState, responses: Mapping[str, str]) -> Proceed:
        code = required(responses, channel.answer_field)
        user = recipient(session_user(attempt, state), channel, state.data)
        key = attempt.env.codes_key

        def judge(stored: StoredCode) -> User | None:
            purpose = session_codes.purpose(state)
            if not code_matches(key, user.sub, purpose, code, stored.code_hash):
                return None
            return _confirmed(user, channel, attempt.now, setting_up=SETTING_UP in state.data)

        return Proceed(session_codes.take_answer(attempt, state, user, judge))

    return answer


def _confirmed(user: User, channel: Channel, now: float, *, setting_up: bool) -> User:
    """The user once a code sent to their address came back: the address verified; set up
    as a factor (turned on, preferred if nothing else is) when that is what the code was for."""
    user.attributes[f"{channel.attribute}_verified"] = "true"
    if setting_up:
        mine = factors.read(user)
        mine.enable(channel.challenge)
        mine.preferred = mine.preferred or channel.challenge
        factors.write(user, mine)
    user.modified = now
    return user
