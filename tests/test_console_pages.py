"""The console's pages over HTTP (httpx) on the shared servers, both backends: what each page
reads from the store (pools, a pool's clients, groups and domains, users found by username,
email and sub, a user's status, groups and sign-in events, the outbox newest first, the
signing keys), values escaped, unknown pools and users answered 404, and the loopback-only
rule of a server without --credentials. The browser and the other access modes:
tests/test_console.py."""

from __future__ import annotations

import html
import re
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.auth_events_support import THREAT_PROTECTION, TO_OUTBOX, sign_in
from tests.conftest import Server, server_store
from tests.signin_support import PASSWORD

SCRIPT_NAME = '<script>alert("console")</script>'
ATTRIBUTE_BREAKER = '"><img src=x onerror=alert(1)>'


@dataclass(frozen=True)
class World:
    pool_id: str
    pool_name: str
    client_id: str
    alice_sub: str
    mallory_sub: str


def get(server: Server, path: str, **params: Any) -> httpx.Response:
    return httpx.get(f"{server.url}{path}", params=params, timeout=10)


def sub_of(cognito: Any, pool_id: str, username: str) -> str:
    attributes = cognito.admin_get_user(UserPoolId=pool_id, Username=username)["UserAttributes"]
    return str(next(a["Value"] for a in attributes if a["Name"] == "sub"))


@pytest.fixture(scope="module")
def world(cognito: Any) -> World:
    """A pool with threat protection (its events kept) whose messages go to the outbox;
    alice signed up (her code sent again), confirmed, in a group and signed in once; mallory,
    whose name (as the group's description) is markup."""
    name = f"console-{uuid.uuid4().hex[:8]}"
    settings = {**THREAT_PROTECTION, **TO_OUTBOX, "AutoVerifiedAttributes": ["email"]}
    pool_id = cognito.create_user_pool(PoolName=name, **settings)["UserPool"]["Id"]
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="web",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    email = [{"Name": "email", "Value": "alice@example.com"}]
    cognito.sign_up(ClientId=client_id, Username="alice", Password=PASSWORD, UserAttributes=email)
    cognito.resend_confirmation_code(ClientId=client_id, Username="alice")
    cognito.admin_confirm_sign_up(UserPoolId=pool_id, Username="alice")
    cognito.create_group(UserPoolId=pool_id, GroupName="readers", Description=SCRIPT_NAME)
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username="alice", GroupName="readers")
    sign_in(cognito, client_id, "alice")
    hostile = [
        {"Name": "name", "Value": SCRIPT_NAME},
        {"Name": "family_name", "Value": ATTRIBUTE_BREAKER},
    ]
    cognito.admin_create_user(
        UserPoolId=pool_id, Username="mallory", UserAttributes=hostile, MessageAction="SUPPRESS"
    )
    return World(
        pool_id,
        name,
        client_id,
        sub_of(cognito, pool_id, "alice"),
        sub_of(cognito, pool_id, "mallory"),
    )


def test_the_pools_list_finds_a_pool_by_name_and_by_id(server: Server, world: World) -> None:
    link = f'href="/console/pools/{world.pool_id}">{world.pool_name}</a>'
    for query in (world.pool_name, world.pool_name.upper()[3:], world.pool_id):
        found = get(server, "/console", q=query)
        assert found.status_code == 200
        assert link in found.text
        assert "<td>2</td>" in found.text  # its users
    assert link not in get(server, "/console", q="no-such-pool-anywhere").text
    assert link in get(server, "/console/", q=world.pool_id).text


def test_a_pools_page_shows_its_settings_clients_groups_and_users(
    server: Server, world: World
) -> None:
    page = get(server, f"/console/pools/{world.pool_id}")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    text = page.text
    assert f"<h1>{world.pool_name}</h1>" in text
    assert f"<code>{world.client_id}</code>" in text
    assert "ALLOW_USER_PASSWORD_AUTH, ALLOW_REFRESH_TOKEN_AUTH" in text
    assert '<th scope="row">Feature plan</th><td>PLUS</td>' in text
    assert '<th scope="row">readers</th>' in text
    for sub, username in ((world.alice_sub, "alice"), (world.mallory_sub, "mallory")):
        assert f'href="/console/pools/{world.pool_id}/users/{sub}">{username}</a>' in text
    assert f'href="/console/pools/{world.pool_id}/keys"' in text


@pytest.mark.parametrize("query", ["ali", "alice", "alice@exa", "<sub>"])
def test_a_user_is_found_by_username_email_or_sub(server: Server, world: World, query: str) -> None:
    query = world.alice_sub if query == "<sub>" else query
    found = get(server, f"/console/pools/{world.pool_id}/users", q=query)
    assert found.status_code == 200
    assert f'/users/{world.alice_sub}">alice</a>' in found.text
    assert "mallory" not in found.text


def test_a_users_page_shows_status_groups_and_sign_in_events(server: Server, world: World) -> None:
    page = get(server, f"/console/pools/{world.pool_id}/users/{world.alice_sub}")
    assert page.status_code == 200
    text = page.text
    assert '<th scope="row">Status</th><td>CONFIRMED</td>' in text
    assert '<th scope="row">Enabled</th><td>yes</td>' in text
    assert '<th scope="row">email</th><td>alice@example.com</td>' in text
    assert "<li>readers</li>" in text
    assert "<td>SignIn</td><td>Pass</td><td>Password: right</td>" in text
    assert "<td>SignUp</td><td>Pass</td>" in text
    assert f'href="/console/outbox?pool={world.pool_id}&amp;user=alice"' in text


def test_what_users_wrote_is_shown_as_text_never_as_markup(server: Server, world: World) -> None:
    pages = [
        get(server, f"/console/pools/{world.pool_id}/users/{world.mallory_sub}"),
        get(server, f"/console/pools/{world.pool_id}"),  # the group's description
        get(server, f"/console/pools/{world.pool_id}/users", q=SCRIPT_NAME),  # echoed
        get(server, "/console/outbox", user=ATTRIBUTE_BREAKER),  # echoed in a value=""
    ]
    for page in pages:
        assert page.status_code == 200
        assert "<script" not in page.text
        assert "<img" not in page.text
        assert "default-src 'none'" in page.headers["content-security-policy"]
    assert html.escape(SCRIPT_NAME) in pages[0].text
    assert html.escape(ATTRIBUTE_BREAKER) in pages[0].text
    assert html.escape(SCRIPT_NAME) in pages[1].text
    assert f'value="{html.escape(ATTRIBUTE_BREAKER)}"' in pages[3].text


def test_the_outbox_lists_the_pools_messages_newest_first_with_their_codes(
    server: Server, world: World
) -> None:
    with server_store(server) as store, store.read() as tx:
        stored = tx.outbox.list(world.pool_id, "alice", 0, 100)
    codes = [entry.message.code or "" for entry in stored]
    assert len(codes) == 2 and all(codes)
    page = get(server, "/console/outbox", pool=world.pool_id, user="alice")
    assert page.status_code == 200
    positions = [page.text.index(f'class="code mono">{code}<') for code in codes]
    assert positions[1] < positions[0]  # the resent code first
    assert "<td>ResendCode</td>" in page.text and "<td>SignUp</td>" in page.text
    older = get(server, "/console/outbox", pool=world.pool_id, before=stored[1].id)
    assert f'class="code mono">{codes[0]}<' in older.text
    assert f'class="code mono">{codes[1]}<' not in older.text


def test_the_keys_page_shows_the_jwks_kids_and_which_sign(server: Server, world: World) -> None:
    def statuses() -> dict[str, str]:
        page = get(server, f"/console/pools/{world.pool_id}/keys")
        assert page.status_code == 200
        rows = re.findall(
            r'<th scope="row"><code>([^<]+)</code></th><td>[^<]+</td><td>(\w+)', page.text
        )
        return {html.unescape(kid): status for kid, status in rows}

    first = [
        key["kid"] for key in get(server, f"/{world.pool_id}/.well-known/jwks.json").json()["keys"]
    ]
    assert statuses() == dict.fromkeys(first, "signing")  # the ID-token and access-token keys
    rotated = httpx.post(f"{server.url}/_userpool/keys/rotate", json={"UserPoolId": world.pool_id})
    assert rotated.status_code == 200
    jwks = get(server, f"/{world.pool_id}/.well-known/jwks.json").json()["keys"]
    ahead = {key["kid"]: "published" for key in jwks if key["kid"] not in first}
    assert len(ahead) == 2
    assert statuses() == {**dict.fromkeys(first, "signing"), **ahead}  # new ones sign in 5 min


@pytest.mark.parametrize(
    "path",
    [
        "/console/pools/us-east-1_NoSuchPool",
        "/console/pools/us-east-1_NoSuchPool/users",
        "/console/pools/us-east-1_NoSuchPool/keys",
        "/console/pools/<pool>/users/00000000-0000-0000-0000-000000000000",
        "/console/nothing/here",
    ],
)
def test_what_does_not_exist_is_a_404_page(server: Server, world: World, path: str) -> None:
    page = get(server, path.replace("<pool>", world.pool_id))
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "<h1>Not found</h1>" in page.text


def test_a_bad_outbox_position_is_a_400_page(server: Server) -> None:
    page = get(server, "/console/outbox", before="latest")
    assert page.status_code == 400
    assert "before must be a message id" in page.text


@pytest.mark.parametrize(
    "header",
    [
        ("X-Forwarded-For", "203.0.113.9"),
        ("X-Forwarded-For", "127.0.0.1"),
        ("Forwarded", "for=127.0.0.1"),
    ],
)
def test_without_credentials_a_request_through_a_proxy_is_refused(
    server: Server, world: World, header: tuple[str, str]
) -> None:
    """From 127.0.0.1, a trusted proxy's address for uvicorn: a forwarded client, whatever
    address it names, is not a browser on this machine."""
    page = httpx.get(f"{server.url}/console/pools/{world.pool_id}", headers=[header], timeout=10)
    assert page.status_code == 403
    assert world.pool_name not in page.text and world.client_id not in page.text


def test_the_console_only_reads(server: Server, world: World) -> None:
    for method in ("POST", "PUT", "DELETE"):
        answer = httpx.request(method, f"{server.url}/console/pools/{world.pool_id}", timeout=10)
        assert answer.status_code == 405
