"""Resource servers over boto3: Create/Describe/List/Update/DeleteResourceServer, their
refusals, and what becomes of the app clients that use a deleted scope."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import error_of
from userpool.domain import resource_server_rules

MISSING_POOL = "us-east-1_Missing99"
READ = {"ScopeName": "read", "ScopeDescription": "Read the weather"}
WRITE = {"ScopeName": "write", "ScopeDescription": "Change the weather"}


def failure(call: Any, **kwargs: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as excinfo:
        call(**kwargs)
    return error_of(excinfo)


def create(cognito: Any, pool_id: str, identifier: str, *scopes: dict[str, str]) -> Any:
    response = cognito.create_resource_server(
        UserPoolId=pool_id, Identifier=identifier, Name="weather", Scopes=list(scopes)
    )
    return response["ResourceServer"]


def m2m_client(cognito: Any, pool_id: str, *scopes: str) -> Any:
    return cognito.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="machine",
        GenerateSecret=True,
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["client_credentials"],
        AllowedOAuthScopes=list(scopes),
    )["UserPoolClient"]


def scopes_of(cognito: Any, pool_id: str, client_id: str) -> Any:
    client = cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)
    return client["UserPoolClient"].get("AllowedOAuthScopes")


def test_create_then_describe(cognito: Any, pool_id: str) -> None:
    created = create(cognito, pool_id, "https://api.example.com", READ, WRITE)
    assert created == {
        "UserPoolId": pool_id,
        "Identifier": "https://api.example.com",
        "Name": "weather",
        "Scopes": [READ, WRITE],
    }
    described = cognito.describe_resource_server(
        UserPoolId=pool_id, Identifier="https://api.example.com"
    )
    assert described["ResourceServer"] == created


def test_a_server_without_scopes(cognito: Any, pool_id: str) -> None:
    response = cognito.create_resource_server(UserPoolId=pool_id, Identifier="bare", Name="b")
    assert response["ResourceServer"]["Scopes"] == []


def test_an_identifier_is_unique_in_its_pool(cognito: Any, pool_id: str) -> None:
    create(cognito, pool_id, "api", READ)
    assert failure(create, cognito=cognito, pool_id=pool_id, identifier="api") == (
        "InvalidParameterException",
        f"api already exists in user pool {pool_id}.",
    )
    other = cognito.create_user_pool(PoolName="other")["UserPool"]["Id"]
    assert create(cognito, other, "api")["Identifier"] == "api"


def test_a_scope_name_twice_is_refused(cognito: Any, pool_id: str) -> None:
    twice = [READ, {"ScopeName": "read", "ScopeDescription": "again"}]
    code, message = failure(
        cognito.create_resource_server, UserPoolId=pool_id, Identifier="x", Name="x", Scopes=twice
    )
    assert (code, message) == (
        "InvalidParameterException",
        "Duplicate scope name read in resource server.",
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("ScopeName", "a/b"),  # a scope name may not hold the separator
        ("ScopeName", 'say"hi'),
        ("ScopeName", "x" * 257),
        ("ScopeDescription", "d" * 257),
    ],
)
def test_scope_shape_is_the_models(cognito: Any, pool_id: str, field: str, value: str) -> None:
    scope = {**READ, field: value}
    code, message = failure(
        cognito.create_resource_server, UserPoolId=pool_id, Identifier="x", Name="x", Scopes=[scope]
    )
    assert code == "InvalidParameterException"
    assert message.startswith("1 validation error detected")


def test_a_pool_has_at_most_25_servers(cognito: Any, pool_id: str) -> None:
    for number in range(resource_server_rules.MAX_RESOURCE_SERVERS):
        create(cognito, pool_id, f"api-{number:02}")
    code, message = failure(create, cognito=cognito, pool_id=pool_id, identifier="one-more")
    assert (code, message) == ("LimitExceededException", resource_server_rules.TOO_MANY_SERVERS)


def test_unknown_pool_and_identifier(cognito: Any, pool_id: str) -> None:
    missing_pool = ("ResourceNotFoundException", f"User pool {MISSING_POOL} does not exist.")
    assert failure(create, cognito=cognito, pool_id=MISSING_POOL, identifier="a") == missing_pool
    assert (
        failure(cognito.list_resource_servers, UserPoolId=MISSING_POOL, MaxResults=5)
        == missing_pool
    )
    unknown = ("ResourceNotFoundException", "Resource server nope does not exist.")
    for call in (cognito.describe_resource_server, cognito.delete_resource_server):
        assert failure(call, UserPoolId=pool_id, Identifier="nope") == unknown
    update = cognito.update_resource_server
    assert failure(update, UserPoolId=pool_id, Identifier="nope", Name="n") == unknown


def test_list_pages_in_identifier_order(cognito: Any, pool_id: str) -> None:
    for identifier in ("c", "a", "e", "b", "d"):
        create(cognito, pool_id, identifier, READ)
    seen: list[str] = []
    token: dict[str, str] = {}
    pages = 0
    while True:
        page = cognito.list_resource_servers(UserPoolId=pool_id, MaxResults=2, **token)
        pages += 1
        seen += [server["Identifier"] for server in page["ResourceServers"]]
        assert all(server["Scopes"] == [READ] for server in page["ResourceServers"])
        if "NextToken" not in page:
            break
        token = {"NextToken": page["NextToken"]}
    assert (seen, pages) == (["a", "b", "c", "d", "e"], 3)
    everything = cognito.list_resource_servers(UserPoolId=pool_id)
    assert [server["Identifier"] for server in everything["ResourceServers"]] == seen
    assert "NextToken" not in everything


def test_update_replaces_name_and_scopes(cognito: Any, pool_id: str) -> None:
    create(cognito, pool_id, "api", READ)
    updated = cognito.update_resource_server(
        UserPoolId=pool_id, Identifier="api", Name="renamed", Scopes=[WRITE]
    )["ResourceServer"]
    assert (updated["Name"], updated["Scopes"]) == ("renamed", [WRITE])
    described = cognito.describe_resource_server(UserPoolId=pool_id, Identifier="api")
    assert described["ResourceServer"] == updated
    # Scopes left out: none remain.
    bare = cognito.update_resource_server(UserPoolId=pool_id, Identifier="api", Name="renamed")
    assert bare["ResourceServer"]["Scopes"] == []


def test_custom_scopes_are_accepted_only_once_they_exist(cognito: Any, pool_id: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        m2m_client(cognito, pool_id, "https://api.example.com/read")
    assert error_of(excinfo) == (
        "ScopeDoesNotExistException",
        "Invalid scope requested: https://api.example.com/read",
    )
    create(cognito, pool_id, "https://api.example.com", READ)
    client = m2m_client(cognito, pool_id, "https://api.example.com/read")
    assert client["AllowedOAuthScopes"] == ["https://api.example.com/read"]
    # A scope the server does not define is still unknown.
    with pytest.raises(ClientError) as excinfo:
        m2m_client(cognito, pool_id, "https://api.example.com/write")
    assert error_of(excinfo)[0] == "ScopeDoesNotExistException"


def test_deleting_a_server_takes_its_scopes_out_of_clients(cognito: Any, pool_id: str) -> None:
    create(cognito, pool_id, "api", READ, WRITE)
    create(cognito, pool_id, "other", READ)
    client = m2m_client(cognito, pool_id, "api/read", "other/read")["ClientId"]
    only_api = m2m_client(cognito, pool_id, "api/write")["ClientId"]
    cognito.delete_resource_server(UserPoolId=pool_id, Identifier="api")
    assert scopes_of(cognito, pool_id, client) == ["other/read"]
    assert scopes_of(cognito, pool_id, only_api) is None
    assert failure(cognito.describe_resource_server, UserPoolId=pool_id, Identifier="api")[0] == (
        "ResourceNotFoundException"
    )
    listed = cognito.list_resource_servers(UserPoolId=pool_id)["ResourceServers"]
    assert [server["Identifier"] for server in listed] == ["other"]


def test_dropping_a_scope_takes_it_out_of_clients(cognito: Any, pool_id: str) -> None:
    create(cognito, pool_id, "api", READ, WRITE)
    client = m2m_client(cognito, pool_id, "api/read", "api/write")["ClientId"]
    cognito.update_resource_server(UserPoolId=pool_id, Identifier="api", Name="n", Scopes=[WRITE])
    assert scopes_of(cognito, pool_id, client) == ["api/write"]


def test_deleting_the_pool_deletes_its_servers(cognito: Any) -> None:
    pool = cognito.create_user_pool(PoolName="doomed")["UserPool"]["Id"]
    create(cognito, pool, "api", READ)
    cognito.delete_user_pool(UserPoolId=pool)
    code, _ = failure(cognito.describe_resource_server, UserPoolId=pool, Identifier="api")
    assert code == "ResourceNotFoundException"


def attempts(cognito: Any, pool_id: str, identifiers: list[str]) -> list[str]:
    """Create a server for each of `identifiers` at once; each call's outcome."""

    def one(identifier: str) -> str:
        try:
            create(cognito, pool_id, identifier, READ)
        except ClientError as error:
            return str(error.response["Error"]["Code"])
        return "created"

    with ThreadPoolExecutor(len(identifiers)) as pool:
        return list(pool.map(one, identifiers))


def test_one_identifier_created_at_once_is_created_once(cognito: Any, pool_id: str) -> None:
    outcomes = attempts(cognito, pool_id, ["api"] * 8)
    assert sorted(outcomes) == ["InvalidParameterException"] * 7 + ["created"]


def test_the_limit_holds_against_creates_at_once(cognito: Any, pool_id: str) -> None:
    outcomes = attempts(cognito, pool_id, [f"api-{number}" for number in range(30)])
    assert outcomes.count("created") == resource_server_rules.MAX_RESOURCE_SERVERS
    assert outcomes.count("LimitExceededException") == 5
    assert len(cognito.list_resource_servers(UserPoolId=pool_id)["ResourceServers"]) == 25
