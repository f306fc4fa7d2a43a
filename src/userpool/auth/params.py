"""Reading AuthParameters / ChallengeResponses the way Cognito reports what is missing."""

from __future__ import annotations

from collections.abc import Mapping

from userpool.domain.errors import InvalidParameterException


def required(params: Mapping[str, str], name: str) -> str:
    value = params.get(name)
    if not value:
        raise InvalidParameterException(f"Missing required parameter {name}")
    return value
