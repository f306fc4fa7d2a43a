"""Choice-based sign-in (USER_AUTH) over boto3: a pool that allows first factors beyond the
password, an app client with ALLOW_USER_AUTH, users with verified addresses, and the calls."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.conftest import Server
from tests.mfa_support import email, phone, sent_code
from tests.signin_support import confirmed_user, new_client, unique

ALL_FIRST_FACTORS = ["PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN"]
USER_AUTH_FLOWS = ("ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")
SMS = {"SnsCallerArn": "arn:aws:iam::000000000000:role/sns-caller", "ExternalId": "x"}


@dataclass(frozen=True)
class Choice:
    server: Server
    cognito: Any
    pool_id: str
    client_id: str

    @classmethod
    def make(
        cls,
        server: Server,
        cognito: Any,
        factors: list[str] | None = None,
        client: dict[str, Any] | None = None,
        **pool: Any,
    ) -> Choice:
        policies = {"SignInPolicy": {"AllowedFirstAuthFactors": factors or ALL_FIRST_FACTORS}}
        pool_id = cognito.create_user_pool(
            PoolName=unique("choice"), Policies=policies, SmsConfiguration=SMS, **pool
        )["UserPool"]["Id"]
        made = new_client(cognito, pool_id, USER_AUTH_FLOWS, **(client or {}))
        return cls(server, cognito, pool_id, made["ClientId"])

    def user(self, *, verified: bool = True, **attributes: str) -> str:
        """A CONFIRMED user with a password, an email address and a phone number."""
        username = unique("chooser")
        flag = "true" if verified else "false"
        extra = {"email": email(), "email_verified": flag}
        extra |= {"phone_number": phone(), "phone_number_verified": flag}
        confirmed_user(self.cognito, self.pool_id, username, **{**extra, **attributes})
        return username

    def initiate(self, username: str, **params: str) -> dict[str, Any]:
        response: dict[str, Any] = self.cognito.initiate_auth(
            ClientId=self.client_id,
            AuthFlow="USER_AUTH",
            AuthParameters={"USERNAME": username, **params},
        )
        return response

    def respond(
        self, challenge: dict[str, Any], username: str, name: str | None = None, **answers: str
    ) -> dict[str, Any]:
        response: dict[str, Any] = self.cognito.respond_to_auth_challenge(
            ClientId=self.client_id,
            ChallengeName=name or challenge["ChallengeName"],
            Session=challenge["Session"],
            ChallengeResponses={"USERNAME": username, **answers},
        )
        return response

    def code(self, username: str) -> str:
        return sent_code(self.server, self.pool_id, username)
