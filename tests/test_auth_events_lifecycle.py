"""Users' auth events through boto3 and an httpx browser, on both backends, where the first
tests (test_auth_events.py) leave off: sign-ins refused before any answer is judged (a lockout,
a disabled user, a reset pending) are failed sign-ins, and a name that means nobody leaves
nothing; managed login records the browser's address; refreshed tokens, by every way of
refreshing, keep the `event_id` of the sign-in they come from; and housekeeping drops the
events older than the two years Cognito keeps (their age set in the database by the test)."""

from __future__ import annotations

import time
from typing import Any

import httpx
from pycognito.aws_srp import AWSSRP
from sqlalchemy import update

from tests.auth_events_support import (
    NO_RISK,
    THREAT_PROTECTION,
    TO_OUTBOX,
    auth_events,
    export,
    history,
    sign_in,
)
from tests.conftest import Server, server_store
from tests.login_support import Browser, Site, location, query_of
from tests.signin_support import (
    PASSWORD,
    PASSWORD_FLOWS,
    claims,
    confirmed_user,
    failure,
    new_client,
    new_pool,
    secret_hash,
    unique,
)
from userpool.domain.auth_events import US
from userpool.storage.housekeeping import AUTH_EVENTS_KEPT_SECONDS, purge_expired
from userpool.storage.sql_auth_events import auth_events as auth_events_table

LOCKED = ("NotAuthorizedException", "Password attempts exceeded")
WRONG = "Wrong-Passw0rd"
# No challenge answered: refused before the proof.
REFUSED_EARLY: tuple[str, str, list[str]] = ("SignIn", "Fail", [])
BROWSER_ADDRESS = "127.0.0.2"  # not a trusted proxy: the server takes the peer's address


def lock_out(cognito: Any, client_id: str, username: str) -> list[tuple[str, str]]:
    """Wrong passwords until the lockout refuses one (from the fifth failure on); the answers."""
    answers: list[tuple[str, str]] = []
    while not answers or answers[-1] != LOCKED:
        assert len(answers) < 12, answers
        answers.append(failure(sign_in, cognito, client_id, username, WRONG))
    return answers


def test_refusals_before_the_proof_are_failed_sign_ins(server: Server, cognito: Any) -> None:
    pool_id = new_pool(cognito, **THREAT_PROTECTION, **TO_OUTBOX)
    flows = (*PASSWORD_FLOWS, "ALLOW_USER_SRP_AUTH")
    hiding = {"PreventUserExistenceErrors": "ENABLED"}
    client_id = new_client(cognito, pool_id, flows, **hiding)["ClientId"]
    disabled, reset, locked = unique("disabled"), unique("reset"), unique("locked")
    for username in (disabled, reset, locked):
        email = {"email": f"{username}@example.com", "email_verified": "true"}
        confirmed_user(cognito, pool_id, username, **email)
    cognito.admin_disable_user(UserPoolId=pool_id, Username=disabled)
    assert failure(sign_in, cognito, client_id, disabled) == (
        "NotAuthorizedException",
        "User is disabled.",
    )
    # SRP's first step writes nothing when it goes on; refused, it fails a sign-in event.
    srp = AWSSRP(disabled, PASSWORD, pool_id, client_id, client=cognito)
    start = {"ClientId": client_id, "AuthFlow": "USER_SRP_AUTH"}
    assert failure(cognito.initiate_auth, **start, AuthParameters=srp.get_auth_params())[0] == (
        "NotAuthorizedException"
    )
    assert history(cognito, pool_id, disabled) == [REFUSED_EARLY, REFUSED_EARLY]
    event = auth_events(cognito, pool_id, disabled)[0]
    assert event["EventRisk"] == NO_RISK
    assert event["EventContextData"] == {"IpAddress": "127.0.0.1"}

    cognito.admin_reset_user_password(UserPoolId=pool_id, Username=reset)
    assert failure(sign_in, cognito, client_id, reset)[0] == "PasswordResetRequiredException"
    assert history(cognito, pool_id, reset) == [REFUSED_EARLY]

    answers = lock_out(cognito, client_id, locked)
    assert answers[0] == ("NotAuthorizedException", "Incorrect username or password.")
    listed = history(cognito, pool_id, locked)
    assert listed[0] == REFUSED_EARLY  # the attempt the lockout refused
    assert listed[1:] == [("SignIn", "Fail", ["Password:Failure"])] * (len(answers) - 1)


def test_a_name_that_means_nobody_leaves_no_event(server: Server, cognito: Any) -> None:
    """Locked out like anyone (the client hides who exists), with the same answers; what the
    refusals record for a user they leave for nobody."""
    pool_id = new_pool(cognito, **THREAT_PROTECTION)
    client_id = new_client(cognito, pool_id, PreventUserExistenceErrors="ENABLED")["ClientId"]
    nobody, somebody = unique("nobody"), unique("somebody")
    confirmed_user(cognito, pool_id, somebody)
    missing, present = (lock_out(cognito, client_id, name) for name in (nobody, somebody))
    assert missing == present
    assert failure(sign_in, cognito, client_id, nobody, PASSWORD) == LOCKED
    exported = export(server, "--pool", pool_id)
    assert {line["Username"] for line in exported} == {somebody}
    assert len(exported) == len(present)


def test_managed_login_records_the_browser_and_refreshes_keep_the_event(
    server: Server, cognito: Any
) -> None:
    site = Site.make(server, cognito, pool_id=new_pool(cognito, **THREAT_PROTECTION))
    username = site.user()
    transport = httpx.HTTPTransport(local_address=BROWSER_ADDRESS)
    browser = Browser(httpx.Client(transport=transport, timeout=10))
    try:
        back = location(
            browser.submit(site.login_page(browser), username=username, password=PASSWORD)
        )
    finally:
        browser.close()
    exchanged = site.exchange(query_of(back)["code"])
    assert exchanged.status_code == 200, exchanged.text
    event = auth_events(cognito, site.pool_id, username)[0]
    assert (event["EventType"], event["EventResponse"]) == ("SignIn", "Pass")
    assert event["EventContextData"] == {"IpAddress": BROWSER_ADDRESS}
    tokens = exchanged.json()
    assert claims(tokens["id_token"])["event_id"] == event["EventId"]

    # The token endpoint's refresh grant, and REFRESH_TOKEN_AUTH with the same token.
    grant = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}
    auth = (site.client_id, site.client_secret or "")
    refreshed = httpx.post(site.token_endpoint, data=grant, auth=auth, timeout=10)
    assert refreshed.status_code == 200, refreshed.text
    by_api = cognito.initiate_auth(
        ClientId=site.client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={
            "REFRESH_TOKEN": tokens["refresh_token"],
            "SECRET_HASH": secret_hash(site.client_secret or "", username, site.client_id),
        },
    )["AuthenticationResult"]
    for jwt in (
        refreshed.json()["id_token"],
        refreshed.json()["access_token"],
        by_api["IdToken"],
        by_api["AccessToken"],
    ):
        assert claims(jwt)["event_id"] == event["EventId"]
    assert len(auth_events(cognito, site.pool_id, username)) == 1  # a refresh is no sign-in


def test_rotated_refresh_tokens_keep_the_event(server: Server, cognito: Any) -> None:
    """GetTokensFromRefreshToken: each new refresh token, and the tokens from it."""
    pool_id = new_pool(cognito, **THREAT_PROTECTION)
    rotation = {"Feature": "ENABLED", "RetryGracePeriodSeconds": 0}
    client_id = new_client(cognito, pool_id, RefreshTokenRotation=rotation)["ClientId"]
    username = unique("user")
    confirmed_user(cognito, pool_id, username)
    signed_in = sign_in(cognito, client_id, username)["AuthenticationResult"]
    event_id = auth_events(cognito, pool_id, username)[0]["EventId"]
    token = signed_in["RefreshToken"]
    for _ in range(2):
        rotated = cognito.get_tokens_from_refresh_token(ClientId=client_id, RefreshToken=token)
        result = rotated["AuthenticationResult"]
        assert result["RefreshToken"] != token
        token = result["RefreshToken"]
        assert claims(result["AccessToken"])["event_id"] == event_id
        assert claims(result["IdToken"])["event_id"] == event_id
    # A new sign-in is a new event, and its tokens say so.
    again = sign_in(cognito, client_id, username)["AuthenticationResult"]
    newest = auth_events(cognito, pool_id, username)[0]["EventId"]
    assert newest != event_id and claims(again["AccessToken"])["event_id"] == newest


def test_events_older_than_two_years_are_dropped(server: Server, cognito: Any) -> None:
    pool_id = new_pool(cognito, **THREAT_PROTECTION)
    client_id = new_client(cognito, pool_id)["ClientId"]
    username = unique("user")
    confirmed_user(cognito, pool_id, username)
    for _ in range(3):
        sign_in(cognito, client_id, username)
    newest, almost, too_old = (e["EventId"] for e in auth_events(cognito, pool_id, username))
    now = time.time()
    ages = {almost: AUTH_EVENTS_KEPT_SECONDS - 3600, too_old: AUTH_EVENTS_KEPT_SECONDS + 60}
    with server_store(server) as store:
        with store.engine.begin() as connection:  # test setup: the events made old
            for event_id, age in ages.items():
                made = int((now - age) * US)
                connection.execute(
                    update(auth_events_table)
                    .where(auth_events_table.c.event_id == event_id)
                    .values(created=made)
                )
        purge_expired(store, now)
    assert [e["EventId"] for e in auth_events(cognito, pool_id, username)] == [newest, almost]
