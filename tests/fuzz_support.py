"""The fuzz target: a running server, a `World` made on it, raw AWS JSON requests, and a
readable account of a request that failed (operation, body, response, server traceback)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import Server, make_client
from tests.fuzz_requests import World

TARGET = "AWSCognitoIdentityProviderService."
PASSWORD = "Fuzz-Passw0rd!"
# Any well-formed SigV4 header passes a server started without --credentials, so requests
# that botocore would refuse to sign or send still reach the server.
HEADERS = {
    "Content-Type": "application/x-amz-json-1.1",
    "Authorization": "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/cognito-idp/"
    "aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=abc",
    "X-Amz-Date": "20260101T000000Z",
}
REPEATS = re.compile(r"(.{1,12}?)\1{15,}", re.DOTALL)
SHOWN_LOG_CHARACTERS = 6000


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
        UserPoolId=pool["Id"],
        ClientName="fuzz",
        ExplicitAuthFlows=[
            "ALLOW_ADMIN_USER_PASSWORD_AUTH",
            "ALLOW_USER_PASSWORD_AUTH",
            "ALLOW_USER_SRP_AUTH",
            "ALLOW_REFRESH_TOKEN_AUTH",
        ],
    )["UserPoolClient"]["ClientId"]
    return Pool(pool["Id"], pool["Arn"], client_id)


def make_world(cognito: Any, pool: Pool, name: str) -> World:
    """A confirmed user `name` in a group `name` of `pool`, and that user's tokens."""
    cognito.admin_create_user(
        UserPoolId=pool.id,
        Username=name,
        UserAttributes=[{"Name": "email", "Value": f"{name}@example.com"}],
        MessageAction="SUPPRESS",
    )
    cognito.admin_set_user_password(
        UserPoolId=pool.id, Username=name, Password=PASSWORD, Permanent=True
    )
    cognito.create_group(UserPoolId=pool.id, GroupName=name)
    cognito.admin_add_user_to_group(UserPoolId=pool.id, Username=name, GroupName=name)
    tokens = cognito.admin_initiate_auth(
        UserPoolId=pool.id,
        ClientId=pool.client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": name, "PASSWORD": PASSWORD},
    )["AuthenticationResult"]
    return World(
        pool_id=pool.id,
        pool_arn=pool.arn,
        client_id=pool.client_id,
        username=name,
        password=PASSWORD,
        group_name=name,
        access_token=tokens["AccessToken"],
        refresh_token=tokens["RefreshToken"],
    )


@dataclass
class Outcome:
    operation: str
    body: bytes
    status: int
    response: str
    server_log: str

    def describe(self) -> str:
        return (
            f"{self.operation} answered {self.status}\n"
            f"request body: {abbreviate(self.body.decode('ascii'))}\n"
            f"response: {abbreviate(self.response)}\n"
            f"server log:\n{self.server_log[-SHOWN_LOG_CHARACTERS:]}"
        )


@dataclass
class FuzzTarget:
    """One running server, fuzzed by one HTTP client."""

    server: Server
    client: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=60))
    shared_pool: Pool | None = None

    def __post_init__(self) -> None:
        self.cognito = make_client(self.server.url)

    def close(self) -> None:
        self.client.close()
        self.cognito.close()

    @property
    def log(self) -> Path:
        return self.server.log

    def world_for(self, operation: str) -> World:
        """A user, group and tokens of the operation's own, so that what one operation's requests
        do (delete the user, lock it out, sign it out) cannot hide another's handler; in a pool
        shared with the others unless the operation may spoil the pool."""
        if operation in SPOILS_POOL:
            return make_world(self.cognito, make_pool(self.cognito), operation)
        if self.shared_pool is None:
            self.shared_pool = make_pool(self.cognito)
        return make_world(self.cognito, self.shared_pool, operation)

    def send(self, operation: str, body: bytes) -> Outcome:
        logged = self.log.stat().st_size
        headers = {**HEADERS, "X-Amz-Target": TARGET + operation}
        response = self.client.post(self.server.url + "/", content=body, headers=headers)
        with self.log.open("rb") as log:
            log.seek(logged)
            server_log = log.read().decode("utf-8", "replace")
        return Outcome(operation, body, response.status_code, response.text, server_log)


def abbreviate(text: str) -> str:
    """Repeats shortened to `<unit*n>`, so a 131,073-character value stays legible."""
    return REPEATS.sub(
        lambda run: f"<{run.group(1)}*{len(run.group(0)) // len(run.group(1))}>", text
    )
