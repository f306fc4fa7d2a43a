"""CreateUserPoolDomain, DescribeUserPoolDomain, UpdateUserPoolDomain, DeleteUserPoolDomain.

A domain is where a pool's OAuth endpoints and login pages are served (userpool.oauth): a
prefix domain, `{prefix}.auth.{region}.amazoncognito.com` on AWS, and a custom domain, given
with CustomDomainConfig. Nothing here provisions anything: the name is claimed, and this
server answers for it (README, "Domains"). The CloudFront name Cognito returns is made up, in
CloudFront's shape, since clients only store it or point DNS at it.
"""

from __future__ import annotations

import secrets
import string

from userpool.accounts.resources import require_pool
from userpool.domain import pool_domains
from userpool.domain.errors import InvalidParameterException
from userpool.domain.pool_domains import (
    ACTIVE,
    HOSTED_UI,
    NO_SUCH_DOMAIN,
    NOT_CUSTOM,
    POOL_HAS_ONE,
    TAKEN,
    DomainKind,
    PoolDomain,
)
from userpool.services.context import Context, Request, Response
from userpool.services.registry import operation

_DISTRIBUTION_ALPHABET = string.ascii_lowercase + string.digits


def _cloudfront_name() -> str:
    """A CloudFront distribution's host name: "d" and 13 lowercase letters and digits."""
    tail = "".join(secrets.choice(_DISTRIBUTION_ALPHABET) for _ in range(13))
    return f"d{tail}.cloudfront.net"


def _answer(domain: PoolDomain) -> Response:
    """Create/UpdateUserPoolDomain's response. A prefix domain's creation has been seen
    answering without CloudFrontDomain (AWS CLI example, aws-sdk-net#1591): only custom
    domains, which DNS must point at it, are given one."""
    response: Response = {"ManagedLoginVersion": domain.managed_login_version}
    if domain.kind is DomainKind.CUSTOM:
        response["CloudFrontDomain"] = domain.cloudfront_domain
    return response


@operation("CreateUserPoolDomain")
def create_user_pool_domain(ctx: Context, request: Request) -> Response:
    name = request["Domain"]
    custom = request.get("CustomDomainConfig")
    kind = DomainKind.CUSTOM if custom is not None else DomainKind.PREFIX
    if kind is DomainKind.CUSTOM:
        pool_domains.check_custom(name)
    else:
        pool_domains.check_prefix(name)
    version = request.get("ManagedLoginVersion")
    version = HOSTED_UI if version is None else int(version)
    now = ctx.clock()
    with ctx.store.write() as tx:
        # The pool's row is held until commit: of two requests adding a domain of one kind to
        # one pool at once, the second sees the first's. A name two pools claim at once is
        # decided by the table's key (DomainRepository.add).
        pool = require_pool(tx, request["UserPoolId"], for_update=True)
        pool_domains.check_version(pool, version)
        if any(held.kind is kind for held in tx.domains.of_pool(pool.id)):
            raise InvalidParameterException(POOL_HAS_ONE)
        domain = PoolDomain(
            domain=name,
            pool_id=pool.id,
            kind=kind,
            certificate_arn=custom["CertificateArn"] if custom is not None else None,
            cloudfront_domain=_cloudfront_name(),
            s3_bucket=None,
            version=pool_domains.app_version(now),
            managed_login_version=version,
            status=ACTIVE,
            created=now,
            modified=now,
        )
        if not tx.domains.add(domain):
            raise InvalidParameterException(TAKEN)
    return _answer(domain)


@operation("DescribeUserPoolDomain")
def describe_user_pool_domain(ctx: Context, request: Request) -> Response:
    """An unknown name is not an error: Cognito answers `{"DomainDescription": {}}` (as
    Terraform's provider and Amplify's tests expect)."""
    with ctx.store.read() as tx:
        domain = tx.domains.get(request["Domain"])
    if domain is None:
        return {"DomainDescription": {}}
    return {"DomainDescription": pool_domains.description(domain, ctx.settings.account_id)}


@operation("UpdateUserPoolDomain")
def update_user_pool_domain(ctx: Context, request: Request) -> Response:
    name, custom = request["Domain"], request.get("CustomDomainConfig")
    with ctx.store.write() as tx:
        pool = tx.pools.get(request["UserPoolId"])
        domain = tx.domains.get(name)
        if pool is None or domain is None or domain.pool_id != pool.id:
            raise InvalidParameterException(NO_SUCH_DOMAIN)
        if custom is not None and domain.kind is not DomainKind.CUSTOM:
            raise InvalidParameterException(NOT_CUSTOM)
        version = request.get("ManagedLoginVersion")
        version = domain.managed_login_version if version is None else int(version)
        pool_domains.check_version(pool, version)
        certificate = custom["CertificateArn"] if custom is not None else None
        # One statement, conditional on the domain still being the pool's: a DeleteUserPoolDomain
        # that got in first leaves nothing to update.
        updated = tx.domains.update(pool.id, name, version, certificate, ctx.clock())
        if updated is None:
            raise InvalidParameterException(NO_SUCH_DOMAIN)
    return _answer(updated)


@operation("DeleteUserPoolDomain")
def delete_user_pool_domain(ctx: Context, request: Request) -> Response:
    with ctx.store.write() as tx:
        if not tx.domains.remove(request["UserPoolId"], request["Domain"]):
            raise InvalidParameterException(NO_SUCH_DOMAIN)
    return {}
