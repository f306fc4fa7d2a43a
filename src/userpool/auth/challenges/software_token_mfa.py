"""SOFTWARE_TOKEN_MFA: a code from the user's authenticator app (TOTP, crypto/totp), answered
as SOFTWARE_TOKEN_MFA_CODE. A code is good once: the step it matched is stored with the
authenticator, and no code of that step or an earlier one passes again. The step is judged
against the user as held in the answering transaction, so of two sign-ins answering with one
code at once, one passes and the other finds the step used."""

from __future__ import annotations

from collections.abc import Mapping

from userpool.accounts import mfa as factors
from userpool.accounts.mfa import NO_TOKEN
from userpool.accounts.mfa import SOFTWARE_TOKEN_MFA as NAME
from userpool.accounts.saving import save_user
from userpool.auth.challenges import session_codes
from userpool.auth.challenges.spec import ChallengeSpec, Shown, present
from userpool.auth.outcomes import Attempt, Proceed
from userpool.auth.params import required
from userpool.auth.sessions import SignInState
from userpool.crypto import totp
from userpool.domain.errors import SoftwareTokenMFANotFoundException
from userpool.domain.messages import StoredCode
from userpool.domain.models import User
from userpool.storage.repositories import Transaction


def parameters(attempt: Attempt, tx: Transaction, user: User, state: SignInState) -> Shown:
    session_codes.new_code(attempt, tx, user, state)  # never sent: it counts wrong answers
    return Shown({})


def answer(
    attempt: Attempt, state: SignInState, user: User | None, responses: Mapping[str, str]
) -> Proceed:
    code = required(responses, "SOFTWARE_TOKEN_MFA_CODE")
    sealer = factors.token_sealer(attempt.runtime.codes_key)

    def judge(tx: Transaction, _record: StoredCode, user: User) -> bool:
        mine = factors.read(user)
        token = mine.token
        if token is None:
            raise SoftwareTokenMFANotFoundException(NO_TOKEN)
        secret = factors.open_secret(sealer, user, token["secret"])
        try:
            step = totp.verify(secret, code, attempt.now, after_step=token.get("last_step"))
        except totp.TotpMismatch:
            return False
        token["last_step"] = step
        factors.write(user, mine)
        user.modified = attempt.now
        save_user(tx, attempt.pool, user)
        return True

    record = session_codes.answer_record(attempt, state, judge)
    return Proceed(present(user), state.answered(), record, proves=session_codes.mfa_factor(state))


SOFTWARE_TOKEN = ChallengeSpec(NAME, parameters, answer, stores=True)
