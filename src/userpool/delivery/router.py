"""The `Sender` the server uses: per message, the backend named by the pool's
`userpool:delivery` tag, else the server's default (`--delivery`).

The tag is read with the pool for every message, not cached: that costs one primary-key
read (about 0.4 ms on SQLite), small beside the request that issued the code and beside
any real delivery, and a changed tag then applies at once on every worker and node."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping

from userpool.delivery import NAMES, Backend, DeliveryError, EmailSettings
from userpool.delivery.aws import AwsBackend, AwsSettings
from userpool.delivery.console import ConsoleBackend
from userpool.delivery.outbox import OutboxBackend
from userpool.delivery.smtp import SmtpBackend, SmtpSettings
from userpool.domain.messages import Message
from userpool.storage.repositories import Store

TAG = "userpool:delivery"
log = logging.getLogger("userpool.delivery")


class Router:
    def __init__(self, store: Store, default: str, backends: Mapping[str, Backend]) -> None:
        if default not in NAMES:
            raise ValueError(f"unknown delivery backend {default!r}: not one of {NAMES}")
        self._store = store
        self._default = default
        self._backends = backends

    def send(self, message: Message) -> None:
        self._route(message, deliver=True)

    def rehearse(self, message: Message) -> None:
        self._route(message, deliver=False)

    def _route(self, message: Message, *, deliver: bool) -> None:
        try:
            name, email = self._choice(message.pool_id)
            backend = self._backends.get(name)
            if backend is None:
                raise DeliveryError(f"the {name} backend is not configured on this server")
            if deliver:
                backend.deliver(message, email)
            else:
                backend.rehearse(message)
        except DeliveryError as error:
            log.warning(
                "cannot deliver the %s %s message for %s in %s: %s",
                message.medium.value,
                message.purpose,
                message.username,
                message.pool_id,
                error,
            )
            raise

    def _choice(self, pool_id: str) -> tuple[str, EmailSettings]:
        with self._store.read() as tx:
            pool = tx.pools.get(pool_id)
        settings = pool.settings if pool else {}
        name = (settings.get("UserPoolTags") or {}).get(TAG, self._default)
        if name not in NAMES:
            raise DeliveryError(f"tag {TAG}={name!r} is not one of {', '.join(NAMES)}")
        return name, EmailSettings.of(settings)


def build(
    store: Store,
    default: str,
    smtp: SmtpSettings | None,
    aws: AwsSettings,
    clock: Callable[[], float] = time.time,
) -> Router:
    """The router over every backend this server can use (smtp only with an SMTP host);
    `clock` dates the outbox's messages (the server's: the dev clock, when moved)."""
    console = ConsoleBackend()
    backends: dict[str, Backend] = {
        "console": console,
        "outbox": OutboxBackend(store, clock),
        "aws": AwsBackend(aws),
    }
    if smtp is not None:
        backends["smtp"] = SmtpBackend(smtp, console)
    return Router(store, default, backends)
