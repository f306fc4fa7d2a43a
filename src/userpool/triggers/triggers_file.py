"""The `--triggers FILE`: which Lambda functions are handlers on this machine.

A JSON object from a function name or ARN to a handler, paths relative to the file:

    {"define": "node:./define.mjs#handler",
     "arn:aws:lambda:us-east-1:000000000000:function:pre": "python:./pre.py#handler",
     "verify": "python:checks.verify:handler"}

`node:` takes a .js, .mjs or .cjs file and the name it exports; `python:` a .py file and a
function in it, or `module:function` importable from the file's directory. `#name` may be left
out: Lambda's usual `handler` is meant. A key that is an ARN answers for that ARN only; a key
that is a name answers for every ARN of a function by that name, in any region and account, as
the in-process invoker does. Everything here is checked when the server starts, so that a bad
file is a one-line refusal rather than a failure at a user's first sign-in."""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from userpool.triggers.config import function_name

DEFAULT_EXPORT = "handler"
NODE_SUFFIXES = (".js", ".mjs", ".cjs")
_IDENTIFIER = re.compile(r"[A-Za-z_$][\w$]*")
_MODULE = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*")


class TriggersFileError(ValueError):
    """What is wrong with the file, in one line."""


class Runtime(StrEnum):
    NODE = "node"
    PYTHON = "python"


@dataclass(frozen=True)
class LocalHandler:
    """One handler on this machine. `target` is the file (an absolute path) or, for a Python
    `module:function`, the module's dotted name; `export` is the function's name in it."""

    runtime: Runtime
    target: str
    export: str
    base_dir: Path  # the triggers file's directory: the handler's working directory
    source: Path  # the file whose changes restart the handler's workers
    is_module: bool = False  # `target` is a Python module's name, not a file


@dataclass(frozen=True)
class TriggersFile:
    by_arn: Mapping[str, LocalHandler]
    by_name: Mapping[str, LocalHandler]

    def handler_for(self, function: str) -> LocalHandler | None:
        """The handler for `function` (as a pool's LambdaConfig names it), if the file has one:
        an exact ARN first, else the function's name."""
        return self.by_arn.get(function) or self.by_name.get(function_name(function))


def read_triggers_file(path: Path) -> TriggersFile:
    """The handlers `path` maps, or TriggersFileError."""
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise TriggersFileError(error.strerror or str(error)) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise TriggersFileError(f"not JSON: {error}") from None
    if not isinstance(entries, dict):
        raise TriggersFileError("expected a JSON object of function name or ARN -> handler")
    base_dir = path.resolve().parent
    by_arn: dict[str, LocalHandler] = {}
    by_name: dict[str, LocalHandler] = {}
    for function, spec in entries.items():
        if not function or not isinstance(spec, str):
            raise TriggersFileError(f"{function!r}: expected a handler like 'node:./f.mjs#handler'")
        handler = _parse(spec, base_dir)
        if function.startswith("arn:"):
            by_arn[function] = handler
        else:
            by_name[function_name(function)] = handler
    if any(h.runtime is Runtime.NODE for h in (*by_arn.values(), *by_name.values())) and not (
        shutil.which("node")
    ):
        raise TriggersFileError("node: handlers need `node` on the PATH, and it is not there")
    return TriggersFile(by_arn, by_name)


def _parse(spec: str, base_dir: Path) -> LocalHandler:
    prefix, colon, rest = spec.partition(":")
    if not colon or prefix not in {runtime.value for runtime in Runtime}:
        raise TriggersFileError(f"{spec!r}: the handler must start with 'node:' or 'python:'")
    runtime = Runtime(prefix)
    if runtime is Runtime.PYTHON and "#" not in rest and _is_module_spec(rest):
        module, _, export = rest.partition(":")
        source = _module_source(module, base_dir)
        return LocalHandler(runtime, module, export, base_dir, source, is_module=True)
    location, _, export = rest.partition("#")
    export = export or DEFAULT_EXPORT
    if not _IDENTIFIER.fullmatch(export):
        raise TriggersFileError(f"{spec!r}: {export!r} is not a function name")
    file = (base_dir / location).resolve()
    suffixes = NODE_SUFFIXES if runtime is Runtime.NODE else (".py",)
    if file.suffix not in suffixes:
        raise TriggersFileError(f"{spec!r}: a {runtime} handler is a {' or '.join(suffixes)} file")
    if not file.is_file():
        raise TriggersFileError(f"{spec!r}: no such file {file}")
    if not os.access(file, os.R_OK):
        raise TriggersFileError(f"{spec!r}: cannot read {file}")
    return LocalHandler(runtime, str(file), export, base_dir, file)


def _is_module_spec(rest: str) -> bool:
    """`package.module:function`, as opposed to a path to a .py file."""
    module, colon, export = rest.partition(":")
    return bool(colon) and bool(_MODULE.fullmatch(module)) and bool(_IDENTIFIER.fullmatch(export))


def _module_source(module: str, base_dir: Path) -> Path:
    """The file `module` is imported from, found the way Python finds it in `base_dir`."""
    relative = Path(*module.split("."))
    for candidate in (base_dir / relative.with_suffix(".py"), base_dir / relative / "__init__.py"):
        if candidate.is_file():
            return candidate
    raise TriggersFileError(f"python:{module}: no module {module} in {base_dir}")
