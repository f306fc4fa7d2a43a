"""CUSTOM_AUTH: the pool's DefineAuthChallenge function runs the sign-in. Each round it is
shown what came before (`session[]`: each challenge, its result, its metadata) and says what
now: fail, issue tokens, or another challenge: a custom one (CreateAuthChallenge makes it,
the client answers it, VerifyAuthChallengeResponse judges the answer) or the password by SRP
(when the sign-in started with `CHALLENGE_NAME: SRP_A`, session[0] is that SRP_A). After it
issues tokens the pool's MFA applies, as after any first factor.

A name that means nobody goes on where the client hides that, the functions told
userNotFound, and never ends in tokens. A user who has not confirmed their account is refused
before any function is asked (UserNotConfirmedException), as a disabled one is."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from userpool.accounts.secret_hash import check_secret_hash
from userpool.auth import first_factor, hooks, next_step
from userpool.auth.challenges import password_verifier
from userpool.auth.first_factor import Candidate
from userpool.auth.flows import Flow, srp
from userpool.auth.outcomes import Attempt, Next, Proceed
from userpool.auth.params import required
from userpool.auth.runtime import Runtime
from userpool.auth.sessions import Progress
from userpool.domain.client_rules import hides_user_existence
from userpool.domain.errors import (
    InvalidLambdaResponseException,
    InvalidParameterException,
    NotAuthorizedException,
    UserNotConfirmedException,
    UserNotFoundException,
)
from userpool.domain.flows import ChallengeName, FactorRole
from userpool.domain.models import User, UserPool, UserStatus
from userpool.storage.repositories import Transaction
from userpool.triggers import UNRECOGNIZABLE
from userpool.triggers.sources import TriggerSource

SRP_A = "SRP_A"


def load(runtime: Runtime, tx: Transaction, pool: UserPool, params: Mapping[str, str]) -> Candidate:
    return first_factor.load_candidate(runtime, tx, pool, required(params, "USERNAME"))


def start(
    attempt: Attempt, candidate: Candidate, params: Mapping[str, str], progress: Progress
) -> Proceed:
    username = required(params, "USERNAME")
    check_secret_hash(attempt.client, params.get("SECRET_HASH"), username)
    triggers = attempt.runtime.triggers
    if triggers.function_for(attempt.pool.settings, TriggerSource.DEFINE_AUTH_CHALLENGE) is None:
        raise InvalidParameterException(hooks.NOT_CONFIGURED)
    first_factor.check_not_locked(attempt, candidate, username, progress)
    user = candidate.user
    if user is None and not hides_user_existence(attempt.client.settings):
        raise UserNotFoundException()
    if user is not None:
        first_factor.check_may_sign_in(attempt, user, username, progress)
        if user.status == UserStatus.UNCONFIRMED:  # no function is asked about them
            raise UserNotConfirmedException()
    first_factor.before_proof(attempt, user, username, progress)
    progress = replace(progress, stand_in=user is None)
    data: dict[str, str] = {"name": username}
    if params.get("CHALLENGE_NAME") == SRP_A:
        data["A"] = format(srp.client_public(params), "x")
        progress = progress.with_round(SRP_A, True)
    subject = user if user is not None else srp.simulated_user(attempt, username)
    return Proceed(subject, progress, data=data)


# What may follow DefineAuthChallenge's tokens: once one is answered, the function has had
# its say, and what comes next is the built-in decider's.
AFTER_TOKENS = next_step.SECOND_FACTORS | {next_step.NEW_PASSWORD_REQUIRED}


def asks_define(progress: Progress) -> bool:
    """Whether what comes next is DefineAuthChallenge's to say: until it has issued tokens and
    a challenge that follows them (a new password, the pool's MFA) has been answered."""
    return not AFTER_TOKENS.intersection(progress.answered)


def decide(attempt: Attempt, result: Proceed) -> next_step.Decision:
    """DefineAuthChallenge's answer (and, for a custom challenge, CreateAuthChallenge's);
    once the pool's MFA has been answered, what the built-in decider says."""
    progress = result.progress
    if not asks_define(progress):
        return next_step.decide(attempt, result)
    user = None if progress.stand_in else result.user
    name = str(result.data.get("name") or result.user.username)
    answer = hooks.define_auth_challenge(attempt, user, name, progress.rounds)
    if answer.get("failAuthentication") is True:
        raise NotAuthorizedException(first_factor.WRONG_PASSWORD)
    if answer.get("issueTokens") is True:
        if user is None:  # a stand-in proves nothing, whatever the function says
            raise NotAuthorizedException(first_factor.WRONG_PASSWORD)
        return next_step.decide(attempt, result)
    challenge = answer.get("challengeName")
    if challenge == ChallengeName.CUSTOM_CHALLENGE:
        return _custom(attempt, result, user, name)
    if challenge == ChallengeName.PASSWORD_VERIFIER and "A" in result.data:
        return _password(attempt, result, name)
    raise InvalidLambdaResponseException(UNRECOGNIZABLE)


def _password(attempt: Attempt, result: Proceed, name: str) -> Next:
    """SRP after SRP_A; a user with no password to prove gets a stand-in's (and fails)."""
    simulated = result.progress.stand_in or result.user.password is None
    user = srp.simulated_user(attempt, name) if simulated else result.user
    data = password_verifier.srp_data(user, int(result.data["A"], 16), name, simulated=simulated)
    return Next(ChallengeName.PASSWORD_VERIFIER, FactorRole.FIRST, data)


def _custom(attempt: Attempt, result: Proceed, user: User | None, name: str) -> Next:
    challenge = ChallengeName.CUSTOM_CHALLENGE
    created = hooks.create_auth_challenge(attempt, user, name, challenge, result.progress.rounds)
    public = created.get("publicChallengeParameters") or {}
    private = created.get("privateChallengeParameters") or {}
    metadata = created.get("challengeMetadata")
    if not isinstance(public, dict) or not isinstance(private, dict):
        raise InvalidLambdaResponseException(UNRECOGNIZABLE)
    if metadata is not None and not isinstance(metadata, str):
        raise InvalidLambdaResponseException(UNRECOGNIZABLE)
    data = {"name": name, "public": public, "private": private, "metadata": metadata}
    return Next(challenge, FactorRole.FIRST, data)


FLOW = Flow("ALLOW_CUSTOM_AUTH", load, start)
