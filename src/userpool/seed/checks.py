"""The mistakes a seed file can be judged on by itself, before the database is looked at:
ids in Cognito's shapes, names declared twice, a user in a group the pool does not declare,
passwords and statuses that do not go together. Rules that need the stored state (a client
id another pool holds, a setting the API refuses) are judged as the file is applied."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable

from userpool.accounts.imported_hashes import hash_problem
from userpool.seed.document import Problem
from userpool.seed.layout import Part, PoolPart, Seed

# Cognito's pool ids: the Region, an underscore, letters and digits (us-east-1_AbC123xyZ).
POOL_ID = re.compile(r"[a-z]{2}(?:-[a-z]+)+-[0-9]{1,2}_[0-9A-Za-z]+")
PASSWORDS = ("Password", "TemporaryPassword", "PasswordVerifier", "PasswordHash")


def problems_of(seed: Seed) -> list[Problem]:
    found: list[Problem] = []
    _unique(found, [pool.part for pool in seed.pools], "Id", "pool id")
    _unique(found, [c for pool in seed.pools for c in pool.clients], "ClientId", "client id")
    _unique(found, [d for pool in seed.pools for d in pool.domains], "Domain", "domain")
    for pool in seed.pools:
        _check_pool(found, pool)
    return found


def _check_pool(found: list[Problem], pool: PoolPart) -> None:
    part = pool.part
    if "Id" in part.fields and not POOL_ID.fullmatch(pool.id):
        found.append(
            Problem(
                part.at("Id"),
                f"{part.path}.Id",
                "not a user pool id: a Region, '_' and letters or digits (us-east-1_LocalPool1)",
            )
        )
    _check_mfa_mode(found, pool)
    unnamed = [client for client in pool.clients if "ClientId" not in client.fields]
    _unique(found, unnamed, "ClientName", "client name (without a ClientId)")
    _unique(found, pool.groups, "GroupName", "group name", str.lower)
    _unique(found, pool.resource_servers, "Identifier", "resource server identifier")
    for kind, of_kind in _domains_by_kind(pool.domains).items():
        for extra in of_kind[1:]:
            found.append(Problem(extra.where, extra.path, f"a pool has at most one {kind} domain"))
    case_sensitive = (part.get("UsernameConfiguration") or {}).get("CaseSensitive", True)
    _unique(found, pool.users, "Username", "username", None if case_sensitive else str.lower)
    subs = [
        user for user in pool.users if isinstance((user.get("Attributes") or {}).get("sub"), str)
    ]
    _unique(found, subs, "Attributes.sub", "sub", getter=lambda p: p.fields["Attributes"]["sub"])
    groups = {group.fields["GroupName"] for group in pool.groups if "GroupName" in group.fields}
    for user in pool.users:
        _check_user(found, user, groups)


def _check_mfa_mode(found: list[Problem], pool: PoolPart) -> None:
    mfa, stated = pool.mfa, pool.part.get("MfaConfiguration")
    if mfa is None or stated is None:
        return
    mode = mfa.get("MfaConfiguration", "OFF")
    if mode != stated:
        found.append(
            Problem(
                mfa.at("MfaConfiguration"),
                f"{mfa.path}.MfaConfiguration",
                f"is {mode} where the pool's MfaConfiguration is {stated}: give one of them",
            )
        )


def _domains_by_kind(domains: list[Part]) -> dict[str, list[Part]]:
    kinds: dict[str, list[Part]] = {"prefix": [], "custom": []}
    for domain in domains:
        kinds["custom" if "CustomDomainConfig" in domain.fields else "prefix"].append(domain)
    return kinds


def _check_user(found: list[Problem], user: Part, groups: set[str]) -> None:
    def refuse(name: str, message: str) -> None:
        found.append(Problem(user.at(name), f"{user.path}.{name}", message))

    given = [name for name in PASSWORDS if name in user.fields]
    if len(given) > 1:
        refuse(given[1], f"give one of {', '.join(PASSWORDS)}, not {' and '.join(given)}")
    imported = user.get("PasswordHash")
    if isinstance(imported, dict) and {"Algorithm", "Hash"} <= imported.keys():
        problem = hash_problem(imported["Algorithm"], imported["Hash"])  # the import's own
        if problem is not None:
            refuse("PasswordHash.Hash", problem)
    status = user.get("UserStatus")
    if "TemporaryPassword" in given and status not in (None, "FORCE_CHANGE_PASSWORD"):
        refuse("UserStatus", "a user with a TemporaryPassword is FORCE_CHANGE_PASSWORD")
    if status == "FORCE_CHANGE_PASSWORD" and "Password" in given:
        refuse("Password", "a FORCE_CHANGE_PASSWORD user has a TemporaryPassword instead")
    sub = (user.get("Attributes") or {}).get("sub")
    if sub is not None and not _is_uuid(sub):
        refuse("Attributes.sub", "a sub is a UUID (8-4-4-4-12 hexadecimal digits)")
    for index, name in enumerate(user.get("Groups") or []):
        if isinstance(name, str) and name not in groups:
            declared = ", ".join(sorted(groups)) or "none"
            refuse(f"Groups[{index}]", f"unknown group {name!r} (the pool declares: {declared})")


def _is_uuid(text: str) -> bool:
    try:
        return str(uuid.UUID(text)) == text.lower()
    except ValueError:
        return False


def _unique(
    found: list[Problem],
    parts: Iterable[Part],
    name: str,
    what: str,
    fold: Callable[[str], str] | None = None,
    getter: Callable[[Part], str] | None = None,
) -> None:
    """A problem for each part whose `name` repeats an earlier one's (as `fold` compares)."""
    first: dict[str, Part] = {}
    for part in parts:
        if getter is None and name not in part.fields:
            continue
        value = getter(part) if getter else str(part.fields[name])
        key = fold(value) if fold else value
        if key in first:
            earlier = first[key].at(name)
            found.append(
                Problem(
                    part.at(name),
                    f"{part.path}.{name}",
                    f"duplicate {what} {value!r} (first at line {earlier.line})",
                )
            )
        else:
            first[key] = part
