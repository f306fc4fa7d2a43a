"""The outbox: the messages the `outbox` delivery backend stored, codes included, newest
first; of all pools, of one, or of one user (the same messages GET /_userpool/outbox gives)."""

from __future__ import annotations

from starlette.responses import HTMLResponse

from userpool.domain.messages import OutboxEntry
from userpool.http.console.html import (
    Cell,
    el,
    href,
    link,
    page,
    search_form,
    table,
    when,
)

EMPTY = (
    "No messages. Only the `outbox` delivery backend stores them: `userpool serve --delivery "
    "outbox`, or a pool tagged userpool:delivery=outbox."
)


def _rows(entries: list[OutboxEntry]) -> list[list[Cell]]:
    rows: list[list[Cell]] = []
    for entry in entries:
        message = entry.message
        pool_id = message.pool_id
        rows.append(
            [
                str(entry.id),
                when(entry.created),
                link(href("pools", pool_id), el("code", pool_id)),
                link(href("pools", pool_id, "users", q=message.username), message.username),
                f"{message.medium.value} to {message.destination}",
                message.sent_for.value,
                el("span", message.code, class_="code mono") if message.code else "—",
                [
                    el("strong", message.subject) if message.subject else None,
                    el("pre", message.body),
                ],
            ]
        )
    return rows


def outbox_page(
    entries: list[OutboxEntry], pool_id: str | None, username: str | None, full: bool
) -> HTMLResponse:
    """`full`: the page holds as many messages as one may; older ones may follow."""
    parts = (f"pool {pool_id}" if pool_id else "", f"user {username}" if username else "")
    of = ", ".join(part for part in parts if part)
    caption = f"Messages{f' ({of})' if of else ''}, newest first"
    crumbs = [("Outbox", href("outbox"))]
    if pool_id or username:
        crumbs.append((of, href("outbox", pool=pool_id, user=username)))
    older = None
    if full and entries:
        older = el(
            "p",
            link(
                href("outbox", pool=pool_id, user=username, before=entries[-1].id), "Older messages"
            ),
        )
    headers = ["#", "Sent", "Pool", "Username", "To", "Sent for", "Code", "Message"]
    listing = table(caption, headers, _rows(entries), row_headers=True, shown=True, empty=EMPTY)
    hidden = {"pool": pool_id} if pool_id else {}
    return page(
        "Outbox",
        crumbs,
        search_form(href("outbox"), "Messages to username", "user", username, **hidden),
        listing,
        older,
    )
