"""Per-pool RS256 signing keys: made on pool creation, kept sealed in storage, cached here."""

from __future__ import annotations

import base64
import hashlib
import threading
from dataclasses import dataclass

import orjson
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from userpool.crypto.sealing import Sealer
from userpool.domain.auth_records import StoredSigningKey
from userpool.storage.repositories import Store

USES = ("id", "access")


def _b64url_uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def public_jwk(kid: str, public: rsa.RSAPublicKey) -> dict[str, str]:
    numbers = public.public_numbers()
    return {
        "alg": "RS256",
        "e": _b64url_uint(numbers.e),
        "kid": kid,
        "kty": "RSA",
        "n": _b64url_uint(numbers.n),
        "use": "sig",
    }


@dataclass(frozen=True)
class PoolKeys:
    signing: dict[str, tuple[str, rsa.RSAPrivateKey]]  # use -> (kid, key)
    public: dict[str, rsa.RSAPublicKey]  # kid -> key
    jwks: bytes


class KeyRing:
    """Signing keys by pool. Keys never change once made, so each process caches them."""

    def __init__(self, store: Store, sealer: Sealer) -> None:
        self._store = store
        self._sealer = sealer
        self._cache: dict[str, PoolKeys] = {}
        self._kid_pools: dict[str, str] = {}
        self._lock = threading.Lock()

    def generate(self, pool_id: str, now: float) -> list[StoredSigningKey]:
        """Fresh ID and access signing keys for a new pool, sealed for storage."""
        made = []
        for use in USES:
            private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            der = private.public_key().public_bytes(
                serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            kid = base64.b64encode(hashlib.sha256(der).digest()).decode()
            secret = private.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            jwk = orjson.dumps(public_jwk(kid, private.public_key())).decode()
            sealed = self._sealer.seal(secret, kid.encode())
            made.append(StoredSigningKey(kid, pool_id, use, sealed, jwk, now))
        return made

    def for_pool(self, pool_id: str) -> PoolKeys | None:
        keys = self._cache.get(pool_id)
        if keys is None:
            keys = self._load(pool_id)
            if keys is not None:
                with self._lock:
                    self._cache[pool_id] = keys
        return keys

    def pool_of_kid(self, kid: str) -> str | None:
        """The pool whose key has this id (cached once seen)."""
        pool_id = self._kid_pools.get(kid)
        if pool_id is None:
            with self._store.read() as tx:
                stored = tx.signing_keys.get(kid)
            if stored is None:
                return None
            pool_id = self._kid_pools[kid] = stored.pool_id
        return pool_id

    def _load(self, pool_id: str) -> PoolKeys | None:
        with self._store.read() as tx:
            stored = tx.signing_keys.for_pool(pool_id)
        if not stored:
            return None
        signing: dict[str, tuple[str, rsa.RSAPrivateKey]] = {}
        public: dict[str, rsa.RSAPublicKey] = {}
        for key in stored:
            der = self._sealer.open(key.private_sealed, key.kid.encode())
            private = serialization.load_der_private_key(der, password=None)
            assert isinstance(private, rsa.RSAPrivateKey)
            signing[key.use] = (key.kid, private)
            public[key.kid] = private.public_key()
        jwks = orjson.dumps({"keys": [orjson.loads(key.public_jwk) for key in stored]})
        return PoolKeys(signing, public, jwks)
