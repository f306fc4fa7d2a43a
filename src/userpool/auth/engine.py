"""The sign-in state machine: one flow per AuthFlow, one handler per ChallengeName, looked up
in the tables below.

Every call is one step: ONE read transaction (the client, the pool, and what the flow or the
answered session is about), the work that needs no storage (a proof, a code's check, a
decision), and ONE write transaction that makes it so: the step's own writes (its
`Proceed.record`), then what comes next, asked of the decider of the sign-in's flow (or named
by the answer): the next challenge's state, or the refresh token of a finished sign-in. What
must be signed or sent (tokens, a code) is done once that write has committed. CUSTOM_AUTH's
steps use their session up in a write of their own before any function of the pool is
called (`settle`, challenges/custom_challenge.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import TypeVar

from userpool.accounts.custom_message import customized
from userpool.accounts.lookup import find_user
from userpool.accounts.resources import client_and_pool
from userpool.accounts.secret_hash import check_secret_hash
from userpool.auth import (
    devices,
    first_factor,
    hooks,
    issuing,
    next_step,
    sign_in_events,
    sign_up_sessions,
)
from userpool.auth.challenges.custom_challenge import CUSTOM
from userpool.auth.challenges.device_password_verifier import DEVICE_PASSWORD_VERIFIER
from userpool.auth.challenges.device_srp_auth import DEVICE_SRP_AUTH
from userpool.auth.challenges.email_otp import EMAIL_OTP
from userpool.auth.challenges.mfa_setup import SET_UP_MFA
from userpool.auth.challenges.new_password import NEW_PASSWORD
from userpool.auth.challenges.password_verifier import PASSWORD_VERIFIER
from userpool.auth.challenges.select_challenge import SELECT_CHALLENGE
from userpool.auth.challenges.select_mfa_type import SELECT_MFA
from userpool.auth.challenges.sms_mfa import SMS_MFA
from userpool.auth.challenges.sms_otp import SMS_OTP
from userpool.auth.challenges.software_token_mfa import SOFTWARE_TOKEN
from userpool.auth.challenges.spec import ChallengeSpec, Shown
from userpool.auth.challenges.web_authn import WEB_AUTHN
from userpool.auth.flows import Flow, custom, password, refresh, srp, user_auth
from userpool.auth.outcomes import (
    Attempt,
    Authenticated,
    Challenge,
    Hosted,
    Next,
    Outcome,
    Proceed,
)
from userpool.auth.params import required
from userpool.auth.reporting import UNREPORTED, Report, reported
from userpool.auth.runtime import Runtime
from userpool.auth.sessions import INVALID, Progress, SignInState, begin, check_binding
from userpool.delivery import deliver_or_fail
from userpool.domain.auth_events import EventResponse, Origin
from userpool.domain.client_rules import allowed_flows, auth_session_seconds
from userpool.domain.errors import (
    CognitoError,
    InvalidParameterException,
    NotAuthorizedException,
)
from userpool.domain.flows import AuthFlow, ChallengeName
from userpool.domain.models import AppClient, User, UserPool
from userpool.storage.repositories import Transaction
from userpool.triggers.sources import TriggerSource

PUBLIC_FLOWS: dict[AuthFlow, Flow] = {
    AuthFlow.USER_AUTH: user_auth.FLOW,
    AuthFlow.USER_SRP_AUTH: srp.FLOW,
    AuthFlow.CUSTOM_AUTH: custom.FLOW,
    AuthFlow.USER_PASSWORD_AUTH: password.PUBLIC,
    AuthFlow.REFRESH_TOKEN_AUTH: refresh.FLOW,
    AuthFlow.REFRESH_TOKEN: refresh.FLOW,
}
ADMIN_FLOWS: dict[AuthFlow, Flow] = {
    AuthFlow.USER_AUTH: user_auth.FLOW,
    AuthFlow.USER_SRP_AUTH: srp.FLOW,
    AuthFlow.CUSTOM_AUTH: custom.FLOW,
    AuthFlow.ADMIN_USER_PASSWORD_AUTH: password.ADMIN,
    AuthFlow.ADMIN_NO_SRP_AUTH: password.ADMIN,
    AuthFlow.REFRESH_TOKEN_AUTH: refresh.FLOW,
    AuthFlow.REFRESH_TOKEN: refresh.FLOW,
}
CHALLENGES: dict[ChallengeName, ChallengeSpec] = {
    spec.name: spec
    for spec in (
        NEW_PASSWORD,
        PASSWORD_VERIFIER,
        SOFTWARE_TOKEN,
        SMS_MFA,
        EMAIL_OTP,
        SELECT_MFA,
        SET_UP_MFA,
        CUSTOM,
        DEVICE_SRP_AUTH,
        DEVICE_PASSWORD_VERIFIER,
        SELECT_CHALLENGE,
        SMS_OTP,
        WEB_AUTHN,
    )
}
# What comes after a passed factor, by flow: CUSTOM_AUTH's asks DefineAuthChallenge.
Decider = Callable[[Attempt, Proceed], next_step.Decision]
DECIDERS: dict[AuthFlow, Decider] = {
    **{flow: next_step.decide for flow in AuthFlow},
    AuthFlow.CUSTOM_AUTH: custom.decide,
}

DEVICE_CHALLENGES = (ChallengeName.DEVICE_SRP_AUTH, ChallengeName.DEVICE_PASSWORD_VERIFIER)

T = TypeVar("T")


@reported
def initiate(
    runtime: Runtime,
    client_id: str,
    pool_id: str | None,
    *,
    admin: bool,
    now: float,
    flow: str,
    params: Mapping[str, str],
    client_metadata: Mapping[str, str] | None = None,
    session: str | None = None,
    hosted: Hosted | None = None,
    report: Report = UNREPORTED,
    origin: Origin | None = None,
) -> Outcome:
    """`session`: USER_AUTH's sign-in with the Session ConfirmSignUp returned; `hosted`: a
    sign-in through managed login (outcomes.Hosted); `origin`: where the call came from."""
    flows = ADMIN_FLOWS if admin else PUBLIC_FLOWS
    with runtime.store.read() as tx:
        client, pool = client_and_pool(tx, client_id, pool_id)
        if flow not in flows:
            raise InvalidParameterException("Initiate Auth method not supported.")
        chosen = flows[AuthFlow(flow)]
        if hosted is None and chosen.allowed_by not in allowed_flows(client.settings):
            raise InvalidParameterException(f"{flow} flow not enabled for this client")
        if session and flow == AuthFlow.USER_AUTH:
            return _signed_up(runtime, tx, pool, client, admin, now, params, session, origin)
        loaded = chosen.load(runtime, tx, pool, params)
        # A refresh reads the device its token was issued to itself (flows/refresh.py).
        device_key = None if chosen is refresh.FLOW else devices.named(pool, params)
        device = tx.devices.get(pool.id, device_key) if device_key else None
    metadata = client_metadata or {}
    attempt = Attempt(
        runtime, pool, client, admin, now, metadata, device=device, hosted=hosted, origin=origin
    )
    progress = Progress(AuthFlow(flow), device_key=device_key)
    return settle(attempt, chosen.start(attempt, loaded, params, progress))


def _signed_up(
    runtime: Runtime,
    tx: Transaction,
    pool: UserPool,
    client: AppClient,
    admin: bool,
    now: float,
    params: Mapping[str, str],
    session: str,
    origin: Origin | None,
) -> Outcome:
    """InitiateAuth USER_AUTH with a sign-up session (auth/sign_up_sessions.py)."""
    name = required(params, "USERNAME")
    check_secret_hash(client, params.get("SECRET_HASH"), name)
    state = sign_up_sessions.open_sign_up_session(runtime, session, pool.id, client.id, now)
    user = find_user(tx, pool, name)
    attempt = Attempt(runtime, pool, client, admin, now, {}, origin=origin)
    return settle(attempt, sign_up_sessions.sign_in(attempt, state, user))


@reported
def respond(
    runtime: Runtime,
    client_id: str,
    pool_id: str | None,
    *,
    admin: bool,
    now: float,
    challenge: str,
    responses: Mapping[str, str],
    session: str | None,
    client_metadata: Mapping[str, str] | None = None,
    hosted: Hosted | None = None,
    report: Report = UNREPORTED,
    origin: Origin | None = None,
) -> Outcome:
    spec = _spec_for(challenge)
    username = required(responses, "USERNAME")
    sealed = session or (responses.get(spec.carried_in) if spec.carried_in else None)
    with runtime.store.read() as tx:
        client, pool = client_and_pool(tx, client_id, pool_id)
        if client.secret is not None and not responses.get("SECRET_HASH"):
            check_secret_hash(client, None)
        if not sealed:
            raise InvalidParameterException("Missing required parameter Session")
        state = _answered_state(runtime, tx, challenge, runtime.sessions.open(sealed, tx))
        report.flow = state.progress.flow
        check_binding(state, pool.id, client.id, challenge, now)
        user = tx.users.get(pool.id, pool.username_key(state.username))
        named = _names_session_user(tx, pool, state, username)
        state = _with_device_named(pool, state, responses)
        device_key = state.progress.device_key
        device = tx.devices.get(pool.id, device_key) if device_key else None
        loaded = spec.load(runtime, tx, pool, state, responses) if spec.load else None
    names = {username, state.username, state.data.get("name", state.username)}
    check_secret_hash(client, responses.get("SECRET_HASH"), *names)
    if not named:
        raise NotAuthorizedException(INVALID)
    metadata = client_metadata or {}
    attempt = Attempt(
        *(runtime, pool, client, admin, now, metadata),
        responding=True,
        device=device,
        loaded=loaded,
        hosted=hosted,
        origin=origin,
    )
    if user is not None and not user.enabled:  # disabled since the sign-in began
        sign_in_events.refused(attempt, user, username, state.progress)
        raise NotAuthorizedException(first_factor.DISABLED)
    result = spec.answer(attempt, state, user, responses)
    if isinstance(result, Proceed):
        result = replace(result, answered_sid=state.sid)
    return settle(attempt, result)


def _answered_state(
    runtime: Runtime, tx: Transaction, challenge: str, opened: SignInState
) -> SignInState:
    """The state a session stands for: its own, or, for DEVICE_SRP_AUTH answered with the
    session of the MFA code before it, the one that code led to (sessions.successor)."""
    if challenge != ChallengeName.DEVICE_SRP_AUTH or opened.challenge == challenge:
        return opened
    return runtime.sessions.successor(tx, opened) or opened


def _with_device_named(
    pool: UserPool, state: SignInState, responses: Mapping[str, str]
) -> SignInState:
    """The state with the device this answer names, if it names one (device SRP's own
    answers only repeat the device the sign-in is proving)."""
    if state.challenge in DEVICE_CHALLENGES:
        return state
    key = devices.named(pool, responses, state.progress.device_key)
    return replace(state, progress=replace(state.progress, device_key=key))


def _spec_for(challenge: str) -> ChallengeSpec:
    try:
        return CHALLENGES[ChallengeName(challenge)]
    except (ValueError, KeyError) as error:
        raise InvalidParameterException(f"Invalid challenge name: {challenge}") from error


def _names_session_user(tx: Transaction, pool: UserPool, state: SignInState, name: str) -> bool:
    """USERNAME in the answer is the session's user: by username, the name signed in
    with, or any alias that resolves to them."""
    key = pool.username_key
    if key(name) in (key(state.username), key(state.data.get("name", state.username))):
        return True
    user = find_user(tx, pool, name)
    return user is not None and user.username == state.username


def settle(attempt: Attempt, result: Outcome | Proceed) -> Outcome:
    """A `Proceed` made so: its writes and what comes next, in one write transaction; except
    where the decider calls the pool's functions (DefineAuthChallenge after a PASSWORD_VERIFIER
    of CUSTOM_AUTH): there the step's own writes (the session used up, the password admitted)
    are made first, in a write of their own, so that an answer they refuse (a replayed
    session, a lockout) reaches no function."""
    if not isinstance(result, Proceed):
        return result
    devices.check_named(attempt, result.user, result.progress)
    result = sign_in_events.with_event(attempt, result)
    if result.then is None and result.record is not None and _asks_functions(result.progress):
        going_on = EventResponse.IN_PROGRESS
        user, _ = _in_one_write(attempt, result, lambda _tx, _user: None, going_on)
        result = replace(result, user=user, record=None, proves=None)
    decision = result.then or DECIDERS[result.progress.flow](attempt, result)
    decision = decision or devices.before_tokens(result.progress)
    if decision is None:
        return _finish(attempt, result)
    return _next_challenge(attempt, result, decision)


def _asks_functions(progress: Progress) -> bool:
    return progress.flow is AuthFlow.CUSTOM_AUTH and custom.asks_define(progress)


def _finish(attempt: Attempt, result: Proceed) -> Authenticated:
    """Tokens: the refresh token stored in the step's write, then (outside it) the
    PostAuthentication and PreTokenGeneration triggers, then the signatures. A trigger that
    fails leaves no way in: the refresh token it stood behind is revoked, nothing returned."""
    new_device = devices.new_device(attempt, result.user, result.progress)
    device_key = new_device.key if new_device else result.progress.device_key
    user, signing = _in_one_write(
        attempt,
        result,
        lambda tx, user: issuing.record_sign_in(
            tx, attempt, user, device_key, result.progress.event_id
        ),
        EventResponse.PASS,
    )
    source = _token_source(attempt, result.progress)
    try:
        hooks.post_authentication(attempt, user, new_device_used=new_device is not None)
        overrides = hooks.pre_token_generation(attempt, user, signing.groups, source)
    except CognitoError:
        with attempt.runtime.store.write() as tx:
            tx.refresh_tokens.revoke(signing.record.jti)
            sign_in_events.refused_by_function(tx, attempt, user, result.progress)
        raise
    tokens = issuing.sign_in(attempt, user, signing, overrides)
    return Authenticated(replace(tokens, new_device=new_device))


def _token_source(attempt: Attempt, progress: Progress) -> TriggerSource:
    if attempt.hosted is not None:
        return TriggerSource.TOKEN_GENERATION_HOSTED_AUTH
    if ChallengeName.DEVICE_PASSWORD_VERIFIER in progress.answered:
        return TriggerSource.TOKEN_GENERATION_AUTHENTICATE_DEVICE
    if ChallengeName.NEW_PASSWORD_REQUIRED in progress.answered:
        return TriggerSource.TOKEN_GENERATION_NEW_PASSWORD_CHALLENGE
    return TriggerSource.TOKEN_GENERATION_AUTHENTICATION


def _next_challenge(attempt: Attempt, result: Proceed, decision: Next) -> Challenge:
    name = decision.challenge
    spec = CHALLENGES[name]
    assert spec.parameters is not None, f"{name} cannot follow a passed factor"
    shows = spec.parameters
    state = begin(
        attempt.pool.id,
        attempt.client.id,
        result.user.username,
        name,
        attempt.now + auth_session_seconds(attempt.client.settings),
        result.progress,
        decision.role,
        decision.data,
    )
    sessions = attempt.runtime.sessions

    def issue(tx: Transaction, user: User) -> tuple[Shown, str]:
        if result.answered_sid is not None and _after_a_code(name, result.progress):
            sessions.keep_as_successor(tx, result.answered_sid, state)
        return shows(attempt, tx, user, state), sessions.keep(tx, state)

    user, (shown, session) = _in_one_write(attempt, result, issue, EventResponse.IN_PROGRESS)
    if shown.message is not None:
        # Of the sign-in operations, only AdminRespondToAuthChallenge lists CustomMessage
        # among the triggers its ClientMetadata reaches.
        metadata = attempt.client_metadata if attempt.responding and attempt.admin else {}
        triggers = attempt.runtime.triggers
        message = customized(
            triggers, attempt.pool, user, shown.message, attempt.client.id, metadata
        )
        deliver_or_fail(attempt.runtime.delivery, message)
    return Challenge(name, shown.parameters, session, decision.available)


def _after_a_code(name: ChallengeName, progress: Progress) -> bool:
    """DEVICE_SRP_AUTH right after an MFA code: see sessions.successor."""
    answered = progress.answered
    return (
        name is ChallengeName.DEVICE_SRP_AUTH
        and bool(answered)
        and answered[-1] in (next_step.SECOND_FACTORS)
    )


def _in_one_write(
    attempt: Attempt,
    result: Proceed,
    then: Callable[[Transaction, User], T],
    response: EventResponse,
) -> tuple[User, T]:
    """Make `result`'s own writes, then `then`'s, in one write transaction, with the step of
    the sign-in's auth event (`response`: how the sign-in stands after it). When the record
    refuses (a wrong code), its writes are committed and its error raised, the event failed,
    and `then` is never made."""
    with attempt.runtime.store.write() as tx:
        recorded = result.record(tx) if result.record is not None else result.user
        if not isinstance(recorded, CognitoError):
            made = then(tx, recorded)
            sign_in_events.step(tx, attempt, recorded, result, response)
            return recorded, made
        sign_in_events.step(tx, attempt, result.user, result, EventResponse.FAIL, passed=False)
        refusal = recorded
    raise refusal
