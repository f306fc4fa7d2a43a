"""The pools list (and the search for a pool), a pool's page and its signing keys."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.responses import HTMLResponse

from userpool.domain.models import AppClient, UserPool
from userpool.domain.tier_rules import tier_of
from userpool.http.console import reads
from userpool.http.console.html import (
    Cell,
    Html,
    el,
    facts,
    href,
    join,
    link,
    not_found,
    page,
    search_form,
    section,
    table,
    text,
    when,
    yes_no,
)
from userpool.http.console.user_pages import user_search, user_table

POOLS = ("Pools", href())
NO_SUCH_POOL = "There is no user pool with that id."


def pool_crumbs(pool: UserPool) -> list[tuple[str, str]]:
    return [POOLS, (pool.name, href("pools", pool.id))]


def _pool_rows(rows: list[reads.PoolRow]) -> list[list[Cell]]:
    return [
        [
            link(href("pools", row.pool.id), row.pool.name),
            el("code", row.pool.id),
            when(row.pool.created),
            row.users,
        ]
        for row in rows
    ]


def pools_page(found: reads.PoolsPage | list[reads.PoolRow], query: str | None) -> HTMLResponse:
    """All pools a page at a time, or those a search found."""
    searched = isinstance(found, list)
    rows = found if isinstance(found, list) else found.rows
    caption = f"Pools matching “{query}”" if searched else "User pools"
    more = None
    if isinstance(found, reads.PoolsPage) and found.next_key is not None:
        more = el("p", link(href(after=found.next_key), "Next pools"))
    return page(
        "User pools",
        [],
        search_form(href(), "Find a pool (name or id)", "q", query),
        table(
            caption,
            ["Name", "Pool id", "Created", "Users"],
            _pool_rows(rows),
            row_headers=True,
            shown=searched,
            empty="No pool has that name or id." if searched else "No pools yet.",
        ),
        more,
    )


def _list(values: Any) -> str:
    if not values:
        return "none"
    return ", ".join(str(value) for value in values) if isinstance(values, list) else str(values)


def _block(settings: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = settings.get(name)
    return value if isinstance(value, Mapping) else {}


def _settings(view: reads.PoolView) -> Html:
    pool, settings = view.pool, view.pool.settings
    password = _block(_block(settings, "Policies"), "PasswordPolicy")
    add_ons = _block(settings, "UserPoolAddOns")
    pairs: list[tuple[str, Cell]] = [
        ("Pool id", el("code", pool.id)),
        ("Created", when(pool.created)),
        ("Last modified", when(pool.modified)),
        ("Users", view.users),
        ("Feature plan", tier_of(settings).value),
        ("MFA", str(settings.get("MfaConfiguration") or "OFF")),
        (
            "Sign-in with",
            _list(pool.username_attributes) if pool.username_attributes else "username",
        ),
        ("Aliases", _list(pool.alias_attributes)),
        ("Usernames case-sensitive", yes_no(pool.case_sensitive)),
        ("Verified automatically", _list(settings.get("AutoVerifiedAttributes"))),
        ("Shortest password", str(password.get("MinimumLength", "—"))),
        ("Threat protection", str(add_ons.get("AdvancedSecurityMode") or "OFF")),
        ("Lambda triggers", _list(sorted(_block(settings, "LambdaConfig")))),
        ("Deletion protection", str(settings.get("DeletionProtection") or "INACTIVE")),
    ]
    return facts("Settings", pairs)


def _client_rows(clients: list[AppClient]) -> list[list[Cell]]:
    return [
        [
            client.name,
            el("code", client.id),
            yes_no(client.secret is not None),
            _list(client.settings.get("ExplicitAuthFlows")),
            _list(client.settings.get("AllowedOAuthFlows")),
        ]
        for client in clients
    ]


def pool_page(view: reads.PoolView | None, first_users: reads.UsersPage | None) -> HTMLResponse:
    if view is None or first_users is None:
        return not_found(NO_SUCH_POOL)
    pool = view.pool
    clients = table(
        "App clients",
        ["Name", "Client id", "Secret", "Auth flows", "OAuth flows"],
        _client_rows(view.clients),
        row_headers=True,
    )
    group_rows: list[list[Cell]] = [
        [group.name, group.description, group.precedence] for group in view.groups
    ]
    groups = table("Groups", ["Name", "Description", "Precedence"], group_rows, row_headers=True)
    domain_rows: list[list[Cell]] = [
        [domain.domain, domain.kind.value, domain.managed_login_version] for domain in view.domains
    ]
    domains = table(
        "Domains", ["Domain", "Kind", "Managed login version"], domain_rows, row_headers=True
    )
    more_users = None
    if first_users.next_key is not None:
        more_users = el("p", link(href("pools", pool.id, "users"), "All users"))
    return page(
        pool.name,
        pool_crumbs(pool),
        el(
            "p",
            join(
                [
                    link(href("pools", pool.id, "keys"), "Signing keys (JWKS)"),
                    link(href("outbox", pool=pool.id), "Messages sent (outbox)"),
                ],
                " · ",
            ),
        ),
        section("Settings", _settings(view)),
        section(
            "Users",
            user_search(pool, None),
            user_table(pool, first_users.users),
            more_users,
        ),
        section("App clients", clients),
        section(
            "Groups",
            groups,
            el("p", f"Only the first {reads.GROUPS_SHOWN} are shown.")
            if view.more_groups
            else None,
        ),
        section("Domains", domains),
    )


def _key_status(view: reads.KeyView, now: float) -> Cell:
    state = view.state
    if view.signing:
        return "signing"
    if state.signs_from > now:
        return ["published ahead: signs from ", when(state.signs_from)]
    if state.retires is not None:
        return ["rotated out: verifies until ", when(state.retires)]
    return "verifies only"


def keys_page(found: tuple[UserPool, list[reads.KeyView]] | None, now: float) -> HTMLResponse:
    if found is None:
        return not_found(NO_SUCH_POOL)
    pool, views = found
    rows: list[list[Cell]] = [
        [
            el("code", view.state.kid),
            "ID tokens" if view.state.use == "id" else "access tokens",
            _key_status(view, now),
            when(view.state.created),
        ]
        for view in views
    ]
    jwks = f"/{pool.id}/.well-known/jwks.json"
    return page(
        "Signing keys",
        [*pool_crumbs(pool), ("Signing keys", href("pools", pool.id, "keys"))],
        el("p", "The keys in the pool's JWKS (", link(jwks, text(jwks)), "), oldest first."),
        table(
            "Keys in the JWKS", ["Key id (kid)", "Signs", "Status", "Made"], rows, row_headers=True
        ),
    )
