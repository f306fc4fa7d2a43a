"""The server's outbox (`GET /_userpool/outbox`, with `--dev-endpoints` and `--delivery
outbox`): the messages it sent, codes included, read back by tests."""

from __future__ import annotations

import urllib.parse
from typing import Any

from userpool.testing._http import call

Message = dict[str, Any]  # {id, created, poolId, username, medium, destination, subject,
# body, purpose, sentFor, code}: README, "Messages and codes"


class Outbox:
    """The messages a server sent after `after` (a message id; 0: all of them).

    `Outbox.from_now(url)` sees only what is sent from then on, so that a test reads its own
    messages, not those of earlier tests to users of the same name."""

    def __init__(self, url: str, after: int = 0) -> None:
        self.url = url.rstrip("/")
        self.after = after

    @classmethod
    def from_now(cls, url: str, after: int = 0) -> Outbox:
        """An outbox that starts after the newest message now stored (searched from `after`,
        a message id known to be stored already, to skip reading the older ones again)."""
        newest = after
        while page := _page(url.rstrip("/"), {}, newest):
            newest = int(page[-1]["id"])
        return cls(url, newest)

    def messages(self, username: str | None = None, pool_id: str | None = None) -> list[Message]:
        """Every message sent since this outbox began, oldest first; to `username` (the name
        the user is stored under) and in `pool_id` when given."""
        query = {"user": username, "pool": pool_id}
        found: list[Message] = []
        while page := _page(self.url, query, int(found[-1]["id"]) if found else self.after):
            found += page
        return found

    def last(self, username: str, pool_id: str | None = None) -> Message:
        """The newest message to `username`; LookupError if none was sent."""
        messages = self.messages(username, pool_id)
        if not messages:
            where = f" in {pool_id}" if pool_id else ""
            raise LookupError(f"no message was sent to {username!r}{where}")
        return messages[-1]

    def last_code(self, username: str, pool_id: str | None = None) -> str:
        """The code of the newest message to `username` that carries one; LookupError if
        none does."""
        for message in reversed(self.messages(username, pool_id)):
            if message.get("code"):
                return str(message["code"])
        where = f" in {pool_id}" if pool_id else ""
        raise LookupError(f"no code was sent to {username!r}{where}")


def _page(url: str, query: dict[str, str | None], after: int) -> list[Message]:
    params = {name: value for name, value in query.items() if value is not None}
    params["after"] = str(after)
    answer = call("GET", f"{url}/_userpool/outbox?{urllib.parse.urlencode(params)}")
    messages: list[Message] = answer["messages"]
    return messages
