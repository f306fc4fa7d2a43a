"""Cognito's rules for a pool's schema (CreateUserPool's `Schema`, AddCustomAttributes):
a standard attribute keeps its data type and may change only Required, Mutable and its
constraints; anything else becomes `custom:<Name>`, or `dev:custom:<Name>` when it is
developer-only. Bad entries are refused with Cognito's messages before anything is stored.
"""

from __future__ import annotations

import re
from typing import Any

from userpool.domain.attributes import CUSTOM_PREFIX, DEV_PREFIX, schema_by_name, standard_schema
from userpool.domain.errors import InvalidParameterException

SchemaEntry = dict[str, Any]

# Cognito stores no string attribute longer than this, so no constraint may allow more.
MAX_STRING_LENGTH = 2048
# The API reference's cap on any bound: "a number less than or equal to 2^1023".
LARGEST_BOUND = 2**1023
_MOST_DIGITS = len(str(LARGEST_BOUND))
REQUIRED_CUSTOM = "Required custom attributes are not supported currently."
NO_DATA_TYPE = (
    "Invalid AttributeDataType input, consider using the provided AttributeDataType enum."
)
_CONSTRAINTS = {"String": "StringAttributeConstraints", "Number": "NumberAttributeConstraints"}
_BOUNDS = {"String": ("MinLength", "MaxLength"), "Number": ("MinValue", "MaxValue")}
# Lengths are whole non-negative numbers. Cognito's documentation says nothing of signs for
# number bounds, so a negative MinValue is taken as meant.
_WHOLE = {"String": re.compile(r"[0-9]+"), "Number": re.compile(r"-?[0-9]+")}


def _retyped(name: str) -> InvalidParameterException:
    return InvalidParameterException(
        "You can not change AttributeDataType or set developerOnlyAttribute "
        f"for standard schema attribute {name}"
    )


def _check_names(requested: list[dict[str, Any]], field: str) -> None:
    """Every entry needs a Name. botocore's model leaves it optional, so the request validation
    lets it through; the refusal takes the form of AWS's request validation."""
    problems = [
        f"Value null at '{field}.{index}.member.name' failed to satisfy constraint: "
        "Member must not be null"
        for index, attribute in enumerate(requested, start=1)
        if attribute.get("Name") is None
    ]
    if problems:
        noun = "error" if len(problems) == 1 else "errors"
        raise InvalidParameterException(
            f"{len(problems)} validation {noun} detected: " + "; ".join(problems)
        )


def _bound(kind: str, name: str, constraints: dict[str, Any], key: str) -> int | None:
    value = constraints.get(key)
    if value is None:
        return None
    significant = value.lstrip("-").lstrip("0")
    # The length test keeps int() clear of huge inputs (botocore allows 131,072 characters).
    if _WHOLE[kind].fullmatch(value) and len(significant) <= _MOST_DIGITS:
        bound = int(value)
        if abs(bound) <= LARGEST_BOUND:
            return bound
    raise InvalidParameterException(f"Invalid {_CONSTRAINTS[kind]} for schema attribute {name}")


def _checked_constraints(kind: str, name: str, constraints: dict[str, Any]) -> dict[str, str]:
    """The String or Number constraints as stored, once they make sense."""
    low_key, high_key = _BOUNDS[kind]
    low = _bound(kind, name, constraints, low_key)
    high = _bound(kind, name, constraints, high_key)
    if kind == "String" and any(b is not None and b > MAX_STRING_LENGTH for b in (low, high)):
        raise InvalidParameterException(
            f"user.{name}: String attributes cannot have a length of more than {MAX_STRING_LENGTH}"
        )
    if low is not None and high is not None and low > high:
        what = "length" if kind == "String" else "value"
        raise InvalidParameterException(f"user.{name}: Max {what} cannot be less than min {what}.")
    return {key: constraints[key] for key in (low_key, high_key) if key in constraints}


def _change_standard(entry: SchemaEntry, attribute: dict[str, Any]) -> None:
    name = entry["Name"]
    kind = entry["AttributeDataType"]
    if attribute.get("AttributeDataType", kind) != kind or attribute.get("DeveloperOnlyAttribute"):
        raise _retyped(name)
    for setting in ("Required", "Mutable"):
        if setting in attribute:
            entry[setting] = attribute[setting]
    key = _CONSTRAINTS.get(kind)
    if key and attribute.get(key):
        entry[key] = _checked_constraints(kind, name, attribute[key])


def _custom_entry(attribute: dict[str, Any]) -> SchemaEntry:
    """The schema entry for a custom attribute named without its prefix."""
    kind = attribute.get("AttributeDataType")
    if kind is None:
        raise InvalidParameterException(NO_DATA_TYPE)
    if attribute.get("Required"):
        raise InvalidParameterException(REQUIRED_CUSTOM)
    developer_only = bool(attribute.get("DeveloperOnlyAttribute"))
    name = (DEV_PREFIX if developer_only else "") + CUSTOM_PREFIX + attribute["Name"]
    entry: SchemaEntry = {
        "Name": name,
        "AttributeDataType": kind,
        "DeveloperOnlyAttribute": developer_only,
        "Mutable": attribute.get("Mutable", True),
        "Required": False,
    }
    key = _CONSTRAINTS.get(kind)
    given = attribute.get(key) if key else None
    if key and (given or kind == "String"):  # a String attribute always shows its constraints
        entry[key] = _checked_constraints(kind, name, given or {})
    return entry


def _custom_entries(
    schema: list[SchemaEntry], requested: list[dict[str, Any]]
) -> list[SchemaEntry]:
    """Entries for `requested`; each name must be new to `schema` and to the request."""
    taken = {entry["Name"] for entry in schema}
    added = []
    for attribute in requested:
        entry = _custom_entry(attribute)
        if entry["Name"] in taken:
            raise InvalidParameterException(
                f"{CUSTOM_PREFIX}{attribute['Name']}: Existing attribute already has name "
                f"{entry['Name']}."
            )
        taken.add(entry["Name"])
        added.append(entry)
    return added


def added_attributes(
    schema: list[SchemaEntry], requested: list[dict[str, Any]]
) -> list[SchemaEntry]:
    """AddCustomAttributes: the entries to append to `schema`."""
    _check_names(requested, "customAttributes")
    return _custom_entries(schema, requested)


def new_pool_schema(requested: list[dict[str, Any]]) -> list[SchemaEntry]:
    """CreateUserPool's schema: the standard attributes, changed as asked, then custom ones."""
    _check_names(requested, "schema")
    schema = standard_schema()
    standard = schema_by_name(schema)
    custom = []
    for attribute in requested:
        if attribute["Name"] in standard:
            _change_standard(standard[attribute["Name"]], attribute)
        else:
            custom.append(attribute)
    return schema + _custom_entries(schema, custom)
