"""AWS Signature Version 4 checks for IAM-authenticated operations (service `cognito-idp`)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import quote, unquote

from userpool.domain.errors import (
    IncompleteSignatureException,
    InvalidSignatureException,
    MissingAuthenticationTokenException,
    UnrecognizedClientException,
)

ALGORITHM = "AWS4-HMAC-SHA256"
SERVICE = "cognito-idp"
MAX_SKEW_SECONDS = 15 * 60
AMZ_PREFIX = "x-amz-"
MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. "
    "Consult the service documentation for details."
)


@dataclass(frozen=True)
class SignedRequest:
    method: str
    path: str
    query: str
    headers: Mapping[str, str]  # lower-case names; see header_map for repeated ones
    body: bytes
    source_ip: str | None = None  # the peer's address (a trusted proxy's X-Forwarded-For applied)


def header_map(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Headers by lower-case name, the values of a repeated header joined with "," in order.

    That is the value SigV4's canonical form signs (botocore's `canonical_headers`, the AWS
    test suite's get-header-key-duplicate). Keeping one of the values instead would let a
    second copy of a signed header slip past the signature, and would refuse a client that
    signed both. HTTP parsers strip each value already, so the join needs no trimming.
    """
    headers: dict[str, str] = {}
    for name, value in pairs:
        key = name.lower()
        headers[key] = f"{headers[key]},{value}" if key in headers else value
    return headers


@dataclass(frozen=True)
class Authorization:
    access_key: str
    date: str
    region: str
    service: str
    signed_headers: list[str]
    signature: str


def load_credentials(path: Path) -> dict[str, str]:
    """Read `ACCESS_KEY_ID SECRET` (or `ID:SECRET`) pairs, one a line; `#` starts a comment."""
    pairs: dict[str, str] = {}
    for number, raw in enumerate(path.read_text().splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.replace(":", " ", 1).split()
        if len(parts) != 2:
            raise ValueError(f"{path}:{number}: expected 'ACCESS_KEY_ID SECRET_ACCESS_KEY'")
        pairs[parts[0]] = parts[1]
    if not pairs:
        raise ValueError(f"{path}: no credentials in file")
    return pairs


def parse_authorization(header: str | None) -> Authorization:
    if not header:
        raise MissingAuthenticationTokenException()
    algorithm, _, rest = header.strip().partition(" ")
    if algorithm != ALGORITHM:
        raise IncompleteSignatureException(f"Unsupported AWS 'algorithm': '{algorithm}'")
    fields: dict[str, str] = {}
    for part in rest.split(","):
        name, _, value = part.strip().partition("=")
        fields[name] = value
    try:
        credential = fields["Credential"].split("/")
        key, date, region, service, terminator = credential
        signed = fields["SignedHeaders"].split(";")
        signature = fields["Signature"]
    except (KeyError, ValueError) as error:
        raise IncompleteSignatureException(
            "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' "
            f"parameters. Authorization={header}"
        ) from error
    if terminator != "aws4_request":
        raise IncompleteSignatureException("Credential should be scoped with a valid terminator")
    return Authorization(key, date, region, service, signed, signature)


def _canonical_query(query: str) -> str:
    pairs = []
    for item in query.split("&") if query else []:
        name, _, value = item.partition("=")
        pairs.append((quote(unquote(name), safe="-_.~"), quote(unquote(value), safe="-_.~")))
    return "&".join(f"{n}={v}" for n, v in sorted(pairs))


def _canonical_path(path: str) -> str:
    """`path` (decoded) without dot segments or empty ones, URI-encoded twice as AWS wants."""
    segments: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if segments:
                segments.pop()
        elif segment and segment != ".":
            segments.append(segment)
    trailing = "/" if path.endswith("/") and segments else ""
    normalized = "/" + "/".join(segments) + trailing
    return quote(quote(normalized, safe="/~"), safe="/~")


def canonical_request(request: SignedRequest, signed_headers: list[str]) -> str:
    """The canonical request of SigV4. The payload hash is always the body's own.

    A client's `X-Amz-Content-SHA256` header is not trusted: were it used in place of the
    body's hash, whoever saw a signed request could replay its signature with another body.
    """
    headers = "".join(
        f"{name}:{' '.join(request.headers.get(name, '').split())}\n" for name in signed_headers
    )
    return "\n".join(
        [
            request.method.upper(),
            _canonical_path(request.path),
            _canonical_query(request.query),
            headers,
            ";".join(signed_headers),
            hashlib.sha256(request.body).hexdigest(),
        ]
    )


def unsigned_amz_header(request: SignedRequest, signed_headers: list[str]) -> str | None:
    """The first `x-amz-*` header of `request` that the signature does not cover, if any.

    Every `x-amz-*` header a request carries must be signed (IAM User Guide, "Authentication
    methods": SignedHeaders must include the host header and any x-amz-* headers). Here it is
    what makes the signature cover the operation: dispatch reads it from `x-amz-target`.
    `x-amzn-*` is another prefix: botocore and the JS SDK v3 leave `x-amzn-trace-id` unsigned.
    """
    signed = set(signed_headers)
    for name in sorted(request.headers):
        if name.startswith(AMZ_PREFIX) and name not in signed:
            return name
    return None


def _signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    key = ("AWS4" + secret).encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def expected_signature(
    request: SignedRequest, auth: Authorization, amz_date: str, secret: str
) -> str:
    canonical = canonical_request(request, auth.signed_headers)
    scope = f"{auth.date}/{auth.region}/{auth.service}/aws4_request"
    to_sign = "\n".join(
        [ALGORITHM, amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()]
    )
    key = _signing_key(secret, auth.date, auth.region, auth.service)
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


def _request_time(request: SignedRequest) -> tuple[str, datetime]:
    """The signing time, from `X-Amz-Date`, else from `Date` (as botocore signs either)."""
    amz_date = request.headers.get("x-amz-date")
    try:
        if amz_date is not None:
            when = datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        else:
            when = parsedate_to_datetime(request.headers.get("date", ""))
            when = when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)
    except (ValueError, TypeError) as error:
        raise IncompleteSignatureException(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
        ) from error
    return when.strftime("%Y%m%dT%H%M%SZ"), when


def _stamp(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime("%Y%m%dT%H%M%SZ")


def _check_skew(amz_date: str, signed_at: float, now: float) -> None:
    if signed_at < now - MAX_SKEW_SECONDS:
        raise InvalidSignatureException(
            f"Signature expired: {amz_date} is now earlier than "
            f"{_stamp(now - MAX_SKEW_SECONDS)} ({_stamp(now)} - 15 min.)"
        )
    if signed_at > now + MAX_SKEW_SECONDS:
        raise InvalidSignatureException(
            f"Signature not yet current: {amz_date} is still later than "
            f"{_stamp(now + MAX_SKEW_SECONDS)} ({_stamp(now)} + 15 min.)"
        )


class SigV4Verifier:
    """Checks signatures against configured keys; without keys, any well-formed one passes."""

    def __init__(self, credentials: Mapping[str, str] | None, region: str) -> None:
        self._credentials = dict(credentials or {})
        self._region = region

    @property
    def enforcing(self) -> bool:
        return bool(self._credentials)

    def verify(self, request: SignedRequest, now: float) -> str:
        """Return the region of the signature's scope, or raise AWS's error for it."""
        auth = parse_authorization(request.headers.get("authorization"))
        amz_date, when = _request_time(request)
        if not self.enforcing:
            return auth.region
        secret = self._credentials.get(auth.access_key)
        if secret is None:
            raise UnrecognizedClientException()
        if auth.service != SERVICE:
            raise InvalidSignatureException(
                f"Credential should be scoped to correct service: '{SERVICE}'. "
            )
        if auth.region != self._region:
            raise InvalidSignatureException(
                f"Credential should be scoped to a valid region, not '{auth.region}'. "
            )
        if "host" not in auth.signed_headers:
            raise InvalidSignatureException(
                "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
            )
        unsigned = unsigned_amz_header(request, auth.signed_headers)
        if unsigned is not None:
            # Worded like AWS's refusal of an unsigned Host above; no AWS answer for an
            # unsigned x-amz-* header of a JSON service has been observed to copy.
            raise InvalidSignatureException(
                f"'{unsigned}' must be a 'SignedHeader' in the AWS Authorization."
            )
        _check_skew(amz_date, when.timestamp(), now)
        if auth.date != amz_date[:8]:
            raise InvalidSignatureException(
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of "
                "date from HTTP"
            )
        wanted = expected_signature(request, auth, amz_date, secret)
        if not hmac.compare_digest(wanted.encode(), auth.signature.encode()):
            raise InvalidSignatureException(MISMATCH)
        return auth.region
