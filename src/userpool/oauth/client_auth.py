"""The request side shared by a pool domain's token and revocation endpoints: the form body,
and which app client is calling. A client with a secret authenticates with HTTP Basic
(`client_id:client_secret`) or with both in the form; a public client (no secret) names
itself with the form's client_id (or Basic with an empty secret, as some libraries send)."""

from __future__ import annotations

import base64
import binascii
import hmac
from urllib.parse import parse_qs, unquote

from starlette.requests import Request

from userpool.domain.models import AppClient
from userpool.services.client_tokens import TokenRefusal
from userpool.storage.repositories import Store

FORM = "application/x-www-form-urlencoded"


def is_form(request: Request) -> bool:
    return request.headers.get("content-type", "").split(";")[0].strip().lower() == FORM


def parse_form(body: bytes) -> dict[str, str]:
    """The form's fields; a field sent twice is a malformed request (RFC 6749 §3.2)."""
    try:
        fields = parse_qs(body.decode("utf-8", errors="strict"), keep_blank_values=True)
    except UnicodeDecodeError as error:
        raise TokenRefusal("invalid_request") from error
    if any(len(values) > 1 for values in fields.values()):
        raise TokenRefusal("invalid_request")
    return {name: values[0] for name, values in fields.items()}


def basic(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or not value:
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError) as error:
        raise TokenRefusal("invalid_client") from error
    client_id, colon, secret = decoded.partition(":")
    if not colon:
        raise TokenRefusal("invalid_client")
    return unquote(client_id), unquote(secret)  # RFC 6749 §2.3.1 form-encodes both


def credentials(request: Request, form: dict[str, str]) -> tuple[str, str | None]:
    """The client id and the secret presented, if any: Basic first, else the form. A form
    client_id that contradicts the Basic one makes the caller unknown."""
    presented = basic(request)
    named = form.get("client_id")
    if presented is not None:
        if named and named != presented[0]:
            raise TokenRefusal("invalid_client")
        return presented[0], presented[1] or None
    if not named:
        raise TokenRefusal("invalid_client")
    return named, form.get("client_secret") or None


def authenticated_client(
    store: Store, pool_id: str, client_id: str, secret: str | None
) -> AppClient:
    """The pool's client `client_id`, once it has proved itself: a client with a secret must
    present it (compared in constant time); a client without one cannot present any."""
    with store.read() as tx:
        client = tx.clients.get(client_id)
    if client is None or client.pool_id != pool_id:
        raise TokenRefusal("invalid_client")
    if client.secret is None:
        if secret is not None:
            raise TokenRefusal("invalid_client")
        return client
    if secret is None or not hmac.compare_digest(client.secret.encode(), secret.encode()):
        raise TokenRefusal("invalid_client")
    return client


def allows_code_flow(client: AppClient) -> bool:
    settings = client.settings
    flows = settings.get("AllowedOAuthFlows") or []
    return "code" in flows and bool(settings.get("AllowedOAuthFlowsUserPoolClient"))
