"""What a pool's `LambdaConfig` says about a trigger: which function to call, which event
version to send, and the function name inside a Lambda ARN."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from userpool.triggers.sources import Trigger, TriggerSource

# PreTokenGenerationConfig.LambdaVersion -> the event's `version`.
_TOKEN_EVENT_VERSIONS = {"V1_0": "1", "V2_0": "2", "V3_0": "3"}


def function_for(lambda_config: Mapping[str, Any], source: TriggerSource) -> str | None:
    """The function (an ARN, as Cognito stores it) that `source` calls, or None."""
    trigger = source.trigger
    if trigger is Trigger.PRE_TOKEN_GENERATION:
        versioned = lambda_config.get("PreTokenGenerationConfig") or {}
        # Cognito issues client-credentials tokens through the trigger only at V3_0.
        if (
            source is TriggerSource.TOKEN_GENERATION_CLIENT_CREDENTIALS
            and versioned.get("LambdaVersion") != "V3_0"
        ):
            return None
        # When both are set, Cognito requires them to be the same ARN.
        configured = versioned.get("LambdaArn") or lambda_config.get(trigger)
    else:
        configured = lambda_config.get(trigger)
        if isinstance(configured, Mapping):  # the senders and InboundFederation: {LambdaArn, ...}
            configured = configured.get("LambdaArn")
    return configured if isinstance(configured, str) and configured else None


def event_version(lambda_config: Mapping[str, Any], source: TriggerSource) -> str:
    """The `version` of `source`'s event: the pre token generation trigger's LambdaVersion
    ("V2_0" -> "2"); "1" for every other trigger, as Cognito sends."""
    if source.trigger is not Trigger.PRE_TOKEN_GENERATION:
        return "1"
    versioned = lambda_config.get("PreTokenGenerationConfig") or {}
    return _TOKEN_EVENT_VERSIONS.get(versioned.get("LambdaVersion") or "V1_0", "1")


def function_name(function: str) -> str:
    """The function's name in any of Lambda's ways of naming it: a full or partial ARN
    (`arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]`,
    `<account>:function:<name>`), or a name with or without a `:<qualifier>`."""
    parts = function.split(":")
    if "function" in parts[:-1]:
        return parts[parts.index("function") + 1]
    return parts[0]
