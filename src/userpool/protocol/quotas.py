"""Request rate quotas, as Cognito applies them to the user-pool API and its domains ("Quotas in
Amazon Cognito", https://docs.aws.amazon.com/cognito/latest/developerguide/quotas.html; which
operation counts where: protocol/quota_categories.py).

Cognito groups the operations into categories, each with a quota in requests per second
shared by all its operations. It enforces a category's quota per AWS account and Region,
across all of the account's user pools, not per pool: this server is one account, and a
request's Region is its pool id's (us-east-1_...), else the Region it is signed for, else the
server's --region. The challenge answers (RespondToAuthChallenge and its Admin twin) have
their own quota, three times UserAuthentication's; past it they count towards
UserAuthentication. The operations of the categories the page marks with an asterisk
(the pools' resources and app clients) may also be called at most 5 times a second each for
a single user pool: that limit is per pool. Reads and writes of one user's profile are held
to 10 a second each for that user (protocol/quota_users.py says how the user is found).

Each check counts the request under each of its keys in a one-second window (counters shared
by every node: the database or Redis, storage/quota_counters.py, all of a request's keys in
one round trip) before anything else is done; a request over any of its quotas is refused
with Cognito's TooManyRequestsException and changes nothing. Refused requests are counted
too, so at most `quota` requests are answered in any window.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from userpool.domain.errors import CognitoError
from userpool.protocol.quota_categories import (
    ANSWERS_PER_SIGN_IN,
    CATEGORY_OF,
    CHALLENGE_ANSWERS,
    COGNITO_QUOTAS,
    NEW_PASSWORD,
    PER_POOL_CATEGORIES,
    PER_POOL_OPERATION_QUOTA,
    per_user_quota,
)
from userpool.protocol.quota_users import QuotaUsers


class TooManyRequestsException(CognitoError):
    # What Cognito answers (boto3#2517, amplify-js#3554); HTTP 400, as the model has no code.
    default_message = "Rate exceeded"


class QuotasError(ValueError):
    """A --quotas value that cannot be used; the text says why, in one line."""


def load_quotas(spec: str) -> dict[str, int]:
    """The quotas `--quotas` names: `cognito` (Cognito's defaults), or a JSON file mapping
    quota names (the categories, PerUserRead, PerUserWrite, DomainRequests...: the keys of
    COGNITO_QUOTAS) to requests per second, over the defaults."""
    if spec == "cognito":
        return dict(COGNITO_QUOTAS)
    try:
        given = json.loads(Path(spec).read_text(encoding="utf-8"))
    except OSError as error:
        raise QuotasError(f"cannot read {spec}: {error.strerror or error}") from error
    except (ValueError, UnicodeDecodeError) as error:
        raise QuotasError(f"{spec} is not JSON: {error}") from error
    if not isinstance(given, dict):
        raise QuotasError(f"{spec} must hold a JSON object of quota name: requests per second")
    quotas = dict(COGNITO_QUOTAS)
    for name, rate in given.items():
        if name not in COGNITO_QUOTAS:
            raise QuotasError(
                f"{spec}: unknown quota {name!r} (known: {', '.join(COGNITO_QUOTAS)})"
            )
        if isinstance(rate, bool) or not isinstance(rate, int) or not 1 <= rate <= 10**9:
            raise QuotasError(f"{spec}: {name} must be a whole number of requests a second")
        quotas[name] = rate
    return quotas


class WindowCounter(Protocol):
    def hit_many(self, keys: Sequence[str], window: int) -> list[int]:
        """Count one request under each of `keys` in the one-second `window`; the counts so
        far, this one included, each an atomic step across every node."""
        ...


@dataclass(frozen=True)
class Charge:
    """One count a request makes: under `key`, at most `quota` a second. Past it, a request
    with a `spill` counts towards that instead, and is refused only if that is spent too."""

    key: str
    quota: int
    spill: Charge | None = None


class Limiter:
    def __init__(
        self,
        quotas: Mapping[str, int],
        counter: WindowCounter,
        clock: Callable[[], float],
        users: QuotaUsers | None = None,
    ) -> None:
        self._quotas = dict(quotas)
        self._counter = counter
        self._clock = clock
        self.users = users  # None: no per-user quotas (who the user is cannot be found)

    def admit(self, operation: str, params: Mapping[str, Any], region: str) -> None:
        """Count an API request; TooManyRequestsException if it is over a quota."""
        self.admit_charges(self.charges_of(operation, params, region))

    def admit_charges(self, charges: Sequence[Charge]) -> None:
        """Count `charges` in this second's window, in one step; refuse past any quota."""
        if not charges:
            return
        window = int(self._clock())
        counts = self._counter.hit_many([charge.key for charge in charges], window)
        spilled = []
        for charge, count in zip(charges, counts, strict=True):
            if count <= charge.quota:
                continue
            if charge.spill is None:
                raise TooManyRequestsException()
            spilled.append(charge.spill)
        self.admit_charges(spilled)

    def category(self, category: str, region: str) -> Charge:
        return Charge(f"{region}/{category}", self._quotas[category])

    def per_user(self, category: str, user_key: str) -> Charge | None:
        """The per-user count of an operation of `category` by the user `user_key`, if the
        category counts per user."""
        quota = per_user_quota(category)
        return Charge(f"{user_key}/{quota}", self._quotas[quota]) if quota else None

    def quota(self, name: str) -> int:
        return self._quotas[name]

    def charges_of(self, operation: str, params: Mapping[str, Any], region: str) -> list[Charge]:
        category = CATEGORY_OF.get(operation)
        if category is None:
            return []
        pool_id = params.get("UserPoolId")
        if isinstance(pool_id, str) and "_" in pool_id:
            region = pool_id.split("_", 1)[0]
        if operation in CHALLENGE_ANSWERS and params.get("ChallengeName") == NEW_PASSWORD:
            charges = [self.category("UserAccountRecovery", region)]
        elif operation in CHALLENGE_ANSWERS:
            allowed = self._quotas[category] * ANSWERS_PER_SIGN_IN
            answers = f"{region}/{category}/answers"
            charges = [Charge(answers, allowed, spill=self.category(category, region))]
        else:
            charges = [self.category(category, region)]
        if category in PER_POOL_CATEGORIES and isinstance(pool_id, str):
            charges.append(Charge(f"{pool_id}/{operation}", PER_POOL_OPERATION_QUOTA))
        if per_user_quota(category) and self.users is not None:
            user = self.users.of(params)
            if user is not None and (charge := self.per_user(category, user)) is not None:
                charges.append(charge)
        return charges
