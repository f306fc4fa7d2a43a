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
from userpool.accounts import mfa as factors
from userpool.accounts.saving import save_verified
from userpool.auth.challenges import session_codes
from userpool.auth.challenges.spec import Answer, Parameters, Shown, present
from userpool.auth.outcomes import Attempt, Proceed
from userpool.auth.params import required
from userpool.auth.sessions import SignInState
from userpool.crypto.codes import code_matches
from userpool.delivery import mask
from userpool.domain.errors import CodeMismatchException
from userpool.domain.flows import ChallengeName
from userpool.domain.messages import Medium, StoredCode
from userpool.domain.models import User
from userpool.storage.repositories import Transaction

SETTING_UP = "setting_up"  # session data: the destination a factor is being set up with


@dataclass(frozen=True)
class Channel:
    challenge: ChallengeName  # SMS_MFA, EMAIL_OTP
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
    def parameters(attempt: Attempt, tx: Transaction, user: User, state: SignInState) -> Shown:
        to = recipient(user, channel, state.data)
        destination = factors.contact(to, channel.challenge)
        assert destination is not None, f"{channel.challenge} decided for a user with no address"
        code = session_codes.new_code(attempt, tx, to, state)
        message = messages.mfa(attempt.pool, to, channel.medium, session_codes.purpose(state), code)
        shown = {
            "CODE_DELIVERY_DELIVERY_MEDIUM": channel.medium.value,
            "CODE_DELIVERY_DESTINATION": mask(channel.medium, destination),
        }
        return Shown(shown, message)

    return parameters


def answer_for(channel: Channel) -> Answer:
    def answer(
        attempt: Attempt, state: SignInState, user: User | None, responses: Mapping[str, str]
    ) -> Proceed:
        code = required(responses, channel.answer_field)
        if state.progress.stand_in:  # a name that means nobody (auth/choice.py): no code is
            raise CodeMismatchException()  # right, and the session stays, as a user's would
        key = attempt.runtime.codes_key

        def judge(tx: Transaction, stored: StoredCode, user: User) -> bool:
            purpose = session_codes.purpose(state)
            if not code_matches(key, user.sub, purpose, code, stored.code_hash):
                return False
            _confirm(tx, attempt, recipient(user, channel, state.data), channel, state.data)
            return True

        record = session_codes.answer_record(attempt, state, judge)
        return Proceed(
            present(user), state.answered(), record, proves=session_codes.mfa_factor(state)
        )

    return answer


def _confirm(
    tx: Transaction, attempt: Attempt, user: User, channel: Channel, data: Mapping[str, object]
) -> None:
    """Save the user once a code sent to their address came back: the address verified; set
    up as a factor (turned on, preferred if nothing else is) when that is what it was for."""
    if SETTING_UP in data:
        mine = factors.read(user)
        mine.enable(channel.challenge)
        mine.preferred = mine.preferred or channel.challenge
        factors.write(user, mine)
    user.modified = attempt.now
    save_verified(tx, attempt.pool, user, channel.attribute)
