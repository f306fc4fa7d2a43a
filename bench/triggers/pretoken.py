"""PreTokenGeneration V2_0 for bench/triggers.py: one claim on each token, as a typical
function adds a tenant or role."""

from typing import Any


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    claims = {"claimsToAddOrOverride": {"tenant": "bench"}}
    event["response"] = {
        "claimsAndScopeOverrideDetails": {
            "idTokenGeneration": claims,
            "accessTokenGeneration": claims,
        }
    }
    return event
