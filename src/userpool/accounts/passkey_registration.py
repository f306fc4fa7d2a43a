"""Registering a passkey: the options StartWebAuthnRegistration hands out, and the check of
the RegistrationResponseJSON CompleteWebAuthnRegistration brings back.

Each refusal is the Cognito error that names it. To tell them apart the answer is first read
with py_webauthn's own parsers (clientDataJSON, attestationObject, the COSE key); then
py_webauthn's `verify_registration_response` verifies the whole of it, attestation statement
included. Attestation is not required to chain to any vendor: Cognito does not ask for
attestation, so `none` (what browsers send then) and self or x5c `packed` statements are
accepted once their signature checks out, as is any other format py_webauthn verifies.
"""

from __future__ import annotations

import binascii
import hashlib
from typing import Any

from webauthn import verify_registration_response
from webauthn.helpers import (
    base64url_to_bytes,
    bytes_to_base64url,
    decode_credential_public_key,
    parse_attestation_object,
    parse_client_data_json,
    parse_registration_credential_json,
)
from webauthn.helpers.cose import COSEAlgorithmIdentifier
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import ClientDataType, RegistrationCredential

from userpool.domain import passkey_rules
from userpool.domain.auth_records import Passkey, PasskeyChallenge
from userpool.domain.errors import (
    InvalidParameterException,
    WebAuthnChallengeNotFoundException,
    WebAuthnCredentialNotSupportedException,
    WebAuthnOriginNotAllowedException,
    WebAuthnRelyingPartyMismatchException,
)
from userpool.domain.models import User

# What Cognito's options carry (the AWS CLI's example of StartWebAuthnRegistration): ES256
# and RS256 keys, a minute for the authenticator, a discoverable credential.
ALGORITHMS = (
    COSEAlgorithmIdentifier.ECDSA_SHA_256,
    COSEAlgorithmIdentifier.RSASSA_PKCS1_v1_5_SHA_256,
)
CREATION_TIMEOUT_MS = 60_000
MALFORMED = "Credential is not a valid passkey registration response."
NOT_VERIFIED = "The passkey registration response could not be verified."
NO_USER_VERIFICATION = "The passkey did not verify the user, and the user pool requires it."
ALGORITHM_NOT_SUPPORTED = "The passkey's public key algorithm is not supported."
_FAILURES = (WebAuthnException, ValueError, TypeError, KeyError, binascii.Error)


def creation_options(
    user: User, pending: PasskeyChallenge, registered: list[Passkey]
) -> dict[str, Any]:
    """CredentialCreationOptions (a PublicKeyCredentialCreationOptionsJSON document) as Cognito
    shapes it: the RP named by its id, the user by username with the sub as user handle, the
    user's passkeys excluded so an authenticator does not register one twice."""
    return {
        "authenticatorSelection": {
            "requireResidentKey": True,
            "residentKey": "required",
            "userVerification": pending.user_verification,
        },
        "challenge": pending.challenge,
        "excludeCredentials": [
            {"id": passkey.credential_id, "type": "public-key"} for passkey in registered
        ],
        "pubKeyCredParams": [{"alg": int(alg), "type": "public-key"} for alg in ALGORITHMS],
        "rp": {"id": pending.relying_party_id, "name": pending.relying_party_id},
        "timeout": CREATION_TIMEOUT_MS,
        "user": {
            "displayName": user.username,
            "id": bytes_to_base64url(user.sub.encode()),
            "name": user.username,
        },
    }


def _parsed(credential: Any) -> RegistrationCredential:
    if not isinstance(credential, dict):
        raise InvalidParameterException(MALFORMED)
    try:
        return parse_registration_credential_json(credential)
    except _FAILURES as error:
        raise InvalidParameterException(MALFORMED) from error


def _classify(parsed: RegistrationCredential, pending: PasskeyChallenge) -> str:
    """Raise the Cognito error for the first thing the answer gets wrong that has one; the
    origin the answer was made on, when none does."""
    try:
        client_data = parse_client_data_json(parsed.response.client_data_json)
        attestation = parse_attestation_object(parsed.response.attestation_object)
    except _FAILURES as error:
        raise InvalidParameterException(MALFORMED) from error
    rp_id = pending.relying_party_id
    if client_data.type != ClientDataType.WEBAUTHN_CREATE:
        raise InvalidParameterException(MALFORMED)
    if client_data.challenge != base64url_to_bytes(pending.challenge):
        raise WebAuthnChallengeNotFoundException()
    if not passkey_rules.origin_allowed(client_data.origin, rp_id):
        raise WebAuthnOriginNotAllowedException(
            f"The origin {client_data.origin} is not allowed for relying party {rp_id}."
        )
    auth_data = attestation.auth_data
    if auth_data.rp_id_hash != hashlib.sha256(rp_id.encode()).digest():
        raise WebAuthnRelyingPartyMismatchException(
            f"The passkey credential is not for relying party {rp_id}."
        )
    if pending.user_verification == passkey_rules.REQUIRED and not auth_data.flags.uv:
        raise WebAuthnCredentialNotSupportedException(NO_USER_VERIFICATION)
    attested = auth_data.attested_credential_data
    if attested is None:
        raise InvalidParameterException(MALFORMED)
    try:
        algorithm = decode_credential_public_key(attested.credential_public_key).alg
    except _FAILURES as error:
        raise WebAuthnCredentialNotSupportedException(ALGORITHM_NOT_SUPPORTED) from error
    if algorithm not in ALGORITHMS:
        raise WebAuthnCredentialNotSupportedException(ALGORITHM_NOT_SUPPORTED)
    return client_data.origin


def verify_registration(pending: PasskeyChallenge, credential: Any, now: float) -> Passkey:
    """The passkey a RegistrationResponseJSON registers for `pending`'s user, or the Cognito
    error that refuses it."""
    parsed = _parsed(credential)
    origin = _classify(parsed, pending)
    try:
        verified = verify_registration_response(
            credential=parsed,
            expected_challenge=base64url_to_bytes(pending.challenge),
            expected_rp_id=pending.relying_party_id,
            expected_origin=origin,
            require_user_verification=pending.user_verification == passkey_rules.REQUIRED,
            supported_pub_key_algs=list(ALGORITHMS),
        )
    except _FAILURES as error:
        raise InvalidParameterException(NOT_VERIFIED) from error
    attachment = parsed.authenticator_attachment
    attachment_name = attachment.value if attachment is not None else None
    return Passkey(
        credential_id=bytes_to_base64url(verified.credential_id),
        pool_id=pending.pool_id,
        sub=pending.sub,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        transports=tuple(t.value for t in parsed.response.transports or ()),
        relying_party_id=pending.relying_party_id,
        created=now,
        friendly_name=passkey_rules.friendly_name(attachment_name),
        authenticator_attachment=attachment_name,
    )
