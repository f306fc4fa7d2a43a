"""OpenID Connect discovery documents, as Cognito publishes them for a pool."""

from __future__ import annotations

from typing import Any


def document(issuer: str, endpoints_base: str | None = None) -> dict[str, Any]:
    """The pool's discovery document. Tokens name `issuer`, and its keys are under it; the
    OAuth endpoints are listed when the pool has a domain, `endpoints_base` being its root
    (Cognito's lists them at its domain: `https://{prefix}.auth.{region}.amazoncognito.com`)."""
    described: dict[str, Any] = {"issuer": issuer}
    if endpoints_base is not None:
        described |= {
            "authorization_endpoint": f"{endpoints_base}/oauth2/authorize",
            "token_endpoint": f"{endpoints_base}/oauth2/token",
            "userinfo_endpoint": f"{endpoints_base}/oauth2/userInfo",
            "revocation_endpoint": f"{endpoints_base}/oauth2/revoke",
            "end_session_endpoint": f"{endpoints_base}/logout",
        }
    return described | {
        "jwks_uri": f"{issuer}/.well-known/jwks.json",
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "token"],
        "scopes_supported": ["openid", "email", "phone", "profile"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "token_use"],
    }
