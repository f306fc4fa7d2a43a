"""Cognito's trigger sources (the event's `triggerSource`) and the triggers they belong to
(the pool's `LambdaConfig` keys).

Sources from the Cognito Developer Guide, "User pool Lambda trigger sources", plus those its
newer pages add: `TokenGeneration_ClientCredentials` (pre token generation V3_0, machine-to-
machine), `InboundFederation_ExternalProvider`, and the custom sender sources."""

from __future__ import annotations

from enum import StrEnum


class Trigger(StrEnum):
    """A pool's trigger, named by its `LambdaConfig` key; Cognito's error messages name it too
    ("PreSignUp failed with error ...")."""

    PRE_SIGN_UP = "PreSignUp"
    POST_CONFIRMATION = "PostConfirmation"
    PRE_AUTHENTICATION = "PreAuthentication"
    POST_AUTHENTICATION = "PostAuthentication"
    DEFINE_AUTH_CHALLENGE = "DefineAuthChallenge"
    CREATE_AUTH_CHALLENGE = "CreateAuthChallenge"
    VERIFY_AUTH_CHALLENGE_RESPONSE = "VerifyAuthChallengeResponse"
    PRE_TOKEN_GENERATION = "PreTokenGeneration"  # or PreTokenGenerationConfig.LambdaArn
    USER_MIGRATION = "UserMigration"
    CUSTOM_MESSAGE = "CustomMessage"
    CUSTOM_EMAIL_SENDER = "CustomEmailSender"  # {LambdaVersion, LambdaArn}
    CUSTOM_SMS_SENDER = "CustomSMSSender"  # {LambdaVersion, LambdaArn}
    INBOUND_FEDERATION = "InboundFederation"  # {LambdaVersion, LambdaArn}


class TriggerSource(StrEnum):
    PRE_SIGN_UP_SIGN_UP = "PreSignUp_SignUp"
    PRE_SIGN_UP_ADMIN_CREATE_USER = "PreSignUp_AdminCreateUser"
    PRE_SIGN_UP_EXTERNAL_PROVIDER = "PreSignUp_ExternalProvider"
    POST_CONFIRMATION_CONFIRM_SIGN_UP = "PostConfirmation_ConfirmSignUp"
    POST_CONFIRMATION_CONFIRM_FORGOT_PASSWORD = "PostConfirmation_ConfirmForgotPassword"
    PRE_AUTHENTICATION = "PreAuthentication_Authentication"
    POST_AUTHENTICATION = "PostAuthentication_Authentication"
    DEFINE_AUTH_CHALLENGE = "DefineAuthChallenge_Authentication"
    CREATE_AUTH_CHALLENGE = "CreateAuthChallenge_Authentication"
    VERIFY_AUTH_CHALLENGE_RESPONSE = "VerifyAuthChallengeResponse_Authentication"
    TOKEN_GENERATION_HOSTED_AUTH = "TokenGeneration_HostedAuth"
    TOKEN_GENERATION_AUTHENTICATION = "TokenGeneration_Authentication"
    TOKEN_GENERATION_NEW_PASSWORD_CHALLENGE = "TokenGeneration_NewPasswordChallenge"
    TOKEN_GENERATION_AUTHENTICATE_DEVICE = "TokenGeneration_AuthenticateDevice"
    TOKEN_GENERATION_REFRESH_TOKENS = "TokenGeneration_RefreshTokens"
    TOKEN_GENERATION_CLIENT_CREDENTIALS = "TokenGeneration_ClientCredentials"
    USER_MIGRATION_AUTHENTICATION = "UserMigration_Authentication"
    USER_MIGRATION_FORGOT_PASSWORD = "UserMigration_ForgotPassword"
    CUSTOM_MESSAGE_SIGN_UP = "CustomMessage_SignUp"
    CUSTOM_MESSAGE_ADMIN_CREATE_USER = "CustomMessage_AdminCreateUser"
    CUSTOM_MESSAGE_RESEND_CODE = "CustomMessage_ResendCode"
    CUSTOM_MESSAGE_FORGOT_PASSWORD = "CustomMessage_ForgotPassword"
    CUSTOM_MESSAGE_UPDATE_USER_ATTRIBUTE = "CustomMessage_UpdateUserAttribute"
    CUSTOM_MESSAGE_VERIFY_USER_ATTRIBUTE = "CustomMessage_VerifyUserAttribute"
    CUSTOM_MESSAGE_AUTHENTICATION = "CustomMessage_Authentication"
    CUSTOM_EMAIL_SENDER_SIGN_UP = "CustomEmailSender_SignUp"
    CUSTOM_EMAIL_SENDER_RESEND_CODE = "CustomEmailSender_ResendCode"
    CUSTOM_EMAIL_SENDER_FORGOT_PASSWORD = "CustomEmailSender_ForgotPassword"
    CUSTOM_EMAIL_SENDER_UPDATE_USER_ATTRIBUTE = "CustomEmailSender_UpdateUserAttribute"
    CUSTOM_EMAIL_SENDER_VERIFY_USER_ATTRIBUTE = "CustomEmailSender_VerifyUserAttribute"
    CUSTOM_EMAIL_SENDER_ADMIN_CREATE_USER = "CustomEmailSender_AdminCreateUser"
    CUSTOM_EMAIL_SENDER_AUTHENTICATION = "CustomEmailSender_Authentication"
    CUSTOM_EMAIL_SENDER_ACCOUNT_TAKE_OVER = "CustomEmailSender_AccountTakeOverNotification"
    CUSTOM_SMS_SENDER_SIGN_UP = "CustomSMSSender_SignUp"
    CUSTOM_SMS_SENDER_RESEND_CODE = "CustomSMSSender_ResendCode"
    CUSTOM_SMS_SENDER_FORGOT_PASSWORD = "CustomSMSSender_ForgotPassword"
    CUSTOM_SMS_SENDER_UPDATE_USER_ATTRIBUTE = "CustomSMSSender_UpdateUserAttribute"
    CUSTOM_SMS_SENDER_VERIFY_USER_ATTRIBUTE = "CustomSMSSender_VerifyUserAttribute"
    CUSTOM_SMS_SENDER_ADMIN_CREATE_USER = "CustomSMSSender_AdminCreateUser"
    CUSTOM_SMS_SENDER_AUTHENTICATION = "CustomSMSSender_Authentication"
    INBOUND_FEDERATION = "InboundFederation_ExternalProvider"

    @property
    def trigger(self) -> Trigger:
        """The trigger this source calls: the part before `_` names it, except that the
        pre token generation sources say `TokenGeneration`."""
        prefix = self.value.partition("_")[0]
        return Trigger("PreTokenGeneration" if prefix == "TokenGeneration" else prefix)
