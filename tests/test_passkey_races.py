"""Races on passkey registration (see test_races.py for the shape), on two PostgreSQL nodes
and on two SQLite workers: one StartWebAuthnRegistration answered by many requests at once
registers one passkey, whether they all send the same answer or each its own authenticator's;
every other request is refused as a challenge no longer open."""

from __future__ import annotations

from typing import Any

from tests.passkey_support import SoftwareAuthenticator, origin_for
from tests.race_support import Topology, one_winner, play_rounds, race, topology_fixture
from tests.signin_support import admin_auth, confirmed_user, new_client, new_pool, tokens_of, unique

topology = topology_fixture()
PASSKEY_SIGN_IN = {"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "WEB_AUTHN"]}}
CLOSED = "WebAuthnChallengeNotFoundException"


def passkey_user(admin: Any) -> str:
    """A signed-in user of a pool that offers passkeys: their access token."""
    pool_id = new_pool(admin, Policies=PASSKEY_SIGN_IN)
    client_id = new_client(admin, pool_id)["ClientId"]
    username = unique("passkey")
    confirmed_user(admin, pool_id, username)
    return str(tokens_of(admin_auth(admin, pool_id, client_id, username))["AccessToken"])


def registered(admin: Any, token: str) -> int:
    return len(admin.list_web_authn_credentials(AccessToken=token)["Credentials"])


def _race_one_registration(topology: Topology, same_answer: bool) -> None:
    admin, threads = topology.admin, topology.slots(12)
    token = passkey_user(admin)

    def play(round_index: int) -> list[str]:
        options = admin.start_web_authn_registration(AccessToken=token)
        options = options["CredentialCreationOptions"]
        keys = [SoftwareAuthenticator() for _ in (threads[:1] if same_answer else threads)]
        answers = [key.register(options, origin=origin_for(options)) for key in keys]
        pairs = [(client, answers[index % len(answers)]) for index, client in enumerate(threads)]
        calls = [
            lambda client=client, answer=answer: client.complete_web_authn_registration(
                AccessToken=token, Credential=answer
            )
            for client, answer in pairs
        ]
        problems = one_winner(race(calls), CLOSED)
        if registered(admin, token) != round_index + 1:
            problems.append(f"{registered(admin, token)} passkeys after {round_index + 1} rounds")
        return problems

    # 20 passkeys at most per user: 19 rounds stay under it.
    play_rounds(topology, play, rounds=19)


def test_one_answer_sent_many_times_registers_once(topology: Topology) -> None:
    _race_one_registration(topology, same_answer=True)


def test_many_authenticators_answering_one_challenge_register_one(topology: Topology) -> None:
    _race_one_registration(topology, same_answer=False)
