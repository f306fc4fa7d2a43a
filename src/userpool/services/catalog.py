"""Imports every operation module so that each registers its handlers."""

from userpool.services import (
    auth_ops,
    clients,
    custom_attributes,
    groups,
    list_users,
    mfa_config,
    pools,
    self_service,
    tags,
    token_ops,
    user_attributes,
    user_passwords,
    users,
)
from userpool.services.registry import OPERATIONS

__all__ = [
    "OPERATIONS",
    "auth_ops",
    "clients",
    "custom_attributes",
    "groups",
    "list_users",
    "mfa_config",
    "pools",
    "self_service",
    "tags",
    "token_ops",
    "user_attributes",
    "user_passwords",
    "users",
]
