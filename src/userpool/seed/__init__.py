"""Seed files: pools, app clients, groups, users, domains and resource servers declared in a
YAML or JSON document (docs/seed.md), applied to the store, and the store written back as one.

One path applies a file, whoever asks: `userpool serve --seed` in the serving process before
it listens, `userpool seed --data-dir/--db` on the database, and `userpool seed
--endpoint-url` through a running server's /_userpool/seed endpoint, which runs this same
code there. Not through the public API: it cannot give a pool or a client a fixed id, set a
user's status, sub, password verifier or authenticator secret, or read a verifier back for
an export, and a file applied operation by operation could not be undone when its tenth
resource is refused. Here the whole file is judged first (every mistake, with its line),
then applied in one write transaction by the operations' own handlers (services/), so that a
setting is checked as the API checks it, and a refusal leaves nothing of the file behind.
"""

from __future__ import annotations

from functools import cache

from userpool.auth import Runtime
from userpool.seed import checks, pruning
from userpool.seed.applying import Step, Tally
from userpool.seed.client_step import apply_client
from userpool.seed.decoding import Decoder, Record
from userpool.seed.document import Problem, SeedError, read
from userpool.seed.exporting import export
from userpool.seed.layout import Part, PoolPart, Seed, document_spec, seed_of
from userpool.seed.parts_step import apply_domain, apply_group, apply_resource_server
from userpool.seed.pool_step import apply_pool
from userpool.seed.user_step import apply_user
from userpool.services.context import Settings
from userpool.storage.sql_store import SqlStore

__all__ = ["Problem", "Seed", "SeedError", "Tally", "apply", "export", "load"]

# Nodes starting at once on one PostgreSQL database apply their seed files one at a time.
SEED_LOCK = 0x7573657273656564  # "userseed"


@cache
def _spec() -> Record:
    return document_spec()


def load(text: str, file: str) -> Seed:
    """The file's declarations; SeedError listing every mistake, each with its line."""
    decoder = Decoder(file)
    decoded = decoder.decode(read(text, file), _spec(), "")
    seed = seed_of(file, decoded, decoder.marks)
    problems = [*decoder.problems, *checks.problems_of(seed)]
    if problems:
        raise SeedError(sorted(problems, key=lambda problem: problem.where.line))
    return seed


def apply(
    store: SqlStore,
    runtime: Runtime,
    seed: Seed,
    *,
    prune: bool = False,
    settings: Settings | None = None,
) -> Tally:
    """Bring the store to what `seed` declares, in one transaction; SeedError (nothing
    applied) when an operation refuses a part of it."""
    with store.write() as tx:
        tx.hold_advisory_lock(SEED_LOCK)
        step = Step.over(tx, runtime, settings or Settings(), prune)
        for pool in seed.pools:
            _apply_pool(step, pool)
        if prune:
            document = Part("Pools", {}, seed.marks)
            pruning.prune_pools(step, [pool.id for pool in seed.pools], document)
    # A pool deleted, then made again with the same id, has new signing keys: this process
    # reads them at once (others within tokens/keys.py's RECHECK_SECONDS, as after a rotation).
    for pool_id in {*(pool.id for pool in seed.pools), *step.tally.pruned_pools}:
        runtime.keys.forget(pool_id)
    return step.tally


def _apply_pool(step: Step, seed: PoolPart) -> None:
    pool = apply_pool(step, seed)
    if step.prune:
        pruning.prune_resource_servers(step, pool, seed)
    for part in seed.resource_servers:
        apply_resource_server(step, pool, part)
    clients = {apply_client(step, pool, part) for part in seed.clients}
    for part in seed.groups:
        apply_group(step, pool, part)
    users = {apply_user(step, pool, part) for part in seed.users}
    if step.prune:
        pruning.prune_clients(step, pool, seed, clients)
        pruning.prune_users(step, pool, seed, users)
        pruning.prune_groups(step, pool, seed)
        pruning.prune_domains(step, pool, seed)
    for part in seed.domains:
        apply_domain(step, pool, part)
