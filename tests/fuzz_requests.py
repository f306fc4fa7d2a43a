"""Hypothesis strategies for Cognito request bodies, built from botocore's own input shapes.

A body is drawn benign first: real ids from a `World`, enum values, and values that the model
accepts however extreme (2,048 four-byte characters, case-folding expanders, bytes past
PostgreSQL's index limit, right-to-left overrides, stacks of combining marks). Most bodies then
get exactly one hostile value at one place (NUL, a string the model refuses as too long or off
its pattern, a number past the member's range or Java's int or long, a value of the wrong JSON
type, a list past its length, `[{}]`, a required member left out), so that the request passes
everything else and meets the code that must refuse it. One in ten carries a lone surrogate
instead, which stops it at the JSON parser.

`RequestStrategies.refused_body` draws only bodies whose one hostile value the server's edge
validation must refuse (protocol/validation.py): the requests that must change nothing.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator, Mapping
from typing import Any

from hypothesis import strategies as st

from tests.fuzz_values import (
    ATTRIBUTE_NAMES,
    AUTH_PARAMETER_KEYS,
    BOUNDARY_CHARACTERS,
    BOUNDARY_LIMIT,
    HOSTILE_NUMBERS,
    HOSTILE_STRINGS,
    JAVA_RANGES,
    LONE_SURROGATES,
    SHAPED_SAMPLES,
    World,
    incompressible,
    nul_variants,
)
from userpool.protocol.java_patterns import compiled
from userpool.protocol.validation import PATTERN_NOT_ENFORCED

Strategy = st.SearchStrategy[Any]
Path = tuple[str | int, ...]
MAX_DEPTH = 5
CREDENTIAL_KEYS = ("id", "rawId", "type", "response")
# Optional in the model, but what the operations that take them are for.
ALWAYS_SENT = frozenset({"AuthParameters", "ChallengeResponses", "UserAttributes"})
# Members that name something a request creates: a fresh name, not only the world's, lets
# CreateGroup, AdminCreateUser or SignUp get past "already exists".
NAMES_OF_NEW_THINGS = frozenset({"Username", "GroupName", "PoolName", "ClientName"})
# JSON values of another type than a shape's: each refused by the model's type, never null (a
# null member counts as absent, and an optional absent member is no fault).
WRONG_TYPES = {
    "string": (0, 1.5, True, [], {}),
    "integer": ("1", 1.5, True, []),
    "long": ("1", 1.5, True, []),
    "boolean": ("true", 0, []),
    "blob": (0, [], {}),
    "timestamp": (True, [], {}),
    "structure": ("fuzz", 0, []),
    "list": ("fuzz", 0, {}),
    "map": ("fuzz", 0, []),
}
# Lists longer than their maximum by one item are drawn only up to this maximum.
LONGEST_LIST = 100


class Absent:
    """The value of a member left out of a body."""


ABSENT = Absent()


def encode(body: Mapping[str, Any]) -> bytes:
    """JSON with every non-ASCII character escaped, so lone surrogates travel as `\\udXXX`."""
    return json.dumps(body, ensure_ascii=True).encode("ascii")


def weighted(*choices: tuple[int, Strategy]) -> Strategy:
    """A draw from one of `choices`, each as likely as its weight (`one_of` has no weights)."""
    return st.sampled_from([s for weight, s in choices for _ in range(weight)]).flatmap(lambda s: s)


def accepted_by_model(shape: Any, value: str) -> bool:
    """Whether the model takes `value` for a string `shape` (to sort values, not to test), as
    the server applies it: a pattern it does not enforce counts for nothing."""
    meta = shape.metadata
    pattern = meta.get("pattern") if shape.name not in PATTERN_NOT_ENFORCED else None
    return (
        meta.get("min", 0) <= len(value) <= meta.get("max", len(value))
        and (not pattern or compiled(pattern).fullmatch(value) is not None)
        and (not shape.enum or value in shape.enum)
    )


def replaced(node: Any, path: Path, new: Any) -> Any:
    """A copy of `node` with the value at `path` (present or not) set to `new`, or left out
    when `new` is ABSENT."""
    if not path:
        return new
    head, rest = path[0], path[1:]
    copied = copy.copy(node)
    if rest:
        copied[head] = replaced(node[head], rest, new)
    elif new is ABSENT:
        del copied[head]
    else:
        copied[head] = new
    return copied


class RequestStrategies:
    """Request bodies for the operations of one service model, aimed at one `World`."""

    def __init__(self, world: World) -> None:
        self._by_member = world.by_member()
        self._auth_parameters = world.auth_parameters()
        # Strategies and sorted values by shape: made once, since building them (the regex
        # match of every candidate against a pattern) costs more than drawing from them.
        self._made: dict[tuple[Any, ...], Any] = {}

    def _once(self, key: tuple[Any, ...], make: Any) -> Any:
        if key not in self._made:
            self._made[key] = make()
        return self._made[key]

    def body(self, input_shape: Any) -> Strategy:
        """Benign bodies, bodies with one hostile value, bodies with a lone surrogate."""
        benign = self.benign_body(input_shape)
        one_hostile = self._one_hostile(input_shape, benign, refused=False)
        return weighted((2, benign), (7, one_hostile), (1, self._spoiled(input_shape, benign)))

    def refused_body(self, input_shape: Any) -> Strategy:
        """Bodies that validation must refuse: one hostile value it refuses, or a surrogate."""
        benign = self.benign_body(input_shape)
        one_refused = self._one_hostile(input_shape, benign, refused=True)
        return weighted((9, one_refused), (1, self._spoiled(input_shape, benign)))

    def benign_body(self, input_shape: Any) -> Strategy:
        return self._benign(input_shape, "", 0)

    def _one_hostile(self, input_shape: Any, benign: Strategy, refused: bool) -> Strategy:
        return benign.flatmap(
            lambda body: st.sampled_from(list(self._sites(input_shape, body, (), refused))).flatmap(
                lambda site: site[1].map(lambda value: replaced(body, site[0], value))
            )
        )

    def _spoiled(self, input_shape: Any, benign: Strategy) -> Strategy:
        members = sorted(input_shape.members)
        surrogate = st.tuples(benign, st.sampled_from(members), st.sampled_from(LONE_SURROGATES))
        return surrogate.map(lambda drawn: {**drawn[0], drawn[1]: drawn[2]})

    # Benign values: what the model accepts.

    def _benign(self, shape: Any, member_name: str, depth: int) -> Strategy:
        key = ("benign", shape.name, member_name, depth)
        return self._once(key, lambda: self._make_benign(shape, member_name, depth))

    def _make_benign(self, shape: Any, member_name: str, depth: int) -> Strategy:
        kind = shape.type_name
        if shape.metadata.get("document"):
            return st.fixed_dictionaries({}, optional={k: st.just("fuzz") for k in CREDENTIAL_KEYS})
        if kind == "structure":
            if depth > MAX_DEPTH:
                return st.just({})
            members = {name: self._benign(m, name, depth + 1) for name, m in shape.members.items()}
            required = [n for n in members if n in shape.required_members or n in ALWAYS_SENT]
            optional = [n for n in members if n not in required]
            # Up to three optional members, not each at even odds: a request with every member
            # is mostly refused for one of them before its handler does anything interesting.
            chosen = (
                st.lists(st.sampled_from(optional), max_size=3, unique=True)
                if optional
                else st.just([])
            )
            return chosen.flatmap(
                lambda names: st.fixed_dictionaries({n: members[n] for n in (*required, *names)})
            )
        if kind == "list":
            item = self._benign(shape.member, member_name, depth)
            return st.lists(item, **self._sizes(shape))
        if kind == "map":
            if shape.name in ("AuthParametersType", "ChallengeResponsesType"):
                return self._auth_parameters_map(shape.value)
            entry = (self._benign(shape.key, "", depth), self._benign(shape.value, "", depth))
            return st.dictionaries(*entry, **self._sizes(shape))
        if kind == "string":
            valid, passing, refused = self._strings(shape, member_name)
            tiers = [(w, st.sampled_from(vs)) for w, vs in ((4, valid), (1, passing)) if vs]
            if member_name in NAMES_OF_NEW_THINGS:
                tiers.append((1, st.uuids().map(lambda u: f"fuzz-{u.hex[:12]}")))
            return weighted(*tiers) if tiers else st.sampled_from(refused)
        if kind in ("integer", "long"):
            low, high = self._range(shape)
            return st.one_of(st.integers(low, high), st.sampled_from((low, high)))
        if kind == "boolean":
            return st.booleans()
        if kind == "blob":
            return st.just("AAAA")
        if kind == "timestamp":  # AWS JSON: seconds since the epoch, whole or not
            return st.one_of(st.integers(0, 2**33), st.floats(0, 2**33, allow_nan=False))
        # No input of today's model has a double or float member.
        raise ValueError(f"no strategy for a {kind} shape ({shape.name})")

    def _auth_parameters_map(self, value_shape: Any) -> Strategy:
        """USERNAME and PASSWORD, as every password flow and most challenges take, and up to two
        other keys: a few keys, so that the one hostile value lands on each often enough."""

        def value(key: str) -> Strategy:
            known = self._auth_parameters.get(key, ())
            extreme = st.sampled_from(self._strings(value_shape, key)[1])
            return weighted((4, st.sampled_from(known)), (1, extreme)) if known else extreme

        always = ("USERNAME", "PASSWORD")
        rest = tuple(key for key in AUTH_PARAMETER_KEYS if key not in always)
        others = st.lists(st.sampled_from(rest), max_size=2, unique=True)
        return others.flatmap(
            lambda keys: st.fixed_dictionaries({key: value(key) for key in (*always, *keys)})
        )

    def _sizes(self, shape: Any) -> dict[str, int]:
        """Up to three entries, within the list's or map's own length limits."""
        low = shape.metadata.get("min", 0)
        return {"min_size": low, "max_size": max(low, min(3, shape.metadata.get("max", 3)))}

    def _strings(self, shape: Any, member_name: str) -> tuple[tuple[str, ...], ...]:
        """(real values, other values the model accepts, values it refuses) for `shape`."""
        key = ("strings", shape.name, member_name)
        return self._once(key, lambda: self._sorted_strings(shape, member_name))

    def _sorted_strings(self, shape: Any, member_name: str) -> tuple[tuple[str, ...], ...]:
        valid = self._by_member.get(member_name, ())
        if shape.name == "AttributeNameType":
            valid = ATTRIBUTE_NAMES
        if shape.enum:
            valid = (*valid, *shape.enum)
        candidates = (*HOSTILE_STRINGS, *SHAPED_SAMPLES, "fuzz")
        limit = shape.metadata.get("max")
        if limit is not None and limit <= BOUNDARY_LIMIT:
            candidates += (*(c * limit for c in BOUNDARY_CHARACTERS), incompressible(limit))
            candidates += ("a" * (limit + 1),)
        passing = tuple(c for c in candidates if accepted_by_model(shape, c))
        refused = tuple(c for c in candidates if not accepted_by_model(shape, c))
        return valid, passing, refused

    def _range(self, shape: Any) -> tuple[int, int]:
        low, high = JAVA_RANGES[shape.type_name]
        return max(low, shape.metadata.get("min", low)), min(high, shape.metadata.get("max", high))

    # Hostile values: one of them per body, at one of the places `_sites` finds.

    def _sites(
        self, shape: Any, value: Any, path: Path, refused: bool
    ) -> Iterator[tuple[Path, Strategy]]:
        """Each place in `value` (drawn for `shape`) where a hostile value can go, and what."""
        kind = shape.type_name
        if kind == "structure" and not shape.metadata.get("document"):
            for name, member in shape.members.items():
                if name in value:
                    yield from self._sites(member, value[name], (*path, name), refused)
                    if name in shape.required_members:
                        yield (*path, name), st.just(ABSENT)
                else:
                    yield (*path, name), self._hostile(member, name, None, refused)
            return
        yield path, self._hostile(shape, path[-1] if path else "", value, refused)
        if kind == "list":
            for index, item in enumerate(value):
                yield from self._sites(shape.member, item, (*path, index), refused)
        elif kind == "map":
            for key, item in value.items():
                yield from self._sites(shape.value, item, (*path, key), refused)

    def _hostile(self, shape: Any, member_name: Any, current: Any, refused: bool) -> Strategy:
        """A value for `shape` that the model or the server must refuse (`refused`: only values
        that validation refuses whatever else the body holds); `current` is what is there now
        (None when absent), kept where the hostile part is an addition."""
        if current is not None and shape.type_name in ("list", "map"):
            return self._make_hostile(shape, member_name, current, refused)
        key = ("hostile", shape.name, member_name, refused)
        return self._once(key, lambda: self._make_hostile(shape, member_name, None, refused))

    def _make_hostile(self, shape: Any, member_name: Any, current: Any, refused: bool) -> Strategy:
        kind = shape.type_name
        wrong_type = st.sampled_from(WRONG_TYPES.get(kind, WRONG_TYPES["structure"]))
        if shape.metadata.get("document"):
            nul = st.sampled_from(nul_variants(("fuzz",)))
            return st.one_of(st.just({"\x00": 1}), nul.map(lambda v: {"id": v}), st.just([]))
        if kind == "structure":
            choices = [wrong_type]
            if shape.required_members or not refused:
                choices.append(st.just({}))
            return st.one_of(choices)
        if kind == "list":
            item = self._hostile(shape.member, member_name, None, refused)
            choices = [wrong_type, item.map(lambda v: [*(current or []), v])]
            member = shape.member
            if member.type_name != "structure" or member.required_members or not refused:
                choices.append(st.just([{}]))
            longest = shape.metadata.get("max")
            if longest is not None and longest < LONGEST_LIST:
                benign = self._benign(member, member_name, MAX_DEPTH)
                choices.append(st.lists(benign, min_size=longest + 1, max_size=longest + 1))
            return st.one_of(choices)
        if kind == "map":
            key = self._hostile_string(shape.key, "", refused)
            value = self._hostile(shape.value, "", None, refused)
            entry = st.one_of(st.tuples(key, st.just("fuzz")), st.tuples(st.just("fuzz"), value))
            return st.one_of(wrong_type, entry.map(lambda kv: {**(current or {}), kv[0]: kv[1]}))
        if kind == "string":
            return st.one_of(self._hostile_string(shape, str(member_name), refused), wrong_type)
        if kind in ("integer", "long"):
            low, high = self._range(shape)
            outside = (low - 1, high + 1, *HOSTILE_NUMBERS)
            return st.one_of(
                st.sampled_from(tuple(n for n in outside if not low <= n <= high)), wrong_type
            )
        # A boolean, blob or timestamp: a wrong type or NUL, and null where anything goes.
        return wrong_type if refused else st.sampled_from(("\x00", None, *WRONG_TYPES[kind]))

    def _hostile_string(self, shape: Any, member_name: str, refused: bool) -> Strategy:
        valid, passing, refused_values = self._strings(shape, member_name)
        # NUL twice as often as the rest: the model's own limits refuse the rest uniformly.
        nul = st.sampled_from(nul_variants((valid or passing)[:3]))
        if not refused_values:
            return nul
        return weighted((2, nul), (1, st.sampled_from(refused_values)))
