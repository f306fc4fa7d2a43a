"""Races against check-then-act steps: many requests released together by a barrier, spread
over two PostgreSQL nodes or two SQLite workers, must leave what some one-at-a-time order of
the same requests would leave. Each race is played for many rounds, each on fresh state,
because a window that is hit once in twenty rounds is still a defect.

Every race has the same shape: set a round up, build one call per thread (each on its own
client), `race` them, and return the round's problems (empty when it went right)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from tests.mfa_support import authenticator_code, mfa_pool
from tests.race_support import (
    OK,
    Outcome,
    Topology,
    answer_challenge,
    at_once,
    one_winner,
    outcome_of,
    play_rounds,
    race,
    tally,
    topology_fixture,
    user_with_authenticator,
    winners,
)
from tests.signin_support import (
    PASSWORD,
    WRONG_PASSWORD,
    attribute_list,
    confirmed_user,
    new_client,
    new_pool,
    unique,
    user_auth,
)

LOCKED = ("NotAuthorizedException", "Password attempts exceeded")
INCORRECT = ("NotAuthorizedException", WRONG_PASSWORD)
FREE_FAILURES = 5  # wrong passwords answered "Incorrect …" before the lockout starts
FIRST_LOCK_SECONDS = 1.0  # how long the lock that the fifth failure starts lasts

topology = topology_fixture()
Call = Callable[[], Any]


def users_with_email(cognito: Any, pool_id: str, email: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = cognito.list_users(
        UserPoolId=pool_id, Filter=f'email = "{email}"'
    )["Users"]
    return found


def attributes_of(user: dict[str, Any]) -> dict[str, str]:
    listed = user.get("Attributes", user.get("UserAttributes", []))
    return {entry["Name"]: entry["Value"] for entry in listed}


# 1. Refresh token rotation without a grace period: a refresh token is redeemed once.


def test_a_rotating_refresh_token_is_redeemed_once(topology: Topology) -> None:
    admin, threads = topology.admin, topology.slots(12)
    pool_id = new_pool(admin)
    rotation = {"Feature": "ENABLED", "RetryGracePeriodSeconds": 0}
    client_id = new_client(admin, pool_id, RefreshTokenRotation=rotation)["ClientId"]
    username = unique("rotating")
    confirmed_user(admin, pool_id, username)

    def redeem(client: Any, token: str) -> Call:
        return lambda: client.get_tokens_from_refresh_token(RefreshToken=token, ClientId=client_id)

    def play(_round: int) -> list[str]:
        token = user_auth(admin, client_id, username)["AuthenticationResult"]["RefreshToken"]
        outcomes = race([redeem(client, token) for client in threads])
        problems = one_winner(outcomes, "RefreshTokenReuseException")
        again = outcome_of(redeem(threads[1], token))  # on the other node than the sign-in's
        if again[0] != "RefreshTokenReuseException":
            problems.append(f"the redeemed token afterwards: {again[0]}")
        for index in winners(outcomes)[:1]:
            rotated = outcomes[index][1]["AuthenticationResult"]["RefreshToken"]
            follow_up = outcome_of(redeem(threads[2], rotated))
            if follow_up[0] != OK:
                problems.append(f"the winner's new refresh token: {follow_up}")
        return problems

    play_rounds(topology, play)


# 2. Sign-in identifiers: an email signs in one user.


def test_one_user_per_email_where_email_is_the_username(topology: Topology) -> None:
    admin, threads = topology.admin, topology.slots(12)
    pool_id = new_pool(admin, UsernameAttributes=["email"])

    def create(client: Any, email: str) -> Call:
        return lambda: client.admin_create_user(
            UserPoolId=pool_id, Username=email, MessageAction="SUPPRESS"
        )

    def play(_round: int) -> list[str]:
        email = f"{unique('same')}@example.com"
        outcomes = race([create(client, email) for client in threads])
        problems = one_winner(outcomes, "UsernameExistsException")
        holders = users_with_email(admin, pool_id, email)
        if len(holders) != 1:
            problems.append(f"{len(holders)} users have the email afterwards")
        return problems

    play_rounds(topology, play)


def alias_problems(
    admin: Any, pool_id: str, email: str, usernames: list[str], outcomes: list[Outcome]
) -> list[str]:
    """One thread wins, the others are refused AliasExistsException, and afterwards the
    winner, and no one else, has the email, verified (so it signs in exactly one user)."""
    problems = one_winner(outcomes, "AliasExistsException")
    holders = users_with_email(admin, pool_id, email)
    verified = [u for u in holders if attributes_of(u).get("email_verified") == "true"]
    if len(verified) != 1:
        problems.append(f"{len(verified)} users hold the email verified afterwards")
    if len(holders) != len(verified):
        problems.append(f"{len(holders) - len(verified)} users hold it unverified")
    winner = [usernames[index] for index in winners(outcomes)][:1]
    if len(verified) == 1 and [u["Username"] for u in verified] != winner:
        problems.append(f"the holder is not the winner {winner}")
    return problems


def test_one_new_user_per_verified_email_alias(topology: Topology) -> None:
    admin, threads = topology.admin, topology.slots(12)
    pool_id = new_pool(admin, AliasAttributes=["email"])

    def create(client: Any, username: str, email: str) -> Call:
        claimed = attribute_list(email=email, email_verified="true")
        return lambda: client.admin_create_user(
            UserPoolId=pool_id, Username=username, UserAttributes=claimed, MessageAction="SUPPRESS"
        )

    def play(_round: int) -> list[str]:
        email = f"{unique('alias')}@example.com"
        usernames = [unique("new") for _ in threads]
        pairs = list(zip(threads, usernames, strict=True))
        outcomes = race([create(client, username, email) for client, username in pairs])
        return alias_problems(admin, pool_id, email, usernames, outcomes)

    play_rounds(topology, play)


def test_one_existing_user_takes_a_verified_email_alias(topology: Topology) -> None:
    admin, threads = topology.admin, topology.slots(12)
    pool_id = new_pool(admin, AliasAttributes=["email"])

    def create(client: Any, username: str) -> Call:
        return lambda: client.admin_create_user(
            UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS"
        )

    def take(client: Any, username: str, email: str) -> Call:
        claimed = attribute_list(email=email, email_verified="true")
        return lambda: client.admin_update_user_attributes(
            UserPoolId=pool_id, Username=username, UserAttributes=claimed
        )

    def play(_round: int) -> list[str]:
        email = f"{unique('taken')}@example.com"
        usernames = [unique("old") for _ in threads]
        pairs = list(zip(threads, usernames, strict=True))
        at_once([create(client, username) for client, username in pairs])
        outcomes = race([take(client, username, email) for client, username in pairs])
        return alias_problems(admin, pool_id, email, usernames, outcomes)

    play_rounds(topology, play)


# 3. An authenticator code completes one sign-in.


def test_one_authenticator_code_completes_one_sign_in(topology: Topology) -> None:
    admin, threads = topology.admin, topology.slots(10)
    pool_id = mfa_pool(admin, mode="ON", factors=("SOFTWARE_TOKEN_MFA",))
    client_id = new_client(admin, pool_id)["ClientId"]

    def start(client: Any, username: str) -> Call:
        return lambda: user_auth(client, client_id, username)

    def answer(client: Any, challenge: dict[str, Any], username: str, code: str) -> Call:
        return lambda: answer_challenge(
            client, client_id, challenge, username, SOFTWARE_TOKEN_MFA_CODE=code
        )

    def play(_round: int) -> list[str]:
        # A fresh user each round: a code of a step that user already spent is refused.
        username, secret = user_with_authenticator(admin, pool_id, client_id)
        challenges = at_once([start(client, username) for client in threads])
        assert {challenge["ChallengeName"] for challenge in challenges} == {"SOFTWARE_TOKEN_MFA"}
        code = authenticator_code(secret)  # computed once: every thread sends the same code
        pairs = zip(threads, challenges, strict=True)
        outcomes = race([answer(client, challenge, username, code) for client, challenge in pairs])
        problems = one_winner(outcomes, "CodeMismatchException", "ExpiredCodeException")
        if any("AuthenticationResult" not in outcomes[index][1] for index in winners(outcomes)):
            problems.append("a winner got no tokens")
        return problems

    play_rounds(topology, play)


# 4. Lockout: a burst of sign-ins is counted as if the same sign-ins came one by one.


def test_a_burst_of_wrong_passwords_locks_like_a_sequence(topology: Topology) -> None:
    admin, threads = topology.admin, topology.slots(21)
    pool_id = new_pool(admin)
    client_id = new_client(admin, pool_id)["ClientId"]
    right = len(threads) // 2  # the thread that sends the right password

    def sign_in(client: Any, username: str, password: str) -> Call:
        return lambda: user_auth(client, client_id, username, password)

    def play(round_index: int) -> list[str]:
        username = unique("burst")
        confirmed_user(admin, pool_id, username)
        passwords = [f"Wrong-{round_index}-{i}-Passw0rd" for i in range(len(threads))]
        passwords[right] = PASSWORD
        pairs = zip(threads, passwords, strict=True)
        released = time.monotonic()
        outcomes = race([sign_in(client, username, password) for client, password in pairs])
        after = outcome_of(sign_in(admin, username, PASSWORD))
        problems = burst_problems(outcomes, right)
        # The first lock lasts a second from the failures' arrival: a round that the load of
        # the machine stretched past it has nothing left to show (a round takes 50-150 ms).
        if time.monotonic() - released < FIRST_LOCK_SECONDS:
            problems += after_burst_problems(after, outcomes)
        return problems

    play_rounds(topology, play)


def burst_problems(outcomes: list[Outcome], right: int) -> list[str]:
    """One at a time, the first five wrong passwords are "Incorrect …" and the rest locked
    out. The right one signs in only while fewer than five failures are counted, and a
    sign-in clears the count, so then up to four came before it and five after it."""
    problems = []
    incorrect, locked = outcomes.count(INCORRECT), outcomes.count(LOCKED)
    signed_in = winners(outcomes)
    allowed = (FREE_FAILURES - 1) + FREE_FAILURES if signed_in else FREE_FAILURES
    if incorrect > allowed:
        problems.append(f"{incorrect} wrong passwords answered 'Incorrect' (at most {allowed})")
    if signed_in not in ([], [right]) or incorrect + locked + len(signed_in) != len(outcomes):
        problems.append(f"unexpected answers {tally(outcomes)}")
    if outcomes[right] == INCORRECT:
        problems.append("the right password was answered 'Incorrect'")
    return problems


def after_burst_problems(after: Outcome, outcomes: list[Outcome]) -> list[str]:
    """However the burst went, at least five failures were counted after any sign-in in it,
    so right afterwards (within the first lock's second) the right password is locked out
    too."""
    if after != LOCKED:
        return [f"the right password right after the burst: {after[0]} ({tally(outcomes)})"]
    return []


# 5. Changes of different attributes of one user at once: every change stays.

CHANGED = (
    "given_name",
    "family_name",
    "middle_name",
    "nickname",
    "name",
    "profile",
    "picture",
    "website",
    "gender",
    "zoneinfo",
    "locale",
    "custom:team",
)
SEARCHED = ("given_name", "family_name", "name")  # of those, what ListUsers filters on


def test_changes_of_different_attributes_at_once_all_stay(topology: Topology) -> None:
    admin, threads = topology.admin, topology.slots(len(CHANGED))
    team = {"Name": "team", "AttributeDataType": "String", "Mutable": True}
    pool_id = new_pool(admin, Schema=[team])

    def change(client: Any, username: str, name: str, value: str) -> Call:
        return lambda: client.admin_update_user_attributes(
            UserPoolId=pool_id, Username=username, UserAttributes=[{"Name": name, "Value": value}]
        )

    def play(round_index: int) -> list[str]:
        username = unique("changed")
        before = [{"Name": name, "Value": f"old-{name}-{username}"} for name in SEARCHED]
        admin.admin_create_user(
            UserPoolId=pool_id, Username=username, UserAttributes=before, MessageAction="SUPPRESS"
        )
        wanted = {name: f"{name.split(':')[-1]}-{round_index}" for name in CHANGED}
        pairs = zip(threads, wanted.items(), strict=True)
        outcomes = race([change(client, username, *item) for client, item in pairs])
        problems = [] if len(winners(outcomes)) == len(outcomes) else [str(tally(outcomes))]
        stored = attributes_of(admin.admin_get_user(UserPoolId=pool_id, Username=username))
        lost = sorted(name for name, value in wanted.items() if stored.get(name) != value)
        if lost:
            problems.append(f"{len(lost)} of {len(wanted)} changes lost: {', '.join(lost)}")
        # ListUsers' filters find the user by each new value and by no old one: every change
        # replaced that attribute's search row, whatever the others did meanwhile.
        for name in SEARCHED:
            for value, found in ((wanted[name], [username]), (f"old-{name}-{username}", [])):
                listed = admin.list_users(UserPoolId=pool_id, Filter=f'{name} = "{value}"')
                if [user["Username"] for user in listed["Users"]] != found:
                    problems.append(f"{name} = {value!r} lists {listed['Users']}")
        return problems

    play_rounds(topology, play)


# 6. Changes of one pool at once (tags, custom attributes): every change stays.


def test_changes_of_one_pool_at_once_all_stay(topology: Topology) -> None:
    admin, threads = topology.admin, topology.slots(12)
    half = len(threads) // 2

    def tag(client: Any, arn: str, index: int) -> Call:
        return lambda: client.tag_resource(ResourceArn=arn, Tags={f"tag{index}": "on"})

    def add(client: Any, pool_id: str, index: int) -> Call:
        attribute = {"Name": f"attr{index}", "AttributeDataType": "String"}
        return lambda: client.add_custom_attributes(
            UserPoolId=pool_id, CustomAttributes=[attribute]
        )

    def play(_round: int) -> list[str]:
        pool = admin.create_user_pool(PoolName=unique("pool"))["UserPool"]
        calls = [tag(client, pool["Arn"], index) for index, client in enumerate(threads[:half])]
        calls += [add(client, pool["Id"], index) for index, client in enumerate(threads[half:])]
        outcomes = race(calls)
        problems = [] if len(winners(outcomes)) == len(outcomes) else [str(tally(outcomes))]
        stored = admin.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]
        tags = set(stored.get("UserPoolTags", {}))
        names = {entry["Name"] for entry in stored["SchemaAttributes"]}
        lost = [f"tag{i}" for i in range(half) if f"tag{i}" not in tags]
        lost += [f"attr{i}" for i in range(half) if f"custom:attr{i}" not in names]
        if lost:
            problems.append(f"{len(lost)} of {len(calls)} changes lost: {', '.join(lost)}")
        return problems

    play_rounds(topology, play)
