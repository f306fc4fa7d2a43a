"""Helpers for the user-management tests: pools with options, users, and the server's store."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import Server, error_of, server_store
from userpool.domain.models import User, UserStatus

PASSWORD = "Corr3ct-Horse"


def new_pool(cognito: Any, **settings: Any) -> str:
    name = f"pool-{uuid.uuid4().hex[:8]}"
    return str(cognito.create_user_pool(PoolName=name, **settings)["UserPool"]["Id"])


def create_user(
    cognito: Any, pool_id: str, username: str, password: str = PASSWORD, **attributes: str
) -> dict[str, Any]:
    """AdminCreateUser with SUPPRESS; keyword arguments become user attributes."""
    response = cognito.admin_create_user(
        UserPoolId=pool_id,
        Username=username,
        TemporaryPassword=password,
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": name, "Value": value} for name, value in attributes.items()],
    )
    user: dict[str, Any] = response["User"]
    return user


def attributes_of(entries: list[dict[str, str]]) -> dict[str, str]:
    return {entry["Name"]: entry["Value"] for entry in entries}


def get_attributes(cognito: Any, pool_id: str, username: str) -> dict[str, str]:
    user = cognito.admin_get_user(UserPoolId=pool_id, Username=username)
    return attributes_of(user["UserAttributes"])


def failure(call: Callable[..., Any], **kwargs: Any) -> tuple[str, str]:
    """(error type, message) of a call that must fail."""
    with pytest.raises(ClientError) as excinfo:
        call(**kwargs)
    return error_of(excinfo)


def stored_user(server: Server, pool_id: str, username_key: str) -> User:
    with server_store(server) as store, store.read() as tx:
        user = tx.users.get(pool_id, username_key)
    assert user is not None
    return user


def insert_user(server: Server, pool_id: str, username: str, status: UserStatus) -> None:
    """A user in a state the admin API cannot create (e.g. UNCONFIRMED, as after SignUp)."""
    user = User(str(uuid.uuid4()), pool_id, username, status, True, 1.0, 1.0, {})
    with server_store(server) as store, store.write() as tx:
        assert tx.users.add(user, username, {}) == []
