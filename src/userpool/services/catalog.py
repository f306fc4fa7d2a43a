"""Imports every operation module so that each registers its handlers."""

from userpool.services import clients, groups, mfa_config, pools, tags, users
from userpool.services.registry import OPERATIONS

__all__ = ["OPERATIONS", "clients", "groups", "mfa_config", "pools", "tags", "users"]
