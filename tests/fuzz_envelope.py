"""Requests broken outside their members: malformed JSON, bodies past the server's limit (with
a length, and streamed without one), an X-Amz-Target that is missing, misspelt, of another
service, unknown, or names an operation of the model that the server does not implement, and
any Content-Type. Each is built so that the server must refuse it: either its target is not
an operation the server runs, or its body cannot be read as one."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hypothesis import strategies as st

from tests.fuzz_requests import encode, weighted
from tests.fuzz_signing import TARGET_PREFIX, signed
from tests.fuzz_support import Probe
from userpool.http.body_limit import MAX_BODY_BYTES

UNKNOWN_OPERATIONS = ("FuzzOperation", "adminGetUser", "GetUser.", "InitiateAuth/x", "")
CONTENT_TYPES = (
    "application/x-amz-json-1.1",
    "application/x-amz-json-1.0",
    "application/json",
    "text/plain",
    "multipart/form-data; boundary=fuzz",
    "application/x-amz-json-1.1; charset=latin-1",
    "\xff",
    None,
)
MALFORMED_BODIES = (
    b"",
    b"{",
    b"}",
    b"{]",
    b"null",
    b"[]",
    b'"GetUser"',
    b"123",
    b"true",
    b"{}x",
    b"{'single': 'quotes'}",
    b'{"MaxResults": NaN}',
    b'{"MaxResults": 1e400}',
    b'{"MaxResults": ' + b"9" * 400 + b"}",
    b'\xef\xbb\xbf{"a": 1}',  # a UTF-8 byte order mark
    '{"Username": "x"}'.encode("utf-16"),
    b'{"Username": "\xff\xfe"}',  # not UTF-8
    b'{"Username": "\xc0\xaf"}',  # an overlong UTF-8 encoding of "/"
    b'{"Username": "\\ud800"}',
    b"[" * 100_000 + b"]" * 100_000,
    b'{"a":' * 5_000 + b"1" + b"}" * 5_000,
)
STREAMED_CHUNK = 64 * 1024
STREAMED_BYTES = 32 * 1024 * 1024
OPEN_OPERATION = "InitiateAuth"  # takes no signature: a streamed body needs none


def streamed() -> Iterator[bytes]:
    """A JSON object far past the limit, sent in chunks without a Content-Length."""
    yield b'{"ClientId": "'
    for _ in range(STREAMED_BYTES // STREAMED_CHUNK):
        yield b"a" * STREAMED_CHUNK
    yield b'"}'


def sized(length: int) -> bytes:
    """A JSON object of exactly `length` bytes: one long string member."""
    head, tail = b'{"UserPoolId": "', b'"}'
    return head + b"a" * (length - len(head) - len(tail)) + tail


def truncated(body: bytes) -> Any:
    return st.integers(1, max(1, len(body) - 1)).map(lambda end: body[:end])


class EnvelopeProbes:
    """Probes for one server (`url`); benign bodies come from `bodies(operation)` (any name:
    an empty object for a name the model does not have)."""

    def __init__(
        self, url: str, implemented: list[str], unimplemented: list[str], bodies: Any
    ) -> None:
        self._url = url
        self._implemented = implemented
        self._unimplemented = unimplemented
        self._bodies = bodies

    def probes(self) -> Any:
        return weighted(
            (3, self._bad_bodies()),
            (3, self._bad_targets()),
            (1, self._not_implemented()),
            (1, self._too_large()),
        )

    def _not_implemented(self) -> Any:
        """A benign body to an operation of the model that the server does not implement."""
        return st.tuples(
            st.sampled_from(self._unimplemented), st.sampled_from(CONTENT_TYPES)
        ).flatmap(
            lambda drawn: (
                self._bodies(drawn[0])
                .map(encode)
                .map(
                    lambda body: self._probe(
                        drawn[0], TARGET_PREFIX + drawn[0], drawn[1], body, "not implemented"
                    )
                )
            )
        )

    def _probe(
        self, operation: str, target: str | None, content_type: Any, body: bytes, how: str
    ) -> Probe:
        headers: dict[str, str] = {}
        if content_type is not None:
            headers["Content-Type"] = content_type
        if target is not None:
            headers["X-Amz-Target"] = target
        return Probe(operation, signed(self._url, headers, body), body, how)

    def _bad_bodies(self) -> Any:
        """A body that is no JSON object, or a benign one cut short, to an implemented operation."""
        operation = st.sampled_from(self._implemented)
        return st.tuples(operation, st.sampled_from(CONTENT_TYPES)).flatmap(
            lambda drawn: st.one_of(
                st.sampled_from(MALFORMED_BODIES),
                self._bodies(drawn[0]).map(encode).flatmap(truncated),
            ).map(
                lambda body: self._probe(
                    drawn[0], TARGET_PREFIX + drawn[0], drawn[1], body, "malformed body"
                )
            )
        )

    def _bad_targets(self) -> Any:
        """A benign body under a target the server runs no operation for."""
        operation = st.sampled_from(self._implemented + self._unimplemented)

        def targets(name: str) -> Any:
            wrong = [
                (None, "no target"),
                (TARGET_PREFIX, "target without operation"),
                ("AWSCognitoIdentityService." + name, "another service's target"),
                (TARGET_PREFIX + name.lower(), "operation in lower case"),
                (TARGET_PREFIX + name + "?", "operation and a question mark"),
                (TARGET_PREFIX + "Ünknown", "non-ASCII operation"),
                (TARGET_PREFIX + "X" * 8192, "8 KiB operation"),
            ]
            return st.sampled_from(wrong)

        unknown = st.sampled_from(UNKNOWN_OPERATIONS).map(
            lambda name: (name or "(empty)", TARGET_PREFIX + name, "unknown operation")
        )
        with_body = operation.flatmap(
            lambda name: targets(name).map(lambda target: (name, *target))
        )
        return st.tuples(st.one_of(with_body, unknown), st.sampled_from(CONTENT_TYPES)).flatmap(
            lambda drawn: (
                self._bodies(drawn[0][0])
                .map(encode)
                .map(
                    lambda body: self._probe(drawn[0][0], drawn[0][1], drawn[1], body, drawn[0][2])
                )
            )
        )

    def _too_large(self) -> Any:
        """A body one byte past the limit or far past it, with a length or streamed; and one at
        the limit exactly, which the server reads (and validation refuses)."""
        sizes = (
            (MAX_BODY_BYTES + 1, "one byte too large"),
            (4 * MAX_BODY_BYTES, "4 MiB"),
            (MAX_BODY_BYTES, "at the limit"),
        )
        fixed = st.sampled_from(sizes).map(lambda size: sized_probe(self._url, *size))
        return st.one_of(fixed, st.builds(streamed_probe))


def sized_probe(url: str, length: int, how: str = "") -> Probe:
    """AdminGetUser, signed, with a body of exactly `length` bytes (one long UserPoolId)."""
    body = sized(length)
    headers = {"Content-Type": CONTENT_TYPES[0], "X-Amz-Target": TARGET_PREFIX + "AdminGetUser"}
    return Probe("AdminGetUser", signed(url, headers, body), body, how or f"{length} bytes")


def streamed_probe() -> Probe:
    """InitiateAuth (which takes no signature) with a 32 MiB body streamed without a length."""
    headers = {"Content-Type": CONTENT_TYPES[0], "X-Amz-Target": TARGET_PREFIX + OPEN_OPERATION}
    return Probe(OPEN_OPERATION, headers, streamed(), "32 MiB streamed")
