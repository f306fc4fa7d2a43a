"""Three nodes on one PostgreSQL database behind Debian's nginx, as docs/deploy.md deploys
them (tests/nginx_support.py): whole sign-ins whose steps land on different nodes (nginx's
access log names the node that answered each step), and the races that must keep one winner
when their requests are spread over the nodes: a refresh storm, a lockout burst, a sign-up
storm. (How the nodes start: test_deploy.py.)

USERPOOL_NGINX_ROUNDS=N plays each race N rounds (default 3)."""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Iterator
from typing import Any

import httpx
import jwt
import pytest

from tests.codes_support import delivered
from tests.conftest import Server, server_store
from tests.device_support import TRACKING, DeviceProof, confirm
from tests.login_support import Browser, Site, location, query_of
from tests.mfa_support import Login, authenticator_code, away_from_step_edge, mfa_pool
from tests.nginx_support import Deployment, Hop, deployed
from tests.race_support import (
    OK,
    Topology,
    answer_challenge,
    one_winner,
    outcome_of,
    play_rounds,
    race,
    tally,
    through,
    user_with_authenticator,
    winners,
)
from tests.signin_support import (
    PASSWORD,
    WRONG_PASSWORD,
    claims,
    confirmed_user,
    new_client,
    new_pool,
    tokens_of,
    unique,
    user_auth,
)
from tests.signin_trigger_support import CUSTOM, CustomSignIn, app_client, trigger_pool, user
from tests.srp_support import SRP_FLOWS, Channel
from tests.user_auth_support import Choice

pytestmark = pytest.mark.postgres

ROUNDS = int(os.environ.get("USERPOOL_NGINX_ROUNDS", "3"))
STORM = 20  # threads in each race
LOCKED = ("NotAuthorizedException", "Password attempts exceeded")
INCORRECT = ("NotAuthorizedException", WRONG_PASSWORD)
FREE_FAILURES = 5  # "Incorrect …" answers before the lock; the fifth starts it, for a second
FIRST_LOCK_SECONDS = 1.0
TO_AUTH = "RespondToAuthChallenge"


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    with deployed(tmp_path_factory.mktemp("nginx-nodes")) as running:
        yield running


@pytest.fixture(scope="module")
def topology(deployment: Deployment) -> Topology:
    return through("nginx-nodes", deployment.balancer)


@pytest.fixture(scope="module")
def balancer(deployment: Deployment) -> Server:
    return deployment.balancer


@pytest.fixture(scope="module")
def cognito(topology: Topology) -> Any:
    return topology.admin


def spread(deployment: Deployment, hops: list[Hop], *steps: str) -> None:
    """The requests were `steps`, in order, each answered (200, or a page's 302) by one of the
    nodes, each by another node than the step before it: every step's state came from the
    database or sealed with the shared key, not from a node's memory."""
    assert [hop.target for hop in hops] == list(steps)
    assert all(hop.status in (200, 302) for hop in hops), hops
    nodes = [hop.node for hop in hops]
    assert set(nodes) <= set(deployment.node_addresses), nodes
    assert all(one != other for one, other in itertools.pairwise(nodes)), nodes
    if len(steps) >= len(deployment.nodes):
        assert set(nodes) == set(deployment.node_addresses), nodes


# Whole sign-ins, one step per node.


def test_an_srp_sign_in_and_its_tokens_checked_against_the_jwks(
    deployment: Deployment, balancer: Server, cognito: Any
) -> None:
    pool_id = new_pool(cognito)
    client_id = new_client(cognito, pool_id, SRP_FLOWS)["ClientId"]
    username = unique("srp")
    confirmed_user(cognito, pool_id, username)
    jwks = jwt.PyJWKClient(f"{balancer.url}/{pool_id}/.well-known/jwks.json", cache_keys=False)
    with deployment.hops() as hops:
        result = tokens_of(Channel(cognito, pool_id, client_id).sign_in(username))
        key = jwks.get_signing_key_from_jwt(result["IdToken"])
        cognito.get_user(AccessToken=result["AccessToken"])
    jwks_path = f"GET /{pool_id}/.well-known/jwks.json"
    spread(deployment, hops, "InitiateAuth", TO_AUTH, jwks_path, "GetUser")
    identity = jwt.decode(result["IdToken"], key.key, algorithms=["RS256"], audience=client_id)
    assert identity["iss"] == f"{balancer.url}/{pool_id}"  # the public URL: nginx's
    assert identity["cognito:username"] == username


def test_an_authenticator_app_set_up_and_then_asked_for(
    deployment: Deployment, cognito: Any
) -> None:
    pool_id = mfa_pool(cognito, mode="ON", factors=("SOFTWARE_TOKEN_MFA",))
    client_id = new_client(cognito, pool_id)["ClientId"]
    with deployment.hops() as setup:
        username, secret = user_with_authenticator(cognito, pool_id, client_id)
    admin = ("AdminCreateUser", "AdminSetUserPassword")
    steps = ("InitiateAuth", "AssociateSoftwareToken", "VerifySoftwareToken", TO_AUTH)
    spread(deployment, setup, *admin, *steps, "AdminSetUserMFAPreference")
    with deployment.hops() as hops:
        challenge = user_auth(cognito, client_id, username)
        assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
        away_from_step_edge()
        code = authenticator_code(secret)
        answer_challenge(cognito, client_id, challenge, username, SOFTWARE_TOKEN_MFA_CODE=code)
    spread(deployment, hops, "InitiateAuth", TO_AUTH)


def test_a_code_by_email_read_from_the_outbox(
    deployment: Deployment, balancer: Server, cognito: Any
) -> None:
    login = Login.make(balancer, cognito, factors=("EMAIL_OTP",))
    username = login.user(email=f"{unique('otp')}@example.com")
    cognito.admin_set_user_mfa_preference(
        UserPoolId=login.pool_id, Username=username, EmailMfaSettings={"Enabled": True}
    )
    with deployment.hops() as hops:
        challenge = login.password(username)
        assert challenge["ChallengeName"] == "EMAIL_OTP"
        tokens_of(login.respond(challenge, username, EMAIL_OTP_CODE=login.code(username)))
    spread(deployment, hops, "InitiateAuth", "GET /_userpool/outbox", TO_AUTH)


def test_custom_auth_rounds_each_on_another_node(deployment: Deployment, cognito: Any) -> None:
    """Define, Create and Verify run on whichever node gets the step (each node its own
    handler processes); the rounds so far come from the database."""
    pool_id = trigger_pool(cognito, CUSTOM)
    client_id = app_client(cognito, pool_id, "ALLOW_CUSTOM_AUTH")
    sign_in = CustomSignIn(cognito, pool_id, client_id, user(cognito, pool_id))
    with deployment.hops() as hops:
        assert sign_in.initiate()["ChallengeParameters"]["question"] == "what is 0 + 1?"
        assert sign_in.answer("1")["ChallengeParameters"]["question"] == "what is 1 + 1?"
        result = tokens_of(sign_in.answer("2"))
    spread(deployment, hops, "InitiateAuth", TO_AUTH, TO_AUTH)
    assert claims(result["IdToken"])["cognito:username"] == sign_in.username


def test_device_srp_after_an_srp_sign_in(deployment: Deployment, cognito: Any) -> None:
    pool_id = new_pool(cognito, DeviceConfiguration=TRACKING)
    client_id = new_client(cognito, pool_id, SRP_FLOWS)["ClientId"]
    channel = Channel(cognito, pool_id, client_id)
    username = unique("device")
    confirmed_user(cognito, pool_id, username)
    device = confirm(cognito, tokens_of(channel.sign_in(username)))
    with deployment.hops() as hops:
        helper = channel.helper(
            username,
            device_key=device.key,
            device_group_key=device.group_key,
            device_password=device.password,
        )
        params, challenge = channel.start(helper)
        step = channel.respond(helper.process_challenge(challenge, params))
        assert step["ChallengeName"] == "DEVICE_SRP_AUTH"
        proof = DeviceProof(cognito, pool_id, client_id)
        result = tokens_of(proof.prove(username, device, step["Session"]))
    spread(deployment, hops, "InitiateAuth", TO_AUTH, TO_AUTH, TO_AUTH)
    assert claims(result["AccessToken"])["device_key"] == device.key


def test_a_choice_based_sign_in_by_emailed_code(
    deployment: Deployment, balancer: Server, cognito: Any
) -> None:
    choice = Choice.make(balancer, cognito, factors=["PASSWORD", "EMAIL_OTP"])
    username = choice.user()
    with deployment.hops() as hops:
        select = choice.initiate(username)
        assert select["ChallengeName"] == "SELECT_CHALLENGE"
        challenge = choice.respond(select, username, ANSWER="EMAIL_OTP")
        assert challenge["ChallengeName"] == "EMAIL_OTP"
        result = tokens_of(
            choice.respond(challenge, username, EMAIL_OTP_CODE=choice.code(username))
        )
    spread(deployment, hops, "InitiateAuth", TO_AUTH, "GET /_userpool/outbox", TO_AUTH)
    assert claims(result["AccessToken"])["username"] == username


def test_an_oauth_code_from_the_managed_login_pages_exchanged_on_another_node(
    deployment: Deployment, balancer: Server, cognito: Any
) -> None:
    site = Site.make(balancer, cognito)
    username = site.user(email=f"{unique('web')}@example.com")
    browser = Browser()
    try:
        with deployment.hops() as hops:
            page = site.login_page(browser, scope="openid email")
            code = query_of(location(browser.submit(page, username=username, password=PASSWORD)))
            exchanged = site.exchange(code["code"])
            assert exchanged.status_code == 200, exchanged.text
            access = exchanged.json()["access_token"]
            info = httpx.get(
                f"{site.base}/oauth2/userInfo", headers={"Authorization": f"Bearer {access}"}
            )
    finally:
        browser.close()
    assert info.status_code == 200 and info.json()["username"] == username
    domain = f"/domains/{site.domain}"
    pages = ("GET /oauth2/authorize", "GET /login", "POST /login", "POST /oauth2/token")
    steps = [f"{method} {domain}{path}" for method, path in (p.split() for p in pages)]
    spread(deployment, hops, *steps, f"GET {domain}/oauth2/userInfo")


# Races spread over the nodes: one winner, whatever node each request lands on.


def every_node(deployment: Deployment, hops: list[Hop]) -> list[str]:
    """The problem, if any, of a race that did not reach every node."""
    reached = {hop.node for hop in hops}
    if reached != set(deployment.node_addresses):
        return [f"the race reached {len(reached)} of {len(deployment.nodes)} nodes: {reached}"]
    return []


def test_a_refresh_storm_has_one_winner(deployment: Deployment, topology: Topology) -> None:
    admin, threads = topology.admin, topology.slots(STORM)
    pool_id = new_pool(admin)
    rotation = {"Feature": "ENABLED", "RetryGracePeriodSeconds": 0}
    client_id = new_client(admin, pool_id, RefreshTokenRotation=rotation)["ClientId"]
    username = unique("storm")
    confirmed_user(admin, pool_id, username)

    def redeem(client: Any, token: str) -> Any:
        return lambda: client.get_tokens_from_refresh_token(RefreshToken=token, ClientId=client_id)

    def play(_round: int) -> list[str]:
        token = tokens_of(user_auth(admin, client_id, username))["RefreshToken"]
        with deployment.hops() as hops:
            outcomes = race([redeem(client, token) for client in threads])
        problems = one_winner(outcomes, "RefreshTokenReuseException") + every_node(deployment, hops)
        for index in winners(outcomes)[:1]:
            rotated = tokens_of(outcomes[index][1])["RefreshToken"]
            follow_up = outcome_of(redeem(threads[index - 1], rotated))
            if follow_up[0] != OK:
                problems.append(f"the winner's new refresh token: {follow_up}")
        return problems

    play_rounds(topology, play, ROUNDS)


def test_a_burst_of_wrong_passwords_locks_at_the_fifth_failure(
    deployment: Deployment, balancer: Server, topology: Topology
) -> None:
    """However the burst's requests interleave over the nodes, every failure is counted once
    (the count in the database is the number of "Incorrect" answers) and the fifth locks:
    exactly five are "Incorrect" while the first lock's second lasts, and the right password
    right after is locked out too."""
    admin, threads = topology.admin, topology.slots(STORM)
    pool_id = new_pool(admin)
    client_id = new_client(admin, pool_id)["ClientId"]

    def sign_in(client: Any, username: str, password: str) -> Any:
        return lambda: user_auth(client, client_id, username, password)

    def play(round_index: int) -> list[str]:
        username = unique("burst")
        made = confirmed_user(admin, pool_id, username)
        sub = next(entry["Value"] for entry in made["Attributes"] if entry["Name"] == "sub")
        wrong = [f"Wrong-{round_index}-{index}-Passw0rd" for index in range(len(threads))]
        released = time.monotonic()
        with deployment.hops() as hops:
            outcomes = race([sign_in(c, username, w) for c, w in zip(threads, wrong, strict=True)])
        quick = time.monotonic() - released < FIRST_LOCK_SECONDS
        after = outcome_of(sign_in(admin, username, PASSWORD))
        incorrect = outcomes.count(INCORRECT)
        with server_store(balancer) as store, store.read() as tx:
            state = tx.lockouts.get(sub)
        counted = state.failures if state else 0
        problems = every_node(deployment, hops)
        if incorrect + outcomes.count(LOCKED) != len(outcomes):
            problems.append(f"unexpected answers {tally(outcomes)}")
        if counted != incorrect:
            problems.append(f"{incorrect} answered 'Incorrect', {counted} counted")
        if incorrect < FREE_FAILURES or (quick and incorrect != FREE_FAILURES):
            problems.append(f"{incorrect} answered 'Incorrect' (quick: {quick})")
        if quick and after != LOCKED:
            problems.append(f"the right password right after the burst: {after[0]}")
        return problems

    play_rounds(topology, play, ROUNDS)


def test_a_sign_up_storm_makes_one_user(
    deployment: Deployment, balancer: Server, topology: Topology
) -> None:
    admin, threads = topology.admin, topology.slots(STORM)
    pool_id = new_pool(admin, AutoVerifiedAttributes=["email"])
    client_id = new_client(admin, pool_id, None)["ClientId"]

    def sign_up(client: Any, username: str, email: str) -> Any:
        return lambda: client.sign_up(
            ClientId=client_id,
            Username=username,
            Password=PASSWORD,
            UserAttributes=[{"Name": "email", "Value": email}],
        )

    def play(_round: int) -> list[str]:
        username = unique("storm")
        emails = [f"{unique('signup')}@example.com" for _ in threads]
        with deployment.hops() as hops:
            outcomes = race([sign_up(c, username, e) for c, e in zip(threads, emails, strict=True)])
        problems = one_winner(outcomes, "UsernameExistsException") + every_node(deployment, hops)
        found = admin.list_users(UserPoolId=pool_id, Filter=f'username = "{username}"')["Users"]
        sent = delivered(balancer, pool_id, username)
        if len(found) != 1 or len(sent) != 1:
            problems.append(f"{len(found)} users and {len(sent)} codes afterwards")
        for index in winners(outcomes)[:1]:
            stored = {entry["Name"]: entry["Value"] for entry in found[0]["Attributes"]}
            if stored["email"] != emails[index] or sent[0]["destination"] != emails[index]:
                problems.append("the user or the code is not the winner's")
        return problems

    play_rounds(topology, play, ROUNDS)
