"""The pytest plugin (src/userpool/testing) as a user's suite meets it, through pytest's own
pytester: test files written into a fresh directory and run by pytest in a child process,
where the plugin comes from the `pytest11` entry point as it does after `pip install
userpool`. Each run starts at most one server: the README's example and the fixtures'
promises share one."""

from __future__ import annotations

import os
import re
import shutil
import tomllib
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parent.parent
RUN_TIMEOUT = 90  # seconds for one child pytest, its server's start included

# A user's tests of what the fixtures promise, run after the README's example (by file name).
PROMISES = """
import pytest

SEEN = {}


@pytest.fixture
def bob_signed_up(userpool_client, userpool_pool):
    email = [{"Name": "email", "Value": "bob@example.com"}]
    userpool_client.sign_up(
        ClientId=userpool_pool.client_id, Username="bob", Password="Passw0rd!", UserAttributes=email
    )
    return userpool_pool


def test_the_outbox_has_a_code_sent_before_it_was_set_up(bob_signed_up, userpool_outbox):
    [message] = userpool_outbox.messages("bob", bob_signed_up.id)
    assert message["sentFor"] == "SignUp" and message["code"].isdigit()
    assert userpool_outbox.last_code("bob") == message["code"]
    SEEN["pool"] = bob_signed_up.id


def test_a_test_sees_no_earlier_message_nor_pool(userpool_client, userpool_pool, userpool_outbox):
    assert userpool_pool.id != SEEN["pool"]
    assert userpool_outbox.messages("bob") == []
    with pytest.raises(LookupError, match="no code was sent to 'bob'"):
        userpool_outbox.last_code("bob")
    with pytest.raises(userpool_client.exceptions.ResourceNotFoundException):
        userpool_client.describe_user_pool(UserPoolId=SEEN["pool"])


def test_the_seeded_pool_has_the_seed_files_ids(userpool_client, userpool_seeded_pools):
    [pool] = userpool_seeded_pools.values()
    assert (pool.id, pool.name) == ("us-east-1_LocalPool1", "local")
    assert (pool.client_id, pool.client_secret) == ("localclient1", None)
    assert pool.clients == {"web": "localclient1"}
    auth = {"USERNAME": "alice", "PASSWORD": "Passw0rd!"}
    signed_in = userpool_client.initiate_auth(
        ClientId=pool.client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=auth
    )
    assert signed_in["AuthenticationResult"]["TokenType"] == "Bearer"


def test_the_clock_was_reset_after_the_example_and_moves(userpool_clock):
    assert userpool_clock.offset() == 0
    assert userpool_clock.advance(86400) == pytest.approx(userpool_clock.now(), abs=5)
    assert userpool_clock.offset() == pytest.approx(86400, abs=1)
    assert userpool_clock.set(4102444800) == pytest.approx(4102444800, abs=5)  # 2100-01-01


def test_the_clock_was_reset_after_the_test_that_set_it(userpool_clock):
    assert userpool_clock.offset() == 0
"""

# A suite that asks for no fixture of the plugin, and one whose server cannot start.
UNASKED = """
def test_the_plugin_is_loaded(pytestconfig):
    assert pytestconfig.pluginmanager.has_plugin("userpool")
"""
REFUSED = """
def test_a_server_that_cannot_start(userpool_endpoint):
    pass


def test_a_seeded_pool_without_a_seed_file(userpool_seeded_pool):
    pass
"""


@pytest.fixture(autouse=True)
def not_an_xdist_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    """The child pytest is a run of its own, not one of ours: under xdist it would inherit
    our worker's variables (pytest-benchmark, for one, would then warn, and fail the run)."""
    for name in [name for name in os.environ if name.startswith("PYTEST_XDIST_")]:
        monkeypatch.delenv(name)


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """pytest in a child process, warnings as errors, as a user's suite would be run."""
    return pytester.runpytest_subprocess(
        "-W", "error", "-p", "no:cacheprovider", *args, timeout=RUN_TIMEOUT
    )


def readme_section(title: str) -> str:
    text = (ROOT / "README.md").read_text()
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def code_block(section: str, language: str) -> str:
    (block,) = re.findall(rf"```{language}\n(.*?)```", section, re.S)
    return str(block)


def test_the_readme_example_and_the_fixtures_promises(pytester: pytest.Pytester) -> None:
    section = readme_section("Use it in tests")
    settings = code_block(section, "toml")
    pytester.makepyprojecttoml(settings)
    seed = tomllib.loads(settings)["tool"]["pytest"]["ini_options"]["userpool_seed"]
    (pytester.path / seed).parent.mkdir(parents=True)
    shutil.copy(ROOT / seed, pytester.path / seed)
    pytester.makepyfile(test_example=code_block(section, "python"), test_promises=PROMISES)
    run(pytester).assert_outcomes(passed=6)


def test_a_run_that_asks_for_no_fixture_starts_no_server(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_unasked=UNASKED)
    run(pytester).assert_outcomes(passed=1)
    assert not list(pytester.path.glob("**/userpool*")), "a server's data dir was made"


def test_what_cannot_start_is_said_in_one_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_refused=REFUSED)
    result = run(pytester, "--userpool-serve-args=--no-such-flag")
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(
        [
            "*userpool serve exited (2):*",
            "*No such option '--no-such-flag'*",
            "*no seed file: pass --userpool-seed FILE or set userpool_seed in the pytest ini*",
        ]
    )
