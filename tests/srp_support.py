"""The client side of USER_SRP_AUTH for the tests, from pycognito's `AWSSRP` (the code a real
Python client runs): start an exchange through InitiateAuth or AdminInitiateAuth, answer it
as pycognito does, or with one part of the answer changed; and pools whose users sign in
by username, by email as username, or by an email alias."""

from __future__ import annotations

import base64
import hashlib
import hmac
import locale
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pycognito.aws_srp import AWSSRP

from tests.signin_support import PASSWORD, confirmed_user, new_client, new_pool, unique

FLOW = "USER_SRP_AUTH"
VERIFIER = "PASSWORD_VERIFIER"
SRP_FLOWS = ("ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")
CHALLENGE_KEYS = {"SALT", "SRP_B", "SECRET_BLOCK", "USERNAME", "USER_ID_FOR_SRP"}
MINIMAL_HEX = re.compile(r"[1-9a-f][0-9a-f]*")
# How a pool's users sign in: by username, with email as username, or by a verified email alias.
POOL_SETTINGS: dict[str, dict[str, Any]] = {
    "username": {},
    "email": {"UsernameAttributes": ["email"]},
    "alias": {"AliasAttributes": ["email"]},
}
KINDS = tuple(POOL_SETTINGS)


@dataclass(frozen=True)
class Channel:
    """InitiateAuth + RespondToAuthChallenge, or their Admin* twins, for one app client."""

    cognito: Any
    pool_id: str
    client_id: str
    admin: bool = False
    secret: str | None = None

    def helper(self, username: str, password: str = PASSWORD, **device: str) -> AWSSRP:
        return AWSSRP(
            username=username,
            password=password,
            pool_id=self.pool_id,
            client_id=self.client_id,
            client=self.cognito,
            client_secret=self.secret,
            **device,
        )

    def initiate(self, params: dict[str, str]) -> dict[str, Any]:
        response: dict[str, Any]
        if self.admin:
            response = self.cognito.admin_initiate_auth(
                UserPoolId=self.pool_id,
                ClientId=self.client_id,
                AuthFlow=FLOW,
                AuthParameters=params,
            )
        else:
            response = self.cognito.initiate_auth(
                ClientId=self.client_id, AuthFlow=FLOW, AuthParameters=params
            )
        return response

    def respond(
        self, responses: dict[str, str], challenge: str = VERIFIER, session: str | None = None
    ) -> dict[str, Any]:
        call: dict[str, Any] = {
            "ClientId": self.client_id,
            "ChallengeName": challenge,
            "ChallengeResponses": responses,
        }
        if session is not None:
            call["Session"] = session
        response: dict[str, Any]
        if self.admin:
            response = self.cognito.admin_respond_to_auth_challenge(UserPoolId=self.pool_id, **call)
        else:
            response = self.cognito.respond_to_auth_challenge(**call)
        return response

    def start(self, srp: AWSSRP) -> tuple[dict[str, str], dict[str, str]]:
        """(the AuthParameters sent, the PASSWORD_VERIFIER ChallengeParameters received)."""
        params: dict[str, str] = srp.get_auth_params()
        response = self.initiate(params)
        assert response["ChallengeName"] == VERIFIER
        return params, response["ChallengeParameters"]

    def sign_in(self, username: str, password: str = PASSWORD, **device: str) -> dict[str, Any]:
        """The whole exchange as pycognito answers it; the response to the answer."""
        srp = self.helper(username, password, **device)
        params, challenge = self.start(srp)
        return self.respond(srp.process_challenge(challenge, params))


def claim(
    srp: AWSSRP, challenge: dict[str, str], *, timestamp: str, block: str | None = None
) -> dict[str, str]:
    """pycognito's answer to `challenge` with TIMESTAMP (and the SECRET_BLOCK) replaced, signed
    over what is sent with the key pycognito derives: only the replaced part can be wrong."""
    user_id = challenge["USER_ID_FOR_SRP"]
    block = block or challenge["SECRET_BLOCK"]
    key = srp.get_password_authentication_key(
        user_id, srp.password, int(challenge["SRP_B"], 16), challenge["SALT"]
    )
    message = b"".join(
        [
            srp.pool_id.split("_")[1].encode(),
            user_id.encode(),
            base64.b64decode(block),
            timestamp.encode(),
        ]
    )
    answer: dict[str, str] = srp.process_challenge(challenge, {"USERNAME": srp.username})
    answer["TIMESTAMP"] = timestamp
    answer["PASSWORD_CLAIM_SECRET_BLOCK"] = block
    answer["PASSWORD_CLAIM_SIGNATURE"] = base64.b64encode(
        hmac.new(key, message, hashlib.sha256).digest()
    ).decode()
    return answer


def cognito_timestamp(moment: datetime) -> str:
    """TIMESTAMP as pycognito formats it (`Tue Nov 3 09:05:01 UTC 2026`)."""
    return str(AWSSRP.get_cognito_formatted_timestamp(moment))


def zero_padded(timestamp: str) -> str:
    """The same moment with a one-digit day written as two (`Tue Nov 03 ...`)."""
    padded = re.sub(r"^(\w{3} \w{3}) (\d) ", r"\1 0\2 ", timestamp)
    assert padded != timestamp, f"{timestamp!r} has a two-digit day"
    return padded


def flipped(block: str) -> str:
    """SECRET_BLOCK with one bit of its middle byte changed."""
    raw = bytearray(base64.b64decode(block))
    raw[len(raw) // 2] ^= 0x01
    return base64.b64encode(bytes(raw)).decode()


def english_locale_available() -> bool:
    """Whether en_US.UTF-8 exists: warrant-lite switches to it to format TIMESTAMP."""
    saved = locale.setlocale(locale.LC_TIME)
    try:
        locale.setlocale(locale.LC_TIME, ("en_US", "UTF-8"))
    except locale.Error:
        return False
    locale.setlocale(locale.LC_TIME, saved)
    return True


@dataclass(frozen=True)
class Account:
    """A CONFIRMED user of a fresh pool: `name` is what they type, `username` the username
    Cognito keeps (a UUID with email as username), `channel` an SRP app client."""

    channel: Channel
    name: str
    username: str


def srp_account(cognito: Any, kind: str, *, secret: bool = False, admin: bool = False) -> Account:
    """An account in a pool of `kind` (see POOL_SETTINGS)."""
    pool_id = new_pool(cognito, **POOL_SETTINGS[kind])
    client = new_client(cognito, pool_id, SRP_FLOWS, GenerateSecret=secret)
    channel = Channel(cognito, pool_id, client["ClientId"], admin, client.get("ClientSecret"))
    email = f"{unique('srp')}@example.com"
    if kind == "username":
        name = unique("user")
        username = confirmed_user(cognito, pool_id, name)["Username"]
    elif kind == "email":
        name = email
        username = confirmed_user(cognito, pool_id, name, email=email)["Username"]
        assert uuid.UUID(username).version == 4
    else:
        name = email
        username = unique("alias")
        confirmed_user(cognito, pool_id, username, email=email, email_verified="true")
    return Account(channel, name, username)
