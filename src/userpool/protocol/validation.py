"""Request validation against botocore's service model, with AWS's own message forms.

`1 validation error detected: Value null at 'userPoolId' failed to satisfy constraint:
Member must not be null`.  Type mismatches are `SerializationException`s, as on AWS, and so
are numbers that do not fit the Java type Cognito parses them into (Smithy's protocol tests:
"Underflow or overflow should result in SerializationException").

Beyond the model, no string may hold a NUL character: PostgreSQL cannot store one in text, so
a NUL that got past this point would fail deep inside a handler instead of here.
"""

from __future__ import annotations

from typing import Any

from userpool.domain.errors import InvalidParameterException, SerializationException
from userpool.protocol.java_patterns import compiled

MAX_REPORTED = 10

# Smithy's "integer" and "long" are Java's int and long on Cognito's side.
INTEGER_RANGES = {"integer": (-(2**31), 2**31 - 1), "long": (-(2**63), 2**63 - 1)}
NUL = "\x00"
NUL_CONSTRAINT = "Member must not contain the NUL character (U+0000)"
# Shapes whose model pattern Cognito does not enforce at the edge. DomainType allows no dot,
# yet a custom domain is a dotted host name (auth.example.com, the API reference's example);
# CreateUserPoolDomain judges the name itself, with its own message (services/domains.py).
PATTERN_NOT_ENFORCED = frozenset({"DomainType"})
# Values Cognito takes that the model's enum does not list yet. GetClientToken needs a client
# whose ExplicitAuthFlows is ALLOW_CLIENT_TOKEN_AUTH (its API reference), a value that
# ExplicitAuthFlowsType still lacks in botocore 1.44.18.
ENUM_ADDITIONS = {"ExplicitAuthFlowsType": ("ALLOW_CLIENT_TOKEN_AUTH",)}


def _camel(name: str) -> str:
    return name[:1].lower() + name[1:]


def _java_str(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_java_str(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={_java_str(v)}" for k, v in value.items()) + "}"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class _Collector:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def add(self, shape: Any, value: Any, path: str, constraint: str) -> None:
        if value is None:
            shown = "Value null"
        elif shape.metadata.get("sensitive"):
            shown = "Value"
        else:
            shown = f"Value '{_java_str(value)}'"
        self.problems.append(f"{shown} at '{path}' failed to satisfy constraint: {constraint}")


def _scalar_constraints(shape: Any, value: Any) -> list[str]:
    meta = shape.metadata
    found: list[str] = []
    if shape.type_name == "string":
        if "min" in meta and len(value) < meta["min"]:
            found.append(f"Member must have length greater than or equal to {meta['min']}")
        if "max" in meta and len(value) > meta["max"]:
            found.append(f"Member must have length less than or equal to {meta['max']}")
        pattern = meta.get("pattern") if shape.name not in PATTERN_NOT_ENFORCED else None
        refused_by_pattern = bool(pattern) and not compiled(pattern).fullmatch(value)
        if refused_by_pattern:
            found.append(f"Member must satisfy regular expression pattern: {pattern}")
        added = [v for v in ENUM_ADDITIONS.get(shape.name, ()) if v not in shape.enum]
        enum = [*shape.enum, *added] if shape.enum else []
        refused_by_enum = bool(enum) and value not in enum
        if refused_by_enum:
            found.append(f"Member must satisfy enum value set: [{', '.join(enum)}]")
        # A pattern or enum that refuses the value already says why, as AWS would.
        if NUL in value and not (refused_by_pattern or refused_by_enum):
            found.append(NUL_CONSTRAINT)
    elif shape.type_name in ("integer", "long"):
        if "min" in meta and value < meta["min"]:
            found.append(f"Member must have value greater than or equal to {meta['min']}")
        if "max" in meta and value > meta["max"]:
            found.append(f"Member must have value less than or equal to {meta['max']}")
    return found


def _check_type(shape: Any, value: Any, path: str) -> None:
    kind = shape.type_name
    ok = {
        "structure": isinstance(value, dict),
        "map": isinstance(value, dict),
        "list": isinstance(value, list),
        "string": isinstance(value, str),
        "boolean": isinstance(value, bool),
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "long": isinstance(value, int) and not isinstance(value, bool),
        "double": isinstance(value, int | float) and not isinstance(value, bool),
        "float": isinstance(value, int | float) and not isinstance(value, bool),
        "timestamp": isinstance(value, int | float | str) and not isinstance(value, bool),
        "blob": isinstance(value, str),
    }.get(kind, True)
    if not ok:
        raise SerializationException(
            f"Unexpected value type at '{path}': expected {kind}, got {type(value).__name__}"
        )
    bounds = INTEGER_RANGES.get(kind)
    if bounds and not bounds[0] <= value <= bounds[1]:
        raise SerializationException(
            f"Numeric value ({value}) out of range of {kind} at '{path}': "
            f"expected {bounds[0]} to {bounds[1]}"
        )


def _walk(shape: Any, value: Any, path: str, out: _Collector) -> None:
    _check_type(shape, value, path)
    kind = shape.type_name
    if shape.metadata.get("document"):
        # Free-form JSON (a WebAuthn credential): no members to check, but no NUL either.
        if _holds_nul(value):
            out.add(shape, value, path, NUL_CONSTRAINT)
    elif kind == "structure":
        for name in shape.required_members:
            if value.get(name) is None:
                out.add(shape.members[name], None, _join(path, name), "Member must not be null")
        for name, member in shape.members.items():
            child = value.get(name)
            if child is not None:
                _walk(member, child, _join(path, name), out)
    elif kind == "list":
        _check_size(shape, value, path, out)
        member = shape.member
        for index, item in enumerate(value, start=1):
            if member.type_name in ("structure", "list", "map"):
                _walk(member, item, f"{path}.{index}.member", out)
            elif item is not None:
                _check_type(member, item, path)
                inner = _scalar_constraints(member, item)
                if inner:
                    out.add(shape, value, path, f"Member must satisfy constraint: [{inner[0]}]")
                    break
    elif kind == "map":
        _check_size(shape, value, path, out)
        for key, item in value.items():
            _check_type(shape.key, key, path)
            for problem in _scalar_constraints(shape.key, key):
                out.add(shape, value, path, f"Map keys must satisfy constraint: [{problem}]")
            if item is None:
                continue
            if shape.value.type_name in ("structure", "list", "map"):
                _walk(shape.value, item, f"{path}.{key}", out)
            else:
                _check_type(shape.value, item, path)
                for problem in _scalar_constraints(shape.value, item):
                    out.add(shape, value, path, f"Map value must satisfy constraint: [{problem}]")
    else:
        for problem in _scalar_constraints(shape, value):
            out.add(shape, value, path, problem)


def _check_size(shape: Any, value: Any, path: str, out: _Collector) -> None:
    meta = shape.metadata
    if "min" in meta and len(value) < meta["min"]:
        out.add(
            shape, value, path, f"Member must have length greater than or equal to {meta['min']}"
        )
    if "max" in meta and len(value) > meta["max"]:
        out.add(shape, value, path, f"Member must have length less than or equal to {meta['max']}")


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    if isinstance(value, dict):
        return any(NUL in key or _holds_nul(item) for key, item in value.items())
    return False


def _join(path: str, name: str) -> str:
    return f"{path}.{_camel(name)}" if path else _camel(name)


def validate(input_shape: Any, params: Any) -> None:
    """Raise the AWS error that a request with `params` gets for `input_shape`."""
    if not isinstance(params, dict):
        raise SerializationException("Start of structure or map found where not expected.")
    if input_shape is None:
        return
    out = _Collector()
    _walk(input_shape, params, "", out)
    if out.problems:
        count = len(out.problems)
        noun = "error" if count == 1 else "errors"
        shown = "; ".join(out.problems[:MAX_REPORTED])
        raise InvalidParameterException(f"{count} validation {noun} detected: {shown}")
