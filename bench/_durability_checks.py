"""What a kill -9 round wrote and the checks after the restart (bench/_durability.py): over
the API, that every acknowledged write is there; in the store, what the API cannot see,
that nothing is half-written and no acknowledged row is gone."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import boto3
import orjson
from botocore.config import Config
from botocore.exceptions import ClientError
from sqlalchemy import select

from userpool.storage.repositories import SEARCHABLE_ATTRIBUTES
from userpool.storage.schema import refresh_tokens, user_search, users
from userpool.storage.sql_store import SqlStore
from userpool.tokens.issuer import hash_refresh_token

PASSWORD = "Durable-Passw0rd!"
REGION = "us-east-1"


@dataclass
class Attribute:
    """One user's `name`, which one writer alone updates: its last acknowledged value, and
    the one sent when the server died (None: none was unanswered)."""

    username: str
    acknowledged: str
    pending: str | None = None


@dataclass
class Chain:
    """The refresh tokens of one sign-in: the last acknowledged one, how many rotations were
    acknowledged, and whether a rotation of `token` was unanswered."""

    username: str
    token: str
    rotations: int = 0
    pending: bool = False


@dataclass
class Workload:
    """A pool whose app client rotates refresh tokens (no grace: each token has at most one
    successor), its attribute users (one per attribute writer) and rotating users."""

    pool_id: str
    client_id: str
    attributes: list[Attribute]
    rotating: list[str]
    flawed: set[str] = field(default_factory=set)  # what earlier rounds found half-written


@dataclass
class Round:
    """One round: the acknowledged writes, those left unanswered, any error before the kill
    (a fault of the server or of the workload), and what the checks found."""

    signed_up: dict[str, bool] = field(default_factory=dict)  # username -> confirmed
    unanswered_sign_ups: list[str] = field(default_factory=list)
    chains: list[Chain] = field(default_factory=list)
    acknowledged: Counter[str] = field(default_factory=Counter)
    unanswered: int = 0
    surprises: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    half_written: list[str] = field(default_factory=list)
    killed_after: float = 0.0


def client_for(session: boto3.session.Session, url: str) -> Any:
    """A boto3 client that tries each call once (a retry could hide a lost answer)."""
    config = Config(retries={"max_attempts": 1}, connect_timeout=5, read_timeout=60)
    return session.client(
        "cognito-idp",
        endpoint_url=url,
        region_name=REGION,
        aws_access_key_id="AKIDLOCAL",
        aws_secret_access_key="local-secret",
        config=config,
    )


def verify(url: str, workload: Workload, done: Round) -> list[str]:
    """Over the API: each acknowledged user signs in with its password (refused only as
    unconfirmed when its confirmation was not acknowledged; so is an unanswered sign-up that
    was stored), each attribute has its acknowledged or pending value, each chain's last
    acknowledged refresh token rotates (or was rotated by the unanswered call). Each
    Attribute then takes the value found, for the next round."""
    idp = client_for(boto3.session.Session(), url)

    def user(name: str, confirmed: bool | None) -> str | None:
        """What is wrong with `name`, if anything; `confirmed` None: an unanswered sign-up."""
        try:
            idp.initiate_auth(
                ClientId=workload.client_id,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": name, "PASSWORD": PASSWORD},
            )
            return None
        except ClientError as error:
            code = error.response["Error"]["Code"]
        if code == "UserNotConfirmedException" and not confirmed:
            return None
        if code == "UserNotFoundException" and confirmed is None:  # not written at all
            return None
        state = {True: "confirmed", False: "signed up", None: "unanswered sign-up"}[confirmed]
        return f"user {name} ({state}): sign-in answered {code}"

    def chain(found: Chain) -> str | None:
        try:
            idp.get_tokens_from_refresh_token(RefreshToken=found.token, ClientId=workload.client_id)
            return None
        except ClientError as error:
            code = error.response["Error"]["Code"]
        if found.pending and code == "RefreshTokenReuseException":
            return None
        return f"{found.username}'s refresh token after {found.rotations} rotations: {code}"

    checks: list[Callable[[], str | None]] = []
    checks += [lambda n=name, c=confirmed: user(n, c) for name, confirmed in done.signed_up.items()]
    checks += [lambda n=name: user(n, None) for name in done.unanswered_sign_ups]
    checks += [lambda c=found: chain(c) for found in done.chains]
    with ThreadPoolExecutor(4) as pool:
        problems = [p for p in pool.map(lambda check: check(), checks) if p is not None]
    for attribute in workload.attributes:
        got = idp.admin_get_user(UserPoolId=workload.pool_id, Username=attribute.username)
        value = {a["Name"]: a["Value"] for a in got["UserAttributes"]}.get("name", "")
        if value not in (attribute.acknowledged, attribute.pending):
            pending = f", pending {attribute.pending!r}" if attribute.pending else ""
            problems.append(
                f"{attribute.username}'s name is {value!r}, "
                f"acknowledged {attribute.acknowledged!r}{pending}"
            )
        attribute.acknowledged, attribute.pending = value, None
    return problems


def missing(store: SqlStore, pool_id: str, done: Round) -> list[str]:
    """Acknowledged rows the store lacks: a signed-up user, the last acknowledged refresh
    token of a chain, or the chain's acknowledged rotations before it."""
    hashes = {hash_refresh_token(chain.token): chain for chain in done.chains}
    with store.engine.connect() as connection:
        names = set(connection.scalars(select(users.c.username).where(users.c.pool_id == pool_id)))
        query = select(refresh_tokens).where(refresh_tokens.c.token_hash.in_(list(hashes)))
        found = {row.token_hash: row for row in connection.execute(query)}
        lengths = {
            token_hash: len(
                connection.execute(select(refresh_tokens).where(*_same_chain(row))).all()
            )
            for token_hash, row in found.items()
        }
    problems = [f"user {name} is not stored" for name in done.signed_up if name not in names]
    for token_hash, chain in hashes.items():
        if token_hash not in found:
            problems.append(
                f"{chain.username}'s refresh token after {chain.rotations} rotations is not stored"
            )
        elif lengths[token_hash] < chain.rotations + 1:
            problems.append(
                f"{chain.username}'s chain has {lengths[token_hash]} tokens, "
                f"{chain.rotations} rotations were acknowledged"
            )
    return problems


def _same_chain(row: Any) -> list[Any]:
    """A rotation's successor keeps its predecessor's user, client, auth_time and expiry."""
    columns = refresh_tokens.c
    return [
        columns.sub == row.sub,
        columns.client_id == row.client_id,
        columns.auth_time == row.auth_time,
        columns.expires == row.expires,
    ]


def half_written(store: SqlStore, pool_id: str) -> list[str]:
    """What a write cut in two would leave in the pool: a user without a password verifier
    (each user here has a password), search entries other than the user's attributes, a
    refresh token whose user is gone, and in a chain of rotations, a token marked rotated
    without the successor made at that moment, or a live token that has a successor."""
    with store.engine.connect() as connection:
        stored = connection.execute(select(users).where(users.c.pool_id == pool_id)).all()
        search: dict[str, dict[str, str]] = defaultdict(dict)
        rows = connection.execute(select(user_search).where(user_search.c.pool_id == pool_id))
        for row in rows:
            search[row.sub][row.name] = row.value
        query = select(refresh_tokens).where(refresh_tokens.c.pool_id == pool_id)
        tokens = connection.execute(query).all()
    problems = []
    for user in stored:
        if not (user.password_salt and user.password_verifier):
            problems.append(f"user {user.username} has no password verifier")
        attributes = orjson.loads(user.attributes)
        wanted = {k: v for k, v in attributes.items() if k in SEARCHABLE_ATTRIBUTES and v}
        if search.pop(user.sub, {}) != wanted:
            problems.append(f"user {user.username}'s search entries differ from {wanted}")
    problems += [f"search entries of a user {sub} not stored" for sub in search]
    subs = {user.sub for user in stored}
    chains: dict[tuple[Any, ...], list[Any]] = defaultdict(list)
    for token in tokens:
        if token.sub not in subs:
            problems.append(f"refresh token {token.jti} of a user {token.sub} not stored")
        chains[token.sub, token.client_id, token.auth_time, token.expires].append(token)
    for chain in chains.values():
        chain.sort(key=lambda token: token.created)
        for token, successor in pairwise(chain):
            if token.rotated_at is None:
                problems.append(f"refresh token {token.jti} is live beside its successor")
            elif token.rotated_at != successor.created:
                problems.append(
                    f"refresh token {token.jti} rotated at {token.rotated_at}, "
                    f"its successor {successor.jti} made at {successor.created}"
                )
        if chain[-1].rotated_at is not None:
            problems.append(f"refresh token {chain[-1].jti} rotated without a successor")
    return problems
