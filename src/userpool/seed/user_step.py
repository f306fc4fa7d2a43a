"""A declared user, written as the accounts layer writes every user (accounts/creation.py,
attributes.py, passwords.py, saving.py, mfa.py) and never through AdminCreateUser: a seed
sends no invitation and calls no Lambda trigger (the functions a pool names may not be
running when a server starts), and sets what the API cannot (a status, a sub, a password
verifier, an authenticator's secret).

A user is found by the name given (as the admin operations find one) and rewritten only when
what the file says differs from what is stored: a password is compared with the stored SRP
verifier, an authenticator's secret with the sealed one, so that an unchanged user is not
written again. A field the file leaves out (a password, TotpSecret, Groups, an attribute) is
left as it is.
"""

from __future__ import annotations

import copy
from typing import Any

from userpool.accounts import mfa as factors
from userpool.accounts.attributes import apply_attribute_changes
from userpool.accounts.creation import new_user_without_password
from userpool.accounts.lookup import find_user
from userpool.accounts.passwords import (
    POLICY_REFUSAL,
    TEMPORARY_POLICY_REFUSAL,
    check_password,
    make_password_verifier,
    password_matches_verifier,
)
from userpool.accounts.saving import add_user, save_user
from userpool.crypto.sealing import SealError
from userpool.domain.models import ImportedHash, PasswordVerifier, User, UserPool, UserStatus
from userpool.seed.applying import Step, blamed, refuse
from userpool.seed.layout import Part

NOT_OFFERED = (
    "the pool does not offer authenticator apps: declare its MfaConfig with "
    "SoftwareTokenMfaConfiguration {Enabled: true} and MfaConfiguration ON or OPTIONAL"
)


def apply_user(step: Step, pool: UserPool, part: Part) -> str:
    """The user's sub, once they are as declared."""
    attributes = dict(part.get("Attributes") or {})
    sub = attributes.pop("sub", None)
    status = UserStatus(part.get("UserStatus") or _default_status(part))
    stored = _stored(step, pool, part, sub)
    if stored is None:
        user = _new_user(step, pool, part, attributes, sub, status)
        with blamed(part):
            add_user(step.tx, pool, user)
        _set_groups(step, pool, part, user)
        step.tally.created["user"] += 1
        return user.sub
    user = copy.deepcopy(stored)
    changes = [
        {"Name": name, "Value": value}
        for name, value in attributes.items()
        if stored.attributes.get(name) != value
    ]
    if changes:
        with blamed(part, "Attributes"):
            apply_attribute_changes(pool, user, changes)
    user.status = status
    user.enabled = part.get("Enabled", True)
    _set_password(step, pool, part, user)
    _set_authenticator(step, pool, part, user)
    rewritten = user != stored
    if rewritten:
        user.modified = step.now()
        with blamed(part):
            save_user(step.tx, pool, user)
        if stored.enabled and not user.enabled:  # as AdminDisableUser: their tokens end
            step.tx.refresh_tokens.revoke_user(pool.id, user.sub)
    regrouped = _set_groups(step, pool, part, user)
    if rewritten or regrouped:
        step.tally.updated["user"] += 1
    else:
        step.tally.unchanged["user"] += 1
    return user.sub


def _default_status(part: Part) -> str:
    return "FORCE_CHANGE_PASSWORD" if "TemporaryPassword" in part.fields else "CONFIRMED"


def _stored(step: Step, pool: UserPool, part: Part, sub: str | None) -> User | None:
    username = part.fields["Username"]
    found = find_user(step.tx, pool, username)
    if sub is not None:
        holder = step.tx.users.get_by_sub(pool.id, sub)
        if holder is not None and (found is None or found.sub != holder.sub):
            raise refuse(
                part,
                "Attributes.sub",
                f"{sub} is the sub of another user ({holder.username}): a username cannot "
                "change, nor a sub",
            )
        if found is not None and found.sub != sub:
            raise refuse(part, "Attributes.sub", f"the user's sub is {found.sub}: it cannot change")
    return found


def _new_user(
    step: Step,
    pool: UserPool,
    part: Part,
    attributes: dict[str, str],
    sub: str | None,
    status: UserStatus,
) -> User:
    supplied = [{"Name": name, "Value": value} for name, value in attributes.items()]
    with blamed(part):
        user = new_user_without_password(
            pool, part.fields["Username"], supplied, step.now(), status=status
        )
    if sub is not None:
        if user.username == user.sub:  # emails or phone numbers are usernames: theirs is the sub
            user.username = sub
        user.sub = sub
    user.enabled = part.get("Enabled", True)
    _set_password(step, pool, part, user)
    _set_authenticator(step, pool, part, user)
    return user


def _set_password(step: Step, pool: UserPool, part: Part, user: User) -> None:
    imported = part.get("PasswordHash")
    if imported is not None:  # as an import job brings it (checked: checks.py)
        wanted = ImportedHash(imported["Algorithm"], imported["Hash"])
        if user.imported_hash != wanted or user.password is not None:
            user.imported_hash, user.password = wanted, None
        return
    verifier = part.get("PasswordVerifier")
    if verifier is not None:
        temporary = user.status is UserStatus.FORCE_CHANGE_PASSWORD
        kept = user.password
        if kept is None or (kept.salt, kept.verifier, kept.temporary) != (
            verifier["Salt"],
            verifier["Verifier"],
            temporary,
        ):
            user.password = PasswordVerifier(
                verifier["Salt"], verifier["Verifier"], step.now(), temporary
            )
        return
    for field_name, temporary, refusal in (
        ("Password", False, POLICY_REFUSAL),
        ("TemporaryPassword", True, TEMPORARY_POLICY_REFUSAL),
    ):
        password = part.get(field_name)
        if password is None:
            continue
        kept = user.password
        same_kind = kept is not None and kept.temporary == temporary
        if same_kind and password_matches_verifier(pool, user, password):
            return
        with blamed(part, field_name):
            check_password(pool, password, refusal)
        user.password = make_password_verifier(
            pool, user.username, password, step.now(), temporary=temporary
        )
        return


def _set_authenticator(step: Step, pool: UserPool, part: Part, user: User) -> None:
    """TotpSecret: a verified authenticator app with that secret, on and preferred."""
    secret = part.get("TotpSecret")
    if secret is None:
        return
    if factors.SOFTWARE_TOKEN_MFA not in factors.pool_factors(pool):
        raise refuse(part, "TotpSecret", NOT_OFFERED)
    sealer = factors.token_sealer(step.ctx.runtime.codes_key)
    mine = factors.read(user)
    if mine.token is None or _opened(sealer, user, mine.token["secret"]) != secret:
        mine.token = {"secret": factors.seal_secret(sealer, user, secret)}
    mine.enable(factors.SOFTWARE_TOKEN_MFA)
    mine.preferred = factors.SOFTWARE_TOKEN_MFA
    factors.write(user, mine)


def _opened(sealer: Any, user: User, sealed: str) -> str | None:
    try:
        return factors.open_secret(sealer, user, sealed)
    except SealError:
        return None


def _set_groups(step: Step, pool: UserPool, part: Part, user: User) -> bool:
    """The user's groups as the file lists them, if it does; whether any changed."""
    wanted = part.get("Groups")
    if wanted is None:
        return False
    have = set(step.tx.groups.names_of(pool.id, user.sub))
    for name in sorted(set(wanted) - have):
        step.tx.groups.add_member(pool.id, name, user.sub)
    for name in sorted(have - set(wanted)):
        step.tx.groups.remove_member(pool.id, name, user.sub)
    return set(wanted) != have
