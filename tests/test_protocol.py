"""The AWS JSON 1.1 envelope: targets, validation messages, errors, request ids."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from botocore.exceptions import ClientError

from tests.conftest import Server, error_of

TARGET = "AWSCognitoIdentityProviderService."


def post(server: Server, operation: str, body: bytes | str) -> httpx.Response:
    return httpx.post(
        server.url + "/",
        content=body,
        headers={
            "X-Amz-Target": TARGET + operation,
            "Content-Type": "application/x-amz-json-1.1",
            "Authorization": "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/cognito-idp/"
            "aws4_request, SignedHeaders=host;x-amz-date, Signature=abc",
            "X-Amz-Date": "20260101T000000Z",
        },
    )


def test_missing_required_member_is_reported_in_aws_form(server: Server) -> None:
    response = post(server, "DescribeUserPool", "{}")
    assert response.status_code == 400
    assert response.headers["x-amzn-ErrorType"] == "InvalidParameterException"
    assert response.json() == {
        "__type": "InvalidParameterException",
        "message": "1 validation error detected: Value null at 'userPoolId' failed to satisfy "
        "constraint: Member must not be null",
    }


def test_several_violations_are_counted_and_listed(server: Server) -> None:
    response = post(server, "ListUserPools", '{"MaxResults": 0, "NextToken": ""}')
    message = response.json()["message"]
    assert message.startswith("3 validation errors detected: ")
    assert (
        "Value '0' at 'maxResults' failed to satisfy constraint: Member must have value "
        "greater than or equal to 1" in message
    )
    assert (
        "Value '' at 'nextToken' failed to satisfy constraint: Member must have length "
        "greater than or equal to 1" in message
    )


def test_pattern_and_enum_violations(server: Server) -> None:
    body = '{"PoolName": "ok", "MfaConfiguration": "SOMETIMES", "UsernameAttributes": ["x"]}'
    message = post(server, "CreateUserPool", body).json()["message"]
    assert (
        "Value 'SOMETIMES' at 'mfaConfiguration' failed to satisfy constraint: Member must "
        "satisfy enum value set: [OFF, ON, OPTIONAL]" in message
    )
    assert (
        "Value '[x]' at 'usernameAttributes' failed to satisfy constraint: Member must "
        "satisfy constraint: [Member must satisfy enum value set: [phone_number, email]]" in message
    )


def test_sensitive_values_are_not_echoed(server: Server) -> None:
    body = '{"UserPoolId": "us-east-1_abc", "Username": "u", "TemporaryPassword": ""}'
    message = post(server, "AdminCreateUser", body).json()["message"]
    assert "Value at 'temporaryPassword' failed to satisfy constraint" in message


def test_malformed_json_is_a_serialization_error(server: Server) -> None:
    response = post(server, "ListUserPools", "{not json")
    assert response.status_code == 400
    assert response.json()["__type"] == "SerializationException"


def test_wrong_member_type_is_a_serialization_error(server: Server) -> None:
    response = post(server, "ListUserPools", '{"MaxResults": "ten"}')
    assert response.json()["__type"] == "SerializationException"


def test_unknown_target(server: Server) -> None:
    response = post(server, "MakeCoffee", "{}")
    assert response.status_code == 400
    assert response.json()["__type"] == "UnknownOperationException"


def test_every_response_carries_a_request_id(server: Server) -> None:
    ok = post(server, "ListUserPools", '{"MaxResults": 1}')
    bad = post(server, "ListUserPools", "{}")
    assert ok.status_code == 200
    assert ok.headers["content-type"] == "application/x-amz-json-1.1"
    ids = {ok.headers["x-amzn-RequestId"], bad.headers["x-amzn-RequestId"]}
    assert len(ids) == 2


def test_unimplemented_operation_names_itself(cognito: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        cognito.describe_risk_configuration(UserPoolId="us-east-1_abc")
    code, message = error_of(excinfo)
    assert code == "UnsupportedOperationException"
    assert "DescribeRiskConfiguration" in message


def test_health(server: Server) -> None:
    assert httpx.get(server.url + "/health").status_code == 200
