"""The model's patterns as Cognito applies them: Java regular expressions, where `\\w`, `\\d`
and `\\s` (and their negations) are ASCII-only, while `\\p{L}` and the other properties are
Unicode. Python's `regex` reads `\\w` as Unicode, and its ASCII flag narrows `\\p{L}` too, so
the shorthands are spelled out as the ASCII classes Java gives them. The Developer Guide says
the same of pool names: "uppercase and lowercase letters (a-z, A-Z), numbers (0-9), and the
following special characters + = , . @ and -" for `[\\w\\s+=,.@-]+`.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import regex

_JAVA_SPACE = " \\t\\n\\x0B\\f\\r"  # java.util.regex.Pattern: [ \t\n\x0B\f\r]
_MEMBERS = {"w": "A-Za-z0-9_", "d": "0-9", "s": _JAVA_SPACE}


class UnsupportedPattern(ValueError):
    """A negated shorthand inside a class among other members (not in Cognito's model)."""


def ascii_shorthands(pattern: str) -> str:
    """`pattern` with `\\w \\d \\s \\W \\D \\S` spelled out as Java's ASCII classes."""
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            escape = pattern[i + 1]
            members = _MEMBERS.get(escape.lower())
            if members is None:
                out.append(pattern[i : i + 2])
            elif escape.islower():
                out.append(members if in_class else f"[{members}]")
            elif not in_class:
                out.append(f"[^{members}]")
            elif out[-1] == "[" and pattern[i + 2 : i + 3] == "]":  # [\S] is the class alone
                out[-1] = f"[^{members}"
            else:
                raise UnsupportedPattern(f"negated \\{escape} among a class's members: {pattern}")
            i += 2
            continue
        if char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class and out[-1] != "[":
            in_class = False
        out.append(char)
        i += 1
    return "".join(out)


@cache
def compiled(pattern: str) -> Any:
    """`pattern` (a model's) compiled to match as Cognito's Java regular expressions do."""
    return regex.compile(ascii_shorthands(pattern))
