"""The event a trigger function receives, built in one place so that every caller sends the
same envelope Cognito does:

    {version, triggerSource, region, userPoolId, userName,
     callerContext {awsSdkVersion, clientId}, request, response}

The caller supplies the `request` each trigger's page documents; the `response` starts as
Cognito starts it (`_STARTING_RESPONSE`), and the function fills it in."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from userpool.triggers.sources import Trigger, TriggerSource

JSONDict = dict[str, Any]

# What Cognito sends as `callerContext.clientId` when no app client is involved (AdminCreateUser,
# AdminConfirmSignUp, ...), and as `awsSdkVersion` when it cannot tell the caller's SDK.
CLIENT_ID_NOT_APPLICABLE = "CLIENT_ID_NOT_APPLICABLE"
UNKNOWN_SDK = "aws-sdk-unknown-unknown"

# The `response` Cognito sends before the function fills it in, where it is not `{}`; from
# events Cognito sent, as logged by functions (the docs' samples mostly show `{}`).
_STARTING_RESPONSE: dict[Trigger, JSONDict] = {
    Trigger.PRE_SIGN_UP: {
        "autoConfirmUser": False,
        "autoVerifyEmail": False,
        "autoVerifyPhone": False,
    },
    Trigger.DEFINE_AUTH_CHALLENGE: dict.fromkeys(
        ("challengeName", "issueTokens", "failAuthentication")
    ),
    Trigger.CREATE_AUTH_CHALLENGE: dict.fromkeys(
        ("publicChallengeParameters", "privateChallengeParameters", "challengeMetadata")
    ),
    Trigger.VERIFY_AUTH_CHALLENGE_RESPONSE: {"answerCorrect": None},
    Trigger.USER_MIGRATION: dict.fromkeys(
        (
            "userAttributes",
            "finalUserStatus",
            "messageAction",
            "desiredDeliveryMediums",
            "forceAliasCreation",
            "enableSMSMFA",
        )
    ),
    Trigger.CUSTOM_MESSAGE: dict.fromkeys(("smsMessage", "emailMessage", "emailSubject")),
}


def _starting_response(trigger: Trigger, version: str) -> JSONDict:
    if trigger is Trigger.PRE_TOKEN_GENERATION:
        # Version 1 overrides the id token's claims; versions 2 and 3 both tokens and scopes.
        return {
            "claimsOverrideDetails" if version == "1" else "claimsAndScopeOverrideDetails": None
        }
    return copy.deepcopy(_STARTING_RESPONSE.get(trigger, {}))


@dataclass(frozen=True)
class TriggerEvent:
    source: TriggerSource
    version: str
    pool_id: str
    user_name: str | None  # None only where no user is involved (client credentials)
    client_id: str
    sdk_version: str
    request: JSONDict
    response: JSONDict

    @property
    def region(self) -> str:
        """A pool id is `<region>_<id>`, so the region is never out of step with the pool."""
        return self.pool_id.partition("_")[0]

    def wire(self) -> JSONDict:
        """The event as the function receives it: JSON-ready, camelCase, in Cognito's order.
        A copy: what a function does to it does not reach this event."""
        envelope: JSONDict = {
            "version": self.version,
            "triggerSource": self.source.value,
            "region": self.region,
            "userPoolId": self.pool_id,
        }
        if self.user_name is not None:
            envelope["userName"] = self.user_name
        envelope["callerContext"] = {"awsSdkVersion": self.sdk_version, "clientId": self.client_id}
        envelope["request"] = copy.deepcopy(self.request)
        envelope["response"] = copy.deepcopy(self.response)
        return envelope


def trigger_event(
    source: TriggerSource,
    *,
    pool_id: str,
    user_name: str | None,
    client_id: str | None,
    request: JSONDict,
    version: str = "1",
    sdk_version: str = UNKNOWN_SDK,
) -> TriggerEvent:
    """The event for `source`. `client_id` None (an admin operation) is sent as Cognito sends
    it; `version` is the pool's for that trigger (`Triggers.version_for`)."""
    return TriggerEvent(
        source=source,
        version=version,
        pool_id=pool_id,
        user_name=user_name,
        client_id=client_id if client_id is not None else CLIENT_ID_NOT_APPLICABLE,
        sdk_version=sdk_version,
        request=copy.deepcopy(request),
        response=_starting_response(source.trigger, version),
    )
