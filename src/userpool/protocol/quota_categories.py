"""Which request-rate quota each user-pool operation counts towards, and Cognito's defaults.

Source: the Amazon Cognito Developer Guide, "Quotas in Amazon Cognito"
(https://docs.aws.amazon.com/cognito/latest/developerguide/quotas.html), section "Amazon
Cognito user pools API operation categories and request rate quotas": its per-category table
(operations, default requests per second), its footnotes, its "per-user request rate quotas"
table and its "Bulk request-rate limits for user pool domains". Operations are listed here as
the page lists them, those this server does not implement included (they are refused before
they are counted). The page's table was checked against this one in issue 17, item 7; what
moved then: GetTokensFromRefreshToken (UserToken -> UserAuthentication), GetClientToken
(UserToken -> ClientAuthentication, a category of its own), GetUserAttributeVerificationCode
and ResendConfirmationCode (UserUpdate -> UserResourceRead), AdminSetUserMFAPreference,
AdminSetUserSettings, SetUserMFAPreference and SetUserSettings (UserUpdate ->
UserResourceUpdate), AdminAddUserToGroup and AdminRemoveUserFromGroup (UserResourceUpdate ->
UserUpdate), GetUserPoolMfaConfig and ListTagsForResource (UserPoolRead ->
UserPoolResourceRead), AddCustomAttributes, SetUserPoolMfaConfig, TagResource and
UntagResource (UserPoolUpdate -> UserPoolResourceUpdate).
"""

from __future__ import annotations

# Default quotas in requests per second: the categories (account and Region), then the
# per-user rates, then the bulk rates of one user pool domain. A --quotas file may change any.
COGNITO_QUOTAS: dict[str, int] = {
    "UserAuthentication": 120,
    "UserCreation": 50,
    "UserFederation": 25,  # IdP responses to the federation endpoints: none served here
    "UserAccountRecovery": 30,
    "UserRead": 120,
    "UserUpdate": 25,
    "UserToken": 120,
    "UserResourceRead": 50,
    "UserResourceUpdate": 25,
    "UserList": 30,
    "UserPoolRead": 15,
    "UserPoolUpdate": 15,
    "UserPoolResourceRead": 20,
    "UserPoolResourceUpdate": 15,
    "UserPoolClientRead": 15,
    "UserPoolClientUpdate": 15,
    "ClientAuthentication": 150,
    "LimitManagement": 1,
    # "Amazon Cognito user pools per-user request rate quotas": 10 "Read user profile" and 10
    # "Write user profile" operations per user per second.
    "PerUserRead": 10,
    "PerUserWrite": 10,
    # "Bulk request-rate limits for user pool domains": every request to one domain, those of
    # one source IP address to it, and those for one app client ID in it.
    "DomainRequests": 500,
    "DomainRequestsPerSourceIp": 300,
    "DomainRequestsPerClient": 300,
}

_CATEGORY_OPERATIONS: dict[str, tuple[str, ...]] = {
    # Also: token refresh at the token endpoint, and each managed login sign-in step
    # (http/domain_quotas.py). The challenge answers have an allowance of their own (below).
    "UserAuthentication": (
        "InitiateAuth",
        "AdminInitiateAuth",
        "RespondToAuthChallenge",
        "AdminRespondToAuthChallenge",
        "GetTokensFromRefreshToken",
    ),
    "UserCreation": ("SignUp", "ConfirmSignUp", "AdminCreateUser", "AdminConfirmSignUp"),
    # Also the answers to NEW_PASSWORD_REQUIRED (footnote 1) and managed login password reset.
    "UserAccountRecovery": (
        "ChangePassword",
        "ConfirmForgotPassword",
        "ForgotPassword",
        "AdminResetUserPassword",
        "AdminSetUserPassword",
    ),
    # GetUserAuthFactors is on no list of the page: it counts as its Admin twin does.
    "UserRead": ("AdminGetUser", "AdminGetUserAuthFactors", "GetUser", "GetUserAuthFactors"),
    "UserUpdate": (
        "AdminAddUserToGroup",
        "AdminDeleteUserAttributes",
        "AdminUpdateUserAttributes",
        "AdminDeleteUser",
        "AdminDisableUser",
        "AdminEnableUser",
        "AdminLinkProviderForUser",
        "AdminDisableProviderForUser",
        "VerifyUserAttribute",
        "DeleteUser",
        "DeleteUserAttributes",
        "UpdateUserAttributes",
        "AdminUserGlobalSignOut",
        "GlobalSignOut",
        "AdminRemoveUserFromGroup",
    ),
    "UserToken": ("RevokeToken",),
    # ListWebAuthnCredentials is on no list of the page: a read of the user's resources.
    "UserResourceRead": (
        "AdminGetDevice",
        "AdminListGroupsForUser",
        "AdminListDevices",
        "GetDevice",
        "ListDevices",
        "GetUserAttributeVerificationCode",
        "ResendConfirmationCode",
        "AdminListUserAuthEvents",
        "ListWebAuthnCredentials",
    ),
    # The WebAuthn registrations are on no list of the page: updates of the user's resources.
    "UserResourceUpdate": (
        "AdminForgetDevice",
        "AdminUpdateAuthEventFeedback",
        "AdminSetUserMFAPreference",
        "AdminDeleteSoftwareToken",
        "AdminSetUserSettings",
        "AdminUpdateDeviceStatus",
        "UpdateDeviceStatus",
        "UpdateAuthEventFeedback",
        "ConfirmDevice",
        "SetUserMFAPreference",
        "SetUserSettings",
        "VerifySoftwareToken",
        "AssociateSoftwareToken",
        "ForgetDevice",
        "StartWebAuthnRegistration",
        "CompleteWebAuthnRegistration",
        "DeleteWebAuthnCredential",
    ),
    "UserList": ("ListUsers", "ListUsersInGroup"),
    "UserPoolRead": ("DescribeUserPool", "ListUserPools"),
    "UserPoolUpdate": ("CreateUserPool", "UpdateUserPool", "DeleteUserPool"),
    "UserPoolResourceRead": (
        "DescribeIdentityProvider",
        "DescribeResourceServer",
        "DescribeUserImportJob",
        "DescribeUserPoolDomain",
        "GetCSVHeader",
        "GetGroup",
        "GetSigningCertificate",
        "GetIdentityProviderByIdentifier",
        "GetUserPoolMfaConfig",
        "ListGroups",
        "ListIdentityProviders",
        "ListResourceServers",
        "ListTagsForResource",
        "ListUserImportJobs",
        "DescribeRiskConfiguration",
        "GetUICustomization",
        "DescribeManagedLoginBranding",
        "DescribeManagedLoginBrandingByClient",
    ),
    "UserPoolResourceUpdate": (
        "AddCustomAttributes",
        "CreateGroup",
        "CreateIdentityProvider",
        "CreateResourceServer",
        "CreateUserImportJob",
        "CreateUserPoolDomain",
        "DeleteGroup",
        "DeleteIdentityProvider",
        "DeleteResourceServer",
        "DeleteUserPoolDomain",
        "SetUserPoolMfaConfig",
        "StartUserImportJob",
        "StopUserImportJob",
        "UpdateGroup",
        "UpdateIdentityProvider",
        "UpdateResourceServer",
        "UpdateUserPoolDomain",
        "SetRiskConfiguration",
        "SetUICustomization",
        "TagResource",
        "UntagResource",
        "CreateManagedLoginBranding",
        "UpdateManagedLoginBranding",
        "DeleteManagedLoginBranding",
    ),
    "UserPoolClientRead": ("DescribeUserPoolClient", "ListUserPoolClients"),
    "UserPoolClientUpdate": (
        "CreateUserPoolClient",
        "DeleteUserPoolClient",
        "UpdateUserPoolClient",
    ),
    # Also the client_credentials grant at the token endpoint.
    "ClientAuthentication": ("GetClientToken",),
    "LimitManagement": ("GetProvisionedLimit", "UpdateProvisionedLimit"),
}
CATEGORY_OF: dict[str, str] = {
    operation: category
    for category, operations in _CATEGORY_OPERATIONS.items()
    for operation in operations
}
CATEGORIES = frozenset(_CATEGORY_OPERATIONS)

# Special handling: the challenge answers have their own quota, three times
# UserAuthentication's, and count towards UserAuthentication past it; an answer to
# NEW_PASSWORD_REQUIRED counts towards UserAccountRecovery instead (footnote 1).
CHALLENGE_ANSWERS = frozenset({"RespondToAuthChallenge", "AdminRespondToAuthChallenge"})
ANSWERS_PER_SIGN_IN = 3
NEW_PASSWORD = "NEW_PASSWORD_REQUIRED"
# Footnote 3: each operation of these categories, 5 a second for one user pool.
PER_POOL_CATEGORIES = frozenset(
    {"UserPoolResourceRead", "UserPoolResourceUpdate", "UserPoolClientRead", "UserPoolClientUpdate"}
)
PER_POOL_OPERATION_QUOTA = 5

# The per-user quotas. The page gives examples only: reads, GetUser, GetDevice, InitiateAuth,
# RespondToAuthChallenge; writes, UpdateUserAttributes, SetUserSettings. Here each example's
# whole category counts: the sign-ins, user reads and user-resource reads as reads, the user
# and user-resource updates as writes. The other categories are not counted per user
# (account recovery has per-user hourly limits of its own in Cognito).
PER_USER_READS = frozenset({"UserAuthentication", "UserRead", "UserResourceRead"})
PER_USER_WRITES = frozenset({"UserUpdate", "UserResourceUpdate"})


def per_user_quota(category: str) -> str | None:
    """The per-user quota a category's operations count towards, if any."""
    if category in PER_USER_READS:
        return "PerUserRead"
    if category in PER_USER_WRITES:
        return "PerUserWrite"
    return None
