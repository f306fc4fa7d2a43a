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


@dataclass(frozen=True)
class RefreshRecord:
    """A refresh token, kept as its hash. `jti` is the `origin_jti` of every token from it."""

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
