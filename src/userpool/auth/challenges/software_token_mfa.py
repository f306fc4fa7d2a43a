"""SOFTWARE_TOKEN_MFA: a code from the user's authenticator app (TOTP, crypto/totp), answered
as SOFTWARE_TOKEN_MFA_CODE. A code is good once: the step it matched is stored with the
authenticator, and no code of that step or an earlier one passes again."""

from __future__ import annotations

from collections.abc import Mapping

from userpool.auth.challenges import factors, session_codes
from userpool.auth.challenges.factors import SOFTWARE_TOKEN_MFA as NAME
from userpool.auth.challenges.spec import ChallengeSpec, session_user
from userpool.auth.outcomes import Attempt, Proceed
from userpool.auth.params import required
from userpool.auth.sessions import SessionState
from userpool.crypto import totp
from userpool.domain.errors import SoftwareTokenMFANotFoundException
from userpool.domain.messages import StoredCode
from userpool.domain.models import User

NO_TOKEN = "Software Token MFA does not exist for the user."


def parameters(attempt: Attempt, user: User, state: SessionState) -> dict[str, str]:
    session_codes.new_code(attempt, user, state)  # never sent: it counts wrong answers
    return {}


def answer(attempt: Attempt, state: SessionState, responses: Mapping[str, str]) -> Proceed:
    code = required(responses, "SOFTWARE_TOKEN_MFA_CODE")
    user = session_user(attempt, state)
    mine = factors.read(user)
    token = mine.token
    if token is None:
        raise SoftwareTokenMFANotFoundException(NO_TOKEN)
    sealer = factors.token_sealer(attempt.env.codes_key)
    secret = factors.open_secret(sealer, user, token["secret"])

    def judge(_record: StoredCode) -> User | None:
        try:
            step = totp.verify(secret, code, attempt.now, after_step=token.get("last_step"))
        except totp.TotpMismatch:
            return None
        token["last_step"] = step
        factors.write(user, mine)
        user.modified = attempt.now
        return user

    return Proceed(session_codes.take_answer(attempt, state, user, judge))


SOFTWARE_TOKEN = ChallengeSpec(NAME, parameters, answer)
