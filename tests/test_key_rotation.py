"""Rotating a pool's signing keys with `userpool keys rotate` (a subprocess) on two nodes over
one database, on both backends: through one node's endpoint, and on the database directly.
New keys are in every node's JWKS at once; they sign when their time comes (at once, or after
--publish-ahead), on the node that rotated at once and on the other within seconds. Tokens
signed before keep verifying until the old keys retire (the clients' 5-minute validity and a
margin; a rotation keeping them 1 s stands in for that wait), then leave the JWKS and are
refused. aws-jwt-verify and PyJWT's PyJWKClient, each with its JWKS cache, keep verifying old
and new tokens. Private keys and client secrets are not in the database in clear, and a
secret stored in clear before is sealed when a server starts."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import jwt
import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization
from sqlalchemy import select

from tests.conftest import BACKENDS, free_port, server_store
from tests.key_rotation_support import (
    PICKED_UP_SECONDS,
    PUBLIC_URL,
    Nodes,
    client_id_of,
    everything_stored,
    expected_retirement,
    jwks_kids,
    keys_cli,
    kids_of,
    other_address,
    refused,
    retiring,
    short_lived_account,
    sign_in,
    signed_by,
    signing_kids,
    signs_from,
    stored_secret,
    two_nodes,
    within,
)
from tests.signin_support import PASSWORD, claims, new_client, new_pool, secret_hash
from tests.test_node_clients import node_runner
from userpool.cli import main
from userpool.crypto.sealing import load_server_key
from userpool.storage.client_secrets import PREFIX
from userpool.storage.housekeeping import purge_expired
from userpool.storage.schema import signing_keys
from userpool.tokens import rotation
from userpool.tokens.keys import KeyRing

SCHEDULES = 3


@pytest.fixture(scope="module", params=BACKENDS)
def nodes(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Nodes]:
    only = os.environ.get("USERPOOL_TEST_BACKEND")
    if only and only != request.param:
        pytest.skip(f"USERPOOL_TEST_BACKEND={only}")
    base = tmp_path_factory.mktemp(f"rotation-{request.param}")
    # on every address: a request to the key endpoints from another one is refused
    with two_nodes(request.param, base, "--host", "0.0.0.0", "--allow-any-credentials") as pair:
        yield pair


def test_a_rotation_through_one_node_reaches_the_other_within_seconds(nodes: Nodes) -> None:
    (a, b), (on_a, on_b) = nodes.servers, nodes.clients
    account = short_lived_account(on_a)
    before = sign_in(on_b, account)  # node B has the pool's keys in its cache now
    old = kids_of(before)
    rotate = ("rotate", "--pool", account.pool_id, "--endpoint-url", a.url)
    started = time.time()
    answer = keys_cli(*rotate, "--publish-ahead", "0")  # to sign at once, unannounced
    ended = time.time()
    new = signing_kids(answer)
    assert len(new) == 2 and not new & old
    assert started <= signs_from(answer) <= ended
    assert retiring(answer).keys() == old  # for as long as the clients' tokens live, and a margin
    for retires in retiring(answer).values():
        assert retires == pytest.approx(expected_retirement(signs_from(answer)))
    for server in (a, b):  # the JWKS is read afresh: both nodes list both generations at once
        assert jwks_kids(server, account.pool_id) == old | new
    after = sign_in(on_a, account)
    assert kids_of(after) == new  # the node that rotated signs with the new keys at once
    on_b.get_user(AccessToken=after["AccessToken"])  # a kid B has not seen: it reads the keys
    for cognito in (on_a, on_b):
        cognito.get_user(AccessToken=before["AccessToken"])
    took = within(PICKED_UP_SECONDS, lambda: kids_of(sign_in(on_b, account)) == new)
    assert took is not None, f"node B still signs with the old keys after {PICKED_UP_SECONDS}s"


def test_a_rotation_on_the_database_published_ahead_then_the_old_keys_leaving(
    nodes: Nodes,
) -> None:
    account = short_lived_account(nodes.clients[0])
    before = sign_in(nodes.clients[1], account)
    old = kids_of(before)
    rotate = ("rotate", "--pool", account.pool_id, *nodes.direct, "--publish-ahead", "1s")
    answer = keys_cli(*rotate, env=nodes.env)
    new, start = signing_kids(answer), signs_from(answer)
    for server in nodes.servers:  # in the JWKS at once, on both nodes, beside the old ones
        assert jwks_kids(server, account.pool_id) == old | new
    for cognito in nodes.clients:  # signing on both once their time has come, and not before
        after = signed_by(cognito, account, new, start - time.time() + PICKED_UP_SECONDS)
        assert after is not None
        assert claims(after["AccessToken"])["iat"] >= int(start)
        cognito.get_user(AccessToken=before["AccessToken"])
    keep_one_second = {"UserPoolId": account.pool_id, "KeepOldSeconds": 1}
    rotated = httpx.post(f"{nodes.servers[0].url}/_userpool/keys/rotate", json=keep_one_second)
    newest, leaving = signing_kids(rotated.json()), retiring(rotated.json())
    assert leaving.keys() == old | new
    left = within(
        max(leaving.values()) - time.time() + PICKED_UP_SECONDS,
        lambda: all(jwks_kids(server, account.pool_id) == newest for server in nodes.servers),
    )
    assert left is not None, "the old keys stayed in the JWKS past their retirement"
    for cognito in nodes.clients:  # a token signed by a retired key is no token
        assert within(PICKED_UP_SECONDS, lambda c=cognito: refused(c, before["AccessToken"]))
    with server_store(nodes.servers[0]) as store:
        purge_expired(store, time.time())  # housekeeping: the retired rows go
        with store.engine.connect() as connection:
            rows = connection.execute(
                select(signing_keys.c.kid).where(signing_keys.c.pool_id == account.pool_id)
            ).all()
    assert {row.kid for row in rows} == newest


def test_of_schedules_that_find_a_pool_due_at_once_one_rotates_it(nodes: Nodes) -> None:
    """What `serve --rotate-keys-every` runs on each node, released at once on one pool."""
    pool_id = new_pool(nodes.clients[0])
    node = nodes.servers[0]
    with server_store(node) as store:
        server_key = load_server_key(node.secret_key, node.data_dir)
        rings = [KeyRing.from_server_key(store, server_key) for _ in range(SCHEDULES)]
        released = threading.Barrier(SCHEDULES)

        later = time.time() + 3600  # the pool's keys are an hour old then: due every 30 min

        def schedule(ring: KeyRing) -> str:
            released.wait()
            try:
                rotation.rotate(ring, store, pool_id, later, made_before=later - 1800)
            except rotation.NotDue:
                return "not due"
            return "rotated"

        with ThreadPoolExecutor(SCHEDULES) as threads:
            outcomes = sorted(threads.map(schedule, rings))
    assert outcomes == ["not due"] * (SCHEDULES - 1) + ["rotated"]
    assert len(jwks_kids(nodes.servers[1], pool_id)) == 4  # the first two, and one rotation's


class CountingReads:
    """A store whose read transactions are counted (the rest passes through)."""

    def __init__(self, store: Any) -> None:
        self._store = store
        self.reads = 0
        self._lock = threading.Lock()

    def read(self) -> Any:
        with self._lock:
            self.reads += 1
        return self._store.read()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


def test_a_burst_on_a_pool_not_cached_yet_reads_and_opens_its_keys_once(nodes: Nodes) -> None:
    """A worker just started, 16 requests to one pool at once: one of them reads the keys."""
    pool_id = new_pool(nodes.clients[0])
    node = nodes.servers[0]
    threads = 16
    with server_store(node) as store:
        counting = CountingReads(store)
        ring = KeyRing.from_server_key(counting, load_server_key(node.secret_key, node.data_dir))
        released = threading.Barrier(threads)

        def sign_in_request(_: int) -> str:
            released.wait()
            keys = ring.for_pool(pool_id)
            assert keys is not None
            return keys.signing["access"][0]

        with ThreadPoolExecutor(threads) as pool:
            kids = set(pool.map(sign_in_request, range(threads)))
    assert counting.reads == 1
    assert len(kids) == 1 and kids <= jwks_kids(node, pool_id)


def test_private_keys_and_client_secrets_are_not_in_the_database_in_clear(nodes: Nodes) -> None:
    node = nodes.servers[0]
    pool_id = new_pool(nodes.clients[0])
    secret = new_client(nodes.clients[0], pool_id, GenerateSecret=True)["ClientSecret"]
    with server_store(node) as store:
        ring = KeyRing.from_server_key(store, load_server_key(node.secret_key, node.data_dir))
        pool_keys = ring.for_pool(pool_id)
        assert pool_keys is not None
        stored = everything_stored(store.engine, node)
    needles = [secret.encode()]
    for _, private in pool_keys.signing.values():
        pem = private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        der = private.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        d = private.private_numbers().d
        needles += [pem.splitlines()[1], der, d.to_bytes((d.bit_length() + 7) // 8, "big")]
    assert pool_id.encode() in stored  # the search sees the rows written
    assert [needle for needle in needles if needle in stored] == []
    described = nodes.clients[1].describe_user_pool_client(
        UserPoolId=pool_id, ClientId=client_id_of(nodes.clients[1], pool_id)
    )
    assert described["UserPoolClient"]["ClientSecret"] == secret


def test_a_secret_stored_in_clear_is_sealed_when_a_server_starts(nodes: Nodes) -> None:
    legacy = nodes.legacy
    stored = stored_secret(nodes.servers[0], legacy.client_id)
    assert stored.startswith(PREFIX) and legacy.secret not in stored
    hashed = secret_hash(legacy.secret, legacy.username, legacy.client_id)
    login = {"USERNAME": legacy.username, "PASSWORD": PASSWORD, "SECRET_HASH": hashed}
    for cognito in nodes.clients:  # both nodes read it sealed, and sign in with it
        signed = cognito.initiate_auth(
            ClientId=legacy.client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=login
        )
        assert "AccessToken" in signed["AuthenticationResult"]
        described = cognito.describe_user_pool_client(
            UserPoolId=legacy.pool_id, ClientId=legacy.client_id
        )
        assert described["UserPoolClient"]["ClientSecret"] == legacy.secret


@pytest.mark.one_backend  # the same check on both: one key, the stored keys'
def test_a_server_key_that_does_not_open_the_stored_keys_is_refused(nodes: Nodes) -> None:
    wrong = {"USERPOOL_SECRET_KEY": "not the key these nodes share"}
    pool_id = nodes.legacy.pool_id
    rotate = ["keys", "rotate", "--pool", pool_id, *nodes.direct]
    rotated = CliRunner().invoke(main, rotate, env=wrong)  # in this process: the same command
    served = subprocess.run(
        [sys.executable, "-m", "userpool", "serve", "--port", str(free_port()), *nodes.direct],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, **wrong},
    )
    refusal = "userpool: the server key does not open the signing keys"
    assert rotated.exit_code == 2 and rotated.stderr.startswith(refusal)
    assert served.returncode == 2 and served.stderr.startswith(refusal)
    assert len(jwks_kids(nodes.servers[0], pool_id)) == 2


@pytest.mark.one_backend  # who may call: nothing of the database
def test_without_credentials_the_key_endpoints_answer_loopback_only(nodes: Nodes) -> None:
    address = other_address()
    if address is None:
        pytest.skip("this machine has no address but loopback")
    node = nodes.servers[0]
    pool_id = new_pool(nodes.clients[0])
    kids = jwks_kids(node, pool_id)
    remote = node.url.replace("127.0.0.1", address)
    for response in (
        httpx.get(f"{remote}/_userpool/keys", params={"UserPoolId": pool_id}),
        httpx.post(f"{remote}/_userpool/keys/rotate", json={"UserPoolId": pool_id}),
    ):
        assert response.status_code == 403
        assert response.json()["__type"] == "AccessDeniedException"
    assert jwks_kids(node, pool_id) == kids
    listed = httpx.get(f"{node.url}/_userpool/keys", params={"UserPoolId": pool_id})
    assert {key["Kid"] for key in listed.json()["Keys"]} == kids


@pytest.mark.one_backend  # a client library's compatibility
def test_aws_jwt_verify_verifies_old_and_new_tokens_across_a_rotation(nodes: Nodes) -> None:
    run_node = node_runner()
    (a, b), on_a = nodes.servers, nodes.clients[0]
    account = short_lived_account(on_a)
    pool = account.pool_id
    output = run_node(
        "jwt_verify_rotation.mjs",
        endpoint=a.url,
        issuer=f"{PUBLIC_URL}/{pool}",
        jwks_uri=f"{b.url}/{pool}/.well-known/jwks.json",
        pool_id=pool,
        client_id=account.client_id,
        username=account.username,
        password=PASSWORD,
    )["result"]
    before, after, again = output["before"], output["after"], output["beforeAgain"]
    assert set(before["kids"].values()).isdisjoint(after["kids"].values())
    sub = before["sub"]
    assert (
        before["verified"] == after["verified"] == again["verified"] == {"id": sub, "access": sub}
    )
    assert (before["fetches"], after["fetches"], again["fetches"]) == (1, 2, 2)
    for refusal in output["retired"].values():
        assert refusal is not None and refusal["type"] == "KidNotFoundInJwksError", refusal


class CountingJwkClient(jwt.PyJWKClient):
    """PyJWKClient with its JWKS cache, counting the times it fetches the JWKS. For a kid it
    does not know it fetches the JWKS again, but not within 30 s of the last fetch: so the
    server publishes new keys 5 minutes before they sign. Here both times are scaled down to
    seconds: the client waits 1 s, the server publishes 2 s ahead."""

    def __init__(self, uri: str) -> None:
        super().__init__(uri, cooldown_duration=1)

    fetches = 0

    def fetch_data(self) -> Any:
        self.fetches += 1
        return super().fetch_data()


@pytest.mark.one_backend  # a client library's compatibility
def test_pyjwt_jwks_client_verifies_old_and_new_tokens_across_a_rotation(nodes: Nodes) -> None:
    (a, b), on_a = nodes.servers, nodes.clients[0]
    account = short_lived_account(on_a)
    jwks_uri = f"{b.url}/{account.pool_id}/.well-known/jwks.json"
    client = CountingJwkClient(jwks_uri)

    def verified(tokens: dict[str, Any], verifier: jwt.PyJWKClient) -> str:
        issuer = f"{PUBLIC_URL}/{account.pool_id}"
        subs = set()
        for token, audience in (
            (tokens["IdToken"], account.client_id),
            (tokens["AccessToken"], None),
        ):
            key = verifier.get_signing_key_from_jwt(token).key
            claims = jwt.decode(token, key, ["RS256"], audience=audience, issuer=issuer)
            subs.add(claims["sub"])
        return subs.pop()

    before = sign_in(on_a, account)
    sub = verified(before, client)
    assert client.fetches == 1
    rotate = {"UserPoolId": account.pool_id}
    published = httpx.post(
        f"{a.url}/_userpool/keys/rotate", json={**rotate, "PublishAheadSeconds": 2}
    )
    assert published.status_code == 200
    new = signing_kids(published.json())
    after = signed_by(on_a, account, new, 5)
    assert after is not None
    assert verified(after, client) == sub and client.fetches == 2  # an unknown kid: fetched again
    assert verified(before, client) == sub and client.fetches == 2  # the old kid, in that JWKS
    retire = {**rotate, "KeepOldSeconds": 0}
    assert httpx.post(f"{a.url}/_userpool/keys/rotate", json=retire).status_code == 200
    for token in (before["AccessToken"], after["IdToken"]):
        with pytest.raises(jwt.PyJWKClientError, match="Unable to find a signing key"):
            jwt.PyJWKClient(jwks_uri).get_signing_key_from_jwt(token)


@pytest.mark.one_backend  # the checks of a request: nothing of the database
def test_bad_requests_to_the_key_endpoints_are_refused_and_change_nothing(nodes: Nodes) -> None:
    node = nodes.servers[1]
    pool_id = new_pool(nodes.clients[1])
    kids = jwks_kids(node, pool_id)
    rotate = f"{node.url}/_userpool/keys/rotate"
    cases: list[tuple[Any, str]] = [
        (b"[", "InvalidParameterException"),
        (b"[]", "InvalidParameterException"),
        ({}, "InvalidParameterException"),
        ({"UserPoolId": 7}, "InvalidParameterException"),
        ({"UserPoolId": "us-east-1_" + "x" * 60}, "InvalidParameterException"),
        ({"UserPoolId": pool_id, "KeepOldSeconds": -1}, "InvalidParameterException"),
        ({"UserPoolId": pool_id, "KeepOldSeconds": True}, "InvalidParameterException"),
        ({"UserPoolId": pool_id, "KeepOldSeconds": "60"}, "InvalidParameterException"),
        ({"UserPoolId": pool_id, "KeepOldSeconds": 1e12}, "InvalidParameterException"),
        ({"UserPoolId": "us-east-1_NoSuchPool"}, "ResourceNotFoundException"),
    ]
    for body, error in cases:
        sent = {"content": body} if isinstance(body, bytes) else {"json": body}
        response = httpx.post(rotate, **sent)
        assert (response.status_code, response.json()["__type"]) == (400, error), body
        assert response.json()["message"]
    missing = httpx.get(f"{node.url}/_userpool/keys", params={"UserPoolId": "us-east-1_NoSuchPool"})
    assert missing.json() == {
        "__type": "ResourceNotFoundException",
        "message": "User pool us-east-1_NoSuchPool does not exist.",
    }
    assert jwks_kids(node, pool_id) == kids
