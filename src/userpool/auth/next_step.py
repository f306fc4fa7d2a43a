"""What comes after a passed factor. The one place that decides it, for every flow.

Pure: it looks at the pool, the client and the user, and names the challenge to send next,
or None when the user gets tokens.
"""

from __future__ import annotations

from userpool.domain.models import AppClient, User, UserPool, UserStatus

NEW_PASSWORD_REQUIRED = "NEW_PASSWORD_REQUIRED"


def next_challenge(pool: UserPool, client: AppClient, user: User) -> str | None:
    if user.status == UserStatus.FORCE_CHANGE_PASSWORD:
        return NEW_PASSWORD_REQUIRED
    return None
