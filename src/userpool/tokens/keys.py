"""Per-pool RS256 signing keys: made on pool creation and by rotation (tokens/rotation.py),
kept sealed in storage, cached here.

A pool's JWKS holds its ID-token and access-token keys: those that sign, those rotated in
that do not sign yet, and those rotated out that verify until they retire. Of each use, the
key that signs is the one that started last. Each process caches a pool's keys and reads
them again at least every `RECHECK_SECONDS`, so that a rotation made by another process or
node reaches it within that time; the JWKS, and a token whose `kid` this process does not
know, read them at once. A private key is opened (unsealed) once per process, and a pool's
keys are read by one thread at a time: a burst of requests to a pool that a process has not
cached yet (a worker just started) reads and opens them once, not once per thread.
"""

from __future__ import annotations

import base64
import hashlib
import math
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import orjson
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from userpool.crypto.sealing import Sealer, derive
from userpool.domain.auth_records import StoredSigningKey
from userpool.storage.repositories import Store

USES = ("id", "access")
PURPOSE = "signing-keys"  # the server key's derived key that seals them
RECHECK_SECONDS = 2.0


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
    """A pool's keys as read at one moment, without those retired by then."""

    signing: dict[str, tuple[str, rsa.RSAPrivateKey]]  # use -> (kid, key)
    public: dict[str, rsa.RSAPublicKey]  # kid -> key, for every key in the JWKS
    jwks: bytes
    opened: dict[str, rsa.RSAPrivateKey]  # kid -> key: reused when the pool is read again
    until: float  # when a key of them starts to sign or retires: stale then


class KeyRing:
    """Signing keys by pool, cached per process (see the module notes)."""

    def __init__(
        self,
        store: Store,
        sealer: Sealer,
        clock: Callable[[], float] = time.time,
        recheck: float = RECHECK_SECONDS,
    ) -> None:
        self._store = store
        self._sealer = sealer
        self._clock = clock
        self._recheck = recheck
        self._cache: dict[str, tuple[PoolKeys, float]] = {}  # pool -> (keys, read again at)
        self._ticks = time.monotonic  # for when to read again: immune to the clock being set
        self._kid_pools: dict[str, str] = {}
        self._lock = threading.Lock()
        self._reading: dict[str, threading.Lock] = {}  # pool -> held while its keys are read

    @classmethod
    def from_server_key(
        cls, store: Store, server_key: bytes, clock: Callable[[], float] = time.time
    ) -> KeyRing:
        """`clock`: the server's (which key signs, which have retired, depend on it)."""
        return cls(store, Sealer(derive(server_key, PURPOSE)), clock)

    def generate(
        self, pool_id: str, now: float, signs_from: float | None = None
    ) -> list[StoredSigningKey]:
        """Fresh ID and access signing keys for a pool, sealed for storage, that sign from
        `signs_from` (None: from the start, whatever the clock says)."""
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
            made.append(StoredSigningKey(kid, pool_id, use, sealed, jwk, now, signs_from))
        return made

    def opens(self, key: StoredSigningKey) -> bool:
        """Whether this ring's sealer opens `key`: made with the same server key."""
        try:
            self._open(key)
        except ValueError:
            return False
        return True

    def for_pool(self, pool_id: str, *, fresh: bool = False) -> PoolKeys | None:
        """The pool's keys; `fresh`: as stored now, not as this process last read them."""
        cached = self._cached(pool_id)
        if cached is not None and not fresh:
            return cached
        with self._lock:
            reading = self._reading.setdefault(pool_id, threading.Lock())
        with reading:
            if not fresh:  # another thread may have read them while this one waited
                cached = self._cached(pool_id)
                if cached is not None:
                    return cached
            return self._read(pool_id)

    def _cached(self, pool_id: str) -> PoolKeys | None:
        """The pool's keys as cached, if they are neither due to be read again nor stale."""
        cached = self._cache.get(pool_id)
        if cached is None:
            return None
        keys, read_again = cached
        return keys if self._ticks() < read_again and self._clock() < keys.until else None

    def _read(self, pool_id: str) -> PoolKeys | None:
        now, tick = self._clock(), self._ticks()
        cached = self._cache.get(pool_id)
        with self._store.read() as tx:
            stored = tx.signing_keys.for_pool(pool_id)
        live = [key for key in stored if key.retires is None or key.retires > now]
        if not live:
            with self._lock:
                self._cache.pop(pool_id, None)
            return None
        keys = self._build(live, now, cached[0].opened if cached else {})
        with self._lock:
            self._cache[pool_id] = (keys, tick + self._recheck)
        return keys

    def public_key(self, pool_id: str, kid: str) -> rsa.RSAPublicKey | None:
        """The key `kid` of the pool, if it is in the pool's JWKS now. A `kid` this process
        has not seen may be a key rotated in elsewhere since it last read the pool's."""
        keys = self.for_pool(pool_id)
        found = keys.public.get(kid) if keys else None
        if found is None:
            keys = self.for_pool(pool_id, fresh=True)
            found = keys.public.get(kid) if keys else None
        return found

    def forget(self, pool_id: str) -> None:
        """Read the pool's keys again at its next use (this process has just changed them)."""
        with self._lock:
            self._cache.pop(pool_id, None)

    def pool_of_kid(self, kid: str) -> str | None:
        """The pool whose key has this id (cached once seen: a kid never changes pool)."""
        pool_id = self._kid_pools.get(kid)
        if pool_id is None:
            with self._store.read() as tx:
                stored = tx.signing_keys.get(kid)
            if stored is None:
                return None
            pool_id = self._kid_pools[kid] = stored.pool_id
        return pool_id

    def _build(
        self, live: list[StoredSigningKey], now: float, opened: Mapping[str, rsa.RSAPrivateKey]
    ) -> PoolKeys:
        keys = {key.kid: opened.get(key.kid) or self._open(key) for key in live}
        started = sorted((key for key in live if _signs(key, now)), key=_start_order)
        signing = {key.use: (key.kid, keys[key.kid]) for key in started}  # the last one's
        public = {kid: private.public_key() for kid, private in keys.items()}
        jwks = orjson.dumps({"keys": [orjson.loads(key.public_jwk) for key in live]})
        changes = [key.active_from for key in live if not _signs(key, now)]
        changes += [key.retires for key in live if key.retires is not None]
        return PoolKeys(signing, public, jwks, keys, min(changes, default=math.inf))

    def _open(self, key: StoredSigningKey) -> rsa.RSAPrivateKey:
        der = self._sealer.open(key.private_sealed, key.kid.encode())
        private = serialization.load_der_private_key(der, password=None)
        if not isinstance(private, rsa.RSAPrivateKey):
            raise ValueError(f"signing key {key.kid} is not an RSA key")
        return private


def _signs(key: StoredSigningKey, now: float) -> bool:
    """Whether the key may sign at `now`: a pool's first keys always may."""
    return key.signs_from is None or key.signs_from <= now


def _start_order(key: StoredSigningKey) -> tuple[float, float, str]:
    return (key.active_from, key.created, key.kid)
