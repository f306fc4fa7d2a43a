"""A declared pool: created with its fixed id by CreateUserPool (and SetUserPoolMfaConfig,
when it declares MfaConfig), or brought to what the file says by UpdateUserPool,
AddCustomAttributes and SetUserPoolMfaConfig, only when that would change anything.

A pool the file already made equals one made afresh from the same file: UpdateUserPool
returns an omitted setting to its default as CreateUserPool would leave it, except the
feature plan, which it keeps; the file's omitted plan is therefore sent as the default. What
Cognito never changes after creation (the sign-in attributes, case sensitivity, the schema
but for new custom attributes) is refused when the file changes it.
"""

from __future__ import annotations

import copy
from typing import Any

from userpool.domain import tier_rules
from userpool.domain.attributes import standard_schema
from userpool.domain.models import UserPool
from userpool.domain.schema_rules import added_attributes, new_pool_schema
from userpool.seed.applying import Step, blamed, refuse
from userpool.seed.layout import Part, PoolPart
from userpool.services import custom_attributes, mfa_config, pools

FIXED = ("AliasAttributes", "UsernameAttributes", "UsernameConfiguration")
_STANDARD = frozenset(entry["Name"] for entry in standard_schema())


def apply_pool(step: Step, seed: PoolPart) -> UserPool:
    """The pool as the file declares it, held (its row locked) for the rest of the seed."""
    request = _request(seed)
    stored = step.tx.pools.get_for_update(seed.id)
    if stored is None:
        with blamed(seed.part):
            pools.create_user_pool(step.ctx, request, pool_id=seed.id)
        if seed.mfa is not None:
            with blamed(seed.mfa):
                mfa_config.set_user_pool_mfa_config(step.ctx, _mfa_request(seed.id, seed.mfa))
        step.tally.created["pool"] += 1
    else:
        _refuse_fixed_changes(seed.part, stored)
        added = _new_custom_attributes(seed.part, stored)
        expected = _expected(stored, request, added, seed.mfa)
        if expected.settings == stored.settings and expected.name == stored.name:
            step.tally.unchanged["pool"] += 1
        else:
            _update(step, seed, request, added)
            step.tally.updated["pool"] += 1
    pool = step.tx.pools.get_for_update(seed.id)
    assert pool is not None
    return pool


def _request(seed: PoolPart) -> dict[str, Any]:
    request = {name: value for name, value in seed.part.fields.items() if name != "Id"}
    if seed.mfa is not None and request.get("MfaConfiguration") is None:
        request["MfaConfiguration"] = seed.mfa.get("MfaConfiguration", "OFF")
    if request.get("UserPoolTier") is None:
        request["UserPoolTier"] = tier_rules.DEFAULT_TIER.value
    return request


def _mfa_request(pool_id: str, mfa: Part) -> dict[str, Any]:
    return {**copy.deepcopy(mfa.fields), "UserPoolId": pool_id}


def _update(step: Step, seed: PoolPart, request: dict[str, Any], added: list[Any]) -> None:
    with blamed(seed.part):
        pools.update_user_pool(step.ctx, {**request, "UserPoolId": seed.id})
    if added:
        with blamed(seed.part, "Schema"):
            custom_attributes.add_custom_attributes(
                step.ctx, {"UserPoolId": seed.id, "CustomAttributes": added}
            )
    if seed.mfa is not None:
        with blamed(seed.mfa):
            mfa_config.set_user_pool_mfa_config(step.ctx, _mfa_request(seed.id, seed.mfa))


def _expected(
    stored: UserPool, request: dict[str, Any], added: list[Any], mfa: Part | None
) -> UserPool:
    """The pool the updates would leave, worked out on a copy (nothing is checked or stored:
    the operations check what they store, and run only when this differs)."""
    pool = copy.deepcopy(stored)
    pool.name = request["PoolName"]
    pool.settings = pools.updated_settings(stored.settings, request)
    if added:
        schema = pool.settings.get("SchemaAttributes") or []
        pool.settings["SchemaAttributes"] = schema + added_attributes(schema, added)
    if mfa is not None:
        with blamed(mfa):
            mfa_config.configure(pool, copy.deepcopy(mfa.fields))
    return pool


def _refuse_fixed_changes(part: Part, stored: UserPool) -> None:
    for name in FIXED:
        if part.get(name) != stored.settings.get(name):
            raise refuse(
                part,
                name,
                f"{name} cannot change once the pool exists (as on Cognito): delete the pool, "
                "or give it another Id",
            )


def _new_custom_attributes(part: Part, stored: UserPool) -> list[dict[str, Any]]:
    """The declared custom attributes the pool lacks (AddCustomAttributes' request entries);
    any other difference from the stored schema is refused. Attributes added since, by the
    API, stay."""
    declared: list[dict[str, Any]] = part.get("Schema") or []
    with blamed(part, "Schema"):
        wanted = new_pool_schema(copy.deepcopy(declared))
    have = {entry["Name"]: entry for entry in stored.settings.get("SchemaAttributes") or []}
    custom = [entry for entry in declared if entry.get("Name") not in _STANDARD]
    made = wanted[len(wanted) - len(custom) :]
    added = []
    for entry in wanted[: len(wanted) - len(custom)]:
        if have.get(entry["Name"]) != entry:
            raise _schema_changed(part, entry["Name"])
    for request, entry in zip(custom, made, strict=True):
        if entry["Name"] not in have:
            added.append(request)
        elif have[entry["Name"]] != entry:
            raise _schema_changed(part, entry["Name"])
    return added


def _schema_changed(part: Part, name: str) -> Exception:
    return refuse(
        part,
        "Schema",
        f"attribute {name} differs from the pool's: a pool's schema cannot change once it "
        "exists, except by new custom attributes (as on Cognito)",
    )
