"""The attribute rules that user creation, attribute changes and sign-in share: names from
the pool's schema, values within its constraints.

Cognito lists every offending attribute, one a line: on creation as
`Attributes did not conform to the schema: <name>: <problem>\\n`, on later changes as
`Invalid user attributes: user.<name>: <problem>\\n`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from typing import Any

from userpool.accounts.lookup import VERIFIED_FLAGS
from userpool.domain.attributes import schema_by_name, standard_schema
from userpool.domain.errors import InvalidParameterException
from userpool.domain.models import User, UserPool

SchemaEntry = dict[str, Any]
Problem = tuple[str, str]

CREATION_REFUSAL = "Attributes did not conform to the schema: "
CHANGE_REFUSAL = "Invalid user attributes: "
NOT_IN_SCHEMA = "Attribute does not exist in the schema."
IMMUTABLE = "Attribute cannot be updated."
REQUIRED = "The attribute is required"

_FORMATS = {
    "email": (re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+"), "Invalid email address format."),
    "phone_number": (re.compile(r"\+[0-9]+"), "Invalid phone number format."),
}

# The order in which auto-verified attributes get a confirmation code.
CONFIRMATION_ORDER = ("phone_number", "email")


def auto_verified(pool: UserPool) -> list[str]:
    """The pool's auto-verified attributes, in the order they are tried for a code."""
    auto = pool.settings.get("AutoVerifiedAttributes") or []
    return [attribute for attribute in CONFIRMATION_ORDER if attribute in auto]


def pool_schema(pool: UserPool) -> dict[str, SchemaEntry]:
    return schema_by_name(pool.settings.get("SchemaAttributes") or standard_schema())


def supplied_values(attributes: Iterable[dict[str, str]]) -> dict[str, str]:
    """`[{Name, Value}]` as a dict; a later entry for the same name wins."""
    return {attribute["Name"]: attribute.get("Value", "") for attribute in attributes}


def _string_problem(entry: SchemaEntry, value: str) -> str | None:
    constraints = entry.get("StringAttributeConstraints") or {}
    if "MaxLength" in constraints and len(value) > int(constraints["MaxLength"]):
        return f"String must be no longer than {constraints['MaxLength']} characters"
    if "MinLength" in constraints and len(value) < int(constraints["MinLength"]):
        return f"String must be no shorter than {constraints['MinLength']} characters"
    return None


def _number_problem(entry: SchemaEntry, value: str) -> str | None:
    try:
        number = float(value)
    except ValueError:
        return "Value must be a number"
    if not math.isfinite(number):
        return "Value must be a number"
    constraints = entry.get("NumberAttributeConstraints") or {}
    if "MinValue" in constraints and number < float(constraints["MinValue"]):
        return f"Number must be no less than {constraints['MinValue']}"
    if "MaxValue" in constraints and number > float(constraints["MaxValue"]):
        return f"Number must be no greater than {constraints['MaxValue']}"
    return None


def _boolean_problem(_entry: SchemaEntry, value: str) -> str | None:
    return None if value.lower() in ("true", "false") else "Value must be true or false"


_VALUE_CHECKS: dict[str, Callable[[SchemaEntry, str], str | None]] = {
    "String": _string_problem,
    "Number": _number_problem,
    "Boolean": _boolean_problem,
}


def _value_problem(entry: SchemaEntry, value: str) -> str | None:
    check = _VALUE_CHECKS.get(entry["AttributeDataType"])
    return check(entry, value) if check else None


def _normalised(entry: SchemaEntry, value: str) -> str:
    return value.lower() if entry["AttributeDataType"] == "Boolean" else value


def _reject(problems: list[Problem], refusal: str, name_prefix: str) -> None:
    if problems:
        lines = "".join(f"{name_prefix}{name}: {problem}\n" for name, problem in problems)
        raise InvalidParameterException(refusal + lines)


def has_valid_format(name: str, value: str) -> bool:
    """Whether `value` is well-formed for `name` (an email, a `+digits` phone number)."""
    known = _FORMATS.get(name)
    return known is None or known[0].fullmatch(value) is not None


def _check_formats(values: dict[str, str]) -> None:
    for name, (_pattern, message) in _FORMATS.items():
        if name in values and not has_valid_format(name, values[name]):
            raise InvalidParameterException(message)


def _creation_problem(entry: SchemaEntry | None, name: str, value: str) -> str | None:
    if entry is None:
        return NOT_IN_SCHEMA
    if name == "sub":
        return IMMUTABLE
    return _value_problem(entry, value)


def _change_problem(entry: SchemaEntry | None, value: str) -> str | None:
    if entry is None:
        return NOT_IN_SCHEMA
    if not entry["Mutable"]:
        return IMMUTABLE
    return _value_problem(entry, value)


def _deletion_problem(entry: SchemaEntry | None) -> str | None:
    if entry is None:
        return NOT_IN_SCHEMA
    if not entry["Mutable"]:
        return IMMUTABLE
    if entry["Required"]:
        return REQUIRED
    return None


def new_user_attributes(pool: UserPool, supplied: Iterable[dict[str, str]]) -> dict[str, str]:
    """The checked attributes of a user being created (immutable ones may be set now)."""
    values = supplied_values(supplied)
    schema = pool_schema(pool)
    problems = [
        (name, problem)
        for name, value in values.items()
        if (problem := _creation_problem(schema.get(name), name, value))
    ]
    _reject(problems, CREATION_REFUSAL, "")
    _check_formats(values)
    return {name: _normalised(schema[name], value) for name, value in values.items()}


def apply_attribute_changes(pool: UserPool, user: User, supplied: Iterable[dict[str, str]]) -> None:
    """Check and apply changes; a changed email or phone is unverified unless said otherwise."""
    values = supplied_values(supplied)
    schema = pool_schema(pool)
    problems = [
        (name, problem)
        for name, value in values.items()
        if (problem := _change_problem(schema.get(name), value))
    ]
    _reject(problems, CHANGE_REFUSAL, "user.")
    _check_formats(values)
    unverified = {
        flag: "false"
        for attribute, flag in VERIFIED_FLAGS.items()
        if attribute in values
        and values[attribute] != user.attributes.get(attribute)
        and flag not in values
    }
    changes = {name: _normalised(schema[name], value) for name, value in values.items()}
    user.attributes.update({**unverified, **changes})


def remove_attributes(pool: UserPool, user: User, names: Iterable[str]) -> None:
    """Check and remove; removing an email or phone also removes its verified flag."""
    wanted = list(dict.fromkeys(names))
    schema = pool_schema(pool)
    problems = [
        (name, problem) for name in wanted if (problem := _deletion_problem(schema.get(name)))
    ]
    _reject(problems, CHANGE_REFUSAL, "user.")
    for name in wanted:
        user.attributes.pop(name, None)
        if name in VERIFIED_FLAGS:
            user.attributes.pop(VERIFIED_FLAGS[name], None)
