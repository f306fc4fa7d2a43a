"""Races on choice-based sign-in (see test_races.py for the shape), on two PostgreSQL nodes and
two SQLite workers: one passkey assertion sent many times at once signs in once, and so does
one emailed code; the others are refused as a used session."""

from __future__ import annotations

from typing import Any

from tests.codes_support import last_code
from tests.passkey_support import SoftwareAuthenticator, origin_for
from tests.race_support import Topology, one_winner, play_rounds, race, topology_fixture
from tests.signin_support import PASSWORD, confirmed_user, new_client, new_pool, tokens_of, unique

topology = topology_fixture()
FACTORS = {"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP", "WEB_AUTHN"]}}
FLOWS = ("ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")


def chooser(admin: Any) -> tuple[str, str, str]:
    """A pool offering codes and passkeys, a USER_AUTH client, a user with a verified email."""
    pool_id = new_pool(admin, Policies=FACTORS)
    client_id = new_client(admin, pool_id, FLOWS)["ClientId"]
    username = unique("racer")
    confirmed_user(admin, pool_id, username, email=f"{username}@example.com", email_verified="true")
    return pool_id, client_id, username


def start(admin: Any, client_id: str, username: str, factor: str, **extra: str) -> Any:
    return admin.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_AUTH",
        AuthParameters={"USERNAME": username, "PREFERRED_CHALLENGE": factor, **extra},
    )


def answer_all(
    threads: list[Any], client_id: str, challenge: dict[str, Any], responses: dict[str, str]
) -> list[Any]:
    calls = [
        lambda client=client: client.respond_to_auth_challenge(
            ClientId=client_id,
            ChallengeName=challenge["ChallengeName"],
            Session=challenge["Session"],
            ChallengeResponses=responses,
        )
        for client in threads
    ]
    return race(calls)


def test_one_passkey_assertion_signs_in_once(topology: Topology) -> None:
    admin, threads = topology.admin, topology.slots(20)
    _, client_id, username = chooser(admin)
    signed_in = start(admin, client_id, username, "PASSWORD", PASSWORD=PASSWORD)
    token = tokens_of(signed_in)["AccessToken"]
    options = admin.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    authenticator = SoftwareAuthenticator()
    origin = origin_for(options)
    credential = authenticator.register(options, origin=origin)
    admin.complete_web_authn_registration(AccessToken=token, Credential=credential)

    def play(_round: int) -> list[str]:
        challenge = start(admin, client_id, username, "WEB_AUTHN")
        request = challenge["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"]
        answer = authenticator.authenticate(request, origin=origin)
        responses = {"USERNAME": username, "CREDENTIAL": answer}
        return one_winner(
            answer_all(threads, client_id, challenge, responses), "NotAuthorizedException"
        )

    play_rounds(topology, play)


def test_one_emailed_code_signs_in_once(topology: Topology) -> None:
    admin, threads = topology.admin, topology.slots(20)
    pool_id, client_id, username = chooser(admin)
    server = topology.servers[0]

    def play(_round: int) -> list[str]:
        challenge = start(admin, client_id, username, "EMAIL_OTP")
        responses = {"USERNAME": username, "EMAIL_OTP_CODE": last_code(server, pool_id, username)}
        return one_winner(
            answer_all(threads, client_id, challenge, responses), "NotAuthorizedException"
        )

    play_rounds(topology, play)
