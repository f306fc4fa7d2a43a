"""User pool domains (CreateUserPoolDomain): what one is, and Cognito's rules for its name.

A pool has at most one prefix domain (served on AWS as `{prefix}.auth.{region}.amazoncognito
.com`) and one custom domain (a name its owner holds, with a certificate), and a name belongs
to one pool on the whole server. The messages are Cognito's, as its callers have reported
them (CloudFormation, Terraform and Amplify issues); where none was seen the wording says so.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from userpool.domain.errors import FeatureUnavailableInTierException, InvalidParameterException
from userpool.domain.models import UserPool
from userpool.domain.tier_rules import NOT_AVAILABLE, Tier, tier_of

ACTIVE = "ACTIVE"
HOSTED_UI = 1  # ManagedLoginVersion 1: the classic hosted UI, Cognito's default
MANAGED_LOGIN = 2  # needs a plan above LITE (API reference, ManagedLoginVersion)
MANAGED_LOGIN_FEATURE = "Managed Login"  # no refusal seen: named like the plan's other features

PREFIX_SHAPE = r"^[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?$"
_PREFIX = re.compile(PREFIX_SHAPE)
# A custom domain is a host name: dot-separated labels of the prefix's shape, at least two.
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?")
RESERVED_WORDS = ("aws", "amazon", "cognito")

BAD_CHARACTER = (
    "The domain name contains an invalid character. Domain names can only contain lower-case "
    "letters, numbers, and hyphens. Please enter a different name that follows this format: "
    + PREFIX_SHAPE
)
RESERVED = "Domain cannot contain reserved word: {word}"
POOL_HAS_ONE = "User pool already has a domain configured."
TAKEN = "Domain already associated with another user pool."
NO_SUCH_DOMAIN = "No such domain or user pool exists."
# Not seen from Cognito: worded after its other parameter messages.
BAD_VERSION = "ManagedLoginVersion must be 1 or 2."
NOT_CUSTOM = "CustomDomainConfig can only be given for a custom domain."


class DomainKind(StrEnum):
    PREFIX = "prefix"
    CUSTOM = "custom"


@dataclass
class PoolDomain:
    domain: str
    pool_id: str
    kind: DomainKind
    certificate_arn: str | None
    cloudfront_domain: str
    s3_bucket: str | None
    version: str
    managed_login_version: int
    status: str
    created: float
    modified: float


def check_prefix(name: str) -> None:
    """A prefix domain's name: the shape in the model, and none of AWS's reserved words in it
    (anywhere: "newcognito" was refused with "...reserved word: cognito")."""
    if not _PREFIX.fullmatch(name):
        raise InvalidParameterException(BAD_CHARACTER)
    for word in RESERVED_WORDS:
        if word in name:
            raise InvalidParameterException(RESERVED.format(word=word))


def check_custom(name: str) -> None:
    """A custom domain's name: a fully qualified host name in lower case."""
    labels = name.split(".")
    if len(labels) < 2 or not all(_LABEL.fullmatch(label) for label in labels):
        raise InvalidParameterException(BAD_CHARACTER)


def check_version(pool: UserPool, version: int) -> None:
    if version not in (HOSTED_UI, MANAGED_LOGIN):
        raise InvalidParameterException(BAD_VERSION)
    tier = tier_of(pool.settings)
    if version == MANAGED_LOGIN and tier is Tier.LITE:
        raise FeatureUnavailableInTierException(
            NOT_AVAILABLE.format(tier=tier.value) + MANAGED_LOGIN_FEATURE
        )


def app_version(at: float) -> str:
    """DomainDescription.Version: Cognito shows a UTC timestamp such as "20190128175402"."""
    return time.strftime("%Y%m%d%H%M%S", time.gmtime(at))


def description(domain: PoolDomain, account_id: str) -> dict[str, Any]:
    """DomainDescriptionType. A prefix domain shows an empty CustomDomainConfig, as Cognito's
    (the AWS CLI's example output)."""
    described: dict[str, Any] = {
        "UserPoolId": domain.pool_id,
        "AWSAccountId": account_id,
        "Domain": domain.domain,
    }
    if domain.s3_bucket is not None:
        described["S3Bucket"] = domain.s3_bucket
    described |= {
        "CloudFrontDistribution": domain.cloudfront_domain,
        "Version": domain.version,
        "Status": domain.status,
        "CustomDomainConfig": (
            {"CertificateArn": domain.certificate_arn} if domain.certificate_arn else {}
        ),
        "ManagedLoginVersion": domain.managed_login_version,
    }
    return described


def pool_fields(domains: list[PoolDomain]) -> dict[str, str]:
    """What DescribeUserPool shows of a pool's domains: `Domain` (the prefix) and
    `CustomDomain`."""
    fields = {}
    for domain in domains:
        fields["Domain" if domain.kind is DomainKind.PREFIX else "CustomDomain"] = domain.domain
    return fields
