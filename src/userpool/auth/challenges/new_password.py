"""NEW_PASSWORD_REQUIRED: a user with a temporary password chooses a permanent one, and
supplies the required attributes it lacks (`userAttributes.<name>` answers)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import orjson

from userpool.accounts.attributes import apply_attribute_changes, pool_schema
from userpool.accounts.passwords import check_password, make_password_verifier
from userpool.accounts.saving import save_user
from userpool.auth.challenges.spec import ChallengeSpec, Shown, present, user_of
from userpool.auth.next_step import NEW_PASSWORD_REQUIRED
from userpool.auth.outcomes import Attempt, Proceed
from userpool.auth.params import required
from userpool.auth.sessions import SignInState, consume
from userpool.domain.attributes import developer_only
from userpool.domain.client_rules import UNAUTHORIZED_WRITE
from userpool.domain.errors import InvalidParameterException, NotAuthorizedException
from userpool.domain.models import PasswordVerifier, User, UserStatus
from userpool.storage.repositories import Transaction

PREFIX = "userAttributes."


def missing_required(attempt: Attempt, user: User) -> list[str]:
    schema = attempt.pool.settings.get("SchemaAttributes", [])
    return [
        entry["Name"]
        for entry in schema
        if entry.get("Required")
        and entry["Name"] != "sub"
        and not user.attributes.get(entry["Name"])
    ]


def parameters(attempt: Attempt, _tx: Transaction, user: User, _state: SignInState) -> Shown:
    shown = {name: value for name, value in user.attributes.items() if name != "sub"}
    required_names = [PREFIX + name for name in missing_required(attempt, user)]
    return Shown(
        {
            "USER_ID_FOR_SRP": user.username,
            "requiredAttributes": orjson.dumps(required_names).decode(),
            "userAttributes": orjson.dumps(shown).decode(),
        }
    )


def _missing_message(names: list[str]) -> str:
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"Invalid attributes given, {listed} is missing"


def answer(
    attempt: Attempt, state: SignInState, user: User | None, responses: Mapping[str, str]
) -> Proceed:
    """The change is checked on the user as read and made again, in the step's write, on the
    user as stored then: nothing written meanwhile is overwritten. The new verifier (a
    modexp) is made once, outside that write."""
    password = required(responses, "NEW_PASSWORD")
    changes = [
        {"Name": name[len(PREFIX) :], "Value": value}
        for name, value in responses.items()
        if name.startswith(PREFIX)
    ]
    if {change["Name"] for change in changes} & developer_only(pool_schema(attempt.pool).values()):
        raise NotAuthorizedException(UNAUTHORIZED_WRITE)
    decided = _changed(attempt, present(user), changes)
    check_password(attempt.pool, password)
    verifier = make_password_verifier(
        attempt.pool, decided.username, password, attempt.now, temporary=False
    )
    _confirm(attempt, decided, verifier)

    def record(tx: Transaction) -> User:
        consume(tx, state)
        current = _changed(attempt, user_of(tx, attempt, state), changes)
        _confirm(attempt, current, verifier)
        save_user(tx, attempt.pool, current)
        return current

    return Proceed(decided, state.answered(), record)


def _changed(attempt: Attempt, user: User, changes: list[dict[str, str]]) -> User:
    """`user` with the answer's attributes; every required one must be present then."""
    user = replace(user, attributes=dict(user.attributes))
    if changes:
        apply_attribute_changes(attempt.pool, user, changes)
    missing = missing_required(attempt, user)
    if missing:
        raise InvalidParameterException(_missing_message(missing))
    return user


def _confirm(attempt: Attempt, user: User, verifier: PasswordVerifier) -> None:
    user.password = verifier
    user.status = UserStatus.CONFIRMED
    user.modified = attempt.now


NEW_PASSWORD = ChallengeSpec(NEW_PASSWORD_REQUIRED, parameters, answer)
