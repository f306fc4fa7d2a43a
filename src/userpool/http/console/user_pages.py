"""A pool's users (a page at a time, or those a search found) and a user's page."""

from __future__ import annotations

from starlette.responses import HTMLResponse

from userpool.accounts import mfa
from userpool.domain.auth_events import AuthEvent, any_protection
from userpool.domain.auth_records import Device
from userpool.domain.models import User, UserPool
from userpool.http.console import reads
from userpool.http.console.html import (
    Cell,
    Html,
    el,
    facts,
    href,
    link,
    not_found,
    page,
    search_form,
    section,
    table,
    when,
    yes_no,
)

NO_SUCH_POOL = "There is no user pool with that id."
NO_SUCH_USER = "The pool has no user with that sub."
SEARCH_LABEL = "Find a user (username, email or sub)"
UNPROTECTED = (
    "This pool keeps no events: they are kept where threat protection is on "
    "(the Plus plan, with AdvancedSecurityMode AUDIT or ENFORCED)."
)


def _crumbs(pool: UserPool) -> list[tuple[str, str]]:
    return [("Pools", href()), (pool.name, href("pools", pool.id))]


def _mfa_summary(user: User) -> str:
    factors = mfa.read(user)
    return ", ".join(factors.enabled) if factors.enabled else "none"


def user_search(pool: UserPool, query: str | None) -> Html:
    return search_form(href("pools", pool.id, "users"), SEARCH_LABEL, "q", query)


def user_table(
    pool: UserPool, users: list[User], caption: str = "Users", shown: bool = False
) -> Html:
    rows: list[list[Cell]] = [
        [
            link(href("pools", pool.id, "users", user.sub), user.username),
            user.attributes.get("email"),
            user.status.value,
            yes_no(user.enabled),
            _mfa_summary(user),
            when(user.created),
        ]
        for user in users
    ]
    headers = ["Username", "Email", "Status", "Enabled", "MFA", "Created"]
    return table(caption, headers, rows, row_headers=True, shown=shown)


def users_page(found: reads.UsersPage | None, query: str | None) -> HTMLResponse:
    if found is None:
        return not_found(NO_SUCH_POOL)
    pool = found.pool
    caption = f"Users matching “{query}”" if query else "Users"
    more = None
    if found.next_key is not None:
        more = el("p", link(href("pools", pool.id, "users", after=found.next_key), "Next users"))
    return page(
        f"Users of {pool.name}",
        [*_crumbs(pool), ("Users", href("pools", pool.id, "users"))],
        user_search(pool, query),
        user_table(pool, found.users, caption, shown=bool(query)),
        more,
    )


def _device_rows(devices: list[Device]) -> list[list[Cell]]:
    return [
        [
            device.name or "(no name)",
            el("code", device.key),
            yes_no(device.remembered),
            when(device.last_authenticated),
            device.last_ip,
        ]
        for device in devices
    ]


def _event_rows(events: list[AuthEvent]) -> list[list[Cell]]:
    return [
        [
            when(event.created / 1_000_000),  # kept in microseconds
            event.type.value,
            event.response.value,
            ", ".join(
                f"{factor.value}: {'right' if passed else 'wrong'}"
                for factor, passed in event.challenges
            )
            or "—",
            event.context.get("IpAddress"),
        ]
        for event in events
    ]


def user_page(view: reads.UserView | None) -> HTMLResponse:
    if view is None:
        return not_found(NO_SUCH_USER)
    pool, user = view.pool, view.user
    factors = mfa.read(user)
    summary = facts(
        "Account",
        [
            ("Username", user.username),
            ("Sub", el("code", user.sub)),
            ("Status", user.status.value),
            ("Enabled", yes_no(user.enabled)),
            ("Created", when(user.created)),
            ("Last modified", when(user.modified)),
            ("MFA on", ", ".join(factors.enabled) or "none"),
            ("MFA preferred", factors.preferred or "none"),
            ("Authenticator app", "verified" if factors.token else "none"),
            ("Passkeys", view.passkeys),
        ],
    )
    attributes = table(
        "Attributes",
        ["Name", "Value"],
        sorted(user.attributes.items()),
        row_headers=True,
    )
    groups = el("ul", *(el("li", name) for name in view.groups)) if view.groups else None
    devices = table(
        "Devices",
        ["Name", "Device key", "Remembered", "Last signed in", "Last IP address"],
        _device_rows(view.devices),
        row_headers=True,
    )
    events = table(
        f"The latest {reads.EVENTS_SHOWN} at most, newest first",
        ["When", "Event", "Response", "Challenges", "IP address"],
        _event_rows(view.events),
        row_headers=True,
        empty="No sign-in events recorded.",
        shown=True,
    )
    outbox = href("outbox", pool=pool.id, user=user.username)
    return page(
        user.username,
        [*_crumbs(pool), (user.username, href("pools", pool.id, "users", user.sub))],
        el("p", link(outbox, "Messages sent to this user (outbox)")),
        section("Account", summary),
        section("Attributes", attributes),
        section("Groups", groups or el("p", "In no group.", class_="note")),
        section("Devices", devices),
        section(
            "Recent sign-in events",
            events,
            None if any_protection(pool.settings) else el("p", UNPROTECTED, class_="note"),
        ),
    )
