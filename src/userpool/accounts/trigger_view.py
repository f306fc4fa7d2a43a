"""A user as Lambda triggers see them (`request.userAttributes`): every attribute as a
string, `sub` first, and the account's status as Cognito adds it (`cognito:user_status`)."""

from __future__ import annotations

from userpool.domain.models import User


def trigger_attributes(user: User) -> dict[str, str]:
    return {"sub": user.sub, **user.attributes, "cognito:user_status": user.status.value}
