"""A real browser for the tests: Debian's Chromium (/usr/bin/chromium) driven by Playwright,
pages bundled by esbuild from tests/browser, a static server for them, and trust in the data
dir's local CA for a server started with `--tls`."""

from __future__ import annotations

import base64
import functools
import hashlib
import http.server
import os
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from playwright.sync_api import Browser, sync_playwright

from tests.codes_support import OUTBOX_FLAGS
from tests.conftest import Server, make_client, server_on
from tests.login_support import Site
from tests.test_node_clients import node_setup_problem
from userpool.http.tls import ca_path

CHROMIUM = Path("/usr/bin/chromium")
BROWSER_DIR = Path(__file__).resolve().parent / "browser"
NODE_MODULES = Path(__file__).resolve().parent / "node" / "node_modules"
ESBUILD = NODE_MODULES / ".bin" / "esbuild"
# Screenshots kept after a run (CI keeps the directory as the run's artefacts).
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"

needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"no {CHROMIUM}: `apt-get install -y chromium` (.ci/run installs it)",
)


def bundle(entry: str, into: Path) -> None:
    """tests/browser/`entry`.mjs bundled as `entry`.js in `into`, beside a copy of
    tests/browser/index.html loading it. esbuild finds the npm packages through NODE_PATH,
    since tests/browser has no node_modules of its own."""
    problem = node_setup_problem() or (None if ESBUILD.exists() else "esbuild is not installed")
    if problem is not None:
        message = f"cannot bundle the page: {problem}; run `npm ci --prefix tests/node`"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    command = [str(ESBUILD), str(BROWSER_DIR / f"{entry}.mjs"), "--bundle", "--format=esm"]
    command += [f"--outfile={into / f'{entry}.js'}", "--log-level=warning"]
    env = {**os.environ, "NODE_PATH": str(NODE_MODULES)}
    subprocess.run(command, check=True, env=env, timeout=60)
    html = (BROWSER_DIR / "index.html").read_text().replace("{script}", f"./{entry}.js")
    (into / "index.html").write_text(html)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """The page's static files, without a line on stderr for each request; a file without an
    extension is a page (an app's /callback)."""

    def guess_type(self, path: str | os.PathLike[str]) -> str:
        return "text/html" if not Path(path).suffix else super().guess_type(path)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def static_site(root: Path) -> Iterator[str]:
    """`root` served over HTTP on a free port: its origin, http://localhost:PORT."""
    handler = functools.partial(QuietHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def spki_pin(certificate: Path) -> str:
    """The base64 SHA-256 of a certificate's public key, as Chromium's
    --ignore-certificate-errors-spki-list takes it."""
    loaded = x509.load_pem_x509_certificate(certificate.read_bytes())
    der = loaded.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(hashlib.sha256(der).digest()).decode()


@contextmanager
def chromium(trusting: Path | None = None) -> Iterator[Browser]:
    """Headless Chromium; with `trusting`, a CA certificate whose chains it accepts (the data
    dir's local CA of `serve --tls`), as a browser that has the CA installed would: Chromium
    takes no CA file, but it accepts a chain holding a key pinned by its SPKI hash."""
    # Chromium's sandbox refuses to run as root (as CI runs).
    args = ["--no-sandbox"] if os.geteuid() == 0 else []
    if trusting is not None:
        args.append(f"--ignore-certificate-errors-spki-list={spki_pin(trusting)}")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=args)
        try:
            yield launched
        finally:
            launched.close()


def artifact(name: str) -> Path:
    """Where a screenshot called `name` is kept: test-artifacts/`name`."""
    path = ARTIFACTS / name
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


@contextmanager
def tls_site(data_dir: Path) -> Iterator[Server]:
    """A server over HTTPS (`--tls`, messages to the outbox): its certificate names every
    *.localhost host, so that a browser reaches a prefix domain `myapp` by its name,
    https://myapp.localhost:PORT, as Amplify's `oauth.domain` gives it. On SQLite only: the
    browser tests are about the pages and the clients; the backends are tested elsewhere."""
    with server_on("sqlite", data_dir, "--tls", *OUTBOX_FLAGS) as running:
        yield running


def tls_fixtures(name: str) -> tuple[Any, Any, Any]:
    """A browser test module's `server` (tls_site), `cognito` (boto3 trusting its CA) and
    `browser` (Chromium trusting it), all module-scoped:
    `server, cognito, browser = tls_fixtures("browser-login")`."""

    @pytest.fixture(scope="module")
    def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
        with tls_site(tmp_path_factory.mktemp(name)) as running:
            yield running

    @pytest.fixture(scope="module")
    def cognito(server: Server) -> Any:
        return make_client(server.url, verify=str(ca_path(server.data_dir)))

    @pytest.fixture(scope="module")
    def browser(server: Server) -> Iterator[Browser]:
        with chromium(trusting=ca_path(server.data_dir)) as launched:
            yield launched

    return server, cognito, browser


@dataclass
class NamedSite(Site):
    """A Site over HTTPS that the browser reaches by the domain's own host name,
    https://{domain}.localhost:PORT (Chromium sends every *.localhost name to this machine), or
    by path when `by_name` is off (a second pool's domain); the app's back end reaches the
    token endpoint by path (Python's resolver knows no *.localhost), trusting the local CA."""

    by_name: bool = True

    @property
    def base(self) -> str:
        if not self.by_name:
            return super().base
        port = self.server.url.rsplit(":", 1)[1]
        return f"https://{self.domain}.localhost:{port}"

    @property
    def token_endpoint(self) -> str:
        return f"{self.server.url}/domains/{self.domain}/oauth2/token"
