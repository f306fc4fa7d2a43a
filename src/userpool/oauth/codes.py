"""Authorization codes: what managed login hands the client's redirect_uri once a sign-in has
finished, and the token endpoint exchanges for that sign-in's tokens. A code is a random
UUID (as Cognito's look), stored as its hash with the tokens sealed (the server key), valid
for `CODE_SECONDS`, and taken out by its one exchange (storage: DELETE ... RETURNING)."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import asdict

import orjson

from userpool.auth import IssuedTokens, Runtime
from userpool.domain.auth_records import AuthorizationCode
from userpool.storage.repositories import Transaction

CODE_SECONDS = 300  # Cognito's authorization codes are valid for five minutes
CONTEXT = b"userpool-authorization-code"


def code_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def issue(
    runtime: Runtime,
    tx: Transaction,
    grant: AuthorizationCode,
    tokens: IssuedTokens,
) -> str:
    """Store a new code for `tokens` with what `grant` says (its code_hash, sealed_tokens and
    expires are filled in here) and return the code."""
    code = str(uuid.uuid4())
    sealed = runtime.sessions.seal_bytes(orjson.dumps(asdict(tokens)), CONTEXT)
    tx.authorization_codes.add(
        AuthorizationCode(
            code_hash(code),
            grant.pool_id,
            grant.client_id,
            grant.sub,
            grant.redirect_uri,
            grant.scopes,
            sealed,
            grant.expires,
            grant.code_challenge,
            grant.code_challenge_method,
        )
    )
    return code


def redeem(
    runtime: Runtime, tx: Transaction, code: str, now: float
) -> tuple[AuthorizationCode, IssuedTokens] | None:
    """The code's record and its tokens, taking the code out; None when it is unknown, used
    or expired."""
    record = tx.authorization_codes.take(code_hash(code))
    if record is None or now >= record.expires:
        return None
    values = orjson.loads(runtime.sessions.open_bytes(record.sealed_tokens, CONTEXT))
    values.pop("new_device", None)  # managed login hands out no device keys
    return record, IssuedTokens(**values)
