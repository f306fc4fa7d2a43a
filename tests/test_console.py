"""The console in a real browser (headless Chromium, Debian's, through Playwright) and who may
open it. A user signs up through boto3; the browser finds the pool and the user by search,
follows the links to the user's page (its status) and to the outbox, where the sign-up code
is the one GET /_userpool/outbox gives. Each page is checked for what assistive technology
needs (one h1 and headings in order, landmarks, labelled fields, table headers with a scope,
contrast, a visible focus) and that its style ran under its Content-Security-Policy; a
screenshot of each is kept in test-artifacts/console/ (docs/images/console.png is one).

Access: with --credentials, HTTP Basic with a key pair (right, wrong, none; the browser's own
prompt answered); without, on a non-loopback --host, nobody. The loopback-only rule without
credentials, and the pages' data on both backends: tests/test_console_pages.py."""

from __future__ import annotations

import base64
import itertools
import re
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser_support import artifact, chromium, needs_chromium
from tests.codes_support import OUTBOX_FLAGS, last_code
from tests.conftest import Server, make_client, start_server
from tests.signin_support import PASSWORD

pytestmark = [needs_chromium, pytest.mark.one_backend]

KEY_ID, SECRET = "AKIDCONSOLE", "console-secret-key"
SCRIPT_NAME = '<script>alert("console")</script>'
LOOPBACK, GUARDED, CLOSED = "loopback", "guarded", "closed"


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Server]]:
    """Started side by side: on 127.0.0.1 without credentials, messages to the outbox (the
    browser's); with --credentials; on 0.0.0.0 without (--allow-any-credentials)."""
    credentials = tmp_path_factory.mktemp("console-keys") / "credentials"
    credentials.write_text(f"{KEY_ID} {SECRET}\n")
    wanted = {
        LOOPBACK: OUTBOX_FLAGS,
        GUARDED: ("--credentials", str(credentials)),
        CLOSED: ("--host", "0.0.0.0", "--allow-any-credentials"),
    }
    with ThreadPoolExecutor(len(wanted)) as starting:
        futures = {
            name: starting.submit(start_server, tmp_path_factory.mktemp(f"console-{name}"), *args)
            for name, args in wanted.items()
        }
    running = {name: f.result() for name, f in futures.items() if f.exception() is None}
    try:
        assert len(running) == len(wanted), [f.exception() for f in futures.values()]
        yield running
    finally:
        for server in running.values():
            server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@dataclass
class Visit:
    """A page and every Content-Security-Policy violation the browser reported on it."""

    page: Page
    violations: list[str]


@pytest.fixture
def visit(browser: Browser) -> Iterator[Visit]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.on("dialog", lambda dialog: violations.append(f"a dialog opened: {dialog.message}"))
    try:
        yield Visit(page, violations)
    finally:
        context.close()


def _luminance(css_color: str) -> float:
    red, green, blue = (int(part) / 255 for part in re.findall(r"\d+", css_color)[:3])
    linear = [
        c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (red, green, blue)
    ]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: str, background: str) -> float:
    lighter, darker = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def style_of(page: Page, selector: str, prop: str) -> str:
    value: str = page.locator(selector).first.evaluate(
        f"element => getComputedStyle(element)[{prop!r}]"
    )
    return value


def check_page(visit: Visit, name: str) -> None:
    """What every console page must have, then its screenshot."""
    page = visit.page
    assert page.locator("html").get_attribute("lang") == "en"
    expect(page.get_by_role("banner")).to_have_count(1)
    expect(page.get_by_role("main")).to_have_count(1)
    expect(page.get_by_role("navigation", name="Console")).to_be_visible()
    levels = [
        int(tag[1])
        for tag in page.locator("h1, h2, h3, h4").evaluate_all(
            "headings => headings.map(h => h.tagName)"
        )
    ]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(after <= before + 1 for before, after in itertools.pairwise(levels))
    assert page.locator("th:not([scope])").count() == 0
    for field in page.locator("input:not([type=hidden])").all():
        assert page.locator(f"label[for='{field.get_attribute('id')}']").count() == 1
    # The style ran (its hash is in the policy): the header has its background.
    assert style_of(page, "header", "backgroundColor") == "rgb(238, 241, 244)"
    white = style_of(page, "body", "backgroundColor")
    assert contrast(style_of(page, "body", "color"), white) >= 4.5
    assert contrast(style_of(page, "main a", "color"), white) >= 4.5
    assert visit.violations == []
    page.screenshot(path=artifact(f"console/{name}.png"), full_page=True)


def check_focus_is_visible(page: Page) -> None:
    """The first Tab lands on the skip link, shown, with a focus ring; following it moves on."""
    page.keyboard.press("Tab")
    focused = page.locator(":focus")
    expect(focused).to_have_text("Skip to content")
    expect(focused).to_be_in_viewport()
    assert style_of(page, ":focus", "outlineStyle") == "solid"
    assert style_of(page, ":focus", "outlineWidth") == "3px"


def value_in_row(page: Page, header: str) -> Locator:
    """The cell of the table row whose header is `header`."""
    row_header = page.get_by_role("rowheader", name=header, exact=True)
    return page.get_by_role("row").filter(has=row_header).get_by_role("cell")


@pytest.fixture(scope="module")
def signed_up(servers: dict[str, Server]) -> dict[str, str]:
    """A pool on the loopback server and a user signed up to it through boto3."""
    cognito = make_client(servers[LOOPBACK].url)
    name = f"console-{uuid.uuid4().hex[:6]}"
    pool_id = cognito.create_user_pool(PoolName=name, AutoVerifiedAttributes=["email"])["UserPool"][
        "Id"
    ]
    client_id = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="web")[
        "UserPoolClient"
    ]["ClientId"]
    attributes = [
        {"Name": "email", "Value": "carol@example.com"},
        {"Name": "name", "Value": SCRIPT_NAME},
    ]
    cognito.sign_up(
        ClientId=client_id, Username="carol", Password=PASSWORD, UserAttributes=attributes
    )
    return {"pool_id": pool_id, "pool_name": name}


def test_a_sign_up_and_its_code_seen_in_the_console(
    servers: dict[str, Server], signed_up: dict[str, str], visit: Visit
) -> None:
    server, page = servers[LOOPBACK], visit.page
    code = last_code(server, signed_up["pool_id"], "carol")  # as the outbox API gives it

    page.goto(f"{server.url}/console")
    check_focus_is_visible(page)
    page.get_by_label("Find a pool (name or id)").fill(signed_up["pool_name"])
    page.get_by_role("button", name="Search").click()
    check_page(visit, "pools")
    page.get_by_role("link", name=signed_up["pool_name"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(signed_up["pool_name"])
    check_page(visit, "pool")

    page.get_by_label("Find a user (username, email or sub)").fill("carol@exa")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Users of {signed_up['pool_name']}")
    check_page(visit, "users")
    page.get_by_role("link", name="carol").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("carol")
    expect(value_in_row(page, "Status")).to_have_text("UNCONFIRMED")
    # The name, markup as the user sent it, shown as text (and no dialog opened).
    expect(value_in_row(page, "name")).to_have_text(SCRIPT_NAME)
    check_page(visit, "user")

    page.get_by_role("link", name="Messages sent to this user (outbox)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Outbox")
    row = page.get_by_role("row").filter(has_text="carol@example.com")
    expect(row).to_have_count(1)
    expect(row.locator(".code")).to_have_text(code)
    expect(row).to_contain_text("SignUp")
    check_page(visit, "outbox")

    page.get_by_role("link", name=signed_up["pool_id"], exact=True).click()
    page.get_by_role("link", name="Signing keys (JWKS)").click()
    expect(page.get_by_role("cell", name="signing")).to_have_count(2)
    check_page(visit, "keys")


def basic(key_id: str, secret: str) -> dict[str, str]:
    token = base64.b64encode(f"{key_id}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


@pytest.mark.parametrize(
    "headers",
    [{}, basic(KEY_ID, "wrong-secret"), basic("AKIDUNKNOWN", SECRET), {"Authorization": "Basic !"}],
    ids=["none", "wrong secret", "unknown key id", "not base64"],
)
def test_with_credentials_only_a_key_pair_opens_it(
    servers: dict[str, Server], headers: dict[str, str]
) -> None:
    server = servers[GUARDED]
    pool_name = f"guarded-{uuid.uuid4().hex[:6]}"
    cognito = make_client(server.url, aws_access_key_id=KEY_ID, aws_secret_access_key=SECRET)
    cognito.create_user_pool(PoolName=pool_name)
    refused = httpx.get(f"{server.url}/console", headers=headers, timeout=10)
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"].startswith('Basic realm="userpool console"')
    assert pool_name not in refused.text
    # Even from this machine: with credentials, the address opens nothing.
    opened = httpx.get(f"{server.url}/console", headers=basic(KEY_ID, SECRET), timeout=10)
    assert opened.status_code == 200
    assert pool_name in opened.text


def test_a_browser_opens_it_with_the_key_pair(servers: dict[str, Server], browser: Browser) -> None:
    url = f"{servers[GUARDED].url}/console"
    for secret, status in ((SECRET, 200), ("wrong-secret", 401)):
        credentials: Any = {"username": KEY_ID, "password": secret}
        context = browser.new_context(http_credentials=credentials)
        try:
            page = context.new_page()
            response = page.goto(url)
            assert response is not None and response.status == status
            if status == 200:
                expect(page.get_by_role("heading", level=1)).to_have_text("User pools")
        finally:
            context.close()


def test_on_a_non_loopback_host_without_credentials_it_is_closed(
    servers: dict[str, Server],
) -> None:
    server = servers[CLOSED]
    pool_name = f"closed-{uuid.uuid4().hex[:6]}"
    make_client(server.url).create_user_pool(PoolName=pool_name)
    for path in ("/console", "/console/outbox", "/console/nothing"):
        refused = httpx.get(f"{server.url}{path}", timeout=10)  # from 127.0.0.1, even so
        assert refused.status_code == 403
        assert pool_name not in refused.text
        assert "--credentials" in refused.text
