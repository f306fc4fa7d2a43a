"""A user's passkeys: StartWebAuthnRegistration, CompleteWebAuthnRegistration,
ListWebAuthnCredentials, DeleteWebAuthnCredential (each with the user's access token).

Registration is two calls. The first opens a registration for the user: a fresh challenge,
kept (PasskeyRepository.put_challenge) with the app client it was asked through, the RP id
and user verification its options name, and five minutes to answer; a second start replaces
it. The second call takes that registration out of storage whatever follows (one answer per
challenge: a failed check does not leave it open for another try), checks the answer
(accounts/passkey_registration.py) and stores the passkey, in one write.

The RP id is the pool's WebAuthnConfiguration.RelyingPartyId; on AWS an unset one means the
pool's domain, and pools here have no domain, so it is the host this server is reached at
(domain/passkey_rules.default_relying_party of the token issuer, i.e. the public URL).
"""

from __future__ import annotations

import secrets
from typing import Any

from webauthn.helpers import bytes_to_base64url

from userpool.accounts import passkey_registration
from userpool.domain import passkey_rules, tier_rules
from userpool.domain.auth_records import Passkey, PasskeyChallenge
from userpool.domain.errors import (
    CognitoError,
    InvalidParameterException,
    LimitExceededException,
    ResourceNotFoundException,
    WebAuthnChallengeNotFoundException,
    WebAuthnClientMismatchException,
    WebAuthnConfigurationMissingException,
    WebAuthnNotEnabledException,
)
from userpool.domain.models import UserPool
from userpool.services.access import caller, check_access_token
from userpool.services.common import decode_token, encode_token
from userpool.services.context import Context, Request, Response
from userpool.services.registry import operation

CHALLENGE_BYTES = 16  # as Cognito's own challenges (WebAuthn asks for at least 16)
CHALLENGE_SECONDS = 300.0  # how long a registration stays open
# Passkeys per user: 20 is the quota reported for Cognito (not found in the documentation
# here) and the most ListWebAuthnCredentials shows in one page.
MAX_PASSKEYS = 20
MAX_RESULTS = 20  # the model's maximum for ListWebAuthnCredentials, and its default here
TOO_MANY = f"A user can register at most {MAX_PASSKEYS} passkeys."
DUPLICATE = "This passkey is already registered."
NOT_FOUND = "Passkey credential not found."


def _relying_party(ctx: Context, pool: UserPool) -> str:
    rp_id = passkey_rules.configured_relying_party(pool) or passkey_rules.default_relying_party(
        ctx.runtime.signer.issuer_for(pool.id)
    )
    if rp_id is None:
        raise WebAuthnConfigurationMissingException()
    return rp_id


def credential_description(passkey: Passkey) -> dict[str, Any]:
    """WebAuthnCredentialDescription."""
    description: dict[str, Any] = {
        "CredentialId": passkey.credential_id,
        "FriendlyCredentialName": passkey.friendly_name or "",
        "RelyingPartyId": passkey.relying_party_id,
        "AuthenticatorTransports": list(passkey.transports),
        "CreatedAt": passkey.created,
    }
    if passkey.authenticator_attachment is not None:
        description["AuthenticatorAttachment"] = passkey.authenticator_attachment
    return description


@operation("StartWebAuthnRegistration")
def start_web_authn_registration(ctx: Context, request: Request) -> Response:
    token = check_access_token(ctx, request["AccessToken"])
    now = ctx.clock()
    with ctx.store.write() as tx:
        found = caller(tx, token)
        pool, user = found.pool, found.user
        if not passkey_rules.enabled(pool):
            raise WebAuthnNotEnabledException()
        tier_rules.check_webauthn(pool)
        pending = PasskeyChallenge(
            pool_id=pool.id,
            sub=user.sub,
            client_id=token.client_id,
            challenge=bytes_to_base64url(secrets.token_bytes(CHALLENGE_BYTES)),
            relying_party_id=_relying_party(ctx, pool),
            user_verification=passkey_rules.user_verification(pool),
            expires=now + CHALLENGE_SECONDS,
        )
        registered = tx.passkeys.of_user(pool.id, user.sub)
        if len(registered) >= MAX_PASSKEYS:
            raise LimitExceededException(TOO_MANY)
        tx.passkeys.put_challenge(pending)
    options = passkey_registration.creation_options(user, pending, registered)
    return {"CredentialCreationOptions": options}


@operation("CompleteWebAuthnRegistration")
def complete_web_authn_registration(ctx: Context, request: Request) -> Response:
    token = check_access_token(ctx, request["AccessToken"])
    now = ctx.clock()
    refusal: CognitoError | None = None
    with ctx.store.write() as tx:
        found = caller(tx, token)
        pool, user = found.pool, found.user
        if not passkey_rules.enabled(pool):
            raise WebAuthnNotEnabledException()
        # Taken out first and for good: this write commits even when the answer is refused.
        pending = tx.passkeys.take_challenge(pool.id, user.sub)
        try:
            if pending is None or pending.expires <= now:
                raise WebAuthnChallengeNotFoundException()
            if pending.client_id != token.client_id:
                raise WebAuthnClientMismatchException()
            passkey = passkey_registration.verify_registration(pending, request["Credential"], now)
            # The user's row is held (caller's read in a write), so two registrations of one
            # user cannot both pass this count.
            if tx.passkeys.count(pool.id, user.sub) >= MAX_PASSKEYS:
                raise LimitExceededException(TOO_MANY)
            if not tx.passkeys.add(passkey):
                raise InvalidParameterException(DUPLICATE)
        except CognitoError as error:
            refusal = error
    if refusal is not None:
        raise refusal
    return {}


@operation("ListWebAuthnCredentials")
def list_web_authn_credentials(ctx: Context, request: Request) -> Response:
    token = check_access_token(ctx, request["AccessToken"])
    # MaxResults 0 is allowed by the model but would make a page that never moves on.
    limit = int(request.get("MaxResults") or MAX_RESULTS)
    after = decode_token(request.get("NextToken"))
    with ctx.store.read() as tx:
        found = caller(tx, token)
        page = tx.passkeys.list(found.pool.id, found.user.sub, limit, after)
    response: Response = {"Credentials": [credential_description(p) for p in page.items]}
    if page.next_key is not None:
        response["NextToken"] = encode_token(page.next_key)
    return response


@operation("DeleteWebAuthnCredential")
def delete_web_authn_credential(ctx: Context, request: Request) -> Response:
    token = check_access_token(ctx, request["AccessToken"])
    with ctx.store.write() as tx:
        found = caller(tx, token)
        if not tx.passkeys.delete(found.pool.id, found.user.sub, request["CredentialId"]):
            raise ResourceNotFoundException(NOT_FOUND)
    return {}
