"""Signing ID and access tokens, and minting opaque refresh tokens (kept as hashes)."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from userpool.domain.errors import InternalErrorException
from userpool.tokens import jws
from userpool.tokens.claims import (
    NO_OVERRIDES,
    Grant,
    Overrides,
    access_claims,
    client_credentials_claims,
    id_claims,
)
from userpool.tokens.keys import KeyRing

REFRESH_TOKEN_BYTES = 96


@dataclass(frozen=True)
class SignedTokens:
    id_token: str
    access_token: str
    expires_in: int


def new_refresh_token() -> tuple[str, str]:
    """(token, its SHA-256 hex): the caller gets the token, storage only the hash."""
    token = secrets.token_urlsafe(REFRESH_TOKEN_BYTES)
    return token, hash_refresh_token(token)


def hash_refresh_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class TokenSigner:
    def __init__(self, keys: KeyRing, issuer_for: Callable[[str], str]) -> None:
        self._keys = keys
        self.issuer_for = issuer_for

    def sign(
        self,
        pool_id: str,
        grant: Grant,
        read_attributes: list[str] | None,
        now: float,
        id_validity: int,
        access_validity: int,
        overrides: Overrides = NO_OVERRIDES,
    ) -> SignedTokens:
        keys = self._keys.for_pool(pool_id)
        if keys is None:
            raise InternalErrorException()
        iat = int(now)
        id_kid, id_key = keys.signing["id"]
        access_kid, access_key = keys.signing["access"]
        id_token = jws.sign(
            id_claims(grant, read_attributes, iat, iat + id_validity, str(uuid.uuid4()), overrides),
            id_kid,
            id_key,
        )
        access_token = jws.sign(
            access_claims(grant, iat, iat + access_validity, str(uuid.uuid4()), overrides),
            access_kid,
            access_key,
        )
        return SignedTokens(id_token, access_token, access_validity)

    def sign_client_access(
        self,
        pool_id: str,
        client_id: str,
        scopes: list[str],
        now: float,
        validity: int,
        overrides: Overrides = NO_OVERRIDES,
    ) -> str:
        """A client_credentials access token, signed with the pool's access-token key."""
        keys = self._keys.for_pool(pool_id)
        if keys is None:
            raise InternalErrorException()
        iat = int(now)
        kid, key = keys.signing["access"]
        issuer, jti = self.issuer_for(pool_id), str(uuid.uuid4())
        claims = client_credentials_claims(
            issuer, client_id, scopes, iat, iat + validity, jti, overrides
        )
        return jws.sign(claims, kid, key)
