"""Helpers for the second-factor tests: pools with MFA configured, users signing in through
a password client and answering challenges, authenticator codes computed with pyotp, and
the codes the server sent, read back from its outbox (`sent_code`, the one place that knows
how)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import pyotp

from tests.codes_support import last_code
from tests.conftest import Server
from tests.signin_support import PASSWORD, confirmed_user, new_client, new_pool, unique

SMS_CONFIGURATION = {"SnsCallerArn": "arn:aws:iam::000000000000:role/sns-caller", "ExternalId": "x"}
EMAIL_CONFIGURATION = {
    "EmailSendingAccount": "DEVELOPER",
    "SourceArn": "arn:aws:ses:us-east-1:000000000000:identity/noreply@example.com",
}
FACTOR_BLOCKS: dict[str, dict[str, Any]] = {
    "SMS_MFA": {"SmsMfaConfiguration": {"SmsConfiguration": SMS_CONFIGURATION}},
    "SOFTWARE_TOKEN_MFA": {"SoftwareTokenMfaConfiguration": {"Enabled": True}},
    "EMAIL_OTP": {"EmailMfaConfiguration": {"Subject": "Your sign-in code"}},
}
ALL_FACTORS = tuple(FACTOR_BLOCKS)
MISMATCH = ("CodeMismatchException", "Invalid code or auth state for the user.")
STEP = 30


def mfa_pool(
    cognito: Any, mode: str = "OPTIONAL", factors: tuple[str, ...] = ALL_FACTORS, **settings: Any
) -> str:
    """A pool whose MFA is `mode` with `factors` on (a pool that can send email MFA)."""
    pool_id = new_pool(cognito, EmailConfiguration=EMAIL_CONFIGURATION, **settings)
    blocks: dict[str, Any] = {}
    for factor in factors:
        blocks.update(FACTOR_BLOCKS[factor])
    cognito.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration=mode, **blocks)
    return pool_id


def sent_code(server: Server, pool_id: str, username: str) -> str:
    """The code in the last message the server sent to `username`."""
    return last_code(server, pool_id, username)


def phone() -> str:
    return "+1555" + str(time.time_ns())[-7:]


def email() -> str:
    return f"{unique('mfa')}@example.com"


def authenticator_code(secret: str, steps: int = 0) -> str:
    """The code an authenticator app shows now (`steps` periods later or earlier)."""
    return str(pyotp.TOTP(secret).at(time.time() + steps * STEP))


def wrong_code(secret: str) -> str:
    """Six digits that no step near now gives for `secret`."""
    near = {authenticator_code(secret, steps) for steps in range(-2, 3)}
    return next(code for code in ("000000", "111111", "222222") if code not in near)


def away_from_step_edge() -> None:
    """Wait out the last two seconds of a 30-second period, so that a code computed here
    belongs to the step the server sees when it checks it."""
    left = STEP - time.time() % STEP
    if left < 2:
        time.sleep(left + 0.1)


@dataclass(frozen=True)
class Login:
    """A pool with MFA and a password app client (USER_PASSWORD_AUTH and
    ADMIN_USER_PASSWORD_AUTH), on one server."""

    server: Server
    cognito: Any
    pool_id: str
    client_id: str

    @classmethod
    def make(cls, server: Server, cognito: Any, **pool: Any) -> Login:
        pool_id = mfa_pool(cognito, **pool)
        return cls(server, cognito, pool_id, new_client(cognito, pool_id)["ClientId"])

    def user(self, **attributes: str) -> str:
        """A new CONFIRMED user with PASSWORD; their username."""
        username = unique("user")
        confirmed_user(self.cognito, self.pool_id, username, **attributes)
        return username

    def password(self, username: str, *, admin: bool = False) -> dict[str, Any]:
        """The response to signing in with the password (a challenge, or tokens)."""
        params = {"USERNAME": username, "PASSWORD": PASSWORD}
        response: dict[str, Any]
        if admin:
            response = self.cognito.admin_initiate_auth(
                UserPoolId=self.pool_id,
                ClientId=self.client_id,
                AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                AuthParameters=params,
            )
        else:
            response = self.cognito.initiate_auth(
                ClientId=self.client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=params
            )
        return response

    def respond(
        self, challenge: dict[str, Any], username: str, *, admin: bool = False, **answers: str
    ) -> dict[str, Any]:
        """Answer `challenge` (a response naming it and its Session) with `answers`."""
        call = {
            "ClientId": self.client_id,
            "ChallengeName": challenge["ChallengeName"],
            "Session": challenge["Session"],
            "ChallengeResponses": {"USERNAME": username, **answers},
        }
        response: dict[str, Any]
        if admin:
            response = self.cognito.admin_respond_to_auth_challenge(UserPoolId=self.pool_id, **call)
        else:
            response = self.cognito.respond_to_auth_challenge(**call)
        return response

    def code(self, username: str) -> str:
        return sent_code(self.server, self.pool_id, username)

    def access_token(self, username: str) -> str:
        """Signed in without a second factor (a user who has none yet)."""
        response = self.password(username)
        assert "AuthenticationResult" in response, response.get("ChallengeName")
        return str(response["AuthenticationResult"]["AccessToken"])

    def register_authenticator(self, access_token: str) -> str:
        """Associate and verify an authenticator (with the previous period's code, so that
        the current one is still unused); its secret."""
        secret = str(self.cognito.associate_software_token(AccessToken=access_token)["SecretCode"])
        away_from_step_edge()
        verified = self.cognito.verify_software_token(
            AccessToken=access_token, UserCode=authenticator_code(secret, -1)
        )
        assert verified["Status"] == "SUCCESS"
        return secret

    def mfa_settings(self, username: str) -> dict[str, Any]:
        """What AdminGetUser shows of the user's MFA."""
        user = self.cognito.admin_get_user(UserPoolId=self.pool_id, Username=username)
        fields = ("UserMFASettingList", "PreferredMfaSetting", "MFAOptions")
        return {name: user[name] for name in fields if name in user}
