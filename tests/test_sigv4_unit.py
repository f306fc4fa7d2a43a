"""protocol/sigv4.py's pure functions against botocore's own signer (`botocore.auth.SigV4Auth`)."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from userpool.domain.errors import (
    CognitoError,
    IncompleteSignatureException,
    InvalidSignatureException,
    MissingAuthenticationTokenException,
    UnrecognizedClientException,
)
from userpool.protocol.sigv4 import (
    MISMATCH,
    SignedRequest,
    SigV4Verifier,
    canonical_request,
    header_map,
    load_credentials,
    parse_authorization,
)

KEY, SECRET, REGION = "AKIDUNIT", "unit/secret+key", "us-east-1"
SIGNED_AT = dt.datetime(2026, 3, 1, 12, 0, 0)
NOW = SIGNED_AT.replace(tzinfo=dt.UTC).timestamp()
TARGET = "AWSCognitoIdentityProviderService."
BODY = b'{"MaxResults": 10}'


@pytest.fixture(autouse=True)
def frozen_signing_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("botocore.auth.get_current_datetime", lambda *_: SIGNED_AT)


Headers = list[tuple[str, str]]


def signed(
    url: str = "http://127.0.0.1:9230/",
    headers: Headers | None = None,
    body: bytes = BODY,
    secret: str = SECRET,
    region: str = REGION,
) -> tuple[AWSRequest, SigV4Auth]:
    request = AWSRequest(method="POST", url=url, data=body)
    for name, value in headers or []:
        request.headers[name] = value  # botocore's HTTPHeaders appends: repeats are kept
    signer = SigV4Auth(Credentials(KEY, secret), "cognito-idp", region)
    signer.add_auth(request)
    return request, signer


def as_received(request: AWSRequest) -> SignedRequest:
    """What the server sees: a decoded path, the raw query, headers as http/routes.py maps them."""
    parts = urlsplit(str(request.url))
    headers = header_map((name, str(value)) for name, value in request.headers.items())
    headers.setdefault("host", str(parts.netloc))
    body: Any = request.body
    path, query = unquote(str(parts.path)), str(parts.query)
    return SignedRequest(str(request.method), path, query, headers, body)


def signature_of(request: AWSRequest) -> str:
    return str(request.headers["Authorization"]).rsplit("Signature=", 1)[1]


CASES: dict[str, tuple[str, Headers]] = {
    "plain JSON call": ("http://127.0.0.1:9230/", [("X-Amz-Target", "A.B")]),
    "query string": ("http://h:1/?b=2&a=1&a=0&c=x%20y%2Fz&empty=&flag", []),
    "odd header whitespace": (
        "http://h/",
        [("X-Odd", "  several   inner \t spaces  "), ("X-Tabs", "\ta\t\tb")],
    ),
    "path to normalise": ("http://h/a%20b/./c//d/../e/", []),
    "content hash header": (
        "http://h/",
        [("X-Amz-Content-SHA256", hashlib.sha256(BODY).hexdigest())],
    ),
    "repeated header": (
        "http://h/",
        [("X-Amz-Meta", "second"), ("X-Other", "x"), ("x-amz-meta", "first  one")],
    ),
}


@pytest.mark.parametrize(("url", "headers"), CASES.values(), ids=CASES.keys())
def test_canonical_request_matches_botocore(url: str, headers: Headers) -> None:
    request, signer = signed(url, headers)
    names = signer.signed_headers(signer.headers_to_sign(request)).split(";")
    assert canonical_request(as_received(request), names) == signer.canonical_request(request)


@pytest.mark.parametrize(("url", "headers"), CASES.values(), ids=CASES.keys())
def test_botocore_signatures_verify(url: str, headers: Headers) -> None:
    request, _ = signed(url, headers)
    verifier = SigV4Verifier({KEY: SECRET}, REGION)
    assert verifier.verify(as_received(request), NOW) == REGION


def test_date_header_in_place_of_x_amz_date() -> None:
    request, _ = signed(headers=[("Date", "anything: botocore rewrites it")])
    received = as_received(request)
    assert "x-amz-date" not in received.headers
    assert SigV4Verifier({KEY: SECRET}, REGION).verify(received, NOW + 60) == REGION


def test_a_swapped_body_fails_even_with_the_old_hash_in_a_header() -> None:
    request, _ = signed(headers=[("X-Amz-Content-SHA256", hashlib.sha256(BODY).hexdigest())])
    received = as_received(request)
    assert (
        "x-amz-content-sha256"
        in parse_authorization(received.headers["authorization"]).signed_headers
    )
    forged = SignedRequest("POST", "/", "", received.headers, b'{"MaxResults": 60}')
    with pytest.raises(InvalidSignatureException, match="does not match"):
        SigV4Verifier({KEY: SECRET}, REGION).verify(forged, NOW)


def verify_error(request: SignedRequest, now: float = NOW) -> CognitoError:
    with pytest.raises(CognitoError) as excinfo:
        SigV4Verifier({KEY: SECRET}, REGION).verify(request, now)
    return excinfo.value


def test_wrong_secret_unknown_key_and_other_region() -> None:
    wrong_secret = verify_error(as_received(signed(secret="other")[0]))
    assert isinstance(wrong_secret, InvalidSignatureException)
    assert wrong_secret.message == MISMATCH
    other_region = verify_error(as_received(signed(region="eu-west-1")[0]))
    assert isinstance(other_region, InvalidSignatureException)
    assert "'eu-west-1'" in other_region.message
    request, _ = signed()
    received = as_received(request)
    unknown = SigV4Verifier({"AKIDOTHER": SECRET}, REGION)
    with pytest.raises(UnrecognizedClientException):
        unknown.verify(received, NOW)


def test_clock_skew_both_ways() -> None:
    received = as_received(signed()[0])
    late = verify_error(received, NOW + 20 * 60)
    assert late.message == (
        "Signature expired: 20260301T120000Z is now earlier than 20260301T120500Z "
        "(20260301T122000Z - 15 min.)"
    )
    early = verify_error(received, NOW - 20 * 60)
    assert early.message.startswith("Signature not yet current: 20260301T120000Z")
    assert SigV4Verifier({KEY: SECRET}, REGION).verify(received, NOW + 14 * 60) == REGION


def test_host_must_be_signed() -> None:
    received = as_received(signed()[0])
    auth = received.headers["authorization"].replace("SignedHeaders=host;", "SignedHeaders=")
    headers = {**received.headers, "authorization": auth}
    error = verify_error(SignedRequest("POST", "/", "", headers, received.body))
    assert "'Host'" in error.message


def added_after_signing(name: str, value: str) -> SignedRequest:
    """A botocore-signed call to which `name: value` was added once the signature was made."""
    request, _ = signed(headers=[("X-Amz-Target", TARGET + "DescribeUserPool")])
    request.headers[name] = value
    return as_received(request)


def test_an_unsigned_target_is_refused() -> None:
    request, _ = signed()  # signs host and x-amz-date only
    request.headers["X-Amz-Target"] = TARGET + "DeleteUserPool"
    error = verify_error(as_received(request))
    assert isinstance(error, InvalidSignatureException)
    assert error.message == "'x-amz-target' must be a 'SignedHeader' in the AWS Authorization."


@pytest.mark.parametrize(
    "name", ["X-Amz-Security-Token", "x-amz-user-agent", "X-Amz-Content-SHA256", "X-Amz-Anything"]
)
def test_every_unsigned_x_amz_header_is_refused(name: str) -> None:
    error = verify_error(added_after_signing(name, "value"))
    assert isinstance(error, InvalidSignatureException)
    assert error.message == f"'{name.lower()}' must be a 'SignedHeader' in the AWS Authorization."


@pytest.mark.parametrize("name", ["X-Amzn-Trace-Id", "User-Agent", "amz-sdk-request"])
def test_headers_real_clients_leave_unsigned_pass(name: str) -> None:
    """botocore adds X-Amzn-Trace-Id (in Lambda) and amz-sdk-* after signing; not x-amz-*."""
    received = added_after_signing(name, "Root=1-5759e988-bd862e3fe1be46a994272793")
    assert SigV4Verifier({KEY: SECRET}, REGION).verify(received, NOW) == REGION


def test_a_second_copy_of_a_signed_header_breaks_the_signature() -> None:
    received = added_after_signing("X-Amz-Target", TARGET + "DeleteUserPool")
    assert received.headers["x-amz-target"] == (f"{TARGET}DescribeUserPool,{TARGET}DeleteUserPool")
    error = verify_error(received)
    assert isinstance(error, InvalidSignatureException)
    assert error.message == MISMATCH


def test_header_map_joins_repeated_headers_in_order() -> None:
    pairs = [("Host", "h"), ("X-Rep", "one"), ("x-other", "o"), ("x-rep", "two, three")]
    assert header_map(pairs) == {"host": "h", "x-rep": "one,two, three", "x-other": "o"}


def test_authorization_header_parsing() -> None:
    with pytest.raises(MissingAuthenticationTokenException):
        parse_authorization(None)
    with pytest.raises(IncompleteSignatureException, match="algorithm"):
        parse_authorization("AWS4-HMAC-SHA1 Credential=a/b/c/d/aws4_request")
    with pytest.raises(IncompleteSignatureException, match="requires 'Credential'"):
        parse_authorization("AWS4-HMAC-SHA256 Credential=a/b/c, Signature=x")
    with pytest.raises(IncompleteSignatureException, match="terminator"):
        parse_authorization("AWS4-HMAC-SHA256 Credential=k/d/r/s/x, SignedHeaders=h, Signature=x")
    auth = parse_authorization(
        "AWS4-HMAC-SHA256  Credential=k/20260301/r/s/aws4_request,SignedHeaders=host;x ,"
        " Signature=abc"
    )
    assert (auth.access_key, auth.date, auth.region, auth.service) == ("k", "20260301", "r", "s")
    assert (auth.signed_headers, auth.signature) == (["host", "x"], "abc")


def test_credentials_file(tmp_path: Path) -> None:
    good = tmp_path / "good"
    good.write_text("# keys\nAKID1 secret/one+x\n\nAKID2:secret2  # second\n")
    assert load_credentials(good) == {"AKID1": "secret/one+x", "AKID2": "secret2"}
    bad = tmp_path / "bad"
    bad.write_text("AKID1 a b\n")
    with pytest.raises(ValueError, match=r"bad:1: expected"):
        load_credentials(bad)
    empty = tmp_path / "empty"
    empty.write_text("# nothing\n")
    with pytest.raises(ValueError, match="no credentials"):
        load_credentials(empty)
