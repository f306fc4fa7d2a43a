"""User pool domains through boto3 (Create/Describe/Update/DeleteUserPoolDomain, DescribeUserPool's
Domain and CustomDomain) and where a domain is served: its discovery document by path on this
server and by Host header, on both backends."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.conftest import Server, error_of
from tests.signin_support import new_pool, unique

CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"
OTHER_CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/a1b2c3d4-5678-90ab-cdef-2"
BAD_CHARACTER = (
    "The domain name contains an invalid character. Domain names can only contain lower-case "
    "letters, numbers, and hyphens. Please enter a different name that follows this format: "
    "^[a-z0-9](?:[a-z0-9\\-]{0,61}[a-z0-9])?$"
)
NO_SUCH_DOMAIN = "No such domain or user pool exists."
DISCOVERY = "/.well-known/openid-configuration"


def prefix() -> str:
    return unique("app")


def custom() -> str:
    return f"{unique('login')}.example.com"


def refusal(call: Any, **params: Any) -> tuple[str, str]:
    with pytest.raises(Exception) as excinfo:
        call(**params)
    return error_of(excinfo)


def port_of(server: Server) -> int:
    return int(urlsplit(server.url).port or 80)


def endpoints(base: str) -> dict[str, str]:
    return {
        "authorization_endpoint": f"{base}/oauth2/authorize",
        "token_endpoint": f"{base}/oauth2/token",
        "userinfo_endpoint": f"{base}/oauth2/userInfo",
        "revocation_endpoint": f"{base}/oauth2/revoke",
        "end_session_endpoint": f"{base}/logout",
    }


def test_a_prefix_domain_is_created_and_described(cognito: Any) -> None:
    pool_id, name = new_pool(cognito), prefix()
    created = cognito.create_user_pool_domain(UserPoolId=pool_id, Domain=name)
    assert created["ManagedLoginVersion"] == 1
    assert "CloudFrontDomain" not in created  # as Cognito answers for a prefix domain
    described = cognito.describe_user_pool_domain(Domain=name)["DomainDescription"]
    assert {
        k: v for k, v in described.items() if k not in ("CloudFrontDistribution", "Version")
    } == {
        "UserPoolId": pool_id,
        "AWSAccountId": "000000000000",
        "Domain": name,
        "Status": "ACTIVE",
        "CustomDomainConfig": {},
        "ManagedLoginVersion": 1,
    }
    assert described["CloudFrontDistribution"].endswith(".cloudfront.net")
    assert len(described["Version"]) == 14 and described["Version"].isdigit()
    pool = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert pool["Domain"] == name and "CustomDomain" not in pool


def test_a_pool_has_a_prefix_and_a_custom_domain(cognito: Any) -> None:
    pool_id, name, host = new_pool(cognito), prefix(), custom()
    assert "Domain" not in cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    cognito.create_user_pool_domain(UserPoolId=pool_id, Domain=name, ManagedLoginVersion=2)
    created = cognito.create_user_pool_domain(
        UserPoolId=pool_id, Domain=host, CustomDomainConfig={"CertificateArn": CERTIFICATE}
    )
    assert created["CloudFrontDomain"].endswith(".cloudfront.net")
    described = cognito.describe_user_pool_domain(Domain=host)["DomainDescription"]
    assert described["CustomDomainConfig"] == {"CertificateArn": CERTIFICATE}
    assert described["CloudFrontDistribution"] == created["CloudFrontDomain"]
    assert (
        cognito.describe_user_pool_domain(Domain=name)["DomainDescription"]["ManagedLoginVersion"]
        == 2
    )
    pool = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert (pool["Domain"], pool["CustomDomain"]) == (name, host)


def test_an_unknown_domain_is_described_as_empty(cognito: Any) -> None:
    assert cognito.describe_user_pool_domain(Domain=prefix())["DomainDescription"] == {}


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("My-App", BAD_CHARACTER),
        ("my.app", BAD_CHARACTER),
        ("-myapp", BAD_CHARACTER),
        ("my_app", BAD_CHARACTER),
        ("myaws-app", "Domain cannot contain reserved word: aws"),
        ("amazon-shop", "Domain cannot contain reserved word: amazon"),
        ("newcognito", "Domain cannot contain reserved word: cognito"),
    ],
)
def test_a_prefix_domain_name_is_checked(
    cognito: Any, pool_id: str, name: str, message: str
) -> None:
    refused = refusal(cognito.create_user_pool_domain, UserPoolId=pool_id, Domain=name)
    assert refused == ("InvalidParameterException", message)


def test_a_custom_domain_name_is_a_host_name(cognito: Any, pool_id: str) -> None:
    config = {"CertificateArn": CERTIFICATE}
    for name in ("localhost", "Auth.Example.com", "auth..example.com"):
        refused = refusal(
            cognito.create_user_pool_domain,
            UserPoolId=pool_id,
            Domain=name,
            CustomDomainConfig=config,
        )
        assert refused == ("InvalidParameterException", BAD_CHARACTER)


def test_one_domain_of_each_kind_and_one_pool_per_name(cognito: Any) -> None:
    pool_id, other = new_pool(cognito), new_pool(cognito)
    name, host = prefix(), custom()
    config = {"CertificateArn": CERTIFICATE}
    cognito.create_user_pool_domain(UserPoolId=pool_id, Domain=name)
    cognito.create_user_pool_domain(UserPoolId=pool_id, Domain=host, CustomDomainConfig=config)
    taken = ("InvalidParameterException", "Domain already associated with another user pool.")
    assert refusal(cognito.create_user_pool_domain, UserPoolId=other, Domain=name) == taken
    assert (
        refusal(
            cognito.create_user_pool_domain,
            UserPoolId=other,
            Domain=host,
            CustomDomainConfig=config,
        )
        == taken
    )
    has_one = ("InvalidParameterException", "User pool already has a domain configured.")
    assert refusal(cognito.create_user_pool_domain, UserPoolId=pool_id, Domain=prefix()) == has_one
    assert (
        refusal(
            cognito.create_user_pool_domain,
            UserPoolId=pool_id,
            Domain=custom(),
            CustomDomainConfig=config,
        )
        == has_one
    )


def test_create_refusals(cognito: Any, pool_id: str) -> None:
    missing = "us-east-1_NoSuchPoo"
    code, message = refusal(cognito.create_user_pool_domain, UserPoolId=missing, Domain=prefix())
    assert (code, message) == ("ResourceNotFoundException", f"User pool {missing} does not exist.")
    code, _ = refusal(
        cognito.create_user_pool_domain, UserPoolId=pool_id, Domain=prefix(), ManagedLoginVersion=3
    )
    assert code == "InvalidParameterException"
    lite = new_pool(cognito, UserPoolTier="LITE")
    assert refusal(
        cognito.create_user_pool_domain, UserPoolId=lite, Domain=prefix(), ManagedLoginVersion=2
    ) == (
        "FeatureUnavailableInTierException",
        "The following feature is not available for the LITE pricing tier configured: "
        "Managed Login",
    )
    # Nothing was claimed by the refused requests.
    assert "Domain" not in cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]


def test_update_changes_the_version_and_the_certificate(cognito: Any) -> None:
    pool_id, name, host = new_pool(cognito), prefix(), custom()
    cognito.create_user_pool_domain(UserPoolId=pool_id, Domain=name)
    updated = cognito.update_user_pool_domain(
        UserPoolId=pool_id, Domain=name, ManagedLoginVersion=2
    )
    assert updated["ManagedLoginVersion"] == 2
    assert (
        cognito.describe_user_pool_domain(Domain=name)["DomainDescription"]["ManagedLoginVersion"]
        == 2
    )
    created = cognito.create_user_pool_domain(
        UserPoolId=pool_id, Domain=host, CustomDomainConfig={"CertificateArn": CERTIFICATE}
    )
    updated = cognito.update_user_pool_domain(
        UserPoolId=pool_id, Domain=host, CustomDomainConfig={"CertificateArn": OTHER_CERTIFICATE}
    )
    assert updated == {**updated, "ManagedLoginVersion": 1, **created} | {
        "ResponseMetadata": updated["ResponseMetadata"]
    }
    described = cognito.describe_user_pool_domain(Domain=host)["DomainDescription"]
    assert described["CustomDomainConfig"] == {"CertificateArn": OTHER_CERTIFICATE}


def test_update_refusals(cognito: Any) -> None:
    pool_id, other, name = new_pool(cognito), new_pool(cognito), prefix()
    cognito.create_user_pool_domain(UserPoolId=pool_id, Domain=name)
    gone = ("InvalidParameterException", NO_SUCH_DOMAIN)
    update = cognito.update_user_pool_domain
    assert refusal(update, UserPoolId=other, Domain=name, ManagedLoginVersion=2) == gone
    assert refusal(update, UserPoolId=pool_id, Domain=prefix(), ManagedLoginVersion=2) == gone
    assert refusal(update, UserPoolId="us-east-1_NoSuchPoo", Domain=name) == gone
    code, _ = refusal(
        update, UserPoolId=pool_id, Domain=name, CustomDomainConfig={"CertificateArn": CERTIFICATE}
    )
    assert code == "InvalidParameterException"
    code, _ = refusal(update, UserPoolId=pool_id, Domain=name, ManagedLoginVersion=0)
    assert code == "InvalidParameterException"


def test_delete_frees_the_name(cognito: Any) -> None:
    pool_id, other, name = new_pool(cognito), new_pool(cognito), prefix()
    cognito.create_user_pool_domain(UserPoolId=pool_id, Domain=name)
    gone = ("InvalidParameterException", NO_SUCH_DOMAIN)
    delete = cognito.delete_user_pool_domain
    assert refusal(delete, UserPoolId=other, Domain=name) == gone  # not the other pool's
    delete(UserPoolId=pool_id, Domain=name)
    assert cognito.describe_user_pool_domain(Domain=name)["DomainDescription"] == {}
    assert "Domain" not in cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert refusal(delete, UserPoolId=pool_id, Domain=name) == gone
    cognito.create_user_pool_domain(UserPoolId=other, Domain=name)
    assert (
        cognito.describe_user_pool_domain(Domain=name)["DomainDescription"]["UserPoolId"] == other
    )


def test_deleting_the_pool_removes_its_domains(cognito: Any) -> None:
    pool_id, name, host = new_pool(cognito), prefix(), custom()
    cognito.create_user_pool_domain(UserPoolId=pool_id, Domain=name)
    cognito.create_user_pool_domain(
        UserPoolId=pool_id, Domain=host, CustomDomainConfig={"CertificateArn": CERTIFICATE}
    )
    cognito.delete_user_pool(UserPoolId=pool_id)
    for domain in (name, host):
        assert cognito.describe_user_pool_domain(Domain=domain)["DomainDescription"] == {}
    other = new_pool(cognito)
    cognito.create_user_pool_domain(UserPoolId=other, Domain=name)


def test_discovery_by_path_on_this_server(server: Server, cognito: Any) -> None:
    pool_id, name = new_pool(cognito), prefix()
    cognito.create_user_pool_domain(UserPoolId=pool_id, Domain=name)
    base = f"{server.url}/domains/{name}"
    answer = httpx.get(base + DISCOVERY)
    assert answer.status_code == 200
    document = answer.json()
    issuer = f"{server.url}/{pool_id}"
    assert document["issuer"] == issuer
    assert document["jwks_uri"] == f"{issuer}/.well-known/jwks.json"
    assert document == {**document, **endpoints(base)}
    missing = httpx.get(f"{base}/nothing-here")
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
    unknown = httpx.get(f"{server.url}/domains/{prefix()}{DISCOVERY}")
    assert unknown.status_code == 404 and unknown.json()["error"] == "not_found"


def test_discovery_by_host(server: Server, cognito: Any) -> None:
    pool_id, name, host = new_pool(cognito), prefix(), custom()
    cognito.create_user_pool_domain(UserPoolId=pool_id, Domain=name)
    cognito.create_user_pool_domain(
        UserPoolId=pool_id, Domain=host, CustomDomainConfig={"CertificateArn": CERTIFICATE}
    )
    issuer = f"{server.url}/{pool_id}"
    for named in (
        f"{name}.localhost:{port_of(server)}",
        f"{name}.auth.us-east-1.amazoncognito.com",
        host,
    ):
        answer = httpx.get(server.url + DISCOVERY, headers={"Host": named})
        assert answer.status_code == 200, named
        assert answer.json()["issuer"] == issuer
        assert answer.json() == {**answer.json(), **endpoints(f"http://{named}")}
        other = httpx.get(f"{server.url}/nothing-here", headers={"Host": named})
        assert other.status_code == 404 and other.json()["error"] == "not_found"
    # Another region's name, or a name no pool holds, is not a domain: the server's own routes.
    for named in (f"{name}.auth.eu-west-1.amazoncognito.com", f"{prefix()}.localhost"):
        answer = httpx.get(server.url + DISCOVERY, headers={"Host": named})
        assert answer.status_code == 404 and "issuer" not in answer.text
    # A prefix name is not a custom domain's host, nor the reverse.
    assert (
        httpx.get(server.url + DISCOVERY, headers={"Host": f"{host}.localhost"}).status_code == 404
    )


def test_the_api_is_served_whatever_the_host(server: Server, cognito: Any) -> None:
    """POST / is the API's even by a domain's name: the answer is the API's envelope."""
    pool_id, name = new_pool(cognito), prefix()
    cognito.create_user_pool_domain(UserPoolId=pool_id, Domain=name)
    answer = httpx.post(
        server.url,
        content=b'{"AccessToken": "not-a-token"}',
        headers={
            "Host": f"{name}.localhost",
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": "AWSCognitoIdentityProviderService.GetUser",
        },
    )
    assert answer.json()["__type"] == "NotAuthorizedException"
    assert "x-amzn-requestid" in answer.headers


def test_the_pools_discovery_lists_its_domains_endpoints(server: Server, cognito: Any) -> None:
    pool_id, name, host = new_pool(cognito), prefix(), custom()
    url = f"{server.url}/{pool_id}{DISCOVERY}"
    assert "authorization_endpoint" not in httpx.get(url).json()
    cognito.create_user_pool_domain(UserPoolId=pool_id, Domain=name)
    assert httpx.get(url).json() == {
        **httpx.get(url).json(),
        **endpoints(f"{server.url}/domains/{name}"),
    }
    cognito.create_user_pool_domain(
        UserPoolId=pool_id, Domain=host, CustomDomainConfig={"CertificateArn": CERTIFICATE}
    )
    document = httpx.get(url).json()
    assert document == {**document, **endpoints(f"{server.url}/domains/{host}")}
