"""Nodes as deployed (docs/deploy.md): the migrations run once on a fresh PostgreSQL
database, then three `userpool serve` nodes on it, then Debian's nginx in front of them,
round-robin, its configuration written by the test into a temporary directory.

What the nodes share is passed to each explicitly, as an operator would: the database URL,
the server key (`USERPOOL_SECRET_KEY`, which seals sessions and the pools' signing keys in the
database), the public URL (nginx's: every token's issuer and every page's links) and the
credentials file that SigV4-signed calls are checked against; each has its own data dir.

nginx's access log records, for each request, the node that answered it (`$upstream_addr`)
and the operation (`X-Amz-Target`), so a test can show which node served which step.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.codes_support import OUTBOX_FLAGS
from tests.conftest import Server, free_port, start_server
from tests.pg import fresh_database
from userpool.storage import database

NGINX = Path("/usr/sbin/nginx")
NODES = 3
# The key pair every test client signs with (conftest.make_client): the nodes check SigV4
# against it, so the Host header nginx passes on must be the one the client signed.
CREDENTIALS = "AKIDLOCAL local-secret\n"
# Handler files for CUSTOM_AUTH (tests/signin_trigger_support.py): each node runs its own
# worker processes for them, started at the first call.
SIGNIN_TRIGGERS = Path(__file__).parent / "triggers" / "signin" / "triggers.json"
# One JSON object a request: which node answered (`$upstream_addr`, several if nginx tried
# more than one), which operation or page, and the answer's status.
HOPS_FORMAT = (
    'log_format hops escape=json \'{"node":"$upstream_addr","target":"$http_x_amz_target",'
    '"method":"$request_method","path":"$uri","args":"$args","status":"$status"}\';'
)


def require_nginx() -> None:
    """Fail (in CI, which installs it) or skip (elsewhere) without Debian's nginx."""
    if NGINX.is_file():
        return
    message = f"{NGINX} is not installed (apt-get install nginx)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def nginx_config(port: int, nodes: list[str], directory: Path) -> str:
    """nginx.conf for a balancer on 127.0.0.1:`port` over `nodes` (host:port), every file it
    writes in `directory`. The upstream block and the location are docs/deploy.md's."""
    servers = "\n".join(f"        server {node};" for node in nodes)
    temp_paths = "\n".join(
        f"    {kind}_temp_path {directory / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # As root, nginx's workers would run as nobody, who cannot enter pytest's 0700 temp dir;
    # as anyone else, they run as that user (and a `user` line would only draw a warning).
    user = "user root;" if os.geteuid() == 0 else ""
    return f"""{user}
worker_processes 2;
pid {directory / "nginx.pid"};
error_log {directory / "error.log"} warn;
events {{ worker_connections 1024; }}
http {{
    {HOPS_FORMAT}
    access_log {directory / "access.log"} hops;
{temp_paths}
    upstream userpool {{
        zone userpool 64k;
{servers}
        keepalive 32;
        keepalive_timeout 4s;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://userpool;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
        }}
    }}
}}
"""


@contextmanager
def nginx(port: int, nodes: list[str], directory: Path, db_url: str) -> Iterator[Server]:
    """Debian's nginx in the foreground (`daemon off`) on `port` in front of `nodes`, once
    /health answers through it; as a Server whose URL is nginx's (`db_url`: the nodes')."""
    require_nginx()
    directory.mkdir(parents=True, exist_ok=True)
    config = directory / "nginx.conf"
    config.write_text(nginx_config(port, nodes, directory))
    log = directory / "error.log"
    # -e: where it reports before it has read error_log (the packaged default is stderr)
    command = [str(NGINX), "-p", str(directory), "-c", str(config), "-e", str(log)]
    process = subprocess.Popen([*command, "-g", "daemon off;"])
    balancer = Server(f"http://127.0.0.1:{port}", process, directory, log, db_url)
    try:
        wait_for_health(balancer)
        yield balancer
    finally:
        balancer.stop()  # SIGTERM: nginx's fast shutdown


def wait_for_health(server: Server) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"nginx exited: {server.log.read_text()}")
        try:
            if httpx.get(f"{server.url}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"nginx did not answer /health: {server.log.read_text()}")


@dataclass(frozen=True)
class Hop:
    """One request as nginx's access log has it."""

    node: str  # the upstream address(es) that answered
    target: str  # X-Amz-Target's operation, or the method and path of anything else
    status: int


def address(server: Server) -> str:
    """host:port, as nginx names an upstream server."""
    return server.url.removeprefix("http://")


@dataclass(frozen=True)
class Deployment:
    nodes: list[Server]
    balancer: Server  # nginx; its URL is the nodes' --public-url

    @property
    def node_addresses(self) -> list[str]:
        return [address(node) for node in self.nodes]

    @property
    def access_log(self) -> Path:
        return self.balancer.data_dir / "access.log"

    def mark(self) -> str:
        """Put a marker in the access log (a /health request through nginx); its name."""
        name = uuid.uuid4().hex
        httpx.get(f"{self.balancer.url}/health", params={"mark": name}, timeout=10)
        return name

    def hops_between(self, start: str, end: str) -> list[Hop]:
        """The requests nginx logged between two marks (the end one waited for, as nginx
        writes a request's line just after answering it)."""
        deadline = time.monotonic() + 10
        while True:
            entries = [json.loads(line) for line in self.access_log.read_text().splitlines()]
            marks = [entry["args"] for entry in entries]
            if f"mark={end}" in marks or time.monotonic() > deadline:
                break
            time.sleep(0.02)
        assert f"mark={end}" in marks, f"nginx did not log the request marked {end}"
        between = entries[marks.index(f"mark={start}") + 1 : marks.index(f"mark={end}")]
        return [
            Hop(
                entry["node"],
                entry["target"].rpartition(".")[2] or f"{entry['method']} {entry['path']}",
                int(entry["status"]),
            )
            for entry in between
        ]

    @contextmanager
    def hops(self) -> Iterator[list[Hop]]:
        """The requests made inside the block, filled in when it ends."""
        logged: list[Hop] = []
        start = self.mark()
        yield logged
        logged.extend(self.hops_between(start, self.mark()))


def start_nodes(
    base: Path, db_url: str, public_url: str, env: dict[str, str], *flags: str, at_once: bool
) -> list[Server]:
    """`userpool serve` NODES times on one database: `at_once`, side by side; else one after
    another, which on a loaded 2-core machine keeps each start within start_server's 30 s."""
    credentials = base / "credentials"
    credentials.write_text(CREDENTIALS)
    shared = ("--db", db_url, "--public-url", public_url, "--credentials", str(credentials))

    def start(index: int) -> Server:
        return start_server(base / f"node-{index}", *shared, *flags, env=env)

    with ThreadPoolExecutor(NODES if at_once else 1) as starting:
        starts = [starting.submit(start, index) for index in range(NODES)]
    nodes = [started.result() for started in starts if started.exception() is None]
    if len(nodes) < NODES:  # stop those that did start, then say why one did not
        stop_all(nodes)
        next(started for started in starts if started.exception()).result()
    return nodes


def stop_all(nodes: list[Server]) -> None:
    """Stop the nodes side by side: SIGTERM to each, then wait for each to exit."""
    for node in nodes:
        node.process.terminate()
    for node in nodes:
        node.stop()


def migrate_once(db_url: str) -> None:
    """What `userpool migrate --db URL` does, as an operator runs it before starting (or
    upgrading) the nodes; here in this process, which has the code loaded already."""
    engine = database.create(db_url)
    try:
        database.migrate(engine)
    finally:
        engine.dispose()


@contextmanager
def deployed(base: Path) -> Iterator[Deployment]:
    """Migrations once, three nodes (outbox delivery with its dev endpoint, the sign-in
    trigger handlers), then nginx in front of them."""
    require_nginx()
    with fresh_database() as db_url, ExitStack() as running:
        migrate_once(db_url)
        port = free_port()
        public_url = f"http://127.0.0.1:{port}"
        env = {"USERPOOL_SECRET_KEY": secrets.token_urlsafe(32)}
        triggers = ("--triggers", str(SIGNIN_TRIGGERS))
        nodes = start_nodes(base, db_url, public_url, env, *OUTBOX_FLAGS, *triggers, at_once=False)
        running.callback(stop_all, nodes)
        addresses = [address(node) for node in nodes]
        balancer = running.enter_context(nginx(port, addresses, base / "nginx", db_url))
        yield Deployment(nodes, balancer)
