"""Resource servers (CreateResourceServer etc.) and the custom scopes they define.

A custom scope reads `{resource server identifier}/{scope name}`. The model lets an identifier
hold `/` (`https://api.example.com` is a common one) but not a scope name, so the scope name is
what follows the last `/`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from userpool.domain.errors import InvalidParameterException, LimitExceededException

# "Resource servers per user pool" in Cognito's quotas (a resource quota, not adjustable
# here). The 100 scopes a server may define are the model's own limit on `Scopes`.
MAX_RESOURCE_SERVERS = 25
TOO_MANY_SERVERS = f"A user pool can have at most {MAX_RESOURCE_SERVERS} resource servers."


@dataclass
class ResourceServer:
    """ResourceServerType: `scopes` are its ResourceServerScopeType entries, in order."""

    pool_id: str
    identifier: str
    name: str
    scopes: list[dict[str, str]] = field(default_factory=list)

    def scope_names(self) -> list[str]:
        """The custom scopes it defines, as a client's AllowedOAuthScopes name them."""
        return [f"{self.identifier}/{scope['ScopeName']}" for scope in self.scopes]


def duplicate_identifier(identifier: str, pool_id: str) -> InvalidParameterException:
    # Wording as the widely used emulators give it; Cognito's own is not documented.
    return InvalidParameterException(f"{identifier} already exists in user pool {pool_id}.")


def not_found(identifier: str) -> str:
    return f"Resource server {identifier} does not exist."


def checked_scopes(scopes: Iterable[Mapping[str, Any]] | None) -> list[dict[str, str]]:
    """The Scopes of a Create/UpdateResourceServer request, stored as given: the model has
    checked each name's shape and length; two scopes of one name would be one scope."""
    checked: list[dict[str, str]] = []
    seen: set[str] = set()
    for scope in scopes or []:
        name = str(scope["ScopeName"])
        if name in seen:
            raise InvalidParameterException(f"Duplicate scope name {name} in resource server.")
        seen.add(name)
        checked.append({"ScopeName": name, "ScopeDescription": str(scope["ScopeDescription"])})
    return checked


def check_room(existing: int) -> None:
    """A pool that already has `existing` resource servers may take one more."""
    if existing >= MAX_RESOURCE_SERVERS:
        raise LimitExceededException(TOO_MANY_SERVERS)


def described(server: ResourceServer) -> dict[str, Any]:
    """The ResourceServerType of `server`; Scopes always there (empty when it defines none),
    so that a caller can read it without a default."""
    return {
        "UserPoolId": server.pool_id,
        "Identifier": server.identifier,
        "Name": server.name,
        "Scopes": [dict(scope) for scope in server.scopes],
    }
