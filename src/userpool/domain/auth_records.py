"""Stored records of the sign-in engine: signing keys, refresh tokens, lockout state."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StoredSigningKey:
    kid: str
    pool_id: str
    use: str  # "id" or "access"
    private_sealed: bytes
    public_jwk: str  # JSON text of the public JWK
    created: float
    signs_from: float | None = None  # None: a pool's first keys, which sign from the start
    retires: float | None = None  # when it leaves the JWKS; None: not rotated out

    @property
    def active_from(self) -> float:
        """When it starts to sign, for ordering (a rotated-in key is in the JWKS before)."""
        return self.created if self.signs_from is None else self.signs_from


@dataclass(frozen=True)
class RefreshRecord:
    """A refresh token, kept as its hash. `jti` is the `origin_jti` of every token from it.
    `scopes`: the OAuth scopes of a managed-login sign-in, which its refreshed tokens keep;
    None for a sign-in through the API. `event_id`: the sign-in's, which they keep too (None:
    a token stored before it was kept)."""

    token_hash: str
    jti: str
    pool_id: str
    client_id: str
    sub: str
    auth_time: float
    created: float
    expires: float
    device_key: str | None = None
    revoked: bool = False
    rotated_at: float | None = None
    scopes: tuple[str, ...] | None = None
    event_id: str | None = None  # the `event_id` of the sign-in it came from


@dataclass(frozen=True)
class Lockout:
    """Consecutive failed sign-ins of one user, and until when the user is locked."""

    failures: int
    last_failure: float
    locked_until: float


@dataclass(frozen=True)
class Device:
    """A device a user confirmed (ConfirmDevice): its key, the user's device group key and
    the SRP verifier of the device's secret (never the secret itself). `remembered`: the
    device may stand in for MFA where the pool lets it (DeviceConfiguration)."""

    key: str
    pool_id: str
    sub: str
    group_key: str
    salt: str  # hex, as the client sent it (base64 on the wire)
    verifier: str  # hex
    name: str | None
    remembered: bool
    created: float
    modified: float
    last_authenticated: float | None = None
    last_ip: str | None = None


@dataclass(frozen=True)
class Passkey:
    """A passkey a user registered (CompleteWebAuthnRegistration): the credential's public key
    as the authenticator gave it (a COSE_Key), the signature counter it last reported, and what
    ListWebAuthnCredentials shows. `relying_party_id`: the RP id it was made for; its
    authenticator signs only for that one."""

    credential_id: str  # base64url without padding, as WebAuthn's JSON forms carry it
    pool_id: str
    sub: str
    public_key: bytes
    sign_count: int
    transports: tuple[str, ...]
    relying_party_id: str
    created: float
    friendly_name: str | None = None
    authenticator_attachment: str | None = None  # "platform" or "cross-platform"


@dataclass(frozen=True)
class PasskeyChallenge:
    """The open StartWebAuthnRegistration of one user: one at a time, answerable once, by that
    user through the same app client, until `expires`. It keeps what its options said (RP id,
    user verification), so a pool changed in between does not change the answer's rules."""

    pool_id: str
    sub: str
    client_id: str
    challenge: str  # base64url without padding, as clientDataJSON carries it back
    relying_party_id: str
    user_verification: str  # "required" or "preferred"
    expires: float


@dataclass(frozen=True)
class AuthorizationCode:
    """An OAuth 2.0 authorization code of a pool domain's `/oauth2/authorize`, kept as its hash
    (`code_hash`), single use, for a few minutes. It holds what the managed login's sign-in
    issued (`sealed_tokens`: the tokens, sealed with the server key) and what the token
    endpoint must check before handing them out: the client, the exact redirect_uri, and the
    PKCE challenge (`code_challenge`, method "S256" or "plain"; None without PKCE)."""

    code_hash: str
    pool_id: str
    client_id: str
    sub: str
    redirect_uri: str
    scopes: tuple[str, ...]
    sealed_tokens: bytes
    expires: float
    code_challenge: str | None = None
    code_challenge_method: str | None = None
