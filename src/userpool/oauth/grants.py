"""The user grants of a pool domain's token endpoint: `authorization_code` (the tokens a
managed-login sign-in minted, handed out once for its code) and `refresh_token` (new tokens
from a refresh token, as GetTokensFromRefreshToken makes them). Each runs after the client
has authenticated (oauth/client_auth.py) and answers with tokens or a TokenRefusal."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass, replace

from userpool.auth import (
    Hosted,
    IssuedTokens,
    Runtime,
    read_refresh_token,
    redeem_refresh_token,
    refreshed_tokens,
    rotated_tokens,
)
from userpool.domain.auth_records import AuthorizationCode
from userpool.domain.client_rules import rotation_grace_seconds
from userpool.domain.errors import (
    CognitoError,
    NotAuthorizedException,
    RefreshTokenReuseException,
    UserNotFoundException,
)
from userpool.domain.models import AppClient
from userpool.oauth import codes
from userpool.services.client_tokens import TokenRefusal
from userpool.tokens.issuer import hash_refresh_token

OPENID = "openid"
# RFC 7636 §4.1: 43 to 128 characters of the unreserved set.
VERIFIER = re.compile(r"[A-Za-z0-9\-._~]{43,128}")


@dataclass(frozen=True)
class Granted:
    """The token response: the ID token only when the grant carries `openid` (or, for a
    refresh token of an API sign-in, always, as REFRESH_TOKEN_AUTH gives one); the refresh
    token for a code, or a rotated one."""

    access_token: str
    expires_in: int
    id_token: str | None = None
    refresh_token: str | None = None

    def body(self) -> dict[str, object]:
        optional = {"id_token": self.id_token, "refresh_token": self.refresh_token}
        shown = {name: value for name, value in optional.items() if value is not None}
        base = {"access_token": self.access_token, "expires_in": self.expires_in}
        return base | shown | {"token_type": "Bearer"}


def pkce_holds(grant: AuthorizationCode, verifier: str | None) -> bool:
    """RFC 7636 §4.6: the verifier answers the code's challenge (S256: BASE64URL of its
    SHA-256, unpadded; plain: itself), compared in constant time. A code without a
    challenge needs none."""
    if grant.code_challenge is None:
        return True
    if verifier is None:
        return False
    if grant.code_challenge_method == "S256":
        digest = hashlib.sha256(verifier.encode("ascii")).digest()
        answer = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    elif grant.code_challenge_method in (None, "plain"):
        answer = verifier
    else:
        return False
    return hmac.compare_digest(answer.encode(), grant.code_challenge.encode())


def exchange_code(
    runtime: Runtime,
    client: AppClient,
    code: str,
    redirect_uri: str,
    verifier: str | None,
    now: float,
) -> Granted:
    """The tokens of `code`. The code is taken out by its first exchange whatever comes of
    it (one DELETE ... RETURNING decides, so of many exchanges at once one gets it), and only
    then checked: a code tried with the wrong client, redirect_uri or verifier is spent, not
    left for another guess."""
    if verifier is not None and not VERIFIER.fullmatch(verifier):
        raise TokenRefusal("invalid_request")
    with runtime.store.write() as tx:
        taken = codes.redeem(runtime, tx, code, now)
    if taken is None:
        raise TokenRefusal("invalid_grant")
    grant, tokens = taken
    if grant.pool_id != client.pool_id or not hmac.compare_digest(grant.client_id, client.id):
        raise TokenRefusal("invalid_grant")
    if not hmac.compare_digest(grant.redirect_uri.encode(), redirect_uri.encode()):
        raise TokenRefusal("invalid_grant")
    if not pkce_holds(grant, verifier):
        raise TokenRefusal("invalid_grant")
    _check_still_signed_in(runtime, tokens)
    return Granted(
        tokens.access_token,
        tokens.expires_in,
        tokens.id_token if OPENID in grant.scopes else None,
        tokens.refresh_token,
    )


def _check_still_signed_in(runtime: Runtime, tokens: IssuedTokens) -> None:
    """The sign-in the code stands for was not signed out (GlobalSignOut, a revocation) in
    the minutes since: its refresh token is still live."""
    if tokens.refresh_token is None:
        raise TokenRefusal("invalid_grant")
    with runtime.store.read() as tx:
        record = tx.refresh_tokens.get(hash_refresh_token(tokens.refresh_token))
    if record is None or record.revoked:
        raise TokenRefusal("invalid_grant")


def refresh(runtime: Runtime, client: AppClient, token: str, now: float) -> Granted:
    """New tokens from `token`, with GetTokensFromRefreshToken's rules: the token must be this
    client's, live and not rotated out; rotation on the client gives a new refresh token. A
    token bound to a device cannot be used here (no DEVICE_KEY), as on Cognito. The tokens keep
    the OAuth scopes of the sign-in the token came from."""
    try:
        attempt, stored = read_refresh_token(runtime, client.id, now, token)
        record = stored.record
        if record is not None and record.scopes is not None:
            attempt = replace(attempt, hosted=Hosted(record.scopes))
        redeemed = redeem_refresh_token(attempt, stored, None)
        if rotation_grace_seconds(client.settings) is None:
            tokens = refreshed_tokens(attempt, redeemed)
        else:
            tokens = rotated_tokens(attempt, redeemed)
    except (NotAuthorizedException, RefreshTokenReuseException, UserNotFoundException) as error:
        raise TokenRefusal("invalid_grant") from error
    except CognitoError as error:  # a PreTokenGeneration function that failed, say
        raise TokenRefusal("invalid_request") from error
    scopes = redeemed.record.scopes
    with_id = scopes is None or OPENID in scopes
    return Granted(
        tokens.access_token,
        tokens.expires_in,
        tokens.id_token if with_id else None,
        tokens.refresh_token,
    )
