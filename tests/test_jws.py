"""The server's own RS256 compact JWS: what PyJWT accepts, and every malformed form refused."""

from __future__ import annotations

import base64

import jwt
import orjson
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from userpool.tokens import jws

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER = rsa.generate_private_key(public_exponent=65537, key_size=2048)
CLAIMS = {"sub": "s-1", "token_use": "access", "exp": 2_000_000_000, "name": "Zoë ✓"}


def _segment(value: object) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(value)).rstrip(b"=").decode()


def test_pyjwt_verifies_what_the_server_signs() -> None:
    token = jws.sign(CLAIMS, "kid-1", KEY)
    assert jwt.get_unverified_header(token) == {"kid": "kid-1", "alg": "RS256"}
    assert jwt.decode(token, KEY.public_key(), algorithms=["RS256"]) == CLAIMS


def test_the_server_verifies_what_pyjwt_signs() -> None:
    token = jwt.encode(CLAIMS, KEY, algorithm="RS256", headers={"kid": "kid-2"})
    parsed = jws.ParsedToken(token)
    assert (parsed.kid, parsed.claims) == ("kid-2", CLAIMS)
    assert parsed.signed_by(KEY.public_key())
    assert not parsed.signed_by(OTHER.public_key())


def test_a_changed_payload_or_algorithm_fails_the_signature() -> None:
    header, _, signature = jws.sign(CLAIMS, "k", KEY).split(".")
    forged = jws.ParsedToken(f"{header}.{_segment({**CLAIMS, 'sub': 'x'})}.{signature}")
    assert not forged.signed_by(KEY.public_key())
    _, payload, signature = jws.sign(CLAIMS, "k", KEY).split(".")
    for alg in ("none", "HS256", "RS512"):
        other_alg = jws.ParsedToken(f"{_segment({'kid': 'k', 'alg': alg})}.{payload}.{signature}")
        assert not other_alg.signed_by(KEY.public_key())


@pytest.mark.parametrize(
    "token",
    [
        "",
        "garbage",
        "a.b",
        "a.b.c.d",
        "a.b.c",
        f"{_segment([1])}.{_segment({})}.AA",
        f"{_segment({})}.{_segment('text')}.AA",
        f"{_segment({})}.{_segment({})}=.AA",
        f"{_segment({})}.{_segment({})}.A+B/",
        f"{_segment({})}.{_segment({})}.A",
        f"{_segment({})}.{_segment({})}.AA*A",
        f"{_segment({})}.{_segment({})}.ÄÄ",
        f"{_segment({})}.bm90IGpzb24.AA",
    ],
)
def test_malformed_tokens_are_refused(token: str) -> None:
    with pytest.raises(jws.MalformedToken):
        jws.ParsedToken(token)


def test_a_kid_that_is_not_text_is_no_kid() -> None:
    token = f"{_segment({'kid': 7, 'alg': 'RS256'})}.{_segment({})}.AA"
    assert jws.ParsedToken(token).kid is None
