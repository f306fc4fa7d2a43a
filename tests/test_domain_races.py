"""Races on user pool domains (see test_races.py for the shape), on two PostgreSQL nodes and on
two SQLite workers: many pools claiming one name at once, one gets it (the others: "Domain
already associated with another user pool."); one pool claiming many prefixes at once gets one
(the others: "User pool already has a domain configured.")."""

from __future__ import annotations

from typing import Any

import pytest

from tests.race_support import Topology, at_once, one_winner, play_rounds, race, topology_fixture
from tests.signin_support import new_pool, unique

topology = topology_fixture()
THREADS = 10
TAKEN = "Domain already associated with another user pool."
POOL_HAS_ONE = "User pool already has a domain configured."


@pytest.fixture(scope="module")
def pools(topology: Topology) -> list[str]:
    """Pools made once per topology (a pool's signing keys take a while): every round leaves
    them without a domain."""
    return at_once([lambda: new_pool(topology.admin) for _ in range(THREADS)])


def refused_with(outcomes: list[tuple[str, Any]], message: str) -> list[str]:
    wrong = [m for code, m in outcomes if code != "ok" and m != message]
    return [f"refused otherwise: {wrong}"] if wrong else []


def test_one_name_claimed_by_many_pools_goes_to_one(topology: Topology, pools: list[str]) -> None:
    admin, threads = topology.admin, topology.slots(THREADS)

    def play(_round: int) -> list[str]:
        name = unique("race")
        calls = [
            lambda client=client, pool_id=pool_id: client.create_user_pool_domain(
                UserPoolId=pool_id, Domain=name
            )
            for client, pool_id in zip(threads, pools, strict=True)
        ]
        outcomes = race(calls)
        problems = one_winner(outcomes, "InvalidParameterException")
        problems += refused_with(outcomes, TAKEN)
        holder = admin.describe_user_pool_domain(Domain=name)["DomainDescription"]["UserPoolId"]
        won = [pools[index] for index, (code, _) in enumerate(outcomes) if code == "ok"]
        if won and won != [holder]:
            problems.append(f"{won} won, {holder} holds it")
        admin.delete_user_pool_domain(UserPoolId=holder, Domain=name)
        return problems

    play_rounds(topology, play)


def test_one_pool_claiming_many_prefixes_gets_one(topology: Topology, pools: list[str]) -> None:
    admin, threads, pool_id = topology.admin, topology.slots(THREADS), pools[0]

    def play(_round: int) -> list[str]:
        names = [unique("mine") for _ in threads]
        calls = [
            lambda client=client, name=name: client.create_user_pool_domain(
                UserPoolId=pool_id, Domain=name
            )
            for client, name in zip(threads, names, strict=True)
        ]
        outcomes = race(calls)
        problems = one_winner(outcomes, "InvalidParameterException")
        problems += refused_with(outcomes, POOL_HAS_ONE)
        held = [
            name
            for name in names
            if admin.describe_user_pool_domain(Domain=name)["DomainDescription"]
        ]
        if len(held) != 1:
            problems.append(f"the pool holds {held}")
        for name in held:
            admin.delete_user_pool_domain(UserPoolId=pool_id, Domain=name)
        return problems

    play_rounds(topology, play)
