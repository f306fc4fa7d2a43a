"""What a seed file holds, field by field, and the declared resources read out of it.

    Pools:
      - Id: us-east-1_LocalPool1        # fixed: the same pool on every start
        PoolName: local                 # ... and any other CreateUserPool member
        MfaConfig: {...}                # SetUserPoolMfaConfig's members
        ResourceServers: [{Identifier, Name, Scopes}]
        Clients: [{ClientId, ClientName, ClientSecret, ...CreateUserPoolClient}]
        Groups: [{GroupName, Description, RoleArn, Precedence}]
        Users: [{Username, Password | TemporaryPassword | PasswordVerifier | PasswordHash,
                 Attributes, UserStatus, Enabled, Groups, TotpSecret}]
        Domains: [{Domain, ManagedLoginVersion, CustomDomainConfig}]

The API's parts are botocore's own request shapes without UserPoolId (the pool they are
under); docs/seed.md describes every field.
"""

from __future__ import annotations

import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from userpool.crypto import totp
from userpool.domain.import_jobs import HASHING_ALGORITHMS
from userpool.protocol.model import service_model
from userpool.seed.decoding import Choice, Flag, ListOf, MapOf, Record, Shape, Spec, Text, spec_of
from userpool.seed.document import Where

STATUSES = ("CONFIRMED", "UNCONFIRMED", "FORCE_CHANGE_PASSWORD", "RESET_REQUIRED")
CHILDREN = ("MfaConfig", "ResourceServers", "Clients", "Groups", "Users", "Domains")
_HEX = re.compile(r"[0-9a-f]+")
_BASE32 = re.compile(r"[A-Z2-7]{16,}=*")


def _input(operation: str) -> Any:
    return service_model().operation_model(operation).input_shape


def _named(shape: str) -> Shape:
    return Shape(service_model().shape_for(shape))


def _hex(text: str) -> str | None:
    if _HEX.fullmatch(text):
        return None
    return "must be lowercase hexadecimal digits, as `userpool export --include-secrets` writes"


def _base32(text: str) -> str | None:
    refusal = "must be a base32 secret as authenticator apps take it (A-Z, 2-7; 16 or more)"
    if not _BASE32.fullmatch(text):
        return refusal
    try:
        totp.secret_bytes(text.rstrip("="))
    except binascii.Error:
        return refusal
    return None


def user_spec() -> Record:
    verifier = Record({"Salt": Text(_hex), "Verifier": Text(_hex)}, ("Salt", "Verifier"))
    imported = Record(  # the hash itself is checked against its algorithm when applied
        {"Algorithm": Choice(HASHING_ALGORITHMS), "Hash": Text(secret=True)},
        ("Algorithm", "Hash"),
    )
    fields: dict[str, Spec] = {
        "Username": _named("UsernameType"),
        "Password": _named("PasswordType"),
        "TemporaryPassword": _named("PasswordType"),
        "PasswordVerifier": verifier,
        "PasswordHash": imported,
        "Attributes": MapOf(_named("AttributeNameType"), _named("AttributeValueType")),
        "UserStatus": Choice(STATUSES),
        "Enabled": Flag(),
        "Groups": ListOf(_named("GroupNameType")),
        "TotpSecret": Text(_base32, secret=True),
    }
    return Record(fields, ("Username",))


def pool_spec() -> Record:
    without = ("UserPoolId",)
    children: dict[str, Spec] = {
        "Id": _named("UserPoolIdType"),
        "MfaConfig": spec_of(_input("SetUserPoolMfaConfig"), without=without),
        "ResourceServers": ListOf(spec_of(_input("CreateResourceServer"), without=without)),
        "Clients": ListOf(
            spec_of(
                _input("CreateUserPoolClient"),
                {"ClientId": _named("ClientIdType")},
                without=without,
            )
        ),
        "Groups": ListOf(spec_of(_input("CreateGroup"), without=without)),
        "Users": ListOf(user_spec()),
        "Domains": ListOf(spec_of(_input("CreateUserPoolDomain"), without=without)),
    }
    pool = spec_of(_input("CreateUserPool"), children)
    assert isinstance(pool, Record)
    return Record(pool.fields, ("Id", *pool.required))


def document_spec() -> Record:
    return Record({"Pools": ListOf(pool_spec())}, ("Pools",))


@dataclass
class Part:
    """One declared resource: its fields in the API's names, and where each was written."""

    path: str  # Pools[0].Users[2]
    fields: dict[str, Any]
    marks: Mapping[str, Where]

    @property
    def where(self) -> Where:
        return self.marks[self.path]

    def at(self, name: str) -> Where:
        """Where field `name` (or a path under it, `Groups[1]`) was written; else the part."""
        for path in (f"{self.path}.{name}", f"{self.path}.{name.split('[')[0]}"):
            if path in self.marks:
                return self.marks[path]
        return self.where

    def get(self, name: str, default: Any = None) -> Any:
        return self.fields.get(name, default)


@dataclass
class PoolPart:
    part: Part  # the CreateUserPool members and Id
    mfa: Part | None
    resource_servers: list[Part] = field(default_factory=list)
    clients: list[Part] = field(default_factory=list)
    groups: list[Part] = field(default_factory=list)
    users: list[Part] = field(default_factory=list)
    domains: list[Part] = field(default_factory=list)

    @property
    def id(self) -> str:
        return str(self.part.fields.get("Id", ""))


@dataclass
class Seed:
    file: str
    pools: list[PoolPart]
    marks: Mapping[str, Where]  # where each field was written, by its path


def seed_of(file: str, decoded: dict[str, Any], marks: Mapping[str, Where]) -> Seed:
    """The declared resources of a decoded document."""
    pools = []
    for index, fields in _entries(decoded, "Pools"):
        path = f"Pools[{index}]"
        own = {name: value for name, value in fields.items() if name not in CHILDREN}

        def parts(name: str, fields: dict[str, Any] = fields, path: str = path) -> list[Part]:
            return [
                Part(f"{path}.{name}[{i}]", entry, marks) for i, entry in _entries(fields, name)
            ]

        mfa = fields.get("MfaConfig")
        pools.append(
            PoolPart(
                Part(path, own, marks),
                Part(f"{path}.MfaConfig", mfa, marks) if isinstance(mfa, dict) else None,
                parts("ResourceServers"),
                parts("Clients"),
                parts("Groups"),
                parts("Users"),
                parts("Domains"),
            )
        )
    return Seed(file, pools, marks)


def _entries(fields: Any, name: str) -> list[tuple[int, dict[str, Any]]]:
    """The mappings listed under `name` with their index; those refused are left out (a file
    with mistakes is still checked whole, so that all of them are reported at once)."""
    listed = fields.get(name) if isinstance(fields, dict) else None
    if not isinstance(listed, list):
        return []
    return [(index, entry) for index, entry in enumerate(listed) if isinstance(entry, dict)]
