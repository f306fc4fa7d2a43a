"""The fuzz target: a running server (started with `--credentials`), worlds made on it, raw AWS
JSON requests signed as boto3 signs them (or sent as given), each one counted, and a readable
account of a request that failed (operation, body, response, server traceback)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson

from tests.conftest import Server, make_client
from tests.fuzz_report import TALLY
from tests.fuzz_signing import ACCESS_KEY, SECRET_KEY, request_headers, signed
from tests.fuzz_values import World
from userpool.protocol.model import service_model, unauthenticated_operations

PASSWORD = "Fuzz-Passw0rd!"
# The server key, so that a test can sign a token as the server would (fuzz_tokens.py).
SERVER_SECRET = "fuzz-server-secret"
REPEATS = re.compile(r"(.{1,12}?)\1{15,}", re.DOTALL)
SHOWN_LOG_CHARACTERS = 6000
SHOWN_BODY_BYTES = 4000
# A request that has no answer by then has hung.
CLIENT_TIMEOUT_SECONDS = 30
FLOWS = [
    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_USER_SRP_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
]


# Members that carry a token (REFRESH_TOKEN is one of AuthParameters).
TOKEN_MEMBERS = frozenset(
    {"AccessToken", "RefreshToken", "Token", "AuthParameters", "ChallengeResponses"}
)
READERS = ("Describe", "Get", "List", "AdminGet", "AdminList")
# Operations that may delete or reconfigure the pool or its app client: each gets a pool of its own.
SPOILS_POOL = frozenset(
    {
        "DeleteUserPool",
        "UpdateUserPool",
        "SetUserPoolMfaConfig",
        "DeleteUserPoolClient",
        "UpdateUserPoolClient",
    }
)


@dataclass(frozen=True)
class Pool:
    id: str
    arn: str
    client_id: str


def make_pool(cognito: Any) -> Pool:
    """A pool with a custom attribute, and an app client for the password flows, SRP, refresh."""
    pool = cognito.create_user_pool(
        PoolName=f"fuzz-{uuid.uuid4().hex[:8]}",
        # custom:fuzz takes any string up to 2,048 characters, as the standard `name` does.
        Schema=[{"Name": "fuzz", "AttributeDataType": "String", "Mutable": True}],
    )["UserPool"]
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool["Id"], ClientName="fuzz", ExplicitAuthFlows=FLOWS
    )["UserPoolClient"]["ClientId"]
    return Pool(pool["Id"], pool["Arn"], client_id)


def signed_in(cognito: Any, pool: Pool, name: str) -> dict[str, str]:
    return dict(
        cognito.admin_initiate_auth(
            UserPoolId=pool.id,
            ClientId=pool.client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": name, "PASSWORD": PASSWORD},
        )["AuthenticationResult"]
    )


def make_user(cognito: Any, pool: Pool, name: str, *, permanent: bool = True) -> None:
    """A user `name` with an email address; its password permanent, or temporary (the user then
    answers NEW_PASSWORD_REQUIRED at sign-in)."""
    cognito.admin_create_user(
        UserPoolId=pool.id,
        Username=name,
        UserAttributes=[{"Name": "email", "Value": f"{name}@example.com"}],
        MessageAction="SUPPRESS",
        **({} if permanent else {"TemporaryPassword": PASSWORD}),
    )
    if permanent:
        cognito.admin_set_user_password(
            UserPoolId=pool.id, Username=name, Password=PASSWORD, Permanent=True
        )


def make_world(cognito: Any, pool: Pool, name: str, operation: str | None = None) -> World:
    """A confirmed user `name` of `pool`, in a group `name`, and that user's tokens: the group
    and the tokens only where `operation`'s input can name them (each costs time out of the
    operation's share of the fuzz)."""
    named = member_names(operation) if operation else None
    with_tokens = named is None or bool(named & TOKEN_MEMBERS)
    make_user(cognito, pool, name)
    if named is None or "GroupName" in named:
        cognito.create_group(UserPoolId=pool.id, GroupName=name)
        cognito.admin_add_user_to_group(UserPoolId=pool.id, Username=name, GroupName=name)
    tokens = signed_in(cognito, pool, name) if with_tokens else {}
    return World(
        pool_id=pool.id,
        pool_arn=pool.arn,
        client_id=pool.client_id,
        username=name,
        password=PASSWORD,
        group_name=name,
        access_token=tokens.get("AccessToken", "no-token"),
        refresh_token=tokens.get("RefreshToken", "no-token"),
    )


def member_names(operation: str) -> set[str]:
    """The names of every member of the operation's input, at any depth."""
    names: set[str] = set()

    def walk(shape: Any, seen: frozenset[str]) -> None:
        if shape.name in seen:
            return
        seen = seen | {shape.name}
        if shape.type_name == "structure":
            for member_name, member in shape.members.items():
                names.add(member_name)
                walk(member, seen)
        elif shape.type_name == "list":
            walk(shape.member, seen)
        elif shape.type_name == "map":
            walk(shape.value, seen)

    walk(service_model().operation_model(operation).input_shape, frozenset())
    return names


@dataclass(frozen=True)
class Probe:
    """A request as it is sent: its operation (as the tally counts it), headers and content,
    and what was done to it."""

    operation: str
    headers: dict[str, str]
    content: bytes | Iterator[bytes]
    how: str


@dataclass
class Outcome:
    operation: str
    body: bytes
    status: int
    response: str
    server_log: str
    how: str = ""  # what was done to the request, where more than its body
    headers: dict[str, str] = field(default_factory=dict)  # the answer's, names in lower case

    @property
    def error_type(self) -> str:
        """The answer's `__type` ("" for none, or for a body that is not a JSON object)."""
        try:
            parsed = orjson.loads(self.response)
        except orjson.JSONDecodeError:
            return ""
        return str(parsed.get("__type", "")) if isinstance(parsed, dict) else ""

    def describe(self) -> str:
        shown = self.body[:SHOWN_BODY_BYTES].decode("utf-8", "replace")
        if len(self.body) > SHOWN_BODY_BYTES:
            shown += f"... ({len(self.body)} bytes)"
        return (
            f"{self.operation} answered {self.status}"
            + (f" ({self.how})" if self.how else "")
            + f"\nrequest body: {abbreviate(shown)}\n"
            f"response: {abbreviate(self.response)}\n"
            f"server log:\n{self.server_log[-SHOWN_LOG_CHARACTERS:]}"
        )


@dataclass
class FuzzTarget:
    """One running server, fuzzed by one HTTP client; `backend` names it in the tally."""

    server: Server
    backend: str
    client: httpx.Client = field(
        default_factory=lambda: httpx.Client(timeout=CLIENT_TIMEOUT_SECONDS)
    )
    shared_pool: Pool | None = None
    readers_world: World | None = None

    def __post_init__(self) -> None:
        self.cognito = make_client(
            self.server.url, aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY
        )
        self.url = self.server.url + "/"
        self.open = unauthenticated_operations()

    def close(self) -> None:
        self.client.close()
        self.cognito.close()

    @property
    def log(self) -> Path:
        return self.server.log

    def world_for(self, operation: str) -> World:
        """A user, group and tokens of the operation's own, so that what one operation's requests
        do (delete the user, lock it out, sign it out) cannot hide another's handler; in a pool
        shared with the others unless the operation may spoil the pool. Operations that only
        read share one world."""
        if operation in SPOILS_POOL:
            return make_world(self.cognito, make_pool(self.cognito), operation, operation)
        if self.shared_pool is None:
            self.shared_pool = make_pool(self.cognito)
        if reads_only(operation):  # nothing to spoil: the readers share one
            if self.readers_world is None:
                self.readers_world = make_world(self.cognito, self.shared_pool, "readers")
            return self.readers_world
        return make_world(self.cognito, self.shared_pool, operation, operation)

    def send(self, part: str, operation: str, body: bytes) -> Outcome:
        """`body` to `operation`, signed as boto3 signs it where the operation takes SigV4."""
        headers = request_headers(operation)
        if operation not in self.open:
            headers = signed(self.url, headers, body)
        return self.send_raw(part, operation, headers, body)

    def send_raw(
        self,
        part: str,
        operation: str,
        headers: dict[str, str],
        content: bytes | Iterable[bytes],
        how: str = "",
    ) -> Outcome:
        """`content` with exactly these headers (values sent as Latin-1 bytes, as given)."""
        logged = self.log.stat().st_size
        raw = {name: value.encode("latin-1") for name, value in headers.items()}
        try:
            response = self.client.post(self.url, content=content, headers=raw)
        except httpx.TimeoutException as error:
            raise AssertionError(
                f"{operation} ({how or 'fuzzed body'}): no answer in {CLIENT_TIMEOUT_SECONDS} s"
                f"\nserver log:\n{self._log_since(logged)}"
            ) from error
        body = content if isinstance(content, bytes) else b"<streamed>"
        outcome = Outcome(
            operation,
            body,
            response.status_code,
            response.text,
            self._log_since(logged),
            how,
            {name.lower(): value for name, value in response.headers.items()},
        )
        TALLY.count(self.backend, part, operation, outcome.status, outcome.error_type)
        return outcome

    def _log_since(self, offset: int) -> str:
        with self.log.open("rb") as log:
            log.seek(offset)
            return log.read().decode("utf-8", "replace")

    def check_alive(self) -> None:
        """The server still serves: its process is running and /health answers 200."""
        exited = self.server.process.poll()
        if exited is not None:
            raise AssertionError(f"the server exited ({exited}):\n{self._log_since(0)[-6000:]}")
        health = self.client.get(self.server.url + "/health", timeout=5)
        assert health.status_code == 200, f"/health answered {health.status_code}"


def reads_only(operation: str) -> bool:
    """Whether the operation changes nothing of a user's (GetTokensFromRefreshToken, a "Get",
    may rotate the refresh token)."""
    return operation.startswith(READERS) and operation != "GetTokensFromRefreshToken"


def abbreviate(text: str) -> str:
    """Repeats shortened to `<unit*n>`, so a 131,073-character value stays legible."""
    return REPEATS.sub(
        lambda run: f"<{run.group(1)}*{len(run.group(0)) // len(run.group(1))}>", text
    )
