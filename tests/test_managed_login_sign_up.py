"""A sign-up on the managed login pages ends signed in, as on Cognito's: once the emailed code
is confirmed (or at once, for a user PreSignUp confirms), the new user signs in with the
password they chose (kept sealed in the confirmation form, never in clear) through the same
engine as the sign-in form, so the pool's triggers and MFA take part, and the browser goes to
the app with its code. The pool's functions are a real Python worker (a handler file written
here) that records each event it is given."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.codes_support import last_code
from tests.conftest import BACKENDS, REGION, Server, make_client
from tests.login_support import CALLBACK, Browser, Page, Site, location, page_of, query_of
from tests.mfa_support import mfa_pool
from tests.signin_support import PASSWORD, claims, new_pool, unique
from tests.trigger_support import trigger_server
from userpool.auth import SessionSealer
from userpool.crypto.sealing import Sealer
from userpool.oauth import sealed_password

RECORD = "SIGN_UP_PAGES_RECORD"
FUNCTION = f"arn:aws:lambda:{REGION}:000000000000:function:sign-up-pages"
HANDLER = """
import json, os

def handler(event, context):
    with open(os.environ["SIGN_UP_PAGES_RECORD"], "a", encoding="utf-8") as record:
        record.write(json.dumps(event) + "\\n")
    if event["triggerSource"] == "PreSignUp_SignUp" and event["userName"].startswith("auto-"):
        event["response"]["autoConfirmUser"] = True
    return event
"""
TRIGGERS = ("PreSignUp", "PostConfirmation", "PreAuthentication", "PostAuthentication")
LAMBDA_CONFIG = {name: FUNCTION for name in (*TRIGGERS, "PreTokenGeneration")}


@pytest.fixture(scope="module", params=BACKENDS)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp(f"sign-up-pages-{request.param}")
    handlers = data_dir / "handlers"
    handlers.mkdir()
    (handlers / "pages.py").write_text(HANDLER)
    (handlers / "triggers.json").write_text(
        json.dumps({"sign-up-pages": "python:./pages.py#handler"})
    )
    record = data_dir / "events.jsonl"
    with trigger_server(request.param, data_dir, handlers, (RECORD, record)) as running:
        yield running


@pytest.fixture(scope="module")
def cognito(server: Server) -> Any:
    return make_client(server.url)


@pytest.fixture
def browser() -> Iterator[Browser]:
    made = Browser()
    yield made
    made.close()


def sources(server: Server, username: str) -> list[str]:
    """The trigger sources the pool's function was called with for `username`, in order."""
    path = server.data_dir / "events.jsonl"
    lines = path.read_text().splitlines() if path.exists() else []
    events = [json.loads(line) for line in lines]
    return [event["triggerSource"] for event in events if event["userName"] == username]


def sign_up_form(site: Site, browser: Browser, state: str) -> Page:
    query = urlencode(site.authorize_params(state=state))
    form = page_of(browser.get(f"{site.base}/signup?{query}"))
    assert form.status == 200 and form.action == f"{site.base}/signup", form.text
    return form


def confirmation_form(site: Site, browser: Browser, username: str, state: str) -> Page:
    """/signup answered for `username` (an email address, the password PASSWORD): the
    confirmation form it shows."""
    form = sign_up_form(site, browser, state)
    email = f"{unique('e')}@example.com"
    posted = dict(username=username, email=email, password=PASSWORD, confirm_password=PASSWORD)
    confirm = page_of(browser.submit(form, **posted))
    assert confirm.action == f"{site.base}/confirmUser", confirm.text
    return confirm


def test_the_confirmed_user_is_signed_in_and_sent_to_the_app(
    server: Server, cognito: Any, browser: Browser
) -> None:
    pool_id = new_pool(cognito, AutoVerifiedAttributes=["email"], LambdaConfig=LAMBDA_CONFIG)
    site = Site.make(server, cognito, pool_id=pool_id)
    username = unique("new")
    confirm = confirmation_form(site, browser, username, "st-confirmed")
    # The password waits in the form sealed: nowhere in the page, nor in a cookie.
    assert confirm.fields[sealed_password.FIELD]
    assert PASSWORD not in confirm.html
    assert all(PASSWORD not in value for value in browser.client.cookies.values())

    wrong = page_of(browser.submit(confirm, code="000000"))
    assert wrong.status == 400 and "Invalid verification code provided" in wrong.text
    assert wrong.fields[sealed_password.FIELD] and PASSWORD not in wrong.html
    back = location(browser.submit(wrong, code=last_code(server, pool_id, username)))

    assert back.startswith(CALLBACK + "?")
    assert query_of(back)["state"] == "st-confirmed"
    exchanged = site.exchange(query_of(back)["code"])
    assert exchanged.status_code == 200, exchanged.text
    identity = claims(exchanged.json()["id_token"])
    assert identity["cognito:username"] == username and identity["email_verified"] is True
    # A real sign-in: its triggers ran after the confirmation's, as a managed-login sign-in's.
    assert sources(server, username) == [
        "PreSignUp_SignUp",
        "PostConfirmation_ConfirmSignUp",
        "PreAuthentication_Authentication",
        "PostAuthentication_Authentication",
        "TokenGeneration_HostedAuth",
    ]
    # The browser is remembered, as after any sign-in on the pages.
    again = location(browser.get(site.authorize_url()))
    assert again.startswith(CALLBACK + "?") and query_of(again)["code"]


def test_a_user_the_pool_confirms_itself_is_signed_in_at_once(
    server: Server, cognito: Any, browser: Browser
) -> None:
    pool_id = new_pool(cognito, AutoVerifiedAttributes=["email"], LambdaConfig=LAMBDA_CONFIG)
    site = Site.make(server, cognito, pool_id=pool_id)
    username = unique("auto")
    form = sign_up_form(site, browser, "st-auto")
    posted = dict(username=username, email=f"{unique('e')}@example.com")
    back = location(browser.submit(form, password=PASSWORD, confirm_password=PASSWORD, **posted))
    assert query_of(back)["state"] == "st-auto"
    tokens = site.exchange(query_of(back)["code"]).json()
    assert claims(tokens["access_token"])["username"] == username
    assert "PostAuthentication_Authentication" in sources(server, username)


def test_mfa_the_pool_requires_follows_the_confirmation(
    server: Server, cognito: Any, browser: Browser
) -> None:
    pool_id = mfa_pool(cognito, "ON", ("EMAIL_OTP",), AutoVerifiedAttributes=["email"])
    site = Site.make(server, cognito, pool_id=pool_id)
    username = unique("new")
    confirm = confirmation_form(site, browser, username, "st-mfa")
    asked = page_of(browser.submit(confirm, code=last_code(server, pool_id, username)))
    assert asked.status == 200 and asked.fields["challenge"] == "EMAIL_OTP", asked.text
    assert "We sent a code to" in asked.text
    back = location(browser.submit(asked, code=last_code(server, pool_id, username)))
    assert query_of(back)["state"] == "st-mfa" and query_of(back)["code"]


def test_without_its_sealed_password_the_form_asks_for_it_once_confirmed(
    server: Server, cognito: Any, browser: Browser
) -> None:
    pool_id = new_pool(cognito, AutoVerifiedAttributes=["email"])
    site = Site.make(server, cognito, pool_id=pool_id)
    username = unique("new")
    confirm = confirmation_form(site, browser, username, "st-altered")
    sealed = confirm.fields[sealed_password.FIELD]
    altered = sealed[:-2] + ("A" if sealed[-2] != "A" else "B") + sealed[-1]
    code = last_code(server, pool_id, username)
    signin = page_of(browser.submit(confirm, code=code, **{sealed_password.FIELD: altered}))
    assert signin.status == 200 and "Your account is confirmed." in signin.text
    assert signin.fields["username"] == username
    back = location(browser.submit(signin, password=PASSWORD))
    assert query_of(back)["state"] == "st-altered"
    status = cognito.admin_get_user(UserPoolId=pool_id, Username=username)["UserStatus"]
    assert status == "CONFIRMED"


def test_a_sealed_password_opens_only_for_its_pool_client_and_user_while_live() -> None:
    runtime: Any = SimpleNamespace(sessions=SessionSealer(Sealer(b"k" * 32)))
    now = time.time()
    sealed = sealed_password.seal(runtime, "pool", "client", "ada", "Secret-1", now)
    assert sealed_password.open_sealed(runtime, sealed, "pool", "client", "ada", now) == "Secret-1"
    for pool, client, user in (("other", "client", "ada"), ("pool", "other", "ada")):
        assert sealed_password.open_sealed(runtime, sealed, pool, client, user, now) is None
    assert sealed_password.open_sealed(runtime, sealed, "pool", "client", "bob", now) is None
    later = now + sealed_password.SECONDS
    assert sealed_password.open_sealed(runtime, sealed, "pool", "client", "ada", later) is None
    other_key: Any = SimpleNamespace(sessions=SessionSealer(Sealer(b"j" * 32)))
    assert sealed_password.open_sealed(other_key, sealed, "pool", "client", "ada", now) is None
    for junk in ("", "!!", "QUJD"):
        assert sealed_password.open_sealed(runtime, junk, "pool", "client", "ada", now) is None
