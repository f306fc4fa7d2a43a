"""The engine in-process, as tables: each row a sign-in (pool, user, flow) and the steps it
takes with a fixed clock, each step's challenge (or tokens) and how many read and write
transactions the engine spent on it (at most one of each: the read that loads what the step
is about, the write that makes its outcome so). Storage is real SQLite; operations that set
pools and users up run in-process too; codes are read from the outbox backend, whose own
routing read and message write are delivery's, not the engine's, and are not counted."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyotp
import pytest
from pycognito.aws_srp import AWSSRP

from tests.mfa_support import EMAIL_CONFIGURATION, FACTOR_BLOCKS
from tests.srp_support import claim, cognito_timestamp
from userpool import auth
from userpool.accounts import mfa
from userpool.accounts.saving import save_user
from userpool.app import build_runtime
from userpool.auth import Authenticated, Challenge, Outcome, Runtime
from userpool.config import ServerConfig
from userpool.domain.errors import NotAuthorizedException
from userpool.services.catalog import OPERATIONS
from userpool.services.context import Context, Settings
from userpool.storage import database
from userpool.storage.repositories import Transaction
from userpool.storage.sql_store import SqlStore

NOW = 1_793_000_000.0  # a fixed clock: 2026-10-27
PASSWORD, NEW_PASSWORD = "Engine-Passw0rd!", "Engine-Passw0rd-2!"
PHONE, EMAIL, SETUP_EMAIL = "+15550100", "ed@example.com", "new@example.com"
TOTP_SECRET = pyotp.random_base32()
TOKENS = "tokens"


class CountingStore:
    """The store, counting the transactions opened through it."""

    def __init__(self, store: SqlStore) -> None:
        self.store, self.reads, self.writes = store, 0, 0

    @contextmanager
    def read(self) -> Iterator[Transaction]:
        self.reads += 1
        with self.store.read() as tx:
            yield tx

    @contextmanager
    def write(self) -> Iterator[Transaction]:
        self.writes += 1
        with self.store.write() as tx:
            yield tx


@dataclass
class World:
    runtime: Runtime
    store: SqlStore
    counting: CountingStore
    pool_id: str = ""
    client_id: str = ""
    srp: AWSSRP | None = None  # the client side of an SRP sign-in (its secret `a`)

    def call(self, operation: str, **request: Any) -> Any:
        ctx = Context(Settings(), self.runtime, clock=lambda: NOW)
        return OPERATIONS[operation](ctx, request)

    def code(self) -> str:
        """The last code the outbox holds."""
        with self.store.read() as tx:
            entries = tx.outbox.list(self.pool_id, None, 0, 1000)
        code = entries[-1].message.code
        assert code is not None
        return code

    def initiate(self, flow: str) -> Outcome:
        params = {"USERNAME": "ed", "PASSWORD": PASSWORD}
        if flow == "USER_SRP_AUTH":
            self.srp = AWSSRP("ed", PASSWORD, self.pool_id, self.client_id, "us-east-1")
            params = self.srp.get_auth_params()
        return auth.initiate(
            self.runtime, self.client_id, None, admin=False, now=NOW, flow=flow, params=params
        )

    def respond(self, challenge: Challenge) -> Outcome:
        return auth.respond(
            self.runtime,
            self.client_id,
            None,
            admin=False,
            now=NOW,
            challenge=challenge.name,
            responses=ANSWERS[challenge.name](self, challenge),
            session=challenge.session,
        )


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    engine = database.create(database.sqlite_url(tmp_path))
    database.migrate(engine)
    store = SqlStore(engine)
    config = ServerConfig(data_dir=tmp_path, delivery="outbox", public_url="http://idp.test")
    runtime = build_runtime(config, store)
    counting = CountingStore(store)
    yield World(dataclasses.replace(runtime, store=counting), store, counting)
    engine.dispose()


def set_up(world: World, mode: str, factors: tuple[str, ...], attributes: dict[str, str]) -> None:
    """A pool with MFA `mode` offering `factors`, a password and SRP client, and user "ed"
    with a temporary password."""
    request = {"PoolName": "engine", "EmailConfiguration": EMAIL_CONFIGURATION}
    world.pool_id = world.call("CreateUserPool", **request)["UserPool"]["Id"]
    if mode != "OFF":
        blocks = {
            name: value for factor in factors for name, value in FACTOR_BLOCKS[factor].items()
        }
        world.call(
            "SetUserPoolMfaConfig", UserPoolId=world.pool_id, MfaConfiguration=mode, **blocks
        )
    flows = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    client = world.call(
        "CreateUserPoolClient", UserPoolId=world.pool_id, ClientName="c", ExplicitAuthFlows=flows
    )
    world.client_id = client["UserPoolClient"]["ClientId"]
    world.call(
        "AdminCreateUser",
        UserPoolId=world.pool_id,
        Username="ed",
        TemporaryPassword=PASSWORD,
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": name, "Value": value} for name, value in attributes.items()],
    )


def make_permanent(world: World) -> None:
    request = {"UserPoolId": world.pool_id, "Username": "ed", "Password": PASSWORD}
    world.call("AdminSetUserPassword", **request, Permanent=True)


def give_authenticator(world: World) -> None:
    """ed has a verified authenticator, preferred."""
    with world.store.write() as tx:
        pool = tx.pools.get(world.pool_id)
        user = tx.users.get(world.pool_id, "ed")
        assert pool is not None and user is not None
        mine = mfa.read(user)
        sealed = mfa.seal_secret(mfa.token_sealer(world.runtime.codes_key), user, TOTP_SECRET)
        mine.token = {"secret": sealed, "last_step": 0}
        mine.enable(mfa.SOFTWARE_TOKEN_MFA)
        mine.preferred = mfa.SOFTWARE_TOKEN_MFA
        mfa.write(user, mine)
        save_user(tx, pool, user)


def answer_code(world: World, _: Challenge) -> dict[str, str]:
    code = world.code()
    return {"USERNAME": "ed", "SMS_MFA_CODE": code, "EMAIL_OTP_CODE": code}


def answer_srp(world: World, challenge: Challenge) -> dict[str, str]:
    assert world.srp is not None
    stamp = cognito_timestamp(datetime.fromtimestamp(NOW, UTC))
    return claim(world.srp, challenge.parameters, timestamp=stamp)


ANSWERS: dict[str, Callable[[World, Challenge], dict[str, str]]] = {
    "NEW_PASSWORD_REQUIRED": lambda w, c: {"USERNAME": "ed", "NEW_PASSWORD": NEW_PASSWORD},
    "SMS_MFA": answer_code,
    "EMAIL_OTP": answer_code,
    "SOFTWARE_TOKEN_MFA": lambda w, c: {
        "USERNAME": "ed",
        "SOFTWARE_TOKEN_MFA_CODE": pyotp.TOTP(TOTP_SECRET).at(NOW),
    },
    "SELECT_MFA_TYPE": lambda w, c: {"USERNAME": "ed", "ANSWER": "EMAIL_OTP"},
    "MFA_SETUP": lambda w, c: {"USERNAME": "ed", "EMAIL": SETUP_EMAIL},
    "PASSWORD_VERIFIER": answer_srp,
}


@dataclass(frozen=True)
class Row:
    """A sign-in: the pool's MFA mode and factors, the user, the flow; then each step's
    outcome, a challenge name or TOKENS, with the engine's (reads, writes) for it."""

    mode: str
    factors: tuple[str, ...]
    attributes: dict[str, str]
    flow: str
    steps: tuple[tuple[str, tuple[int, int]], ...]
    temporary: bool = False
    authenticator: bool = False


ALL = ("SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP")
ROWS = {
    "MFA off: a password signs in": Row("OFF", (), {}, "USER_PASSWORD_AUTH", ((TOKENS, (1, 1)),)),
    "a temporary password is changed first": Row(
        "OFF",
        (),
        {},
        "USER_PASSWORD_AUTH",
        (("NEW_PASSWORD_REQUIRED", (1, 1)), (TOKENS, (1, 1))),
        temporary=True,
    ),
    "MFA on, a phone: an SMS code": Row(
        "ON",
        ALL,
        {"phone_number": PHONE},
        "USER_PASSWORD_AUTH",
        (("SMS_MFA", (1, 1)), (TOKENS, (1, 1))),
    ),
    "MFA optional, an authenticator preferred: its code": Row(
        "OPTIONAL",
        ALL,
        {},
        "USER_PASSWORD_AUTH",
        (("SOFTWARE_TOKEN_MFA", (1, 1)), (TOKENS, (1, 1))),
        authenticator=True,
    ),
    "MFA on, phone and email, none preferred: the user chooses email": Row(
        "ON",
        ALL,
        {"phone_number": PHONE, "email": EMAIL},
        "USER_PASSWORD_AUTH",
        (("SELECT_MFA_TYPE", (1, 1)), ("EMAIL_OTP", (1, 1)), (TOKENS, (1, 1))),
    ),
    "MFA on, nothing to receive codes: email set up during sign-in": Row(
        "ON",
        ("SOFTWARE_TOKEN_MFA", "EMAIL_OTP"),
        {},
        "USER_PASSWORD_AUTH",
        (("MFA_SETUP", (1, 1)), ("EMAIL_OTP", (1, 1)), (TOKENS, (1, 1))),
    ),
    "SRP: a claim of the password, then a temporary one changed": Row(
        "OFF",
        (),
        {},
        "USER_SRP_AUTH",
        (("PASSWORD_VERIFIER", (1, 0)), ("NEW_PASSWORD_REQUIRED", (1, 1)), (TOKENS, (1, 1))),
        temporary=True,
    ),
    "SRP, MFA on, a phone": Row(
        "ON",
        ALL,
        {"phone_number": PHONE},
        "USER_SRP_AUTH",
        (("PASSWORD_VERIFIER", (1, 0)), ("SMS_MFA", (1, 1)), (TOKENS, (1, 1))),
    ),
}


@pytest.mark.parametrize("row", ROWS.values(), ids=ROWS.keys())
def test_each_step_is_one_read_and_one_write(world: World, row: Row) -> None:
    set_up(world, row.mode, row.factors, row.attributes)
    if not row.temporary:
        make_permanent(world)
    if row.authenticator:
        give_authenticator(world)
    outcome: Outcome | None = None
    for expected, transactions in row.steps:
        world.counting.reads = world.counting.writes = 0
        if outcome is None:
            outcome = world.initiate(row.flow)
        else:
            assert isinstance(outcome, Challenge)
            outcome = world.respond(outcome)
        got = TOKENS if isinstance(outcome, Authenticated) else outcome.name
        assert (got, (world.counting.reads, world.counting.writes)) == (expected, transactions)


def test_a_wrong_password_is_one_read_and_one_write(world: World) -> None:
    set_up(world, "OFF", (), {})
    make_permanent(world)
    world.counting.reads = world.counting.writes = 0
    with pytest.raises(NotAuthorizedException):
        auth.initiate(
            world.runtime,
            world.client_id,
            None,
            admin=False,
            now=NOW,
            flow="USER_PASSWORD_AUTH",
            params={"USERNAME": "ed", "PASSWORD": "Wrong-Passw0rd!"},
        )
    assert (world.counting.reads, world.counting.writes) == (1, 1)
