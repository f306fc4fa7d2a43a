"""CORS on the AWS JSON endpoint (src/userpool/http/cors.py), as Cognito's endpoint answers it:
the preflight a browser sends before the SDKs' POST, and the headers on every answer to the POST,
errors included, so that a page on another origin can read them."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.conftest import Server

ORIGIN = "http://localhost:5173"
TARGET = "AWSCognitoIdentityProviderService."
EXPOSED = "x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date"
# What Chrome asks for before Amplify v6's and the JS SDK v3's calls (lower case, sorted).
SDK_REQUEST_HEADERS = (
    "amz-sdk-invocation-id,amz-sdk-request,authorization,content-type,x-amz-target,x-amz-user-agent"
)


def preflight(server: Server, **headers: str) -> httpx.Response:
    return httpx.options(
        server.url + "/",
        headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST", **headers},
    )


def post(server: Server, operation: str, body: str, *, signed: bool = False) -> httpx.Response:
    headers = {
        "Origin": ORIGIN,
        "X-Amz-Target": TARGET + operation,
        "Content-Type": "application/x-amz-json-1.1",
    }
    if signed:  # any well-formed signature passes a server run without --credentials
        headers["Authorization"] = (
            "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/cognito-idp/aws4_request, "
            "SignedHeaders=host;x-amz-date, Signature=abc"
        )
        headers["X-Amz-Date"] = "20260101T000000Z"
    return httpx.post(server.url + "/", content=body, headers=headers)


def assert_cors(response: httpx.Response) -> None:
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["access-control-expose-headers"] == EXPOSED


def test_the_preflight_allows_the_sdks_post(server: Server) -> None:
    response = preflight(server, **{"Access-Control-Request-Headers": SDK_REQUEST_HEADERS})
    assert response.status_code == 200
    assert response.content == b""
    assert_cors(response)
    assert response.headers["access-control-allow-methods"] == "POST"
    # Cognito echoes the requested headers as they were asked for.
    assert response.headers["access-control-allow-headers"] == SDK_REQUEST_HEADERS
    assert response.headers["access-control-max-age"] == "172800"
    assert response.headers["x-amzn-requestid"]


def test_a_preflight_that_names_no_headers_still_lists_the_sdks_ones(server: Server) -> None:
    response = preflight(server)
    assert response.status_code == 200
    allowed = response.headers["access-control-allow-headers"].split(",")
    assert set(SDK_REQUEST_HEADERS.split(",")) <= set(allowed)


def test_an_answer_carries_the_headers(server: Server) -> None:
    response = post(server, "ListUserPools", '{"MaxResults": 1}', signed=True)
    assert response.status_code == 200
    assert "UserPools" in response.json()
    assert_cors(response)
    assert response.headers["x-amzn-RequestId"]


def test_error_answers_carry_the_headers(server: Server) -> None:
    unknown_client = post(
        server,
        "InitiateAuth",
        '{"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": "nosuchclient",'
        ' "AuthParameters": {"USERNAME": "a", "PASSWORD": "b"}}',
    )
    assert unknown_client.status_code == 400
    assert unknown_client.headers["x-amzn-ErrorType"] == "ResourceNotFoundException"
    assert_cors(unknown_client)

    unknown_operation = post(server, "NoSuchOperation", "{}", signed=True)
    assert unknown_operation.status_code == 400
    assert_cors(unknown_operation)

    not_json = post(server, "ListUserPools", "{", signed=True)
    assert not_json.status_code == 400
    assert_cors(not_json)


def test_a_domains_token_and_userinfo_endpoints_answer_pages(server: Server, cognito: Any) -> None:
    """A browser app exchanges its code itself (Amplify's signInWithRedirect): the token,
    userInfo, revoke and discovery endpoints of a domain answer CORS; the login page does not
    need to (it is navigated to)."""
    pool_id = cognito.create_user_pool(PoolName="cors-domain")["UserPool"]["Id"]
    domain = f"cors-{uuid.uuid4().hex[:8]}"
    cognito.create_user_pool_domain(UserPoolId=pool_id, Domain=domain)
    base = f"{server.url}/domains/{domain}"
    preflight = httpx.options(
        f"{base}/oauth2/token",
        headers={
            "Origin": "http://localhost:3000",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "POST" in preflight.headers["access-control-allow-methods"]
    refused = httpx.post(f"{base}/oauth2/token", data={"grant_type": "password"})
    assert refused.status_code == 400
    assert refused.headers["access-control-allow-origin"] == "*"
    discovery = httpx.get(f"{base}/.well-known/openid-configuration")
    assert discovery.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-origin" not in httpx.get(f"{base}/login").headers
