"""The Lambda triggers the sign-in engine calls, each with the request Cognito documents, and
what it makes of their answers. A pool that sets no function for a trigger calls nothing.

ClientMetadata reaches exactly the triggers each operation's API reference lists: from
InitiateAuth / AdminInitiateAuth, PreAuthentication and UserMigration (as `validationData`);
from RespondToAuthChallenge / AdminRespondToAuthChallenge, Define / Create / Verify auth
challenge, PostAuthentication and PreTokenGeneration (as `clientMetadata`), and from
AdminRespondToAuthChallenge alone, CustomMessage too (engine.py sends the MFA codes).
"""

from __future__ import annotations

from typing import Any

from userpool.accounts.trigger_view import trigger_attributes
from userpool.auth.outcomes import Attempt
from userpool.auth.sessions import CustomRound
from userpool.domain.errors import InvalidLambdaResponseException, InvalidParameterException
from userpool.domain.models import User
from userpool.tokens.claims import Overrides
from userpool.triggers import UNRECOGNIZABLE
from userpool.triggers.events import JSONDict, trigger_event
from userpool.triggers.sources import TriggerSource

NOT_CONFIGURED = "Custom auth lambda trigger is not configured for the user pool."


def call(attempt: Attempt, source: TriggerSource, name: str, request: JSONDict) -> JSONDict | None:
    """`source`'s function's response for `request` about the user `name`, or None when the
    pool sets none."""
    triggers = attempt.runtime.triggers
    version = triggers.version_for(attempt.pool.settings, source)
    event = trigger_event(
        source,
        pool_id=attempt.pool.id,
        user_name=name,
        client_id=attempt.client.id,
        request=request,
        version=version,
    )
    return triggers.call(attempt.pool.settings, event)


def _attributes(user: User | None) -> dict[str, str]:
    return trigger_attributes(user) if user is not None else {}


def _responding(attempt: Attempt) -> dict[str, str]:
    """ClientMetadata where Cognito passes it: from an answer to a challenge only."""
    return dict(attempt.client_metadata) if attempt.responding else {}


def pre_authentication(attempt: Attempt, user: User | None, name: str) -> None:
    """Before a first factor is proven; raising (the function's refusal) denies the sign-in.
    For a name that means nobody only where the client hides that (userNotFound)."""
    request = {
        "userAttributes": _attributes(user),
        "validationData": dict(attempt.client_metadata),
        "userNotFound": user is None,
    }
    call(attempt, TriggerSource.PRE_AUTHENTICATION, name, request)


def post_authentication(attempt: Attempt, user: User, *, new_device_used: bool) -> None:
    """`new_device_used`: the sign-in was handed a new device's key (device tracking)."""
    request = {
        "userAttributes": trigger_attributes(user),
        "newDeviceUsed": new_device_used,
        "clientMetadata": _responding(attempt),
    }
    call(attempt, TriggerSource.POST_AUTHENTICATION, user.username, request)


def pre_token_generation(
    attempt: Attempt, user: User, groups: list[str], source: TriggerSource
) -> Overrides:
    """The claims the function adds, changes or suppresses (version 1: the ID token; 2 and
    3: both tokens and the access token's scopes), and the groups it gives the user."""
    request: JSONDict = {
        "userAttributes": trigger_attributes(user),
        "groupConfiguration": {
            "groupsToOverride": list(groups),
            "iamRolesToOverride": [],
            "preferredRole": None,
        },
        "clientMetadata": _responding(attempt),
    }
    version = attempt.runtime.triggers.version_for(attempt.pool.settings, source)
    if version != "1":
        request["scopes"] = ["aws.cognito.signin.user.admin"]
    response = call(attempt, source, user.username, request) or {}
    if version == "1":
        return _v1_overrides(_block(response, "claimsOverrideDetails"))
    return _v2_overrides(_block(response, "claimsAndScopeOverrideDetails"))


def pre_token_generation_for_client(attempt: Attempt, scopes: list[str]) -> Overrides:
    """TokenGeneration_ClientCredentials: the claims and scopes of a machine's access token.
    Called only for a version 3 function (triggers/config.py: Cognito's rule for M2M); the
    event names the app client, and no user."""
    request: JSONDict = {
        "userAttributes": {},
        "groupConfiguration": {
            "groupsToOverride": [],
            "iamRolesToOverride": [],
            "preferredRole": None,
        },
        "scopes": list(scopes),
        "clientMetadata": dict(attempt.client_metadata),
    }
    source = TriggerSource.TOKEN_GENERATION_CLIENT_CREDENTIALS
    response = call(attempt, source, attempt.client.id, request) or {}
    return _v2_overrides(_block(response, "claimsAndScopeOverrideDetails"))


def _block(response: JSONDict, name: str) -> JSONDict:
    """A part of a function's answer that must be an object when present."""
    value = response.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidLambdaResponseException(UNRECOGNIZABLE)
    return value


def _v1_overrides(details: JSONDict) -> Overrides:
    return Overrides(
        id_claims=_block(details, "claimsToAddOrOverride"),
        id_suppressed=_names(details.get("claimsToSuppress")),
        groups=_groups(_block(details, "groupOverrideDetails")),
    )


def _v2_overrides(details: JSONDict) -> Overrides:
    id_token = _block(details, "idTokenGeneration")
    access = _block(details, "accessTokenGeneration")
    return Overrides(
        id_claims=_block(id_token, "claimsToAddOrOverride"),
        id_suppressed=_names(id_token.get("claimsToSuppress")),
        access_claims=_block(access, "claimsToAddOrOverride"),
        access_suppressed=_names(access.get("claimsToSuppress")),
        scopes_added=tuple(_names_in_order(access.get("scopesToAdd"))),
        scopes_suppressed=_names(access.get("scopesToSuppress")),
        groups=_groups(_block(details, "groupOverrideDetails")),
    )


def _names_in_order(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise InvalidLambdaResponseException(UNRECOGNIZABLE)
    return value


def _names(value: Any) -> frozenset[str]:
    return frozenset(_names_in_order(value))


def _groups(details: JSONDict) -> tuple[str, ...] | None:
    groups = details.get("groupsToOverride")
    return None if groups is None else tuple(_names_in_order(groups))


def user_migration(
    attempt: Attempt, name: str, password: str | None, source: TriggerSource
) -> JSONDict | None:
    """The function's answer for a user this pool does not have yet (None: no function,
    or it found nobody either: an answer without userAttributes)."""
    # The call's ClientMetadata is validationData on a sign-in (InitiateAuth's API reference),
    # clientMetadata on ForgotPassword (the migrate-user trigger page).
    metadata = dict(attempt.client_metadata)
    forgot = source is TriggerSource.USER_MIGRATION_FORGOT_PASSWORD
    request: JSONDict = {
        "validationData": {} if forgot else metadata,
        "clientMetadata": metadata if forgot else {},
    }
    if password is not None:
        request = {"password": password, **request}
    response = call(attempt, source, name, request)
    if response is None or not response.get("userAttributes"):
        return None
    return response


def _session(rounds: tuple[CustomRound, ...]) -> list[JSONDict]:
    return [
        {
            "challengeName": each.challenge_name,
            "challengeResult": each.challenge_result,
            "challengeMetadata": each.challenge_metadata,
        }
        for each in rounds
    ]


def define_auth_challenge(
    attempt: Attempt, user: User | None, name: str, rounds: tuple[CustomRound, ...]
) -> JSONDict:
    request = {
        "userAttributes": _attributes(user),
        "session": _session(rounds),
        "clientMetadata": _responding(attempt),
        "userNotFound": user is None,
    }
    return _required(call(attempt, TriggerSource.DEFINE_AUTH_CHALLENGE, name, request))


def create_auth_challenge(
    attempt: Attempt, user: User | None, name: str, challenge: str, rounds: tuple[CustomRound, ...]
) -> JSONDict:
    request = {
        "userAttributes": _attributes(user),
        "challengeName": challenge,
        "session": _session(rounds),
        "clientMetadata": _responding(attempt),
        "userNotFound": user is None,
    }
    return _required(call(attempt, TriggerSource.CREATE_AUTH_CHALLENGE, name, request))


def verify_auth_challenge_response(
    attempt: Attempt, user: User | None, name: str, private: JSONDict, answer: str
) -> bool:
    request = {
        "userAttributes": _attributes(user),
        "privateChallengeParameters": private,
        "challengeAnswer": answer,
        "clientMetadata": _responding(attempt),
        "userNotFound": user is None,
    }
    response = _required(call(attempt, TriggerSource.VERIFY_AUTH_CHALLENGE_RESPONSE, name, request))
    return response.get("answerCorrect") is True


def _required(response: JSONDict | None) -> JSONDict:
    """A custom challenge's trigger must be set: without it the flow cannot go on."""
    if response is None:
        raise InvalidParameterException(NOT_CONFIGURED)
    return response
