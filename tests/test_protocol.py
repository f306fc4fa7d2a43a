"""The AWS JSON 1.1 envelope: targets, validation messages, errors, request ids."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import botocore.session
import httpx
import orjson
import pytest
from botocore.exceptions import ClientError
from botocore.model import ShapeResolver, StructureShape

from tests.conftest import Server, error_of, make_client, start_server
from tests.pg import fresh_database
from userpool.domain.errors import SerializationException
from userpool.protocol.java_patterns import UnsupportedPattern, ascii_shorthands
from userpool.protocol.validation import validate

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


NUL_REFUSED = "Member must not contain the NUL character (U+0000)"


def one_error(response: httpx.Response) -> str:
    """The single validation problem of a 400 InvalidParameterException."""
    assert response.status_code == 400, response.text
    assert response.json()["__type"] == "InvalidParameterException"
    message: str = response.json()["message"]
    prefix = "1 validation error detected: "
    assert message.startswith(prefix), message
    return message[len(prefix) :]


def test_nul_in_a_free_form_string_is_refused_and_nothing_is_stored(
    server: Server, cognito: Any, pool_id: str
) -> None:
    # PostgreSQL cannot store a NUL in text: refused at the edge on every backend alike.
    body = {"UserPoolId": pool_id, "GroupName": "nul", "Description": "a\x00b"}
    problem = one_error(post(server, "CreateGroup", orjson.dumps(body)))
    assert problem == f"Value 'a\x00b' at 'description' failed to satisfy constraint: {NUL_REFUSED}"
    with pytest.raises(ClientError) as excinfo:
        cognito.get_group(UserPoolId=pool_id, GroupName="nul")
    assert error_of(excinfo)[0] == "ResourceNotFoundException"


def test_nul_in_a_sensitive_map_value_is_refused_without_echoing_it(server: Server) -> None:
    body = {
        "ClientId": "abc",
        "AuthFlow": "USER_PASSWORD_AUTH",
        "AuthParameters": {"USERNAME": "alice\x00", "PASSWORD": "secret"},
    }
    problem = one_error(post(server, "InitiateAuth", orjson.dumps(body)))
    assert problem == (
        "Value at 'authParameters' failed to satisfy constraint: "
        f"Map value must satisfy constraint: [{NUL_REFUSED}]"
    )


def test_nul_in_a_map_key_is_refused(server: Server) -> None:
    body = {"ClientId": "abc", "Username": "alice", "ClientMetadata": {"k\x00": "v"}}
    problem = one_error(post(server, "ForgotPassword", orjson.dumps(body)))
    assert problem == (
        "Value '{k\x00=v}' at 'clientMetadata' failed to satisfy constraint: "
        f"Map keys must satisfy constraint: [{NUL_REFUSED}]"
    )


def test_nul_in_an_attribute_value_is_refused(server: Server, cognito: Any, pool_id: str) -> None:
    body = {
        "UserPoolId": pool_id,
        "Username": "alice",
        "UserAttributes": [{"Name": "name", "Value": "Al\x00ice"}],
    }
    problem = one_error(post(server, "AdminCreateUser", orjson.dumps(body)))
    assert problem == (
        f"Value at 'userAttributes.1.member.value' failed to satisfy constraint: {NUL_REFUSED}"
    )
    with pytest.raises(ClientError) as excinfo:
        cognito.admin_get_user(UserPoolId=pool_id, Username="alice")
    assert error_of(excinfo)[0] == "UserNotFoundException"


def test_nul_where_the_pattern_already_refuses_it_reports_the_pattern_only(
    server: Server, pool_id: str
) -> None:
    body = {"UserPoolId": pool_id, "GroupName": "g\x00"}
    problem = one_error(post(server, "CreateGroup", orjson.dumps(body)))
    assert problem == (
        "Value 'g\x00' at 'groupName' failed to satisfy constraint: Member must satisfy "
        "regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+"
    )


@pytest.mark.parametrize(
    ("name", "accepted"),
    [("my pool+=,.@-_1", True), ("pööl", False), ("pool\u00a0one", False), ("٣", False)],
)
def test_the_models_w_and_s_are_ascii_as_in_cognitos_java_patterns(
    server: Server, name: str, accepted: bool
) -> None:
    """Pool names: "letters (a-z, A-Z), numbers (0-9), and + = , . @ and -" (the Developer
    Guide) for `[\\w\\s+=,.@-]+`, so neither a non-ASCII letter nor digit nor space."""
    response = post(server, "CreateUserPool", orjson.dumps({"PoolName": name}))
    if accepted:
        assert response.status_code == 200, response.text
        return
    assert one_error(response) == (
        f"Value '{name}' at 'poolName' failed to satisfy constraint: Member must satisfy "
        "regular expression pattern: [\\w\\s+=,.@-]+"
    )


def test_every_pattern_of_the_model_is_read_as_java_reads_it() -> None:
    """A model pattern the translation cannot spell out (a negated shorthand among a class's
    other members) would be refused here, not by a request."""
    model = botocore.session.get_session().get_service_model("cognito-idp")
    patterns = {model.shape_for(name).metadata.get("pattern") for name in model.shape_names}
    for pattern in filter(None, patterns):
        assert "\\w" not in ascii_shorthands(pattern)
    with pytest.raises(UnsupportedPattern):
        ascii_shorthands("[a\\S]")


def test_unicode_letters_stay_valid_where_the_model_names_unicode_properties(
    server: Server, pool_id: str
) -> None:
    body = {"UserPoolId": pool_id, "GroupName": "grüppe-名前"}
    assert post(server, "CreateGroup", orjson.dumps(body)).status_code == 200


def test_a_password_may_hold_a_space_that_java_does_not_count_as_one(server: Server) -> None:
    """`[\\S]+` in Java is "no ASCII white space": an ideographic space is allowed through
    the pattern (and then judged by the pool's password policy)."""
    body = {"ClientId": "nonexistent", "Username": "a", "Password": "pass\u3000word"}
    response = post(server, "SignUp", orjson.dumps(body))
    assert response.json()["__type"] != "InvalidParameterException", response.text


def test_nul_inside_a_document_is_refused(server: Server) -> None:
    body = {"AccessToken": "a.b.c", "Credential": {"id": "x", "response": {"k": ["\x00"]}}}
    problem = one_error(post(server, "CompleteWebAuthnRegistration", orjson.dumps(body)))
    assert problem.endswith(f"at 'credential' failed to satisfy constraint: {NUL_REFUSED}")


@pytest.mark.parametrize("precedence", [2**31, 2**63, -(2**31) - 1])
def test_an_integer_outside_java_int_is_a_serialization_error(
    server: Server, cognito: Any, pool_id: str, precedence: int
) -> None:
    body = {"UserPoolId": pool_id, "GroupName": "big", "Precedence": precedence}
    response = post(server, "CreateGroup", orjson.dumps(body))
    assert response.status_code == 400
    assert response.json() == {
        "__type": "SerializationException",
        "message": f"Numeric value ({precedence}) out of range of integer at 'precedence': "
        "expected -2147483648 to 2147483647",
    }
    with pytest.raises(ClientError) as excinfo:
        cognito.get_group(UserPoolId=pool_id, GroupName="big")
    assert error_of(excinfo)[0] == "ResourceNotFoundException"


def test_the_largest_java_int_is_accepted(server: Server, pool_id: str) -> None:
    body = {"UserPoolId": pool_id, "GroupName": "top", "Precedence": 2**31 - 1}
    response = post(server, "CreateGroup", orjson.dumps(body))
    assert response.status_code == 200, response.text
    assert response.json()["Group"]["Precedence"] == 2**31 - 1
    update = {"UserPoolId": pool_id, "GroupName": "top", "Precedence": 2**31}
    assert post(server, "UpdateGroup", orjson.dumps(update)).status_code == 400


@pytest.mark.postgres
def test_what_postgresql_cannot_store_is_refused_before_it(tmp_path: Path) -> None:
    # Each of these answered InternalErrorException on PostgreSQL before the edge refused it.
    with fresh_database() as url:
        postgres = start_server(tmp_path, "--db", url)
        try:
            pool_id = make_client(postgres.url).create_user_pool(PoolName="p")["UserPool"]["Id"]
            described = {"UserPoolId": pool_id, "GroupName": "g", "Description": "\x00"}
            ranked = {"UserPoolId": pool_id, "GroupName": "g", "Precedence": 2**31}
            sign_in = {
                "ClientId": "abc",
                "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": {"USERNAME": "alice\x00", "PASSWORD": "secret"},
            }
            assert NUL_REFUSED in one_error(post(postgres, "CreateGroup", orjson.dumps(described)))
            response = post(postgres, "CreateGroup", orjson.dumps(ranked))
            assert response.json()["__type"] == "SerializationException"
            assert NUL_REFUSED in one_error(post(postgres, "InitiateAuth", orjson.dumps(sign_in)))
            # Asked whether the pool sets triggers before the request is validated (a local
            # PostgreSQL runs operations on the event loop): an id with a NUL is not looked up.
            nul_client = {**sign_in, "ClientId": "abc\x00"}
            response = post(postgres, "InitiateAuth", orjson.dumps(nul_client))
            assert response.json()["__type"] == "InvalidParameterException", response.text
            nul_pool = {"UserPoolId": pool_id + "\x00", "Username": "alice"}
            response = post(postgres, "AdminGetUser", orjson.dumps(nul_pool))
            assert response.json()["__type"] == "InvalidParameterException", response.text
        finally:
            postgres.stop()


def test_a_long_outside_java_long_is_a_serialization_error() -> None:
    # No input of today's model is a "long"; the rule is checked on a shape built here.
    shape = StructureShape(
        "Input",
        {"type": "structure", "members": {"Size": {"shape": "SizeType"}}},
        ShapeResolver({"SizeType": {"type": "long"}}),
    )
    validate(shape, {"Size": 2**63 - 1})
    with pytest.raises(SerializationException, match=r"out of range of long at 'size'"):
        validate(shape, {"Size": 2**63})


@pytest.mark.parametrize(
    "body",
    [
        b'{"MaxResults": 1, "NextToken": "\\ud800"}',
        b'{"MaxResults": 1, "NextToken": "\\udfff\\ud800"}',
        b'{"MaxResults": 1, "NextToken": "\xff"}',
        b'{"MaxResults": NaN}',
        b'{"MaxResults": Infinity}',
        b'{"MaxResults": 1e400}',
    ],
    ids=["lone-high-surrogate", "reversed-pair", "invalid-utf8", "nan", "infinity", "overflow"],
)
def test_json_that_cannot_be_read_is_a_serialization_error(server: Server, body: bytes) -> None:
    response = post(server, "ListUserPools", body)
    assert response.status_code == 400
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
