"""Kill -9 rounds: writers send sign-ups, attribute updates and sign-ins with refresh token
rotation to `userpool serve`, each noting what the server acknowledged (HTTP 200); the
server's whole process group gets SIGKILL at a random moment, and a restart on the same data
must show every acknowledged write and nothing half-written. bench/durability.py runs many
rounds, tests/test_durability.py a few; both through `run_round`.

A write that was sent but not answered when the server died may or may not have happened;
it is noted as pending, and either outcome passes, as long as it is whole. What a later write
replaced (an attribute's value, a rotated refresh token) counts as present when the later one
is, since the later one was only sent after the earlier one was acknowledged. A write counts
as acknowledged from the status line of its 200 on, which the server sends only once it has
committed: botocore hands over a 200 whose body the kill cut off as an empty answer, and where
that answer was to carry a new refresh token, the rotation counts as pending instead.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import httpx
from botocore.exceptions import BotoCoreError, ClientError

from bench._durability_checks import (
    PASSWORD,
    Attribute,
    Chain,
    Round,
    Workload,
    client_for,
    half_written,
    missing,
    verify,
)
from userpool.storage import database
from userpool.storage.sql_store import SqlStore

ROTATIONS_PER_SIGN_IN = 5  # then the rotating writer signs in again: a new chain of tokens
KINDS = ("sign-up", "confirmation", "attribute", "sign-in", "rotation")  # acknowledged writes


@dataclass
class Node:
    """A `userpool serve` process, the leader of its own process group."""

    url: str
    process: subprocess.Popen[bytes]
    data_dir: Path
    log: Path
    db_url: str


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_node(data_dir: Path, port: int, args: Sequence[str], starts: int = 0) -> Node:
    """`userpool serve --port PORT --data-dir DATA_DIR ARGS` in a new session, once /health
    answers; `starts` numbers its log (a data dir sees many starts)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    log = data_dir / f"server-{starts}.log"
    command = [sys.executable, "-m", "userpool", "serve", "--port", str(port)]
    command += ["--data-dir", str(data_dir), "--log-level", "warning", *args]
    env = {k: v for k, v in os.environ.items() if not k.startswith("USERPOOL_")}
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}"
    db_url = args[list(args).index("--db") + 1] if "--db" in args else database.sqlite_url(data_dir)
    node = Node(url, process, data_dir, log, db_url)
    try:
        _wait_healthy(node)
    except BaseException:  # Ctrl-C too: in its own session, the server would outlive us
        end_node(node)
        raise
    return node


def _wait_healthy(node: Node) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if node.process.poll() is not None:
            raise RuntimeError(f"server exited: {node.log.read_text()}")
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{node.url}/health", timeout=1).status_code == 200:
                return
        time.sleep(0.05)
    raise RuntimeError(f"server did not start: {node.log.read_text()}")


def _group_alive(group: int) -> bool:
    """Whether a process of `group` still runs (a zombie has let go of its sockets)."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[2]) == group and fields[0] != "Z":
                    return True
    return False


def end_node(node: Node, sig: signal.Signals = signal.SIGKILL) -> None:
    """Signal the node's whole process group (the server and its workers at once), and wait
    until every one of them is gone, so the port and the database are free again."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(node.process.pid, sig)
    node.process.wait(timeout=30)
    deadline = time.monotonic() + 30
    while _group_alive(node.process.pid):
        if time.monotonic() > deadline:
            raise RuntimeError(f"process group {node.process.pid} outlived {sig.name}")
        time.sleep(0.02)


def _user(idp: Any, pool_id: str, name: str) -> None:
    idp.admin_create_user(
        UserPoolId=pool_id, Username=name, TemporaryPassword=PASSWORD, MessageAction="SUPPRESS"
    )
    idp.admin_set_user_password(
        UserPoolId=pool_id, Username=name, Password=PASSWORD, Permanent=True
    )


def set_up(url: str, attribute_writers: int, rotating_writers: int) -> Workload:
    idp = client_for(boto3.session.Session(), url)
    pool_id = idp.create_user_pool(PoolName=f"durability-{uuid.uuid4().hex[:8]}")["UserPool"]["Id"]
    client = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="writers",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        RefreshTokenRotation={"Feature": "ENABLED", "RetryGracePeriodSeconds": 0},
    )["UserPoolClient"]
    attributes = [Attribute(f"attribute-{k}", "") for k in range(attribute_writers)]
    rotating = [f"rotating-{k}" for k in range(rotating_writers)]
    for name in [a.username for a in attributes] + rotating:
        _user(idp, pool_id, name)
    return Workload(pool_id, client["ClientId"], attributes, rotating)


class CutOff(Exception):
    """An HTTP 200 whose body did not arrive whole (the server died while sending it):
    botocore 1.44 then returns an answer with none of the operation's members. The server
    sends its status line only after the commit, so the write happened, but its answer (a
    refresh token) is lost."""


def _tokens(response: dict[str, Any]) -> dict[str, Any]:
    if "AuthenticationResult" not in response:
        raise CutOff("HTTP 200 without AuthenticationResult")
    result: dict[str, Any] = response["AuthenticationResult"]
    return result


FAILED_CALL = (BotoCoreError, ClientError, CutOff)


class _Writers:
    """The writer threads of one round; each stops at its first failed call."""

    def __init__(self, url: str, workload: Workload, number: int) -> None:
        self.workload = workload
        self.number = number
        self.round = Round()
        self.killed = threading.Event()  # set just before the SIGKILL
        self.each_kind = threading.Event()  # set once every kind of write was acknowledged
        self._lock = threading.Lock()
        self._session = boto3.session.Session()
        self._url = url

    def _failed(self, what: str, error: Exception) -> None:
        with self._lock:
            self.round.unanswered += 1
            if not self.killed.is_set():
                self.round.surprises.append(f"{what}: {type(error).__name__}: {error}")

    def _guarded(self, job: Callable[[Any, Any], None], idp: Any, arg: Any) -> None:
        """Run a writer; an error other than a failed call (an answer of an unexpected
        shape) is a surprise even after the kill."""
        try:
            job(idp, arg)
        except Exception as error:
            with self._lock:
                self.round.surprises.append(f"{job.__name__}: {type(error).__name__}: {error}")

    def _acknowledged(self, kind: str) -> None:
        with self._lock:
            self.round.acknowledged[kind] += 1
            if len(self.round.acknowledged) == len(KINDS):
                self.each_kind.set()

    def sign_ups(self, idp: Any, writer: int) -> None:
        pool_id, client_id = self.workload.pool_id, self.workload.client_id
        for n in itertools.count():
            name = f"r{self.number}-w{writer}-{n}"
            email = [{"Name": "email", "Value": f"{name}@example.com"}]
            try:
                idp.sign_up(
                    ClientId=client_id, Username=name, Password=PASSWORD, UserAttributes=email
                )
            except FAILED_CALL as error:
                self.round.unanswered_sign_ups.append(name)
                return self._failed(f"SignUp {name}", error)
            self.round.signed_up[name] = False
            self._acknowledged("sign-up")
            try:
                idp.admin_confirm_sign_up(UserPoolId=pool_id, Username=name)
            except FAILED_CALL as error:
                return self._failed(f"AdminConfirmSignUp {name}", error)
            self.round.signed_up[name] = True
            self._acknowledged("confirmation")

    def attribute(self, idp: Any, attribute: Attribute) -> None:
        for n in itertools.count():
            value = f"r{self.number}-{n}"
            attribute.pending = value
            try:
                idp.admin_update_user_attributes(
                    UserPoolId=self.workload.pool_id,
                    Username=attribute.username,
                    UserAttributes=[{"Name": "name", "Value": value}],
                )
            except FAILED_CALL as error:
                return self._failed(f"AdminUpdateUserAttributes {attribute.username}", error)
            attribute.acknowledged, attribute.pending = value, None
            self._acknowledged("attribute")

    def rotating(self, idp: Any, username: str) -> None:
        client_id = self.workload.client_id
        while True:
            try:
                result = _tokens(
                    idp.initiate_auth(
                        ClientId=client_id,
                        AuthFlow="USER_PASSWORD_AUTH",
                        AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
                    )
                )
            except FAILED_CALL as error:
                return self._failed(f"InitiateAuth {username}", error)
            chain = Chain(username, result["RefreshToken"])
            self.round.chains.append(chain)
            self._acknowledged("sign-in")
            for _ in range(ROTATIONS_PER_SIGN_IN):
                chain.pending = True
                try:
                    result = _tokens(
                        idp.get_tokens_from_refresh_token(
                            RefreshToken=chain.token, ClientId=client_id
                        )
                    )
                except FAILED_CALL as error:
                    return self._failed(f"GetTokensFromRefreshToken {username}", error)
                chain.token, chain.pending = result["RefreshToken"], False
                chain.rotations += 1
                self._acknowledged("rotation")

    def run_until(self, kill: Callable[[], None], seconds: float, sign_up_writers: int) -> Round:
        jobs: list[tuple[Callable[..., None], Any]] = []
        jobs += [(self.sign_ups, k) for k in range(sign_up_writers)]
        jobs += [(self.attribute, a) for a in self.workload.attributes]
        jobs += [(self.rotating, name) for name in self.workload.rotating]
        clients = [client_for(self._session, self._url) for _ in jobs]  # made here: not thread-safe
        threads = [
            threading.Thread(target=self._guarded, args=(job, idp, arg))
            for (job, arg), idp in zip(jobs, clients, strict=True)
        ]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        if not self.each_kind.wait(timeout=60):
            self.round.surprises.append(f"in 60 s, acknowledged only {self.round.acknowledged}")
        time.sleep(seconds)
        self.round.killed_after = time.monotonic() - started
        self.killed.set()
        kill()
        for thread in threads:
            thread.join(timeout=90)
            if thread.is_alive():
                raise RuntimeError("a writer still waits for the killed server")
        return self.round


OpenStore = Callable[[Node], AbstractContextManager[SqlStore]]


def run_round(
    node: Node,
    workload: Workload,
    number: int,
    seconds: float,
    restart: Callable[[], Node],
    open_store: OpenStore,
    sign_up_writers: int = 2,
) -> tuple[Node, Round]:
    """Write until every kind of write was acknowledged, then `seconds` more; SIGKILL the
    node, start it again with `restart`, and check: in the store first (before the checks'
    own sign-ins write more), then over the API."""
    writers = _Writers(node.url, workload, number)
    done = writers.run_until(lambda: end_node(node), seconds, sign_up_writers)
    node = restart()
    with open_store(node) as store:
        done.lost += missing(store, workload.pool_id, done)
        found = half_written(store, workload.pool_id)
    done.half_written = [problem for problem in found if problem not in workload.flawed]
    workload.flawed.update(found)  # the store check sees the whole pool: report each once
    done.lost += verify(node.url, workload, done)
    return node, done


@contextlib.contextmanager
def own_store(node: Node) -> Iterator[SqlStore]:
    """The node's store, opened as the server opens it."""
    engine = database.create(node.db_url)
    try:
        yield SqlStore(engine)
    finally:
        engine.dispose()
