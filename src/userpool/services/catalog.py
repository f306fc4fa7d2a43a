"""Imports every operation module so that each registers its handlers."""

from userpool.services import (
    attribute_verification,
    auth_ops,
    clients,
    custom_attributes,
    forgot_password,
    groups,
    list_users,
    mfa_config,
    pools,
    self_service,
    sign_up,
    tags,
    token_ops,
    user_attributes,
    user_passwords,
    users,
)
from userpool.services.registry import OPERATIONS

__all__ = [
    "OPERATIONS",
    "attribute_verification",
    "auth_ops",
    "clients",
    "custom_attributes",
    "forgot_password",
    "groups",
    "list_users",
    "mfa_config",
    "pools",
    "self_service",
    "sign_up",
    "tags",
    "token_ops",
    "user_attributes",
    "user_passwords",
    "users",
]
