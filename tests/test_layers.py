"""Imports flow one way, downwards (DESIGN.md, "Layers"), checked by reading every module under
src/userpool with `ast`; nothing is imported.

A module belongs to the unit named by its first part under `userpool` (the package `auth`,
the module `config.py`, ...). A unit may import its own modules and any unit in a lower layer;
never a higher one, and never a peer in its own layer. Entry points may import anything.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"
PACKAGE = "userpool"

# Highest first. Units in one layer are peers: neither imports the other.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("app", "cli", "__main__", "testing"),  # entry points: the wiring, the CLI, the pytest plugin
    ("config",),  # server settings from the environment: read by the entry points only
    ("http",),  # Starlette routes
    ("seed",),  # seed files: read against botocore's shapes, applied by the services' handlers
    ("protocol",),  # the AWS JSON wire: dispatch, validation, errors, SigV4
    ("oauth",),  # the pool domains' endpoints and managed login pages
    ("services",),  # use-cases, grouped like the AWS API reference
    ("auth",),  # the sign-in engine
    ("accounts",),  # what a user has and how it changes; shared by services and auth
    ("tokens", "triggers", "delivery"),  # tokens; ports to Lambda and to message senders
    ("storage",),  # repositories over SQL: they keep domain objects
    ("crypto", "domain", "__init__"),  # primitives, dataclasses, the package's version
)
ENTRY_POINTS = frozenset({"app", "cli", "__main__", "testing"})  # may import anything
SELF_CONTAINED = frozenset({"crypto", "domain"})  # import nothing from userpool
# What callers outside auth/ may import from it; its challenges, flows, decisions are its own.
AUTH_PUBLIC_FACE = frozenset(
    {"userpool.auth", "userpool.auth.engine", "userpool.auth.outcomes", "userpool.auth.sessions"}
)

RANK = {unit: rank for rank, layer in enumerate(LAYERS) for unit in layer}


@dataclass(frozen=True)
class Import:
    """`source` (a path under src/) imports the module `target` at `line`."""

    source: str
    line: int
    target: str

    def __str__(self) -> str:
        return f"src/{self.source}:{self.line}: imports {self.target}"


def module_name(path: str) -> str:
    """'userpool/auth/engine.py' -> 'userpool.auth.engine'; a package is its __init__."""
    parts = list(Path(path).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def unit_of(module: str) -> str:
    """The layer unit a module of ours belongs to: 'userpool.auth.engine' -> 'auth'."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _is_module(name: str) -> bool:
    base = SRC.joinpath(*name.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def _absolute(path: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module_name(path).split(".")
    if not path.endswith("__init__.py"):
        package.pop()
    anchor = package[: len(package) - (node.level - 1)]
    return ".".join([*anchor, *([node.module] if node.module else [])])


def imports_in(path: str, source: str) -> list[Import]:
    """Every module of ours that `source` (the text of the file at `path`) imports, anywhere
    in it (functions and TYPE_CHECKING blocks too). `from x import y` names the module x.y
    when that is a module, otherwise x."""
    found = []
    for node in ast.walk(ast.parse(source, filename=path)):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(path, node)
            targets = [
                f"{base}.{alias.name}" if _is_module(f"{base}.{alias.name}") else base
                for alias in node.names
            ]
        else:
            continue
        for target in dict.fromkeys(targets):
            if target == PACKAGE or target.startswith(PACKAGE + "."):
                found.append(Import(path, node.lineno, target))
    return found


def layer_violations(found: list[Import]) -> list[str]:
    problems = []
    for imp in found:
        mine, theirs = unit_of(module_name(imp.source)), unit_of(imp.target)
        if mine == theirs or mine in ENTRY_POINTS or mine not in RANK or theirs not in RANK:
            continue
        if RANK[theirs] < RANK[mine]:
            problems.append(f"{imp}: {mine} sits below {theirs}")
        elif RANK[theirs] == RANK[mine]:
            problems.append(f"{imp}: {mine} and {theirs} are peers")
    return problems


def self_contained_violations(found: list[Import]) -> list[str]:
    return [
        f"{imp}: {unit_of(module_name(imp.source))} imports nothing of ours"
        for imp in found
        if unit_of(module_name(imp.source)) in SELF_CONTAINED
        and unit_of(imp.target) != unit_of(module_name(imp.source))
    ]


def auth_face_violations(found: list[Import]) -> list[str]:
    return [
        f"{imp}: outside auth/, only its public face: {', '.join(sorted(AUTH_PUBLIC_FACE))}"
        for imp in found
        if unit_of(imp.target) == "auth"
        and unit_of(module_name(imp.source)) not in {"auth", *ENTRY_POINTS}
        and imp.target not in AUTH_PUBLIC_FACE
    ]


def _our_files() -> list[str]:
    return sorted(str(p.relative_to(SRC)) for p in (SRC / PACKAGE).rglob("*.py"))


FILES = _our_files()
IMPORTS = [imp for path in FILES for imp in imports_in(path, (SRC / path).read_text())]


def _report(problems: list[str]) -> str:
    return "\n".join(["", *problems])


def test_the_scan_sees_the_code() -> None:
    """Guards the rules below against passing on nothing (a wrong path, a broken parser)."""
    assert "userpool/auth/next_step.py" in FILES
    units = {unit_of(imp.target) for imp in IMPORTS}
    assert {"domain", "storage", "crypto", "auth", "services", "protocol"} <= units


def test_every_module_has_a_place_in_the_layers() -> None:
    unplaced = sorted({path for path in FILES if unit_of(module_name(path)) not in RANK})
    assert unplaced == [], "add these to LAYERS: " + ", ".join(unplaced)


def test_crypto_and_domain_import_nothing_of_ours() -> None:
    problems = self_contained_violations(IMPORTS)
    assert problems == [], _report(problems)


def test_imports_flow_downwards() -> None:
    problems = layer_violations(IMPORTS)
    assert problems == [], _report(problems)


def test_callers_use_only_the_auth_packages_public_face() -> None:
    problems = auth_face_violations(IMPORTS)
    assert problems == [], _report(problems)


# The checks themselves, on made-up modules: each must catch what it is for.
@pytest.mark.parametrize(
    ("path", "source", "caught"),
    [
        ("userpool/domain/x.py", "from userpool.crypto import totp", True),
        ("userpool/crypto/x.py", "import userpool", True),
        ("userpool/crypto/x.py", "from . import srp\nfrom .totp import now", False),
        ("userpool/domain/x.py", "from userpool.domain.models import User", False),
    ],
    ids=[
        "domain importing crypto is caught",
        "crypto importing the package itself is caught",
        "crypto importing its own modules relatively is fine",
        "domain importing its own models is fine",
    ],
)
def test_the_self_contained_check(path: str, source: str, caught: bool) -> None:
    assert bool(self_contained_violations(imports_in(path, source))) is caught


@pytest.mark.parametrize(
    ("path", "source", "caught"),
    [
        ("userpool/storage/x.py", "from userpool.services import common", True),
        ("userpool/auth/x.py", "def late():\n    from userpool.services import common", True),
        ("userpool/tokens/x.py", "from userpool.delivery import router", True),
        ("userpool/services/x.py", "from ..config import ServerConfig", True),
        ("userpool/services/x.py", "from userpool.auth import engine", False),
        ("userpool/auth/x.py", "from userpool.accounts import lookup", False),
        ("userpool/cli.py", "from userpool.config import ServerConfig", False),
    ],
    ids=[
        "storage importing services is caught",
        "an import inside a function is caught",
        "tokens importing its peer delivery is caught",
        "services reading the server config, relatively, is caught",
        "services driving the auth engine is fine",
        "auth using accounts is fine",
        "the CLI reading the server config is fine",
    ],
)
def test_the_downward_check(path: str, source: str, caught: bool) -> None:
    assert bool(layer_violations(imports_in(path, source))) is caught


@pytest.mark.parametrize(
    ("path", "source", "caught"),
    [
        ("userpool/services/x.py", "from userpool.auth.challenges import mfa_setup", True),
        ("userpool/services/x.py", "from userpool.auth.next_step import next_challenge", True),
        ("userpool/protocol/x.py", "import userpool.auth.flows.srp", True),
        ("userpool/services/x.py", "from userpool.auth.outcomes import Attempt", False),
        ("userpool/services/x.py", "from userpool.auth import engine, sessions", False),
        ("userpool/auth/x.py", "from userpool.auth.challenges import spec", False),
    ],
    ids=[
        "services reaching into a challenge is caught",
        "services importing the decision module by name is caught",
        "protocol reaching into a flow is caught",
        "services using the outcomes is fine",
        "services importing public modules by name is fine",
        "auth using its own challenges is fine",
    ],
)
def test_the_public_face_check(path: str, source: str, caught: bool) -> None:
    assert bool(auth_face_violations(imports_in(path, source))) is caught
