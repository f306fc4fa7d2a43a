"""SigV4 for the fuzz: its servers run with `--credentials`, so every request to an
IAM-authenticated operation is signed by botocore's own signer, as boto3 signs it; and the
ways a signature can be missing or wrong, each of which must stop an admin call before it
does anything."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from botocore.auth import SIGV4_TIMESTAMP, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from hypothesis import strategies as st

ACCESS_KEY = "AKIDFUZZ"
SECRET_KEY = "fuzz-secret-access-key"
REGION = "us-east-1"
SERVICE = "cognito-idp"
TARGET_PREFIX = "AWSCognitoIdentityProviderService."
CONTENT_TYPE = "application/x-amz-json-1.1"
# What the server answers a request whose signature it does not accept (protocol/sigv4.py).
SIGNATURE_ERRORS = frozenset(
    {
        "MissingAuthenticationTokenException",
        "IncompleteSignatureException",
        "UnrecognizedClientException",
        "InvalidSignatureException",
    }
)
SKEW = datetime.timedelta(minutes=20)  # past the 15 minutes a signature is good for
MALFORMED_AUTHORIZATIONS = (
    "",
    "AWS4-HMAC-SHA256",
    "Bearer fuzz",
    "AWS4-HMAC-SHA256 Credential=AKIDFUZZ, SignedHeaders=host, Signature=00",
    "AWS4-HMAC-SHA256 Credential=AKIDFUZZ/20260101/us-east-1/cognito-idp/aws4_request",
    "AWS4-HMAC-SHA256 Credential=AKIDFUZZ/20260101/us-east-1/cognito-idp/nope, "
    "SignedHeaders=host;x-amz-date;x-amz-target, Signature=00",
    "AWS4-HMAC-SHA256 Credential=/////, SignedHeaders=;;;, Signature=",
    "AWS4-HMAC-SHA256 Credential=\xe9\xff/20260101/us-east-1/cognito-idp/aws4_request, "
    "SignedHeaders=host, Signature=\xff",
)


def write_credentials(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "credentials"
    path.write_text(f"{ACCESS_KEY} {SECRET_KEY}\n")
    return path


class _SignedAt(SigV4Auth):
    """botocore's signer at a given moment rather than now."""

    def __init__(self, credentials: Credentials, service: str, region: str, when: Any) -> None:
        super().__init__(credentials, service, region)
        self._when = when

    def add_auth(self, request: AWSRequest) -> None:
        request.context["timestamp"] = self._when.strftime(SIGV4_TIMESTAMP)
        self._modify_request_before_signing(request)
        canonical = self.canonical_request(request)
        signature = self.signature(self.string_to_sign(request, canonical), request)
        self._inject_signature_to_request(request, signature)


def signed(
    url: str,
    headers: dict[str, str],
    body: bytes,
    *,
    access_key: str = ACCESS_KEY,
    secret: str = SECRET_KEY,
    region: str = REGION,
    service: str = SERVICE,
    when: datetime.datetime | None = None,
) -> dict[str, str]:
    """`headers` with the X-Amz-Date and Authorization that sign them, with `body`, for a POST
    to `url` (every header given is signed)."""
    request = AWSRequest(method="POST", url=url, data=body, headers=dict(headers))
    credentials = Credentials(access_key, secret)
    if when is None:
        SigV4Auth(credentials, service, region).add_auth(request)
    else:
        _SignedAt(credentials, service, region, when).add_auth(request)
    return {name: str(value) for name, value in request.headers.items()}


def request_headers(operation: str, content_type: str = CONTENT_TYPE) -> dict[str, str]:
    return {"Content-Type": content_type, "X-Amz-Target": TARGET_PREFIX + operation}


def badly_signed(url: str, operation: str, body: bytes) -> Any:
    """(how, headers, body) of a request for `operation` that is not signed with the server's
    credentials, or whose signature does not cover what is sent."""
    headers = request_headers(operation)
    now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)

    def with_target(signed_headers: dict[str, str]) -> dict[str, str]:
        return {**signed_headers, "X-Amz-Target": TARGET_PREFIX + operation}

    malformed = st.sampled_from(MALFORMED_AUTHORIZATIONS).map(
        lambda value: (
            "malformed",
            {**headers, "Authorization": value, "X-Amz-Date": now.strftime(SIGV4_TIMESTAMP)},
            body,
        )
    )
    # A signature made for another operation, sent with this one's target.
    other = "ListGroups" if operation == "ListUserPools" else "ListUserPools"
    other_target = request_headers(other)
    no_target = {"Content-Type": CONTENT_TYPE}
    cases = (
        ("unsigned", lambda: headers, body),
        ("unknown key", lambda: signed(url, headers, body, access_key="AKIDSTRANGER"), body),
        ("wrong secret", lambda: signed(url, headers, body, secret="not-the-secret"), body),
        ("body changed", lambda: signed(url, headers, body), body + b" "),
        ("other target", lambda: with_target(signed(url, other_target, body)), body),
        ("target unsigned", lambda: with_target(signed(url, no_target, body)), body),
        ("other region", lambda: signed(url, headers, body, region="eu-west-1"), body),
        ("other service", lambda: signed(url, headers, body, service="cognito-identity"), body),
        ("expired", lambda: signed(url, headers, body, when=now - SKEW), body),
        ("from the future", lambda: signed(url, headers, body, when=now + SKEW), body),
        (
            "token unsigned",
            lambda: {**signed(url, headers, body), "X-Amz-Security-Token": "fuzz"},
            body,
        ),
    )
    made = st.sampled_from(cases).map(lambda case: (case[0], case[1](), case[2]))
    return st.one_of(made, malformed)
