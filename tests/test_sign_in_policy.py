"""Policies.SignInPolicy: the first factors a pool allows, checked as Cognito checks them."""

from __future__ import annotations

from typing import Any

import pytest

from tests.signin_support import failure, new_client, new_pool

NEEDS_PASSWORD = (
    "InvalidParameterException",
    "Password should be configured as one of the allowed first auth factors.",
)
ALL_FACTORS = ["PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN"]


def policy(*factors: str) -> dict[str, Any]:
    return {"SignInPolicy": {"AllowedFirstAuthFactors": list(factors)}}


def sign_in_policy(cognito: Any, pool_id: str) -> dict[str, Any]:
    pool = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    result: dict[str, Any] = pool["Policies"]["SignInPolicy"]
    return result


def test_a_pool_allows_the_password_unless_told_more(cognito: Any) -> None:
    assert sign_in_policy(cognito, new_pool(cognito)) == {"AllowedFirstAuthFactors": ["PASSWORD"]}
    named_none = new_pool(cognito, Policies={"SignInPolicy": {}})
    assert sign_in_policy(cognito, named_none) == {"AllowedFirstAuthFactors": ["PASSWORD"]}


def test_every_factor_may_be_allowed_beside_the_password(cognito: Any) -> None:
    pool_id = new_pool(cognito, Policies=policy(*ALL_FACTORS))
    assert sign_in_policy(cognito, pool_id) == {"AllowedFirstAuthFactors": ALL_FACTORS}


@pytest.mark.parametrize("factors", [["EMAIL_OTP"], ["SMS_OTP", "WEB_AUTHN"], ["WEB_AUTHN"]])
def test_the_password_cannot_be_left_out(cognito: Any, factors: list[str]) -> None:
    create = cognito.create_user_pool
    assert failure(create, PoolName="p", Policies=policy(*factors)) == NEEDS_PASSWORD
    pool_id = new_pool(cognito, Policies=policy("PASSWORD", "EMAIL_OTP"))
    update = cognito.update_user_pool
    assert failure(update, UserPoolId=pool_id, Policies=policy(*factors)) == NEEDS_PASSWORD
    assert sign_in_policy(cognito, pool_id) == {
        "AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"]
    }


def test_an_update_that_omits_the_policy_goes_back_to_the_password(cognito: Any) -> None:
    pool_id = new_pool(cognito, Policies=policy("PASSWORD", "SMS_OTP"))
    cognito.update_user_pool(UserPoolId=pool_id)
    assert sign_in_policy(cognito, pool_id) == {"AllowedFirstAuthFactors": ["PASSWORD"]}


def test_software_tokens_cannot_start_a_sign_in(cognito: Any) -> None:
    """Older service models refuse the value itself; newer ones list it, and Cognito's
    reference says it is not supported as a first factor."""
    code, message = failure(
        cognito.create_user_pool, PoolName="p", Policies=policy("PASSWORD", "SOFTWARE_TOKEN")
    )
    assert code == "InvalidParameterException"
    assert "SOFTWARE_TOKEN" in message


def test_clients_may_allow_choice_based_sign_in(cognito: Any) -> None:
    pool_id = new_pool(cognito, Policies=policy("PASSWORD", "EMAIL_OTP"))
    flows = ("ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")
    client = new_client(cognito, pool_id, flows)
    described = cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=client["ClientId"])
    assert described["UserPoolClient"]["ExplicitAuthFlows"] == list(flows)
