"""The standard OpenID Connect attributes every pool has, and helpers on schemas."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

STRING = {"MinLength": "0", "MaxLength": "2048"}

_STANDARD: list[tuple[str, str, dict[str, Any]]] = [
    ("sub", "String", {"StringAttributeConstraints": {"MinLength": "1", "MaxLength": "2048"}}),
    ("name", "String", {}),
    ("given_name", "String", {}),
    ("family_name", "String", {}),
    ("middle_name", "String", {}),
    ("nickname", "String", {}),
    ("preferred_username", "String", {}),
    ("profile", "String", {}),
    ("picture", "String", {}),
    ("website", "String", {}),
    ("email", "String", {}),
    ("email_verified", "Boolean", {}),
    ("gender", "String", {}),
    ("birthdate", "String", {"StringAttributeConstraints": {"MinLength": "10", "MaxLength": "10"}}),
    ("zoneinfo", "String", {}),
    ("locale", "String", {}),
    ("phone_number", "String", {}),
    ("phone_number_verified", "Boolean", {}),
    ("address", "String", {}),
    ("updated_at", "Number", {"NumberAttributeConstraints": {"MinValue": "0"}}),
]

CUSTOM_PREFIX = "custom:"
DEV_PREFIX = "dev:"


def standard_schema() -> list[dict[str, Any]]:
    schema = []
    for name, kind, extra in _STANDARD:
        entry: dict[str, Any] = {
            "Name": name,
            "AttributeDataType": kind,
            "DeveloperOnlyAttribute": False,
            "Mutable": name != "sub",
            "Required": name == "sub",
        }
        if kind == "String" and "StringAttributeConstraints" not in extra:
            entry["StringAttributeConstraints"] = dict(STRING)
        entry.update(extra)
        schema.append(entry)
    return schema


def schema_by_name(schema: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {entry["Name"]: entry for entry in schema}


def developer_only(schema: Iterable[dict[str, Any]]) -> set[str]:
    """The attributes only an administrator writes (IAM-authenticated operations): no app
    client's WriteAttributes, no user's own token, no SignUp names them."""
    return {entry["Name"] for entry in schema if entry.get("DeveloperOnlyAttribute")}
