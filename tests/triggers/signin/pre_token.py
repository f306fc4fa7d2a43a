"""PreTokenGeneration, answering in the shape of the event's version: version 1 changes the ID
token (claimsOverrideDetails), versions 2 and 3 both tokens and the access token's scopes
(claimsAndScopeOverrideDetails). Each tries to override reserved claims too (sub, iss,
token_use, client_id), which Cognito ignores. modes.token: "throw", "malformed"."""

from typing import Any

from recording import modes, record


def handler(event: dict[str, Any], context: Any) -> Any:
    record(event)
    mode = modes(event).get("token")
    if mode == "throw":
        raise RuntimeError("no tokens today")
    if mode == "malformed":
        key = (
            "claimsOverrideDetails" if event["version"] == "1" else "claimsAndScopeOverrideDetails"
        )
        event["response"] = {key: ["not", "an", "object"]}
        return event
    groups = [*event["request"]["groupConfiguration"]["groupsToOverride"], "from-trigger"]
    id_token = {
        "claimsToAddOrOverride": {
            "trigger_source": event["triggerSource"],
            "favourite_drink": "tea",
            "email": "changed@example.com",
            "sub": "forged-sub",
            "iss": "https://forged.example",
            "token_use": "forged",
        },
        "claimsToSuppress": ["family_name"],
    }
    group_override = {"groupsToOverride": groups, "iamRolesToOverride": [], "preferredRole": None}
    if event["version"] == "1":
        event["response"]["claimsOverrideDetails"] = {
            **id_token,
            "groupOverrideDetails": group_override,
        }
        return event
    event["response"]["claimsAndScopeOverrideDetails"] = {
        "idTokenGeneration": id_token,
        "accessTokenGeneration": {
            "claimsToAddOrOverride": {
                "trigger_source": event["triggerSource"],
                "tier": "gold",
                "client_id": "forged-client",
                "token_use": "forged",
            },
            "claimsToSuppress": ["username"],
            "scopesToAdd": ["orders/read", "orders/write"],
            "scopesToSuppress": ["orders/write"],
        },
        "groupOverrideDetails": group_override,
    }
    return event
