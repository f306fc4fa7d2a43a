"""TagResource, UntagResource, ListTagsForResource on user pool ARNs."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import error_of


def arn_of(cognito: Any, pool_id: str) -> str:
    return str(cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Arn"])


def test_a_fresh_pool_has_no_tags(cognito: Any, pool_id: str) -> None:
    assert cognito.list_tags_for_resource(ResourceArn=arn_of(cognito, pool_id))["Tags"] == {}


def test_tags_merge_and_show_in_describe_user_pool(cognito: Any) -> None:
    pool = cognito.create_user_pool(PoolName="tagged", UserPoolTags={"team": "a", "env": "dev"})
    arn = pool["UserPool"]["Arn"]
    cognito.tag_resource(ResourceArn=arn, Tags={"env": "prod", "owner": "kim"})
    expected = {"team": "a", "env": "prod", "owner": "kim"}
    assert cognito.list_tags_for_resource(ResourceArn=arn)["Tags"] == expected
    described = cognito.describe_user_pool(UserPoolId=pool["UserPool"]["Id"])["UserPool"]
    assert described["UserPoolTags"] == expected


def test_untag_removes_only_the_named_keys(cognito: Any, pool_id: str) -> None:
    arn = arn_of(cognito, pool_id)
    cognito.tag_resource(ResourceArn=arn, Tags={"a": "1", "b": "2", "c": "3"})
    cognito.untag_resource(ResourceArn=arn, TagKeys=["a", "c", "never-set"])
    assert cognito.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"b": "2"}


def test_tags_set_by_update_user_pool_are_listed(cognito: Any, pool_id: str) -> None:
    cognito.update_user_pool(UserPoolId=pool_id, UserPoolTags={"k": "v"})
    assert cognito.list_tags_for_resource(ResourceArn=arn_of(cognito, pool_id))["Tags"] == {
        "k": "v"
    }


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:cognito-idp:us-east-1:000000000000:identitypool/us-east-1_abc",
        "arn:aws:s3:us-east-1:000000000000:userpool/us-east-1_abc",
        "arn:aws:cognito-idp:us-east-1:000000000000:userpool/not-a-pool-id",
    ],
)
def test_an_arn_that_names_no_user_pool_is_invalid(cognito: Any, arn: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        cognito.list_tags_for_resource(ResourceArn=arn)
    assert error_of(excinfo) == ("InvalidParameterException", f"Invalid ARN: {arn}")


def test_unknown_pool_is_not_found(cognito: Any) -> None:
    arn = "arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_nopool123"
    with pytest.raises(ClientError) as excinfo:
        cognito.tag_resource(ResourceArn=arn, Tags={"a": "b"})
    assert error_of(excinfo) == (
        "ResourceNotFoundException",
        "User pool us-east-1_nopool123 does not exist.",
    )


@pytest.mark.parametrize("part", ["region", "account"])
def test_arn_of_another_region_or_account_is_not_found(
    cognito: Any, pool_id: str, part: str
) -> None:
    arn = arn_of(cognito, pool_id)
    other = (
        arn.replace(":us-east-1:", ":eu-west-1:")
        if part == "region"
        else arn.replace(":000000000000:", ":111111111111:")
    )
    with pytest.raises(ClientError) as excinfo:
        cognito.untag_resource(ResourceArn=other, TagKeys=["a"])
    assert error_of(excinfo)[0] == "ResourceNotFoundException"
