"""Who may open the console: it shows every user and every code sent, so it is never open.

- With `--credentials`: whoever presents one of those key pairs by HTTP Basic authentication
  (the access key id as user name, the secret as password; a browser cannot sign SigV4),
  wherever they connect from. Anyone else gets 401 and the browser's sign-in prompt.
- Without, on a server listening on a loopback address: loopback clients only. The address is
  the connection's peer as uvicorn gives it, which differs from the socket's only when the
  peer is a proxy it trusts (FORWARDED_ALLOW_IPS, 127.0.0.1 by default) and the request
  names another client; a request that names any forwarded client is refused too, so that a
  proxy on this machine never makes a remote browser look local, whatever uvicorn trusts.
- Without, on a server listening elsewhere (`--allow-any-credentials`): nobody (403), since
  nothing would stand between the network and the codes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import HTMLResponse

from userpool.http.admin_access import holds_key_pair, is_loopback_address
from userpool.http.console.html import el, page

REALM = 'Basic realm="userpool console", charset="UTF-8"'
# Set by a proxy for the client it forwards (uvicorn applies X-Forwarded-For from a trusted one).
FORWARDING_HEADERS = ("x-forwarded-for", "forwarded", "x-real-ip")

NEEDS_CREDENTIALS = (
    "The console needs one of the server's --credentials key pairs: the access key id as "
    "user name, the secret access key as password."
)
LOOPBACK_ONLY = (
    "Without --credentials, the console answers browsers on this machine only "
    "(a loopback address, not through a proxy)."
)
CLOSED = (
    "This server listens on a non-loopback address without --credentials: the console is off. "
    "Start it with --credentials FILE to open the console behind those key pairs."
)


@dataclass(frozen=True)
class Access:
    """`credentials`: the --credentials key pairs, if any; `listens_on_loopback`: whether the
    server's --host is a loopback address."""

    credentials: Mapping[str, str] | None
    listens_on_loopback: bool

    def refusal(self, request: Request) -> HTMLResponse | None:
        """The page refusing `request`, telling nothing of the data; None when it may see."""
        if self.credentials:
            if holds_key_pair(request, self.credentials):
                return None
            return _refused(401, NEEDS_CREDENTIALS, {"WWW-Authenticate": REALM})
        if not self.listens_on_loopback:
            return _refused(403, CLOSED)
        peer = request.client.host if request.client else None
        forwarded = any(name in request.headers for name in FORWARDING_HEADERS)
        if is_loopback_address(peer) and not forwarded:
            return None
        return _refused(403, LOOPBACK_ONLY)


def _refused(status: int, reason: str, headers: dict[str, str] | None = None) -> HTMLResponse:
    title = "Sign-in needed" if status == 401 else "Not allowed"
    return page(title, [], el("p", reason), status=status, headers=headers)
