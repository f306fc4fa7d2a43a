"""Pools for tests: a fresh one (with an app client) per test, created over the API."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:  # the stubs are a development dependency; at run time the client is botocore's
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient
    from mypy_boto3_cognito_idp.literals import ExplicitAuthFlowsTypeType

REGION = "us-east-1"
# Any key pair will do: without --credentials the server accepts every well-formed signature.
ACCESS_KEY_ID = "local"
SECRET_ACCESS_KEY = "local"

# The fresh pool's app client may sign in every way a test is likely to try.
AUTH_FLOWS: list[ExplicitAuthFlowsTypeType] = [
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_USER_SRP_AUTH",
    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
]


@dataclass(frozen=True)
class Pool:
    """A user pool and one of its app clients: `id` ('us-east-1_...'), `client_id`, the
    client's `client_secret` if it has one, and every client of the pool by name in
    `clients`."""

    id: str
    name: str
    client_id: str
    client_secret: str | None = None
    clients: dict[str, str] = field(default_factory=dict)


def cognito_client(endpoint: str, region: str = REGION) -> CognitoIdentityProviderClient:
    """A `cognito-idp` client for the server at `endpoint` (botocore's, which is what
    `boto3.client` returns; botocore is a dependency of userpool, boto3 is not)."""
    import botocore.session  # only when a test asks for a client
    from botocore.config import Config

    session = botocore.session.get_session()
    client = session.create_client(
        "cognito-idp",
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id=ACCESS_KEY_ID,
        aws_secret_access_key=SECRET_ACCESS_KEY,
        config=Config(retries={"max_attempts": 1}),  # a test sees the first answer
    )
    return cast("CognitoIdentityProviderClient", client)


def create_fresh_pool(client: CognitoIdentityProviderClient) -> Pool:
    """A new pool with a unique name whose users sign up with a username and have their
    `email` verified by a code, and an app client without a secret allowed AUTH_FLOWS."""
    name = f"test-{uuid.uuid4().hex[:12]}"
    created = client.create_user_pool(PoolName=name, AutoVerifiedAttributes=["email"])
    pool_id = created["UserPool"]["Id"]
    app = client.create_user_pool_client(
        UserPoolId=pool_id, ClientName="app", ExplicitAuthFlows=AUTH_FLOWS
    )["UserPoolClient"]
    return Pool(pool_id, name, app["ClientId"], clients={"app": app["ClientId"]})


def delete_pool(client: CognitoIdentityProviderClient, pool: Pool) -> None:
    """Delete `pool` (and its domain first, as Cognito requires); a pool already gone, or
    that cannot be deleted, is left as it is: the server's data dir goes with the session."""
    from botocore.exceptions import ClientError

    try:
        domain = client.describe_user_pool(UserPoolId=pool.id)["UserPool"].get("Domain")
        if domain:
            client.delete_user_pool_domain(UserPoolId=pool.id, Domain=domain)
        client.delete_user_pool(UserPoolId=pool.id)
    except ClientError:
        pass
