"""One class per AWS error type; its wire name and HTTP status are class attributes.

Every layer raises these; the protocol layer serialises them in one place.
"""

from __future__ import annotations


class CognitoError(Exception):
    """An error that real Cognito would return to the caller."""

    status = 400
    default_message = ""

    def __init__(self, message: str | None = None) -> None:
        self.message = message if message is not None else self.default_message
        super().__init__(self.message)

    @property
    def type_name(self) -> str:
        return type(self).__name__


class InvalidParameterException(CognitoError):
    pass


class ResourceNotFoundException(CognitoError):
    pass


class NotAuthorizedException(CognitoError):
    pass


class DeviceKeyExistsException(CognitoError):
    """ConfirmDevice of a device key that is already confirmed."""

    default_message = "Device key already exists."


class UserNotFoundException(CognitoError):
    default_message = "User does not exist."


class UsernameExistsException(CognitoError):
    default_message = "User account already exists"


class UserNotConfirmedException(CognitoError):
    default_message = "User is not confirmed."


class PasswordResetRequiredException(CognitoError):
    default_message = "Password reset required for the user"


class InvalidPasswordException(CognitoError):
    pass


class AliasExistsException(CognitoError):
    default_message = "An account with the given email already exists."


class GroupExistsException(CognitoError):
    pass


class LimitExceededException(CognitoError):
    pass


class PreconditionNotMetException(CognitoError):
    pass


class UnsupportedUserStateException(CognitoError):
    pass


class CodeMismatchException(CognitoError):
    default_message = "Invalid code or auth state for the user."


class ExpiredCodeException(CognitoError):
    default_message = "Invalid code provided, please request a code again."


class UnsupportedOperationException(CognitoError):
    pass


class FeatureUnavailableInTierException(CognitoError):
    """A setting the pool's feature plan (UserPoolTier) does not include; the message names
    the plan and the feature (userpool.domain.tier_rules words it)."""


class InternalErrorException(CognitoError):
    status = 500
    default_message = "Internal server error."


# Passkeys (StartWebAuthnRegistration, CompleteWebAuthnRegistration): botocore's model names
# which operation raises which; the messages are ours, Cognito's are not documented.


class WebAuthnNotEnabledException(CognitoError):
    """The pool does not offer passkeys (neither as a first factor nor as MFA)."""

    default_message = "Passkeys are not enabled for this user pool."


class WebAuthnConfigurationMissingException(CognitoError):
    """No relying party id: none configured, and none to fall back on."""

    default_message = "The user pool has no relying party ID for passkeys."


class WebAuthnChallengeNotFoundException(CognitoError):
    """No open registration for this user, or it expired, or the answer is to another."""

    default_message = "The passkey registration challenge was not found or has expired."


class WebAuthnClientMismatchException(CognitoError):
    """The registration was started through another app client."""

    default_message = (
        "The access token is for a different app client than the one that started the "
        "passkey registration."
    )


class WebAuthnRelyingPartyMismatchException(CognitoError):
    default_message = "The passkey credential is for a different relying party."


class WebAuthnOriginNotAllowedException(CognitoError):
    default_message = "The passkey credential's origin is not allowed for the relying party."


class WebAuthnCredentialNotSupportedException(CognitoError):
    default_message = "The passkey credential is not supported."


# Protocol-level errors (raised before any Cognito handler runs).


class SerializationException(CognitoError):
    pass


class UnknownOperationException(CognitoError):
    default_message = ""


class UnrecognizedClientException(CognitoError):
    default_message = "The security token included in the request is invalid."


class InvalidSignatureException(CognitoError):
    status = 403


class MissingAuthenticationTokenException(CognitoError):
    status = 403
    default_message = "Missing Authentication Token"


class IncompleteSignatureException(CognitoError):
    pass


class RefreshTokenReuseException(CognitoError):
    default_message = "Refresh token has been reused."


class UnauthorizedException(CognitoError):
    pass


class UnsupportedTokenTypeException(CognitoError):
    pass


class CodeDeliveryFailureException(CognitoError):
    pass


class SoftwareTokenMFANotFoundException(CognitoError):
    pass


class EnableSoftwareTokenMFAException(CognitoError):
    default_message = "Code mismatch and fail enable Software Token MFA"


# A pool's Lambda trigger failed (userpool.triggers.cognito_error picks which and words it).


class UserLambdaValidationException(CognitoError):
    pass


class UnexpectedLambdaException(CognitoError):
    pass


class InvalidLambdaResponseException(CognitoError):
    pass


class UserPoolAddOnNotEnabledException(CognitoError):
    """Threat protection's operations (the auth event history) on a pool without it."""

    default_message = "Advanced security features are not enabled for this user pool."
