"""A seed file read into a tree that remembers where each value was written.

YAML is composed with PyYAML (its nodes carry their line), never constructed as a whole, so
that a key written twice is seen and a value keeps the text it was written as: an unquoted
`OFF` (a boolean in YAML 1.1) can still be the string a Cognito enum wants. JSON is parsed
by the json module (strict JSON, numbers and escapes as JSON means them) and composed again
by PyYAML only for the lines: a valid JSON text is a YAML flow document once its tabs, which
JSON allows only between tokens, are spaces.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import yaml

MAP, LIST, SCALAR = "mapping", "list", "scalar"
TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


@dataclass(frozen=True)
class Where:
    file: str
    line: int  # from 1

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Problem:
    """One mistake in the file: where, in which field (a path such as
    `Pools[0].Users[1].Groups`), and what is wrong."""

    where: Where
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.field}: {self.message}"


class SeedError(Exception):
    """The file cannot be applied; nothing of it was."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


@dataclass
class Item:
    """A value as written. A mapping's `value` is its (key, value) pairs in order, duplicates
    kept; a list's, its items; a scalar's, the value YAML or JSON gives it. `plain`: an
    unquoted YAML scalar, whose `text` may stand for a string whatever YAML makes of it."""

    kind: str
    line: int
    value: Any
    plain: bool = False
    text: str = ""
    pairs: list[tuple[Item, Item]] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)


def read(text: str, file: str) -> Item:
    """The document in `text` (YAML or JSON); SeedError naming the line of a syntax error."""
    if _looks_like_json(text, file):
        try:
            values = json.loads(text)
        except json.JSONDecodeError as error:
            raise _syntax(file, error.lineno, f"not valid JSON: {error.msg}") from error
        node = _compose(text.replace("\t", " "), file)
        return _from_node(node, values, loader=None)
    loader = yaml.SafeLoader(text)
    try:
        node = _single_node(loader, file)
        return _from_node(node, None, loader=loader)
    finally:
        loader.dispose()


def _looks_like_json(text: str, file: str) -> bool:
    return file.lower().endswith(".json") or text.lstrip()[:1] in ("{", "[")


def _compose(text: str, file: str) -> yaml.Node:
    loader = yaml.SafeLoader(text)
    try:
        return _single_node(loader, file)
    finally:
        loader.dispose()


def _single_node(loader: yaml.SafeLoader, file: str) -> yaml.Node:
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise _syntax(file, line, f"not valid YAML: {error.problem or error.context}") from error
    except yaml.YAMLError as error:
        raise _syntax(file, 1, f"not valid YAML: {error}") from error
    if node is None:
        raise _syntax(file, 1, "the file is empty: expected a mapping with Pools")
    return node


def _syntax(file: str, line: int, message: str) -> SeedError:
    return SeedError([Problem(Where(file, line), "(document)", message)])


def _from_node(node: yaml.Node, json_value: Any, loader: yaml.SafeLoader | None) -> Item:
    """`json_value`: the same value as json parsed it (JSON), else None and YAML's loader."""
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        if loader is not None:
            loader.flatten_mapping(node)  # `<<: *defaults` merge keys, as YAML loads them
        pairs = []
        for key_node, value_node in node.value:
            key = _from_node(key_node, None, loader) if loader else _json_key(key_node)
            inner = json_value.get(key.value) if isinstance(json_value, dict) else None
            pairs.append((key, _from_node(value_node, inner, loader)))
        return Item(MAP, line, None, pairs=pairs)
    if isinstance(node, yaml.SequenceNode):
        values = json_value if isinstance(json_value, list) else [None] * len(node.value)
        items = [_from_node(n, v, loader) for n, v in zip(node.value, values, strict=True)]
        return Item(LIST, line, None, items=items)
    assert isinstance(node, yaml.ScalarNode)
    if loader is None:
        return Item(SCALAR, line, json_value, plain=False, text=node.value)
    value = node.value if node.tag == TIMESTAMP_TAG else loader.construct_object(node)
    return Item(SCALAR, line, value, plain=node.style is None, text=node.value)


def _json_key(node: yaml.Node) -> Item:
    return Item(SCALAR, node.start_mark.line + 1, node.value, text=node.value)
