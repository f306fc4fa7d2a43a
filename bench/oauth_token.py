"""The token endpoint's grants per second: client_credentials (machine-to-machine tokens) and
authorization_code (a managed-login sign-in's code, with PKCE S256, exchanged for its tokens).

    python bench/oauth_token.py                                   # starts `userpool serve`
    python bench/oauth_token.py --endpoint http://127.0.0.1:9230  # against a running server
    python bench/oauth_token.py --seconds 1 --warmup 0.2 --concurrency 1,2   # a smoke run

One pool with a domain, a resource server `api` (scopes read, write), one user and two app
clients with secrets: one allowed the client_credentials flow, one the code flow (scopes
openid, email; a callback URL). Every request is `POST /domains/{domain}/oauth2/token` with
HTTP Basic, over raw keep-alive HTTP/1.1 from `--processes` load processes (bench/_cells.py):
`grant_type=client_credentials&scope=api/read`, or `grant_type=authorization_code` with a
code, the redirect_uri and the code's PKCE verifier (each code its own, 64 characters).

The codes are real and minted before each authorization_code cell, outside its warm-up and
window: the user signs in once through the managed login page (/oauth2/authorize, the /login
form posted with its CSRF token and cookie, the redirect carrying a code and the `cognito`
session cookie), then /oauth2/authorize is asked again with that cookie once per code, and
answers at once with a redirect carrying a new code, as Cognito does for a signed-in browser.
Each mint is a new sign-in of the user (new tokens, a new refresh token; ~4 ms of server CPU)
stored with its code, so a cell measures the exchange alone: client authentication, taking
the code out of storage, the PKCE check, the refresh token still live, the JSON response.
Codes are single-use and live five minutes; the load processes take them one after another
from one shared counter. A cell gets codes for 1.5 times the rate of the cell before it
(client_credentials' at the same concurrency, for the first) over warm-up plus window; one
that wanted more is measured again (fresh codes, 1.5 times what it wanted): past the last
code it was sending spent ones, refused, so that attempt shows errors and is not reported.

Only requests that start and end inside the window count; `srv ms` is the server's CPU per
grant, `gen` and `other` the load generator's and everything else's share of the machine in
the window (% of one core).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import http.client
import math
import secrets
import sys
import time
import uuid
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _cells
import _http

EXPECTED = b'"access_token"'
HEADER = "grant               conc  grants/s   p50 ms   p99 ms  errors  srv ms   gen%  other%"
CALLBACK = "https://app.example.com/callback"
PASSWORD = "Bench-Passw0rd!"
USERNAME = "bench-user"
MINTERS = 8  # connections minting codes at once
MARGIN = 1.5  # codes for this many times the expected exchanges


@dataclass(frozen=True)
class Row:
    grant: str
    concurrency: int
    rate: float
    p50: float
    p99: float
    errors: int
    server_ms: float | None
    gen_pct: float
    other_pct: float | None


@dataclass(frozen=True)
class Site:
    """What setup made: the pool's domain and its two app clients (id, secret)."""

    host: str  # the Host header: host:port
    domain: str
    machine: tuple[str, str]
    web: tuple[str, str]

    @property
    def base(self) -> str:
        return f"/domains/{self.domain}"


async def make_site(target: _http.Target) -> Site:
    """A pool with a domain, a resource server, a confirmed user, an M2M app client and a
    code-flow one."""
    admin = await target.client(admin=True)
    pool = await admin.call("CreateUserPool", {"PoolName": f"bench-{uuid.uuid4().hex[:8]}"})
    pool_id = pool["UserPool"]["Id"]
    domain = f"bench-{uuid.uuid4().hex[:8]}"
    await admin.call("CreateUserPoolDomain", {"UserPoolId": pool_id, "Domain": domain})
    scopes = [{"ScopeName": name, "ScopeDescription": name} for name in ("read", "write")]
    server = {"UserPoolId": pool_id, "Identifier": "api", "Name": "API", "Scopes": scopes}
    await admin.call("CreateResourceServer", server)
    user = {"UserPoolId": pool_id, "Username": USERNAME}
    create = {"TemporaryPassword": PASSWORD, "MessageAction": "SUPPRESS"}
    await admin.call("AdminCreateUser", user | create)
    await admin.call("AdminSetUserPassword", user | {"Password": PASSWORD, "Permanent": True})
    common = {
        "UserPoolId": pool_id,
        "GenerateSecret": True,
        "AllowedOAuthFlowsUserPoolClient": True,
    }
    machine = {
        "ClientName": "machine",
        "AllowedOAuthFlows": ["client_credentials"],
        "AllowedOAuthScopes": ["api/read", "api/write"],
    }
    web = {
        "ClientName": "web",
        "AllowedOAuthFlows": ["code"],
        "AllowedOAuthScopes": ["openid", "email"],
        "CallbackURLs": [CALLBACK],
        "SupportedIdentityProviders": ["COGNITO"],
    }
    made = []
    for settings in (machine, web):
        client = (await admin.call("CreateUserPoolClient", common | settings))["UserPoolClient"]
        made.append((client["ClientId"], client["ClientSecret"]))
    admin.connection.close()
    return Site(target.host, domain, made[0], made[1])


def token_request(site: Site, client: tuple[str, str], form: dict[str, str]) -> bytes:
    body = urlencode(form).encode()
    basic = base64.b64encode(f"{client[0]}:{client[1]}".encode()).decode()
    head = (
        f"POST {site.base}/oauth2/token HTTP/1.1\r\nHost: {site.host}\r\n"
        f"Content-Type: application/x-www-form-urlencoded\r\nAuthorization: Basic {basic}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


# ---------------------------------------------------------------- minting codes


class _Form(HTMLParser):
    """The first form of a page: its action and its inputs' names and values."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form" and self.action is None:
            self.action = values.get("action", "")
        elif tag == "input" and self.action is not None and values.get("name"):
            self.fields[values["name"]] = values.get("value", "")


class Browser:
    """One browser on one keep-alive connection: requests by path, the cookies it was set."""

    def __init__(self, url: str) -> None:
        host, port = _http.host_port(url)
        self.connection = http.client.HTTPConnection(host, port, timeout=30)
        self.cookies: dict[str, str] = {}

    def send(self, method: str, url: str, body: str | None = None) -> tuple[int, str, str]:
        """(status, Location, body) of one request to `url` (its path and query)."""
        parts = urlsplit(url)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        path = f"{parts.path}?{parts.query}" if parts.query else parts.path
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        text = response.read().decode()
        for cookie in response.msg.get_all("set-cookie") or []:
            name, _, value = cookie.split(";", 1)[0].partition("=")
            self.cookies[name] = value
        return response.status, response.getheader("location") or "", text


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")


def authorize_url(site: Site, verifier: str) -> str:
    query = {
        "response_type": "code",
        "client_id": site.web[0],
        "redirect_uri": CALLBACK,
        "scope": "openid email",
        "state": secrets.token_urlsafe(8),
        "code_challenge": s256(verifier),
        "code_challenge_method": "S256",
    }
    return f"{site.base}/oauth2/authorize?{urlencode(query)}"


def code_of(status: int, location: str) -> str:
    if status != 302 or not location.startswith(f"{CALLBACK}?"):
        raise SystemExit(
            f"authorize did not send the browser back with a code: {status} {location}"
        )
    return parse_qs(urlsplit(location).query)["code"][0]


def sign_in(url: str, site: Site) -> dict[str, str]:
    """The user signs in on the managed login page; the browser's cookies afterwards."""
    browser = Browser(url)
    status, to_login, text = browser.send("GET", authorize_url(site, secrets.token_urlsafe(48)))
    if status != 302 or f"{site.base}/login?" not in to_login:
        raise SystemExit(f"authorize did not send the browser to /login: {status} {text[:300]}")
    status, _, text = browser.send("GET", to_login)
    form = _Form()
    form.feed(text)
    if status != 200 or not form.action:
        raise SystemExit(f"no sign-in form: {status} {text[:300]}")
    fields = form.fields | {"username": USERNAME, "password": PASSWORD}
    code_of(*browser.send("POST", form.action, urlencode(fields))[:2])
    browser.connection.close()
    return browser.cookies


def mint_codes(url: str, site: Site, cookies: dict[str, str], count: int) -> list[bytes]:
    """`count` new codes, each as its exchange request (with its own verifier), over MINTERS
    connections of the signed-in browser."""

    def part(size: int) -> list[bytes]:
        browser = Browser(url)
        browser.cookies = dict(cookies)
        requests = []
        for _ in range(size):
            verifier = secrets.token_urlsafe(48)
            code = code_of(*browser.send("GET", authorize_url(site, verifier))[:2])
            form = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK}
            requests.append(token_request(site, site.web, form | {"code_verifier": verifier}))
        browser.connection.close()
        return requests

    sizes = [len(range(k, count, MINTERS)) for k in range(MINTERS)]
    with ThreadPoolExecutor(MINTERS) as pool:
        return [request for requests in pool.map(part, sizes) for request in requests]


# ---------------------------------------------------------------- cells


def row_of(grant: str, concurrency: int, measured: _cells.Measured, seconds: float) -> Row:
    other = None
    if measured.server_cpu is not None:
        busy = measured.machine_busy - sum(measured.server_cpu) - measured.client_cpu
        other = busy / seconds * 100
    return Row(
        grant,
        concurrency,
        measured.count / seconds,
        measured.percentile_ms(0.5),
        measured.percentile_ms(0.99),
        measured.errors,
        measured.server_ms_per_request(),
        measured.client_cpu / seconds * 100,
        other,
    )


def exchanges(
    url: str, requests: list[bytes], concurrency: int, timing: _cells.Timing
) -> tuple[_cells.Measured, int]:
    """One authorization_code cell on these exchange requests, taken one after another by
    all the load processes; and how many were wanted (past the last: spent codes, refused)."""
    taken = _cells.FORK.Value("q", 0)

    def make(_number: int, _sent: int) -> bytes:
        with taken.get_lock():
            index: int = taken.value
            taken.value = index + 1
        return requests[index % len(requests)]

    cell = _cells.Cell("authorization_code", make, EXPECTED, concurrency)
    measured = _cells.measure(url, cell, timing)
    return measured, taken.value


def code_cell(
    url: str,
    site: Site,
    cookies: dict[str, str],
    concurrency: int,
    timing: _cells.Timing,
    rate: float,
) -> Row:
    """Exchanges at `concurrency`, with codes enough for `rate` per second (more, and measured
    again, when they ran out)."""
    count = math.ceil(MARGIN * rate * (timing.warmup + timing.seconds)) + 4 * concurrency
    while True:
        started = time.monotonic()
        requests = mint_codes(url, site, cookies, count)
        print(f"  {count} codes minted in {time.monotonic() - started:.1f} s", flush=True)
        measured, wanted = exchanges(url, requests, concurrency, timing)
        if wanted <= count:
            return row_of("authorization_code", concurrency, measured, timing.seconds)
        count = math.ceil(MARGIN * wanted)
        print(f"  {wanted} codes wanted; measured again with {count}", flush=True)


def benchmark(args: argparse.Namespace, url: str, server_pid: int | None) -> list[Row]:
    host, port = _http.host_port(url)
    target = _http.Target(url, f"{host}:{port}", args.region)
    site = _http.run(lambda: make_site(target))
    print(f"domain {site.domain}, clients {site.machine[0]} (M2M), {site.web[0]} (code)")
    timing = _cells.Timing(args.processes, args.warmup, args.seconds, server_pid)
    machine = token_request(
        site, site.machine, {"grant_type": "client_credentials", "scope": "api/read"}
    )
    rows = []
    for concurrency in args.concurrency:
        cell = _cells.Cell("client_credentials", lambda _n, _s: machine, EXPECTED, concurrency)
        measured = _cells.measure(url, cell, timing)
        rows.append(row_of("client_credentials", concurrency, measured, args.seconds))
        print(format_row(rows[-1]), flush=True)
    cookies = sign_in(url, site)
    rate = rows[0].rate
    for concurrency in args.concurrency:
        rows.append(code_cell(url, site, cookies, concurrency, timing, rate))
        print(format_row(rows[-1]), flush=True)
        rate = rows[-1].rate
    return rows


def format_row(row: Row) -> str:
    server = f"{row.server_ms:6.2f}" if row.server_ms is not None else "     -"
    other = f"{row.other_pct:6.0f}" if row.other_pct is not None else "     -"
    return (
        f"{row.grant:<18}  {row.concurrency:4}  {row.rate:8.1f}  {row.p50:7.2f}  "
        f"{row.p99:7.2f}  {row.errors:6}  {server}  {row.gen_pct:5.0f}  {other}"
    )


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--endpoint", help="a running server; default: start one")
    parser.add_argument("--workers", type=int, default=2, help="server worker processes")
    parser.add_argument("--db", help="database URL for the started server (PostgreSQL)")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument(
        "--concurrency", type=lambda text: [int(p) for p in text.split(",") if p], default=[1, 32]
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="measured window per cell")
    parser.add_argument("--warmup", type=float, default=2.0, help="warm-up per cell")
    parser.add_argument("--processes", type=int, default=2, help="load-generator processes")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    _http.run_main("oauth-token", parse_args(argv), benchmark, HEADER, format_row)


if __name__ == "__main__":
    main()
