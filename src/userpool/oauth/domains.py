"""Which pool and domain a request is for, and where that domain's endpoints are.

A pool's domain is reached in two ways here:
- by path, on this server: `{public URL}/domains/{domain}/...`; it needs no DNS at all;
- by Host header, as on AWS: a prefix domain as `{prefix}.auth.{region}.amazoncognito.com`
  (for a resolver or proxy that sends those names here) or as `{prefix}.localhost[:port]`
  (browsers send *.localhost to the loopback address without any DNS, RFC 6761), and a
  custom domain by its own name.
Endpoints later hang below the domain's root (`base_url`): /oauth2/authorize, /login, ...
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from userpool.domain.models import UserPool
from userpool.domain.pool_domains import DomainKind, PoolDomain
from userpool.storage.repositories import Store

PATH_ROOT = "/domains"
_PREFIX_HOST = re.compile(
    r"(?P<prefix>[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?)"
    r"\.(?:auth\.(?P<region>[a-z0-9\-]+)\.amazoncognito\.com|localhost)"
)


@dataclass(frozen=True)
class DomainRequest:
    """A request for `domain` of `pool`: `path` below the domain's root, `base_url` that root
    as the caller reached it (no trailing slash); `source_ip`: the caller's address as the
    server saw it (a trusted proxy's X-Forwarded-For applied), for its auth events."""

    pool: UserPool
    domain: PoolDomain
    base_url: str
    path: str
    source_ip: str | None = None


@dataclass(frozen=True)
class _Wanted:
    name: str
    kind: DomainKind | None  # None: either kind (the path form names a domain outright)
    region: str | None = None  # the AWS form names the pool's region too


def host_name(host: str) -> str:
    """The Host header without its port, in lower case: "MyApp.localhost:9230" -> "myapp
    .localhost"; "[::1]:9230" -> "::1"."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].partition("]")[0]
    return host.rpartition(":")[0] if host.count(":") == 1 else host


def _is_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def wanted_by_host(host: str) -> _Wanted | None:
    """The domain a Host header would name, before looking: None for this server's own kinds
    of name (an address, a single label such as "localhost"), which no domain can have."""
    name = host_name(host).rstrip(".")
    match = _PREFIX_HOST.fullmatch(name)
    if match:
        return _Wanted(match["prefix"], DomainKind.PREFIX, match["region"])
    if "." not in name or _is_address(name):
        return None
    return _Wanted(name, DomainKind.CUSTOM)


def _look_up(store: Store, wanted: _Wanted) -> tuple[UserPool, PoolDomain] | None:
    with store.read() as tx:
        domain = tx.domains.get(wanted.name)
        if domain is None or (wanted.kind is not None and domain.kind is not wanted.kind):
            return None
        pool = tx.pools.get(domain.pool_id)
    if pool is None or (wanted.region is not None and pool.region != wanted.region):
        return None
    return pool, domain


def by_host(store: Store, scheme: str, host: str, path: str) -> DomainRequest | None:
    wanted = wanted_by_host(host)
    found = _look_up(store, wanted) if wanted is not None else None
    if found is None:
        return None
    pool, domain = found
    return DomainRequest(pool, domain, f"{scheme}://{host.strip()}", path or "/")


def by_path(store: Store, server_url: str, path: str) -> DomainRequest | None:
    """`/domains/{domain}/...` under this server, whose public URL is `server_url`."""
    if not path.startswith(PATH_ROOT + "/"):
        return None
    name, slash, below = path[len(PATH_ROOT) + 1 :].partition("/")
    found = _look_up(store, _Wanted(name, None)) if name else None
    if found is None:
        return None
    pool, domain = found
    return DomainRequest(pool, domain, path_base(server_url, name), slash + below or "/")


def resolve(
    store: Store, server_url: str, *, scheme: str, host: str, path: str
) -> DomainRequest | None:
    """The pool and domain a request is for, by its Host header first, then by its path;
    None when it is for neither (this server's own endpoints)."""
    return by_host(store, scheme, host, path) or by_path(store, server_url, path)


def path_base(server_url: str, name: str) -> str:
    """The root of domain `name` reached by path on this server."""
    return f"{server_url.rstrip('/')}{PATH_ROOT}/{name}"


def pool_base(store: Store, server_url: str, pool_id: str) -> str | None:
    """Where the pool's OAuth endpoints are, for its discovery document: its custom domain if
    it has one (Cognito lists that one then), else its prefix domain, both reached by path
    here, which needs neither DNS nor a port known in advance; None without a domain."""
    with store.read() as tx:
        domains = tx.domains.of_pool(pool_id)
    if not domains:
        return None
    chosen = min(domains, key=lambda domain: domain.kind is not DomainKind.CUSTOM)
    return path_base(server_url, chosen.domain)
