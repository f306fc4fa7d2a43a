"""Helpers for the managed login tests: a pool with a domain and an OAuth app client, and a
browser made of httpx (no JavaScript, as the pages need none): it keeps cookies, follows
nothing by itself, and fills in the forms the pages show (their hidden fields kept)."""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any, Self
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from tests.conftest import Server
from tests.signin_support import PASSWORD, confirmed_user, new_pool, unique
from userpool.http.tls import ca_path

CALLBACK = "https://app.example.com/callback"
SIGNED_OUT = "https://app.example.com/signed-out"
SCOPES = ["openid", "email", "profile", "aws.cognito.signin.user.admin"]


class _Forms(HTMLParser):
    """The first form of a page: its action and every input's name and value (radio buttons:
    their values, listed under `options`)."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}
        self.options: dict[str, list[str]] = {}
        self.text: list[str] = []
        self._done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form" and self.action is None:
            self.action = values.get("action", "")
        elif tag == "input" and self.action is not None and not self._done:
            name = values.get("name", "")
            if values.get("type") == "radio":
                self.options.setdefault(name, []).append(values.get("value", ""))
            else:
                self.fields[name] = values.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._done = True

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@dataclass
class Page:
    status: int
    html: str
    action: str | None
    fields: dict[str, str]
    options: dict[str, list[str]]
    text: str


def page_of(response: httpx.Response) -> Page:
    parser = _Forms()
    parser.feed(response.text)
    text = " ".join(" ".join(parser.text).split())
    return Page(
        response.status_code, response.text, parser.action, parser.fields, parser.options, text
    )


@dataclass
class Browser:
    """One browser: its cookie jar, kept across requests."""

    client: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=10))

    def get(self, url: str, **params: str) -> httpx.Response:
        return self.client.get(url, params=params or None, follow_redirects=False)

    def submit(self, page: Page, **values: str) -> httpx.Response:
        """Post the page's form: its fields as shown (hidden ones included), with `values`."""
        assert page.action, "the page has no form"
        return self.client.post(page.action, data=page.fields | values, follow_redirects=False)

    def close(self) -> None:
        self.client.close()


def location(response: httpx.Response) -> str:
    assert response.status_code == 302, (response.status_code, response.text[:500])
    return response.headers["location"]


def query_of(url: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


def fragment_of(url: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(url).fragment).items()}


@dataclass
class Site:
    """A pool with a domain (reached by path on `server`) and an app client allowed the code
    and implicit flows; `secret`: the client has one."""

    server: Server
    cognito: Any
    pool_id: str
    domain: str
    client_id: str
    client_secret: str | None
    callback: str = CALLBACK
    signed_out: str = SIGNED_OUT

    @classmethod
    def make(
        cls,
        server: Server,
        cognito: Any,
        *,
        pool_id: str | None = None,
        secret: bool = True,
        domain: str | None = None,
        app: str | None = None,
    ) -> Self:
        """`domain`: the pool's domain, made already; otherwise a new one is made. `app`: the
        app's origin, whose /callback and /signed-out are its URLs (https://app.example.com)."""
        callback, signed_out = (
            (f"{app}/callback", f"{app}/signed-out") if app else (CALLBACK, SIGNED_OUT)
        )
        pool_id = pool_id or new_pool(cognito)
        if domain is None:
            domain = unique("login")
            cognito.create_user_pool_domain(UserPoolId=pool_id, Domain=domain)
        client = cognito.create_user_pool_client(
            UserPoolId=pool_id,
            ClientName=unique("web"),
            GenerateSecret=secret,
            AllowedOAuthFlows=["code", "implicit"],
            AllowedOAuthScopes=SCOPES,
            AllowedOAuthFlowsUserPoolClient=True,
            CallbackURLs=[callback],
            LogoutURLs=[signed_out],
            SupportedIdentityProviders=["COGNITO"],
        )["UserPoolClient"]
        secret_value = client.get("ClientSecret")
        return cls(
            server, cognito, pool_id, domain, client["ClientId"], secret_value, callback, signed_out
        )

    @property
    def base(self) -> str:
        return f"{self.server.url}/domains/{self.domain}"

    def user(self, password: str = PASSWORD, **attributes: str) -> str:
        username = unique("user")
        confirmed_user(self.cognito, self.pool_id, username, password, **attributes)
        return username

    def authorize_params(self, **overrides: str) -> dict[str, str]:
        params = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": self.callback,
            "state": "st-" + unique("s"),
        }
        return {**params, **overrides}

    def authorize_url(self, **overrides: str) -> str:
        return f"{self.base}/oauth2/authorize?{urlencode(self.authorize_params(**overrides))}"

    def login_page(self, browser: Browser, **overrides: str) -> Page:
        """authorize, which must send the browser to /login; that page."""
        to_login = location(browser.get(self.authorize_url(**overrides)))
        assert to_login.startswith(f"{self.base}/login?"), to_login
        page = page_of(browser.get(to_login))
        assert page.status == 200, page.text
        return page

    def exchange(self, code: str, **form: str) -> httpx.Response:
        """The token endpoint's authorization_code grant for `code`."""
        body = {"grant_type": "authorization_code", "code": code, "redirect_uri": self.callback}
        body |= {"client_id": self.client_id, **form}
        auth = (self.client_id, self.client_secret) if self.client_secret else None
        return httpx.post(self.token_endpoint, data=body, auth=auth, verify=self.verify, timeout=10)

    @property
    def token_endpoint(self) -> str:
        """Where the app's back end exchanges a code."""
        return f"{self.base}/oauth2/token"

    @property
    def verify(self) -> ssl.SSLContext | bool:
        """How the app's back end checks the server's certificate: against the data dir's
        local CA when the server runs `--tls`."""
        if not self.server.url.startswith("https:"):
            return True
        return ssl.create_default_context(cafile=str(ca_path(self.server.data_dir)))
