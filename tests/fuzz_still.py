"""The pools made to show that refused requests change nothing, and the requests aimed at them.

On each fuzz server: a pool with two app clients, a confirmed user with its tokens, a user who
must choose a new password (whose NEW_PASSWORD_REQUIRED session is the genuine one), one who
has chosen it already (an answered session), and another pool with a user of each kind (a
session and tokens from elsewhere). Every request of the parts below is aimed at them and must
be refused; the store's rows for both pools (tests/fuzz_store.py) must stay as they were.

- invalid: a body validation refuses, to any operation the server implements;
- envelope: malformed JSON, a body past the limit, a wrong or unknown target (fuzz_envelope);
- unsigned: an IAM-authenticated operation without a valid signature (fuzz_signing);
- sessions: a tampered or misused session (fuzz_sessions);
- tokens: a tampered access or refresh token (fuzz_tokens).
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import httpx
import orjson
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from hypothesis import strategies as st

from tests.fuzz_envelope import EnvelopeProbes
from tests.fuzz_requests import RequestStrategies, encode
from tests.fuzz_sessions import NEW_PASSWORD, GenuineSessions
from tests.fuzz_signing import badly_signed, request_headers, signed
from tests.fuzz_support import (
    FLOWS,
    PASSWORD,
    FuzzTarget,
    Pool,
    Probe,
    make_pool,
    make_user,
    make_world,
    signed_in,
)
from tests.fuzz_tokens import (
    GenuineTokens,
    server_signed,
    tampered_access_tokens,
    tampered_refresh_tokens,
    unb64url,
)
from tests.fuzz_values import World
from userpool.protocol.model import service_model, unauthenticated_operations

PARTS = ("invalid", "envelope", "unsigned", "sessions", "tokens")
USER, FORCED, ANSWERED = "still", "still-forced", "still-answered"
HOUR = 3600
# Operations that take a refresh token, and how a body carries it.
REFRESH_REQUESTS: dict[str, Callable[[str, str, str], dict[str, Any]]] = {
    "InitiateAuth": lambda pool, client, token: {
        "ClientId": client,
        "AuthFlow": "REFRESH_TOKEN_AUTH",
        "AuthParameters": {"REFRESH_TOKEN": token},
    },
    "AdminInitiateAuth": lambda pool, client, token: {
        "UserPoolId": pool,
        "ClientId": client,
        "AuthFlow": "REFRESH_TOKEN_AUTH",
        "AuthParameters": {"REFRESH_TOKEN": token},
    },
    "GetTokensFromRefreshToken": lambda pool, client, token: {
        "ClientId": client,
        "RefreshToken": token,
    },
    "RevokeToken": lambda pool, client, token: {"ClientId": client, "Token": token},
}
# An unknown refresh token is revoked by doing nothing, with 200, as RFC 7009 has it.
SERVED_WITHOUT_EFFECT = frozenset({"RevokeToken"})


def session_of(cognito: Any, client_id: str, username: str) -> str:
    return str(
        cognito.initiate_auth(
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
        )["Session"]
    )


def kid_of(token: str) -> str:
    return str(orjson.loads(unb64url(token.split(".")[0]))["kid"])


def public_key_pem(url: str, pool_id: str, kid: str) -> bytes:
    keys = httpx.get(f"{url}/{pool_id}/.well-known/jwks.json").json()["keys"]
    jwk = next(key for key in keys if key["kid"] == kid)

    def number(value: str) -> int:
        return int.from_bytes(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)), "big")

    public = rsa.RSAPublicNumbers(number(jwk["e"]), number(jwk["n"])).public_key()
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


@dataclass
class Still:
    """The pools of the check on one target, and the genuine things the requests start from."""

    target: FuzzTarget
    pool: Pool
    other_pool: Pool
    other_client_id: str
    world: World
    tokens: GenuineTokens
    sessions: GenuineSessions

    @property
    def pool_ids(self) -> tuple[str, str]:
        return self.pool.id, self.other_pool.id

    @cached_property
    def _strategies(self) -> RequestStrategies:
        return RequestStrategies(self.world)

    @classmethod
    def make(cls, target: FuzzTarget) -> Still:
        cognito = target.cognito
        pool, other = make_pool(cognito), make_pool(cognito)
        other_client_id = cognito.create_user_pool_client(
            UserPoolId=pool.id, ClientName="other", ExplicitAuthFlows=FLOWS
        )["UserPoolClient"]["ClientId"]
        world = make_world(cognito, pool, USER)
        for name, permanent in ((FORCED, False), (ANSWERED, False)):
            make_user(cognito, pool, name, permanent=permanent)
        make_user(cognito, other, FORCED, permanent=False)
        make_user(cognito, other, USER)
        answered = session_of(cognito, pool.client_id, ANSWERED)
        cognito.respond_to_auth_challenge(
            ClientId=pool.client_id,
            ChallengeName="NEW_PASSWORD_REQUIRED",
            Session=answered,
            ChallengeResponses={"USERNAME": ANSWERED, "NEW_PASSWORD": NEW_PASSWORD},
        )
        own = signed_in(cognito, pool, USER)
        elsewhere = signed_in(cognito, other, USER)
        kid = kid_of(world.access_token)
        now = int(time.time())
        expired = {**tokens_claims(world.access_token), "iat": now - 2 * HOUR, "exp": now - HOUR}
        tokens = GenuineTokens(
            access_token=world.access_token,
            id_token=own["IdToken"],
            refresh_token=world.refresh_token,
            expired_access_token=server_signed(
                target.server.db_url, target.server.data_dir, kid, expired
            ),
            public_key_pem=public_key_pem(target.server.url, pool.id, kid),
            other_pool_kid=kid_of(elsewhere["AccessToken"]),
            id_kid=kid_of(own["IdToken"]),
            other_pool_refresh_token=elsewhere["RefreshToken"],
        )
        sessions = fresh_sessions(cognito, pool, other, other_client_id, answered)
        return cls(target, pool, other, other_client_id, world, tokens, sessions)

    def renew_sessions(self) -> None:
        """New sessions (a session lives three minutes), the user made to choose a password
        again if it has since."""
        self.sessions = fresh_sessions(
            self.target.cognito,
            self.pool,
            self.other_pool,
            self.other_client_id,
            self.sessions.spent_session,
        )

    def answer_genuine_session(self) -> dict[str, Any]:
        """The genuine session answered, as its user would: it must still work."""
        return dict(
            self.target.cognito.respond_to_auth_challenge(
                ClientId=self.pool.client_id,
                ChallengeName="NEW_PASSWORD_REQUIRED",
                Session=self.sessions.session,
                ChallengeResponses={"USERNAME": FORCED, "NEW_PASSWORD": NEW_PASSWORD},
            )
        )

    # The requests of each part.

    def probe_groups(self, part: str, implemented: list[str], unimplemented: list[str]) -> Any:
        """The part's requests as strategies each batch draws from in turn: one per operation
        where every operation must be tried in every run (an admin call without a valid
        signature), else one."""
        model = service_model()
        if part == "unsigned":
            open_ = unauthenticated_operations()
            admin = [op for op in implemented if op not in open_ and op in model.operation_names]
            return [self.probes(part, [op], unimplemented) for op in admin]
        return [self.probes(part, implemented, unimplemented)]

    def probes(self, part: str, implemented: list[str], unimplemented: list[str]) -> Any:
        """The part's requests to the operations `implemented` (or a subset of them)."""
        strategies = self._strategies
        model = service_model()

        def shape(operation: str) -> Any:
            return model.operation_model(operation).input_shape

        def probe(how: str, operation: str, body: dict[str, Any]) -> Probe:
            return self.signed_probe(operation, encode(body), how)

        if part == "invalid":
            return st.sampled_from(implemented).flatmap(
                lambda op: strategies.refused_body(shape(op)).map(
                    lambda body: probe("refused by validation", op, body)
                )
            )
        if part == "envelope":

            def bodies(operation: str) -> Any:
                known = operation in model.operation_names
                return strategies.benign_body(shape(operation)) if known else st.just({})

            return EnvelopeProbes(self.target.url, implemented, unimplemented, bodies).probes()
        if part == "unsigned":
            admin = [op for op in implemented if op not in self.target.open]
            return st.sampled_from(admin).flatmap(
                lambda op: strategies.benign_body(shape(op)).flatmap(
                    lambda body: badly_signed(self.target.url, op, encode(body)).map(
                        lambda drawn: Probe(op, drawn[1], drawn[2], drawn[0])
                    )
                )
            )
        if part == "sessions":
            return self.sessions.answers(self.pool.id).map(lambda drawn: probe(*drawn))
        if part == "tokens":
            return st.one_of(
                self._access_probes(implemented, strategies, shape), self._refresh_probes()
            )
        raise ValueError(part)

    def _access_probes(
        self, implemented: list[str], strategies: RequestStrategies, shape: Any
    ) -> Any:
        with_token = [op for op in implemented if "AccessToken" in (shape(op).members or {})]
        tampered = tampered_access_tokens(self.tokens)
        return st.tuples(st.sampled_from(with_token), tampered).flatmap(
            lambda drawn: strategies.benign_body(shape(drawn[0])).map(
                lambda body: self.signed_probe(
                    drawn[0], encode({**body, "AccessToken": drawn[1][1]}), drawn[1][0]
                )
            )
        )

    def _refresh_probes(self) -> Any:
        clients = (self.pool.client_id, self.other_client_id)
        tampered = st.tuples(st.sampled_from(clients), tampered_refresh_tokens(self.tokens))
        genuine = ("genuine, another client's", self.tokens.refresh_token)
        elsewhere = st.just((self.other_client_id, genuine))
        return (
            st.tuples(st.sampled_from(sorted(REFRESH_REQUESTS)), st.one_of(tampered, elsewhere))
            .map(lambda drawn: (drawn[0], *drawn[1]))
            .map(
                lambda drawn: self.signed_probe(
                    drawn[0],
                    encode(REFRESH_REQUESTS[drawn[0]](self.pool.id, drawn[1], drawn[2][1])),
                    f"refresh token {drawn[2][0]}",
                )
            )
        )

    def signed_probe(self, operation: str, body: bytes, how: str) -> Probe:
        headers = request_headers(operation)
        if operation not in self.target.open:
            headers = signed(self.target.url, headers, body)
        return Probe(operation, headers, body, how)


def fresh_sessions(
    cognito: Any, pool: Pool, other_pool: Pool, other_client_id: str, answered: str
) -> GenuineSessions:
    """NEW_PASSWORD_REQUIRED sessions of the user FORCED, made now, through each client."""
    cognito.admin_set_user_password(
        UserPoolId=pool.id, Username=FORCED, Password=PASSWORD, Permanent=False
    )
    return GenuineSessions(
        session=session_of(cognito, pool.client_id, FORCED),
        username=FORCED,
        other_username=USER,
        client_id=pool.client_id,
        other_client_session=session_of(cognito, other_client_id, FORCED),
        other_pool_session=session_of(cognito, other_pool.client_id, FORCED),
        spent_session=answered,
    )


def tokens_claims(token: str) -> dict[str, Any]:
    return dict(orjson.loads(unb64url(token.split(".")[1])))
