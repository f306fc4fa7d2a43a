"""Reading a seed file's tree against what each field must be: botocore's own shapes for the
parts that are API requests (so a value is refused here as the API would refuse it, with the
file's line), and records of our own for the rest. Every mistake is collected, with where it
was written; a value given as null or left empty counts as not given, as in a request.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Protocol

from userpool.protocol.java_patterns import compiled
from userpool.protocol.validation import ENUM_ADDITIONS, INTEGER_RANGES, NUL, PATTERN_NOT_ENFORCED
from userpool.seed.document import LIST, MAP, SCALAR, Item, Problem, Where

INVALID: Any = object()  # a value refused (its problem is recorded)


class Decoder:
    """Collects the problems of one file, and where each field was written."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []
        self.marks: dict[str, Where] = {}

    def decode(self, item: Item, spec: Spec, path: str) -> Any:
        self.marks[path] = Where(self.file, item.line)
        return spec.decode(self, item, path)

    def refuse(self, item: Item, path: str, message: str) -> Any:
        self.problems.append(Problem(Where(self.file, item.line), path, message))
        return INVALID


class Spec(Protocol):
    def decode(self, decoder: Decoder, item: Item, path: str) -> Any: ...


def _kind_of(item: Item) -> str:
    if item.kind != SCALAR:
        return f"a {item.kind}"
    value = item.value
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    return "a string"


def is_null(item: Item) -> bool:
    return item.kind == SCALAR and item.value is None and (item.plain or item.text == "")


@dataclass(frozen=True)
class Record:
    """A mapping of known fields; `required` must be given."""

    fields: Mapping[str, Spec]
    required: tuple[str, ...] = ()

    def decode(self, decoder: Decoder, item: Item, path: str) -> Any:
        if item.kind != MAP:
            return decoder.refuse(item, path, f"expected a mapping, got {_kind_of(item)}")
        decoded: dict[str, Any] = {}
        seen: set[str] = set()
        for key, value in item.pairs:
            name = key.text if key.kind == SCALAR else ""
            where = _join(path, name)
            if not name:
                decoder.refuse(key, path, "a field name must be a string")
            elif name in seen:
                decoder.refuse(key, where, f"{name} is written twice")
            elif name not in self.fields:
                decoder.refuse(key, where, _unknown(name, self.fields))
            elif not is_null(value):
                result = decoder.decode(value, self.fields[name], where)
                if result is not INVALID:
                    decoded[name] = result
            seen.add(name)
        for name in self.required:
            if name not in seen or _null_in(item, name):
                decoder.refuse(item, _join(path, name), f"{name} is required")
        return decoded


def _null_in(item: Item, name: str) -> bool:
    return any(key.text == name and is_null(value) for key, value in item.pairs)


def _unknown(name: str, fields: Mapping[str, Spec]) -> str:
    close = difflib.get_close_matches(name, list(fields), n=1, cutoff=0.75)
    if close:
        return f"unknown field {name!r} (did you mean {close[0]!r}?)"
    return f"unknown field {name!r}; expected one of: {', '.join(fields)}"


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


@dataclass(frozen=True)
class ListOf:
    item: Spec
    min: int = 0
    max: int | None = None

    def decode(self, decoder: Decoder, item: Item, path: str) -> Any:
        if item.kind != LIST:
            return decoder.refuse(item, path, f"expected a list, got {_kind_of(item)}")
        if len(item.items) < self.min or (self.max is not None and len(item.items) > self.max):
            return decoder.refuse(item, path, _count_refusal(self.min, self.max))
        values = []
        for index, entry in enumerate(item.items):
            where = f"{path}[{index}]"
            if is_null(entry):
                values.append(decoder.refuse(entry, where, "an item of a list cannot be empty"))
                continue
            # kept even when refused: the items after it keep their index (and their path)
            values.append(decoder.decode(entry, self.item, where))
        return values


def _count_refusal(low: int, high: int | None) -> str:
    if high is None:
        return f"must have at least {low} items"
    return f"must have {low} to {high} items"


@dataclass(frozen=True)
class MapOf:
    key: Spec
    value: Spec

    def decode(self, decoder: Decoder, item: Item, path: str) -> Any:
        if item.kind != MAP:
            return decoder.refuse(item, path, f"expected a mapping, got {_kind_of(item)}")
        decoded: dict[str, Any] = {}
        for key_item, value_item in item.pairs:
            key = decoder.decode(key_item, self.key, path)
            if key is INVALID:
                continue
            where = _join(path, key)
            if key in decoded:
                decoder.refuse(key_item, where, f"{key} is written twice")
            elif is_null(value_item):
                decoder.refuse(value_item, where, "a value cannot be empty")
            else:
                value = decoder.decode(value_item, self.value, where)
                if value is not INVALID:
                    decoded[key] = value
        return decoded


@dataclass(frozen=True)
class Text:
    """A string; `check` says what is wrong with it, if anything. `secret`: never shown."""

    check: Callable[[str], str | None] = lambda _text: None
    secret: bool = False

    def decode(self, decoder: Decoder, item: Item, path: str) -> Any:
        text = _text(item)
        if text is None:
            return decoder.refuse(item, path, f"expected a string, got {_kind_of(item)}")
        problem = "must not contain the NUL character" if NUL in text else self.check(text)
        return decoder.refuse(item, path, problem) if problem else text


def _text(item: Item) -> str | None:
    """A scalar as a string: a string, or an unquoted YAML scalar as written (`OFF`, `8`)."""
    if item.kind != SCALAR:
        return None
    if isinstance(item.value, str):
        return item.value
    return item.text if item.plain else None


@dataclass(frozen=True)
class Choice:
    values: tuple[str, ...]

    def decode(self, decoder: Decoder, item: Item, path: str) -> Any:
        text = _text(item)
        if text is None or text not in self.values:
            got = f"{text!r}" if text is not None else _kind_of(item)
            return decoder.refuse(item, path, f"must be one of {', '.join(self.values)}; got {got}")
        return text


@dataclass(frozen=True)
class Flag:
    def decode(self, decoder: Decoder, item: Item, path: str) -> Any:
        if item.kind == SCALAR and isinstance(item.value, bool):
            return item.value
        return decoder.refuse(item, path, f"expected true or false, got {_kind_of(item)}")


@dataclass(frozen=True)
class Whole:
    low: int | None = None
    high: int | None = None

    def decode(self, decoder: Decoder, item: Item, path: str) -> Any:
        value = item.value if item.kind == SCALAR else None
        if not isinstance(value, int) or isinstance(value, bool):
            return decoder.refuse(item, path, f"expected a whole number, got {_kind_of(item)}")
        if self.low is not None and value < self.low:
            return decoder.refuse(item, path, f"must be {self.low} or more")
        if self.high is not None and value > self.high:
            return decoder.refuse(item, path, f"must be {self.high} or less")
        return value


@dataclass(frozen=True)
class Number:
    def decode(self, decoder: Decoder, item: Item, path: str) -> Any:
        value = item.value if item.kind == SCALAR else None
        if (
            not isinstance(value, int | float)
            or isinstance(value, bool)
            or not math.isfinite(value)
        ):
            return decoder.refuse(item, path, f"expected a number, got {_kind_of(item)}")
        return value


@dataclass(frozen=True)
class Anything:
    """Free-form JSON (botocore's document shapes)."""

    def decode(self, decoder: Decoder, item: Item, path: str) -> Any:
        if item.kind == MAP:
            return {key.text: self.decode(decoder, value, path) for key, value in item.pairs}
        if item.kind == LIST:
            return [self.decode(decoder, entry, path) for entry in item.items]
        return item.value


@dataclass(frozen=True)
class Shape:
    """A value of one of botocore's shapes, checked as protocol/validation.py checks a request
    (types, lengths, patterns, enums, ranges), with messages in words and the file's lines."""

    shape: Any
    extra: Mapping[str, Spec] = field(default_factory=dict)
    without: tuple[str, ...] = ()

    def decode(self, decoder: Decoder, item: Item, path: str) -> Any:
        return spec_of(self.shape, self.extra, self.without).decode(decoder, item, path)


def spec_of(
    shape: Any, extra: Mapping[str, Spec] | None = None, without: tuple[str, ...] = ()
) -> Spec:
    """The spec of a botocore shape; a structure's may add fields and leave some out."""
    if shape.type_name == "structure" and not shape.metadata.get("document"):
        fields: dict[str, Spec] = {
            name: _member(member) for name, member in shape.members.items() if name not in without
        }
        fields.update(extra or {})
        required = tuple(name for name in shape.required_members if name not in without)
        return Record(fields, required)
    return _member(shape)


@cache
def _member(shape: Any) -> Spec:
    kind = shape.type_name
    meta = shape.metadata
    if meta.get("document"):
        return Anything()
    if kind == "structure":
        return spec_of(shape)
    if kind == "list":
        return ListOf(Shape(shape.member), meta.get("min", 0), meta.get("max"))
    if kind == "map":
        return MapOf(Shape(shape.key), Shape(shape.value))
    if kind == "boolean":
        return Flag()
    if kind in INTEGER_RANGES:
        low, high = INTEGER_RANGES[kind]
        return Whole(max(low, meta.get("min", low)), min(high, meta.get("max", high)))
    if kind in ("double", "float"):
        return Number()
    if kind == "string" and shape.enum:
        added = [v for v in ENUM_ADDITIONS.get(shape.name, ()) if v not in shape.enum]
        return Choice((*shape.enum, *added))
    return Text(_string_check(shape), bool(meta.get("sensitive")))


def _string_check(shape: Any) -> Callable[[str], str | None]:
    meta = shape.metadata
    low, high = meta.get("min"), meta.get("max")
    pattern = meta.get("pattern") if shape.name not in PATTERN_NOT_ENFORCED else None

    def check(text: str) -> str | None:
        if (low is not None and len(text) < low) or (high is not None and len(text) > high):
            return _length_refusal(low, high)
        if pattern and not compiled(pattern).fullmatch(text):
            return f"must match the pattern {pattern}"
        return None

    return check


def _length_refusal(low: int | None, high: int | None) -> str:
    if high is None:
        return f"must be at least {low} characters long"
    return f"must be {low or 0} to {high} characters long"
