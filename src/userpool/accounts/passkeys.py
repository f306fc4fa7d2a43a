"""Signing in with a passkey: what the sign-in engine's WEB_AUTHN challenge sends and how its
answer is checked. Pure but for py_webauthn's verification; the engine keeps the challenge,
finds the passkey and moves its counter (PasskeyRepository.update_sign_count) in its write.

1. `authentication_options(pool, credentials, challenge)`: the CREDENTIAL_REQUEST_OPTIONS
   challenge parameter, a PublicKeyCredentialRequestOptionsJSON string (Amplify JSON.parses it
   and hands it to navigator.credentials.get).
2. `credential_id_of(credential_json)`: which stored passkey the CREDENTIAL answer claims.
3. `verify_assertion(pool, passkey, challenge, credential_json)`: the answer checked with
   py_webauthn (signature, RP id hash, origin, flags, challenge, counter); the new counter.
"""

from __future__ import annotations

import binascii
import re
from collections.abc import Sequence

import orjson
from cryptography.exceptions import InvalidSignature
from webauthn import verify_authentication_response
from webauthn.helpers import (
    base64url_to_bytes,
    bytes_to_base64url,
    parse_authentication_credential_json,
    parse_client_data_json,
)
from webauthn.helpers.exceptions import WebAuthnException

from userpool.domain import passkey_rules
from userpool.domain.auth_records import Passkey
from userpool.domain.errors import InvalidParameterException, NotAuthorizedException
from userpool.domain.models import UserPool

# Cognito's sign-in options give the authenticator three minutes (Amplify's tests carry a
# CREDENTIAL_REQUEST_OPTIONS captured from Cognito with `"timeout":180000`).
REQUEST_TIMEOUT_MS = 180_000
# What a failed passkey answer gets: the one refusal every failed first factor gets, so that
# it tells nothing about which check failed. (Cognito's own text for this case is not
# documented.)
REFUSED = "Incorrect username or password."
MALFORMED = "CREDENTIAL is not a valid passkey credential."
# What a failed check can raise inside py_webauthn besides its own exceptions: bad base64 or
# CBOR (ValueError, binascii.Error), a signature cryptography cannot even parse.
_BASE64URL = re.compile(r"[A-Za-z0-9_-]+={0,2}")
_FAILURES = (WebAuthnException, InvalidSignature, ValueError, TypeError, binascii.Error)


def relying_party_for_sign_in(pool: UserPool, credentials: Sequence[Passkey]) -> str | None:
    """The pool's RelyingPartyId; without one, the RP id the user's newest passkey was made for
    (registration used this server's own host then: services/passkeys.py). None when neither
    exists: the browser then uses the page's own domain."""
    configured = passkey_rules.configured_relying_party(pool)
    if configured is not None:
        return configured
    return credentials[-1].relying_party_id if credentials else None


def authentication_options(pool: UserPool, credentials: list[Passkey], challenge: bytes) -> str:
    """CREDENTIAL_REQUEST_OPTIONS for a WEB_AUTHN challenge, shaped as Cognito's own (keys in
    its order, compact JSON): `{"hints":[],"attestation":"none","attestationFormats":[],
    "challenge","timeout","rpId","allowCredentials":[{"id","type"}],"userVerification"}`.
    `credentials`: the user's passkeys, oldest first; only those made for the RP id the
    options name are allowed (no other could answer)."""
    rp_id = relying_party_for_sign_in(pool, credentials)
    allowed = [
        {"id": passkey.credential_id, "type": "public-key"}
        for passkey in credentials
        if rp_id is None or passkey.relying_party_id == rp_id
    ]
    options: dict[str, object] = {
        "hints": [],
        "attestation": "none",
        "attestationFormats": [],
        "challenge": bytes_to_base64url(challenge),
        "timeout": REQUEST_TIMEOUT_MS,
    }
    if rp_id is not None:
        options["rpId"] = rp_id
    options["allowCredentials"] = allowed
    options["userVerification"] = passkey_rules.user_verification(pool)
    return orjson.dumps(options).decode()


def credential_id_of(credential_json: str) -> str:
    """The credential id an AuthenticationResponseJSON claims, as stored (base64url without
    padding); InvalidParameterException when the answer is no such document."""
    try:
        credential = orjson.loads(credential_json)
        claimed = credential.get("rawId") or credential.get("id")
    except (orjson.JSONDecodeError, AttributeError) as error:
        raise InvalidParameterException(MALFORMED) from error
    # Strictly base64url (Python's decoder would skip stray characters), padding optional.
    if not isinstance(claimed, str) or not _BASE64URL.fullmatch(claimed):
        raise InvalidParameterException(MALFORMED)
    try:
        return bytes_to_base64url(base64url_to_bytes(claimed))
    except (ValueError, binascii.Error) as error:  # a length no base64 text has
        raise InvalidParameterException(MALFORMED) from error


def verify_assertion(
    pool: UserPool, passkey: Passkey, challenge: bytes, credential_json: str
) -> int:
    """Check a WEB_AUTHN answer (an AuthenticationResponseJSON string) for `passkey` against
    the challenge the engine sent, and return the authenticator's new signature counter.

    py_webauthn checks the signature over authenticatorData + SHA-256(clientDataJSON) with the
    stored public key, the type `webauthn.get`, the challenge, the RP id hash, user presence,
    user verification when the pool requires it, and that a counter in use went up (a clone
    of the authenticator would repeat or lower it; a counter that stays 0 is an authenticator
    that keeps none). Checked here: the origin may use the RP id (passkey_rules), the answer
    is by this credential, and its user handle, when sent, is the passkey owner's. Any failure
    is NotAuthorizedException; the caller must still move the counter with
    `update_sign_count(..., old=passkey.sign_count, new=<returned>)` and refuse if that loses.
    """
    try:
        claimed = credential_id_of(credential_json)
    except InvalidParameterException as error:
        raise NotAuthorizedException(REFUSED) from error
    rp_id = passkey_rules.configured_relying_party(pool) or passkey.relying_party_id
    if claimed != passkey.credential_id or passkey.relying_party_id != rp_id:
        raise NotAuthorizedException(REFUSED)
    try:
        credential = parse_authentication_credential_json(credential_json)
        origin = parse_client_data_json(credential.response.client_data_json).origin
        handle = credential.response.user_handle
        if handle is not None and handle != passkey.sub.encode():
            raise NotAuthorizedException(REFUSED)
        if not passkey_rules.origin_allowed(origin, rp_id):
            raise NotAuthorizedException(REFUSED)
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp_id,
            expected_origin=origin,
            credential_public_key=passkey.public_key,
            credential_current_sign_count=passkey.sign_count,
            require_user_verification=(
                passkey_rules.user_verification(pool) == passkey_rules.REQUIRED
            ),
        )
    except _FAILURES as error:
        raise NotAuthorizedException(REFUSED) from error
    return int(verified.new_sign_count)
