"""The sign-in state machine: one starter per AuthFlow, one handler per ChallengeName.

A starter or handler returns a value: a `Challenge`, `Authenticated` tokens, or `Proceed`
(a factor passed), which `settle` turns into the next challenge or tokens using the one
`next_challenge` decision. Errors are typed Cognito exceptions. A handler uses its session
up (`sessions.consume`) in the transaction that records the answer, so a rejected answer
can be retried and an accepted one cannot be replayed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from userpool.accounts.lookup import find_user
from userpool.auth import issuing
from userpool.auth.challenges.email_otp import EMAIL_OTP
from userpool.auth.challenges.issue import answered_with, issue
from userpool.auth.challenges.mfa_setup import SET_UP_MFA
from userpool.auth.challenges.new_password import NEW_PASSWORD
from userpool.auth.challenges.password_verifier import PASSWORD_VERIFIER
from userpool.auth.challenges.select_mfa_type import SELECT_MFA
from userpool.auth.challenges.sms_mfa import SMS_MFA
from userpool.auth.challenges.software_token_mfa import SOFTWARE_TOKEN
from userpool.auth.challenges.spec import ChallengeSpec
from userpool.auth.flows import password, refresh, srp
from userpool.auth.next_step import next_challenge
from userpool.auth.outcomes import Attempt, Authenticated, Outcome, Proceed
from userpool.auth.params import required
from userpool.auth.secret_hash import check_secret_hash
from userpool.auth.sessions import INVALID, SessionState, check_binding
from userpool.domain.client_rules import allowed_flows
from userpool.domain.errors import InvalidParameterException, NotAuthorizedException

Starter = Callable[[Attempt, Mapping[str, str]], "Outcome | Proceed"]

# AuthFlow -> (the ExplicitAuthFlows value that allows it, its starter)
PUBLIC_FLOWS: dict[str, tuple[str, Starter]] = {
    "USER_SRP_AUTH": ("ALLOW_USER_SRP_AUTH", srp.start),
    "USER_PASSWORD_AUTH": ("ALLOW_USER_PASSWORD_AUTH", password.start),
    "REFRESH_TOKEN_AUTH": ("ALLOW_REFRESH_TOKEN_AUTH", refresh.start),
    "REFRESH_TOKEN": ("ALLOW_REFRESH_TOKEN_AUTH", refresh.start),
}
ADMIN_FLOWS: dict[str, tuple[str, Starter]] = {
    "USER_SRP_AUTH": ("ALLOW_USER_SRP_AUTH", srp.start),
    "ADMIN_USER_PASSWORD_AUTH": ("ALLOW_ADMIN_USER_PASSWORD_AUTH", password.start),
    "ADMIN_NO_SRP_AUTH": ("ALLOW_ADMIN_USER_PASSWORD_AUTH", password.start),
    "REFRESH_TOKEN_AUTH": ("ALLOW_REFRESH_TOKEN_AUTH", refresh.start),
    "REFRESH_TOKEN": ("ALLOW_REFRESH_TOKEN_AUTH", refresh.start),
}
CHALLENGES: dict[str, ChallengeSpec] = {
    spec.name: spec
    for spec in (
        NEW_PASSWORD,
        PASSWORD_VERIFIER,
        SOFTWARE_TOKEN,
        SMS_MFA,
        EMAIL_OTP,
        SELECT_MFA,
        SET_UP_MFA,
    )
}


def initiate(attempt: Attempt, flow: str, params: Mapping[str, str]) -> Outcome:
    flows = ADMIN_FLOWS if attempt.admin else PUBLIC_FLOWS
    if flow not in flows:
        raise InvalidParameterException("Initiate Auth method not supported.")
    allowing, starter = flows[flow]
    if allowing not in allowed_flows(attempt.client.settings):
        raise InvalidParameterException(f"{flow} flow not enabled for this client")
    return settle(attempt, starter(attempt, params))


def respond(
    attempt: Attempt, challenge: str, responses: Mapping[str, str], session: str | None
) -> Outcome:
    spec = CHALLENGES.get(challenge)
    if spec is None:
        raise InvalidParameterException(f"Invalid challenge name: {challenge}")
    username = required(responses, "USERNAME")
    if attempt.client.secret is not None and not responses.get("SECRET_HASH"):
        check_secret_hash(attempt.client, None)
    sealed = session or (responses.get(spec.carried_in) if spec.carried_in else None)
    if not sealed:
        raise InvalidParameterException("Missing required parameter Session")
    state = attempt.env.sessions.open(sealed)
    check_binding(state, attempt.pool.id, attempt.client.id, challenge, attempt.now)
    names = {username, state.username, state.data.get("name", state.username)}
    check_secret_hash(attempt.client, responses.get("SECRET_HASH"), *names)
    if not _names_session_user(attempt, state, username):
        raise NotAuthorizedException(INVALID)
    return settle(attempt, spec.answer(attempt, state, responses), answered_with(state))


def _names_session_user(attempt: Attempt, state: SessionState, username: str) -> bool:
    """USERNAME in the answer is the session's user: by username, the name signed in
    with, or any alias that resolves to them."""
    key = attempt.pool.username_key
    if key(username) in (key(state.username), key(state.data.get("name", state.username))):
        return True
    with attempt.env.store.read() as tx:
        user = find_user(tx, attempt.pool, username)
    return user is not None and user.username == state.username


def settle(attempt: Attempt, result: Outcome | Proceed, answered: Sequence[str] = ()) -> Outcome:
    """`answered`: the challenges answered so far in this sign-in."""
    if not isinstance(result, Proceed):
        return result
    user = result.user
    challenge = next_challenge(attempt.pool, attempt.client, user, answered)
    if challenge is None:
        return Authenticated(issuing.sign_in(attempt, user, admit=result.admit))
    return issue(attempt, user, CHALLENGES[challenge], answered, admit=result.admit)
