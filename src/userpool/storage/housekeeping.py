"""Removing what has expired: consumed-session markers, one-time codes, refresh tokens a
day after they expire (an access token from one may live up to a day longer, and its
revocation check reads the refresh-token record), and lockout records once their failures
are forgotten (among them the stand-ins of names that match no user: auth/first_factor),
rotated-out signing keys once they have left their pool's JWKS (tokens/rotation.py), and
users' auth events once older than the two years Cognito keeps a user's event history
(the Developer Guide, "Viewing user event history")."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from starlette.concurrency import run_in_threadpool

from userpool.domain.auth_events import US
from userpool.storage.repositories import Store

log = logging.getLogger("userpool.housekeeping")

INTERVAL_SECONDS = 300.0
ACCESS_TOKEN_MAX_SECONDS = 86_400
LOCKOUT_FORGOTTEN_SECONDS = 15 * 60  # accounts/lockout.py FORGET_AFTER_SECONDS
AUTH_EVENTS_KEPT_SECONDS = 731 * 86_400  # two years, a leap day included: none goes early


def purge_expired(store: Store, now: float) -> None:
    with store.write() as tx:
        tx.session_markers.purge_expired(now)
        tx.sign_in_states.purge_expired(now)
        tx.codes.purge_expired(now)
        tx.refresh_tokens.purge_expired(now - ACCESS_TOKEN_MAX_SECONDS)
        tx.lockouts.purge_forgotten(now - LOCKOUT_FORGOTTEN_SECONDS)
        tx.passkeys.purge_expired_challenges(now)
        tx.authorization_codes.purge_expired(now)
        tx.signing_keys.purge_retired(now)
        tx.auth_events.purge_older_than(int((now - AUTH_EVENTS_KEPT_SECONDS) * US))


def lifespan(store: Store, clock: Callable[[], float] = time.time) -> Any:
    """A Starlette lifespan that purges every `INTERVAL_SECONDS` while the app runs."""

    async def loop() -> None:
        while True:
            await asyncio.sleep(INTERVAL_SECONDS)
            try:
                await run_in_threadpool(purge_expired, store, clock())
            except Exception:  # keep serving; try again next round
                log.exception("purging expired records failed")

    @asynccontextmanager
    async def running(_app: Any) -> AsyncIterator[None]:
        task = asyncio.create_task(loop())
        try:
            yield
        finally:
            task.cancel()

    return running
