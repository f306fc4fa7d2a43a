"""Request rate quotas, as Cognito applies them to the user-pool API ("Quotas in Amazon
Cognito", https://docs.aws.amazon.com/cognito/latest/developerguide/limits.html).

Cognito groups the operations into categories, each with a quota in requests per second
shared by all its operations. It enforces a category's quota per AWS account and Region,
across all of the account's user pools, not per pool: this server is one account, and a
request's Region is its pool id's (us-east-1_...), else the Region it is signed for, else the
server's --region. The challenge answers (RespondToAuthChallenge and its Admin twin) have
their own quota, three times UserAuthentication's; past it they count towards
UserAuthentication. The operations of the categories the page marks with an asterisk
(the pools' resources and app clients) may also be called at most 5 times a second each for
a single user pool: that limit is per pool.

Each check counts the request in a one-second window (a counter shared by every node: the
database or Redis, storage/quota_counters.py) before anything else is done; a request over
its quota is refused with Cognito's TooManyRequestsException and changes nothing. Refused
requests are counted too, so at most `quota` requests are answered in any window.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol

from userpool.domain.errors import CognitoError


class TooManyRequestsException(CognitoError):
    # What Cognito answers (boto3#2517, amplify-js#3554); HTTP 400, as the model has no code.
    default_message = "Rate exceeded"


class QuotasError(ValueError):
    """A --quotas value that cannot be used; the text says why, in one line."""


# Default quotas in requests per second (the page's "Category operations" table).
COGNITO_QUOTAS: dict[str, int] = {
    "UserAuthentication": 120,
    "UserCreation": 50,
    "UserFederation": 25,  # the managed login pages' federation: no API operation here
    "UserAccountRecovery": 30,
    "UserRead": 120,
    "UserUpdate": 25,
    "UserResourceRead": 50,
    "UserResourceUpdate": 25,
    "UserList": 30,
    "UserPoolRead": 15,
    "UserPoolUpdate": 15,
    "UserPoolResourceRead": 20,
    "UserPoolResourceUpdate": 15,
    "UserPoolClientRead": 15,
    "UserPoolClientUpdate": 15,
    "UserToken": 120,
}

_CATEGORY_OPERATIONS: dict[str, tuple[str, ...]] = {
    "UserAuthentication": (
        "InitiateAuth",
        "AdminInitiateAuth",
        "RespondToAuthChallenge",
        "AdminRespondToAuthChallenge",
    ),
    "UserCreation": ("SignUp", "ConfirmSignUp", "AdminCreateUser", "AdminConfirmSignUp"),
    "UserAccountRecovery": (
        "ForgotPassword",
        "ConfirmForgotPassword",
        "ChangePassword",
        "AdminResetUserPassword",
        "AdminSetUserPassword",
    ),
    "UserRead": ("GetUser", "AdminGetUser", "GetUserAuthFactors", "AdminGetUserAuthFactors"),
    "UserUpdate": (
        "AdminDeleteUser",
        "AdminDeleteUserAttributes",
        "AdminDisableUser",
        "AdminEnableUser",
        "AdminSetUserMFAPreference",
        "AdminSetUserSettings",
        "AdminUpdateUserAttributes",
        "AdminUserGlobalSignOut",
        "DeleteUser",
        "DeleteUserAttributes",
        "GetUserAttributeVerificationCode",
        "GlobalSignOut",
        "ResendConfirmationCode",
        "SetUserMFAPreference",
        "SetUserSettings",
        "UpdateUserAttributes",
        "VerifyUserAttribute",
    ),
    "UserResourceRead": (
        "AdminGetDevice",
        "AdminListDevices",
        "AdminListGroupsForUser",
        "AdminListUserAuthEvents",
        "GetDevice",
        "ListDevices",
        "ListWebAuthnCredentials",
    ),
    "UserResourceUpdate": (
        "AdminAddUserToGroup",
        "AdminForgetDevice",
        "AdminRemoveUserFromGroup",
        "AdminUpdateAuthEventFeedback",
        "AdminUpdateDeviceStatus",
        "AssociateSoftwareToken",
        "CompleteWebAuthnRegistration",
        "ConfirmDevice",
        "DeleteWebAuthnCredential",
        "ForgetDevice",
        "StartWebAuthnRegistration",
        "UpdateAuthEventFeedback",
        "UpdateDeviceStatus",
        "VerifySoftwareToken",
    ),
    "UserList": ("ListUsers", "ListUsersInGroup"),
    "UserPoolRead": (
        "DescribeUserPool",
        "GetUserPoolMfaConfig",
        "ListTagsForResource",
        "ListUserPools",
    ),
    "UserPoolUpdate": (
        "AddCustomAttributes",
        "CreateUserPool",
        "DeleteUserPool",
        "SetUserPoolMfaConfig",
        "TagResource",
        "UntagResource",
        "UpdateUserPool",
    ),
    "UserPoolResourceRead": (
        "DescribeResourceServer",
        "DescribeUserPoolDomain",
        "GetGroup",
        "ListGroups",
        "ListResourceServers",
    ),
    "UserPoolResourceUpdate": (
        "CreateGroup",
        "CreateResourceServer",
        "CreateUserPoolDomain",
        "DeleteGroup",
        "DeleteResourceServer",
        "DeleteUserPoolDomain",
        "UpdateGroup",
        "UpdateResourceServer",
        "UpdateUserPoolDomain",
    ),
    "UserPoolClientRead": ("DescribeUserPoolClient", "ListUserPoolClients"),
    "UserPoolClientUpdate": (
        "CreateUserPoolClient",
        "DeleteUserPoolClient",
        "UpdateUserPoolClient",
    ),
    "UserToken": ("GetClientToken", "GetTokensFromRefreshToken", "RevokeToken"),
}
CATEGORY_OF: dict[str, str] = {
    operation: category
    for category, operations in _CATEGORY_OPERATIONS.items()
    for operation in operations
}
CHALLENGE_ANSWERS = frozenset({"RespondToAuthChallenge", "AdminRespondToAuthChallenge"})
ANSWERS_PER_SIGN_IN = 3
# The categories marked * on the page: each of their operations, 5 a second for one pool.
PER_POOL_CATEGORIES = frozenset(
    {"UserPoolResourceRead", "UserPoolResourceUpdate", "UserPoolClientRead", "UserPoolClientUpdate"}
)
PER_POOL_OPERATION_QUOTA = 5


def load_quotas(spec: str) -> dict[str, int]:
    """The quotas `--quotas` names: `cognito` (Cognito's defaults), or a JSON file mapping
    categories to requests per second, over the defaults."""
    if spec == "cognito":
        return dict(COGNITO_QUOTAS)
    try:
        given = json.loads(Path(spec).read_text(encoding="utf-8"))
    except OSError as error:
        raise QuotasError(f"cannot read {spec}: {error.strerror or error}") from error
    except (ValueError, UnicodeDecodeError) as error:
        raise QuotasError(f"{spec} is not JSON: {error}") from error
    if not isinstance(given, dict):
        raise QuotasError(f"{spec} must hold a JSON object of category: requests per second")
    quotas = dict(COGNITO_QUOTAS)
    for category, rate in given.items():
        if category not in COGNITO_QUOTAS:
            raise QuotasError(
                f"{spec}: unknown category {category!r} (known: {', '.join(COGNITO_QUOTAS)})"
            )
        if isinstance(rate, bool) or not isinstance(rate, int) or not 1 <= rate <= 10**9:
            raise QuotasError(f"{spec}: {category} must be a whole number of requests a second")
        quotas[category] = rate
    return quotas


class WindowCounter(Protocol):
    def hit(self, key: str, window: int) -> int:
        """Count one request under `key` in the one-second `window`; the count so far,
        this one included, as one atomic step across every node."""
        ...


class Limiter:
    def __init__(
        self, quotas: Mapping[str, int], counter: WindowCounter, clock: Callable[[], float]
    ) -> None:
        self._quotas = dict(quotas)
        self._counter = counter
        self._clock = clock

    def admit(self, operation: str, params: Mapping[str, Any], region: str) -> None:
        """Count the request; TooManyRequestsException if it is over a quota."""
        category = CATEGORY_OF.get(operation)
        if category is None:
            return
        pool_id = params.get("UserPoolId")
        if isinstance(pool_id, str) and "_" in pool_id:
            region = pool_id.split("_", 1)[0]
        window = int(self._clock())
        if operation in CHALLENGE_ANSWERS:
            allowed = self._quotas[category] * ANSWERS_PER_SIGN_IN
            if self._counter.hit(f"{region}/{category}/answers", window) > allowed:
                self._charge(f"{region}/{category}", self._quotas[category], window)
        else:
            self._charge(f"{region}/{category}", self._quotas[category], window)
        if category in PER_POOL_CATEGORIES and isinstance(pool_id, str):
            self._charge(f"{pool_id}/{operation}", PER_POOL_OPERATION_QUOTA, window)

    def _charge(self, key: str, quota: int, window: int) -> None:
        if self._counter.hit(key, window) > quota:
            raise TooManyRequestsException()
