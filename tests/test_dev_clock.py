"""The controllable clock of `serve --dev-endpoints` (issue 18, item 3): `/_userpool/clock`
moves the server's time, and sessions, codes, temporary passwords, tokens and lockouts expire
by it, without sleeping; JWT `iat`/`exp`/`auth_time` and users' dates follow it. Through boto3
and pycognito against a real server with two workers on each backend: an advance answered by
one worker holds for the next request on any. Without the flag the routes are not there, and
(measured in process) no request reads the clock's row."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from bench._http import sigv4_shaped_headers
from sqlalchemy import Engine, event

from tests.codes_support import EXPIRED, OUTBOX_FLAGS, last_code
from tests.conftest import BACKENDS, Server, make_client, server_on
from tests.signin_support import (
    NEW_PASSWORD,
    PASSWORD,
    PASSWORD_FLOWS,
    TEMPORARY_PASSWORD,
    WRONG_PASSWORD,
    attribute_list,
    claims,
    confirmed_user,
    failure,
    invited_user,
    new_client,
    new_pool,
    signed_in_account,
    tokens_of,
    unique,
    user_auth,
)
from tests.srp_support import Channel
from userpool.app import create_app
from userpool.config import ServerConfig
from userpool.storage import database

DAY = 86_400
MOMENT = 2_000_000_000.0  # 2033-05-18: far from the real time, both ways
SLACK = 60  # seconds of real time a test may take between setting the clock and reading it
EXPIRED_SESSION = "Invalid session for the user, session is expired."
TEMPORARY_EXPIRED = "Temporary password has expired and must be reset by an administrator."
LOCKED = "Password attempts exceeded"


class Clock:
    """The server's /_userpool/clock; each call on a new connection, so that calls spread
    over the server's workers (each listens on the port with SO_REUSEPORT)."""

    def __init__(self, url: str) -> None:
        self.url = f"{url}/_userpool/clock"

    def call(self, method: str, body: Any = None) -> httpx.Response:
        content = None if body is None else orjson.dumps(body)
        return httpx.request(method, self.url, content=content, timeout=10)

    def read(self, method: str = "GET", body: Any = None) -> dict[str, float]:
        response = self.call(method, body)
        assert response.status_code == 200, response.text
        answer: dict[str, float] = response.json()
        return answer

    def advance(self, seconds: float) -> dict[str, float]:
        return self.read("POST", {"advance": seconds})


@pytest.fixture(scope="module", params=BACKENDS)
def dev_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp(f"dev-clock-{request.param}")
    with server_on(request.param, data_dir, *OUTBOX_FLAGS, "--workers", "2") as running:
        yield running


@pytest.fixture(scope="module")
def dev_cognito(dev_server: Server) -> Any:
    return make_client(dev_server.url)


@pytest.fixture
def clock(dev_server: Server) -> Iterator[Clock]:
    """The dev server's clock, at the real time for each test and reset after it."""
    running = Clock(dev_server.url)
    running.read("DELETE")
    yield running
    running.read("DELETE")


def test_an_advance_holds_on_every_worker_and_adds_up(clock: Clock) -> None:
    start = clock.read()
    assert start["offset"] == 0 and abs(start["now"] - time.time()) < SLACK
    moved = clock.advance(90.5)
    assert moved["offset"] == 90.5 and abs(moved["now"] - time.time() - 90.5) < SLACK
    assert {clock.read()["offset"] for _ in range(12)} == {90.5}
    barrier = threading.Barrier(8)

    def advance_once() -> None:
        barrier.wait()
        clock.advance(1.25)

    threads = [threading.Thread(target=advance_once) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {clock.read()["offset"] for _ in range(6)} == {100.5}  # each advance counted once
    set_to = clock.read("POST", {"set": MOMENT})
    assert abs(set_to["now"] - MOMENT) < SLACK
    assert abs(clock.read()["now"] - MOMENT) < SLACK
    earlier = clock.read("POST", {"set": 1_000_000_000})  # back before the real time too
    assert earlier["offset"] < 0 and abs(earlier["now"] - 1_000_000_000) < SLACK
    reset = clock.read("DELETE")
    assert reset["offset"] == 0 and abs(reset["now"] - time.time()) < SLACK


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (b"not json", "SerializationException"),
        (b'{"advance": NaN}', "SerializationException"),
        (b"[5]", "InvalidParameterException"),
        (b"{}", "InvalidParameterException"),
        (b'{"rewind": 5}', "InvalidParameterException"),
        (b'{"advance": 5, "set": 2000000000}', "InvalidParameterException"),
        (b'{"advance": -1}', "InvalidParameterException"),
        (b'{"advance": "60"}', "InvalidParameterException"),
        (b'{"advance": true}', "InvalidParameterException"),
        (b'{"advance": 1e300}', "InvalidParameterException"),
        (b'{"set": -1}', "InvalidParameterException"),
        (b'{"set": 1e20}', "InvalidParameterException"),
        (b'{"set": null}', "InvalidParameterException"),
    ],
)
def test_a_bad_body_is_refused_and_changes_nothing(clock: Clock, body: bytes, kind: str) -> None:
    clock.advance(5)
    response = httpx.post(clock.url, content=body, timeout=10)
    assert response.status_code == 400
    error = response.json()
    assert error["__type"] == kind and error["message"]
    assert clock.read()["offset"] == 5


def test_a_sign_in_session_expires_after_three_minutes(dev_cognito: Any, clock: Clock) -> None:
    pool_id = new_pool(dev_cognito)
    client = new_client(dev_cognito, pool_id)
    assert client["AuthSessionValidity"] == 3  # minutes, Cognito's default
    sessions = {}
    for name in (unique("in-time"), unique("too-late")):
        invited_user(dev_cognito, pool_id, name)
        challenge = user_auth(dev_cognito, client["ClientId"], name, TEMPORARY_PASSWORD)
        assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
        sessions[name] = challenge["Session"]

    def answer(name: str) -> dict[str, Any]:
        response: dict[str, Any] = dev_cognito.respond_to_auth_challenge(
            ClientId=client["ClientId"],
            ChallengeName="NEW_PASSWORD_REQUIRED",
            Session=sessions[name],
            ChallengeResponses={"USERNAME": name, "NEW_PASSWORD": NEW_PASSWORD},
        )
        return response

    in_time, too_late = sessions
    clock.advance(170)
    assert tokens_of(answer(in_time))["AccessToken"]
    clock.advance(20)
    assert failure(answer, too_late) == ("NotAuthorizedException", EXPIRED_SESSION)


def test_a_confirmation_code_expires_after_a_day(
    dev_server: Server, dev_cognito: Any, clock: Clock
) -> None:
    pool_id = new_pool(dev_cognito, AutoVerifiedAttributes=["email"])
    client_id = new_client(dev_cognito, pool_id)["ClientId"]
    codes = {}
    for name in (unique("in-time"), unique("too-late")):
        dev_cognito.sign_up(
            ClientId=client_id,
            Username=name,
            Password=PASSWORD,
            UserAttributes=attribute_list(email=f"{name}@example.com"),
        )
        codes[name] = last_code(dev_server, pool_id, name)

    def confirm(name: str) -> None:
        dev_cognito.confirm_sign_up(ClientId=client_id, Username=name, ConfirmationCode=codes[name])

    in_time, too_late = codes
    clock.advance(DAY - 60)
    confirm(in_time)
    clock.advance(120)
    assert failure(confirm, too_late) == ("ExpiredCodeException", EXPIRED)


def test_a_temporary_password_expires_after_its_validity(dev_cognito: Any, clock: Clock) -> None:
    pool_id = new_pool(dev_cognito)
    pool = dev_cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert pool["Policies"]["PasswordPolicy"]["TemporaryPasswordValidityDays"] == 7
    client_id = new_client(dev_cognito, pool_id)["ClientId"]
    name = unique("invited")
    invited_user(dev_cognito, pool_id, name)
    clock.advance(6 * DAY)
    challenge = user_auth(dev_cognito, client_id, name, TEMPORARY_PASSWORD)
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    clock.advance(DAY + 60)
    refused = failure(user_auth, dev_cognito, client_id, name, TEMPORARY_PASSWORD)
    assert refused == ("NotAuthorizedException", TEMPORARY_EXPIRED)


def test_tokens_and_dates_follow_the_clock(dev_cognito: Any, clock: Clock) -> None:
    clock.read("POST", {"set": MOMENT})
    account = signed_in_account(dev_cognito)
    access, id_token = claims(account.tokens["AccessToken"]), claims(account.tokens["IdToken"])
    assert MOMENT <= access["iat"] < MOMENT + SLACK
    assert access["exp"] == access["iat"] + 3600 and id_token["exp"] == id_token["iat"] + 3600
    assert access["auth_time"] == id_token["auth_time"] == access["iat"]
    user = dev_cognito.admin_get_user(UserPoolId=account.pool_id, Username=account.username)
    assert MOMENT <= user["UserCreateDate"].timestamp() < MOMENT + SLACK
    dev_cognito.get_user(AccessToken=account.tokens["AccessToken"])

    def refresh() -> dict[str, Any]:
        return tokens_of(
            dev_cognito.initiate_auth(
                ClientId=account.client_id,
                AuthFlow="REFRESH_TOKEN_AUTH",
                AuthParameters={"REFRESH_TOKEN": account.tokens["RefreshToken"]},
            )
        )

    clock.advance(3601)
    expired = failure(dev_cognito.get_user, AccessToken=account.tokens["AccessToken"])
    assert expired == ("NotAuthorizedException", "Access Token has expired")
    refreshed = refresh()
    renewed = claims(refreshed["AccessToken"])
    assert MOMENT + 3601 <= renewed["iat"] < MOMENT + 3601 + SLACK
    assert renewed["auth_time"] == access["auth_time"]  # the sign-in's, kept on refresh
    dev_cognito.get_user(AccessToken=refreshed["AccessToken"])
    clock.advance(30 * DAY)
    assert failure(refresh) == ("NotAuthorizedException", "Refresh Token has expired")


def test_srp_clients_sign_in_with_their_real_clock(dev_cognito: Any, clock: Clock) -> None:
    """pycognito stamps TIMESTAMP with the real time, as every SRP client does: it is taken
    however far the server's clock has moved, and the tokens are dated by the server's."""
    pool_id = new_pool(dev_cognito)
    client_id = new_client(dev_cognito, pool_id, (*PASSWORD_FLOWS, "ALLOW_USER_SRP_AUTH"))[
        "ClientId"
    ]
    name = unique("srp")
    confirmed_user(dev_cognito, pool_id, name)
    clock.read("POST", {"set": MOMENT})
    helper = Channel(dev_cognito, pool_id, client_id).helper(name)
    tokens = helper.authenticate_user()["AuthenticationResult"]
    assert MOMENT <= claims(tokens["AccessToken"])["iat"] < MOMENT + SLACK


def test_a_lockout_ends_after_its_window(dev_cognito: Any, clock: Clock) -> None:
    """Five failures lock the user for 1 s, each further one (once the lock is over) twice as
    long: after twelve the lock lasts 128 s, which only the clock gets past here."""
    pool_id = new_pool(dev_cognito)
    client_id = new_client(dev_cognito, pool_id)["ClientId"]
    name = unique("locked")
    confirmed_user(dev_cognito, pool_id, name)

    def wrong() -> tuple[str, str]:
        return failure(user_auth, dev_cognito, client_id, name, "Wrong-Passw0rd-9")

    for _ in range(5):
        assert wrong() == ("NotAuthorizedException", WRONG_PASSWORD)
    lock = 1.0
    for _ in range(7):
        clock.advance(lock + 0.5)
        assert wrong() == ("NotAuthorizedException", WRONG_PASSWORD)
        lock *= 2
    assert failure(user_auth, dev_cognito, client_id, name) == ("NotAuthorizedException", LOCKED)
    clock.advance(lock - 10)
    assert failure(user_auth, dev_cognito, client_id, name) == ("NotAuthorizedException", LOCKED)
    clock.advance(11)
    assert tokens_of(user_auth(dev_cognito, client_id, name))["AccessToken"]


def test_without_dev_endpoints_there_is_no_clock(server: Server, cognito: Any) -> None:
    """The shared server runs without --dev-endpoints: nothing answers at the clock's path,
    and a POST to it leaves the server's time the real one."""
    for method, body in (("GET", None), ("POST", {"advance": DAY}), ("DELETE", None)):
        assert Clock(server.url).call(method, body).status_code == 404
    account = signed_in_account(cognito)
    assert abs(claims(account.tokens["AccessToken"])["iat"] - time.time()) < SLACK


def test_the_clock_is_read_once_per_request_and_only_with_dev_endpoints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In process, every statement any engine runs is seen: the dev clock's row is read once
    for each request (a sign-up in a worker thread included), however often the operation
    asks the time; without the flag, never."""
    monkeypatch.delenv("USERPOOL_SECRET_KEY", raising=False)
    engine = database.create(database.sqlite_url(tmp_path))
    database.migrate(engine)
    engine.dispose()
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    event.listen(Engine, "before_cursor_execute", seen)
    try:
        reads = {dev: _clock_reads(tmp_path, statements, dev=dev) for dev in (False, True)}
    finally:
        event.remove(Engine, "before_cursor_execute", seen)
    assert reads == {False: 0, True: 5}


def _clock_reads(data_dir: Path, statements: list[str], *, dev: bool) -> int:
    """How often the clock's row was read over five requests to an app with(out) the flag."""
    app = create_app(ServerConfig(data_dir=data_dir, dev_endpoints=dev))
    headers = dict(line.split(": ", 1) for line in sigv4_shaped_headers("us-east-1").splitlines())
    headers["Content-Type"] = "application/x-amz-json-1.1"

    async def requests() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://worker") as client:

            async def call(operation: str, params: dict[str, Any]) -> dict[str, Any]:
                target = {"X-Amz-Target": f"AWSCognitoIdentityProviderService.{operation}"}
                sent = await client.post("/", headers=headers | target, json=params)
                assert sent.status_code == 200, sent.text
                answer: dict[str, Any] = sent.json()
                return answer

            pool = await call("CreateUserPool", {"PoolName": unique("pool")})
            pool_id = pool["UserPool"]["Id"]
            made = await call("CreateUserPoolClient", {"UserPoolId": pool_id, "ClientName": "c"})
            client_id = made["UserPoolClient"]["ClientId"]
            user = {"ClientId": client_id, "Username": unique("u"), "Password": PASSWORD}
            await call("SignUp", user)  # sends a message: in a worker thread
            await call("AdminGetUser", {"UserPoolId": pool_id, "Username": user["Username"]})
            answer = await client.get("/_userpool/clock")
            assert answer.status_code == (200 if dev else 404)

    statements.clear()
    asyncio.run(requests())
    return sum("dev_clock" in statement for statement in statements)
