"""Where a pool's function runs, as `userpool serve` wires it (app.trigger_invoker): a handler the
`--triggers` file maps, else the Lambda Invoke API at `--lambda-endpoint-url` (FakeLambda here);
a name in the file answers for that function's ARN in any region and account, an ARN for that
ARN only; an in-process handler, when a program registers one, comes first. And the file itself:
what it may say, and that a bad one stops `userpool serve` with one line."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from tests.conftest import start_server
from tests.trigger_support import FakeLambda, fake_lambda
from userpool.app import _lifespan, trigger_invoker
from userpool.config import ServerConfig
from userpool.storage import database
from userpool.storage.sql_store import SqlStore
from userpool.triggers.in_process import InProcessInvoker, LambdaContext
from userpool.triggers.lambda_api import LambdaInvoker
from userpool.triggers.local import LocalInvoker
from userpool.triggers.resolving import ResolvingInvoker
from userpool.triggers.triggers_file import Runtime, TriggersFileError, read_triggers_file

TRIGGERS_FILE = Path(__file__).parent / "triggers" / "triggers.json"
EVENT = {"userName": "alice", "request": {}, "response": {}}


@pytest.fixture
def lambda_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeLambda]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test-secret")
    with fake_lambda() as fake:
        yield fake


@pytest.fixture
def resolver(lambda_api: FakeLambda) -> Iterator[ResolvingInvoker]:
    """What `userpool serve --triggers tests/triggers/triggers.json --lambda-endpoint-url`
    calls functions with."""
    config = ServerConfig(triggers_file=TRIGGERS_FILE, lambda_endpoint_url=lambda_api.url)
    invoker = trigger_invoker(config)
    yield invoker
    invoker.close()


def ran_where(resolver: ResolvingInvoker, function: str, lambda_api: FakeLambda) -> str:
    """'python file' (the runtime of the handler that answered), or 'endpoint <name>'."""
    before = len(lambda_api.invocations)
    output = resolver.invoke(function, dict(EVENT), timeout=5)
    assert isinstance(output, dict)
    if len(lambda_api.invocations) > before:
        return f"endpoint {lambda_api.invocations[-1].function}"
    return str(output["response"]["runtime"])


@pytest.mark.parametrize(
    "function",
    [
        "arn:aws:lambda:us-east-1:000000000000:function:pyfile",
        "arn:aws:lambda:ap-southeast-2:999988887777:function:pyfile",
        "arn:aws:lambda:eu-west-1:123456789012:function:pyfile:live",  # an alias
        "pyfile",
    ],
)
def test_a_name_in_the_file_answers_for_its_arn_anywhere(
    resolver: ResolvingInvoker, lambda_api: FakeLambda, function: str
) -> None:
    assert ran_where(resolver, function, lambda_api) == "python file"


def test_the_file_comes_before_the_endpoint(
    resolver: ResolvingInvoker, lambda_api: FakeLambda
) -> None:
    assert ran_where(resolver, "arn:aws:lambda:us-east-1:1:function:esm", lambda_api) == "node esm"
    other = "arn:aws:lambda:us-east-1:000000000000:function:elsewhere"
    assert ran_where(resolver, other, lambda_api) == "endpoint elsewhere"


def test_an_arn_in_the_file_answers_for_that_arn_only(
    resolver: ResolvingInvoker, lambda_api: FakeLambda
) -> None:
    exact = "arn:aws:lambda:eu-west-1:123456789012:function:exact"
    assert ran_where(resolver, exact, lambda_api) == "python file"
    elsewhere = exact.replace("eu-west-1", "us-east-1")
    assert ran_where(resolver, elsewhere, lambda_api) == "endpoint exact"


def test_an_in_process_handler_comes_first(lambda_api: FakeLambda) -> None:
    def handler(event: dict[str, object], context: LambdaContext) -> object:
        return {**event, "response": {"runtime": "in process"}}

    in_process = InProcessInvoker()
    in_process.register("pyfile", handler)
    local = LocalInvoker(read_triggers_file(TRIGGERS_FILE))
    resolver = ResolvingInvoker(local, LambdaInvoker(lambda_api.url, "us-east-1"), in_process)
    try:
        assert ran_where(resolver, "pyfile", lambda_api) == "in process"
        assert ran_where(resolver, "esm", lambda_api) == "node esm"
    finally:
        resolver.close()


def test_the_workers_end_with_the_servers_lifespan(tmp_path: Path) -> None:
    """What SIGTERM or Ctrl-C ends in each server process, once uvicorn has drained it."""
    invoker = trigger_invoker(ServerConfig(triggers_file=TRIGGERS_FILE))
    engine = database.create(database.sqlite_url(tmp_path))
    lifespan = _lifespan(SqlStore(engine), invoker)

    async def serve() -> list[object]:
        async with lifespan(Starlette()):
            return [invoker.invoke(name, dict(EVENT), timeout=5) for name in ("esm", "pyfile")]

    outputs = asyncio.run(serve())
    engine.dispose()
    for output in outputs:
        assert isinstance(output, dict)
        assert not Path(f"/proc/{output['response']['pid']}").exists()


# --- the file -------------------------------------------------------------------------------


def test_what_the_file_may_say() -> None:
    handlers = read_triggers_file(TRIGGERS_FILE)
    module = handlers.handler_for("arn:aws:lambda:us-east-1:1:function:pymodule")
    assert module is not None
    assert (module.runtime, module.target, module.export) == (
        Runtime.PYTHON,
        "trigger_pkg.checks",
        "verify",
    )
    assert module.source == TRIGGERS_FILE.parent / "trigger_pkg" / "checks.py"
    callback = handlers.handler_for("callback")
    assert callback is not None
    assert callback.export == "handler"  # Lambda's usual name, when the file names none
    assert callback.target == str(TRIGGERS_FILE.parent / "callback_handler.cjs")


BAD_FILES = [
    ("{not json", "not JSON: "),
    ('["node:./esm_handler.mjs"]', "expected a JSON object of function name or ARN -> handler"),
    ('{"f": 1}', "'f': expected a handler like 'node:./f.mjs#handler'"),
    ('{"f": "ruby:./f.rb#handler"}', "'ruby:./f.rb#handler': the handler must start with"),
    ('{"f": "./f.mjs"}', "'./f.mjs': the handler must start with 'node:' or 'python:'"),
    ('{"f": "node:./absent.mjs"}', "'node:./absent.mjs': no such file "),
    ('{"f": "node:./f.ts"}', "'node:./f.ts': a node handler is a .js or .mjs or .cjs file"),
    ('{"f": "python:./f.mjs"}', "'python:./f.mjs': a python handler is a .py file"),
    ('{"f": "node:./f.mjs#not-a-name"}', "'not-a-name' is not a function name"),
    ('{"f": "python:absent.module:handler"}', "python:absent.module: no module absent.module in"),
]


@pytest.mark.parametrize(("text", "message"), BAD_FILES)
def test_a_bad_file(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "f.mjs").write_text("export const handler = async (event) => event;\n")
    (tmp_path / "triggers.json").write_text(text)
    with pytest.raises(TriggersFileError) as raised:
        read_triggers_file(tmp_path / "triggers.json")
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def without_userpool_settings() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("USERPOOL_")}


def refused(*args: str, env: dict[str, str] | None = None) -> str:
    """Run `userpool serve` expecting a refusal: its only line of output."""
    result = subprocess.run(
        [sys.executable, "-m", "userpool", "serve", *args],
        capture_output=True,
        text=True,
        env={**without_userpool_settings(), **(env or {})},
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    return line


def test_serve_refuses_a_bad_triggers_file(tmp_path: Path) -> None:
    triggers = tmp_path / "triggers.json"
    triggers.write_text('{"define": "node:./define.mjs#handler"}')
    line = refused("--triggers", str(triggers), "--data-dir", str(tmp_path))
    assert line == (
        f"userpool: bad --triggers file {triggers}: 'node:./define.mjs#handler': "
        f"no such file {tmp_path / 'define.mjs'}"
    )
    absent = tmp_path / "absent.json"
    line = refused("--data-dir", str(tmp_path), env={"USERPOOL_TRIGGERS": str(absent)})
    assert line == f"userpool: bad --triggers file {absent}: No such file or directory"


def test_serve_refuses_a_bad_endpoint_url(tmp_path: Path) -> None:
    line = refused("--lambda-endpoint-url", "localhost:3001", "--data-dir", str(tmp_path))
    assert line == (
        "userpool: --lambda-endpoint-url 'localhost:3001' is not an http:// or https:// URL"
    )


def test_serve_with_triggers_and_an_endpoint(tmp_path: Path, lambda_api: FakeLambda) -> None:
    server = start_server(
        tmp_path, "--triggers", str(TRIGGERS_FILE), "--lambda-endpoint-url", lambda_api.url
    )
    try:
        assert httpx.get(f"{server.url}/health").status_code == 200
    finally:
        server.stop()
    assert "Traceback" not in server.log.read_text()
