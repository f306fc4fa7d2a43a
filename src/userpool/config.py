"""Server settings, read from the environment (the CLI's flags set the same variables)."""

from __future__ import annotations

import ipaddress
import math
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from userpool.delivery import COGNITO_FROM
from userpool.delivery.aws import AwsSettings
from userpool.delivery.smtp import SmtpSettings
from userpool.protocol.quotas import QuotasError, load_quotas
from userpool.storage.database import sqlite_url
from userpool.storage.quota_counters import store_refusal
from userpool.triggers.triggers_file import TriggersFileError, read_triggers_file


def _optional_int(value: str | None) -> int | None:
    return int(value) if value else None


def _optional_duration(value: str | None) -> float | None:
    return parse_duration(value) if value else None


def _flag(value: str | None) -> bool:
    """A boolean variable, read as click reads the flag's (unset or empty: off)."""
    return (value or "").strip().lower() not in ("", "0", "false", "f", "no", "n", "off")


DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86_400}


def parse_duration(text: str) -> float:
    """Seconds from `90`, `90s`, `15m`, `12h` or `30d`; ValueError for anything else."""
    value = text.strip().lower()
    unit = DURATION_UNITS.get(value[-1:])
    seconds = float(value[:-1] if unit else value) * (unit or 1)
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"{text!r} is not a duration")
    return seconds


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class ServerConfig:
    host: str = "127.0.0.1"
    port: int = 9230
    data_dir: Path = Path(".userpool")
    db: str | None = None
    workers: int = 1
    log_level: str = "info"
    region: str = "us-east-1"
    credentials_file: Path | None = None
    public_url: str | None = None
    issuer: str = "url"  # "url": {public_url}/{poolId}; "aws": https://cognito-idp.{region}...
    rotate_keys_every: float | None = None  # seconds between rotations of each pool's keys
    delivery: str = "console"  # the default backend; a pool's `userpool:delivery` tag overrides
    smtp_host: str | None = None
    smtp_port: int | None = None
    smtp_tls: str = "starttls"
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_from: str = COGNITO_FROM
    aws_endpoint_url: str | None = None
    aws_region: str | None = None
    dev_endpoints: bool = False  # /_userpool/outbox, /_userpool/clock (a clock tests move)
    triggers_file: Path | None = None  # function name or ARN -> a handler on this machine
    lambda_endpoint_url: str | None = None  # Lambda Invoke API for other functions; None: AWS
    tls: bool = False  # HTTPS: with tls_cert/tls_key if given, else the data dir's local CA
    tls_cert: Path | None = None
    tls_key: Path | None = None
    log_format: str = "text"  # "json": one JSON object a line (http/logs.py)
    sqlite_synchronous: str = "normal"  # "full": every commit survives a power loss too
    quotas: str | None = None  # "cognito" or a JSON file of category -> requests per second
    quotas_store: str = "redis://127.0.0.1:6379/0"  # the quotas' counters: or "database"

    @property
    def db_url(self) -> str:
        return self.db or sqlite_url(self.data_dir)

    @property
    def scheme(self) -> str:
        return "https" if self.tls else "http"

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return (self.public_url or f"{self.scheme}://{host}:{self.port}").rstrip("/")

    def issuer_for(self, pool_id: str) -> str:
        if self.issuer == "aws":
            region = pool_id.split("_", 1)[0]
            return f"https://cognito-idp.{region}.amazonaws.com/{pool_id}"
        return f"{self.base_url}/{pool_id}"

    def refusal(self, allow_any_credentials: bool) -> str | None:
        """Why `userpool serve` must not start with these settings, or None."""
        if self.delivery == "smtp" and not self.smtp_host:
            return "--delivery smtp needs --smtp-host"
        if bool(self.smtp_username) != bool(self.smtp_password):
            return "--smtp-username and --smtp-password (or USERPOOL_SMTP_PASSWORD) go together"
        if self.dev_endpoints and not is_loopback(self.host) and not allow_any_credentials:
            return (
                f"refusing --dev-endpoints on {self.host}: anyone could read the codes sent "
                "(pass --allow-any-credentials to accept)"
            )
        if self.triggers_file is not None:
            try:
                read_triggers_file(self.triggers_file)
            except TriggersFileError as error:
                return f"bad --triggers file {self.triggers_file}: {error}"
        url = self.lambda_endpoint_url
        if url is not None:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                return f"--lambda-endpoint-url {url!r} is not an http:// or https:// URL"
        if self.quotas is not None:
            try:
                load_quotas(self.quotas)
            except QuotasError as error:
                return f"bad --quotas: {error}"
            if (refused := store_refusal(self.quotas_store)) is not None:
                return refused
        if (self.tls_cert is None) != (self.tls_key is None):
            return "--tls-cert and --tls-key go together"
        return None

    @property
    def smtp(self) -> SmtpSettings | None:
        if not self.smtp_host:
            return None
        return SmtpSettings(
            self.smtp_host,
            self.smtp_port,
            self.smtp_tls,
            self.smtp_username,
            self.smtp_password,
            self.smtp_from,
        )

    @property
    def aws(self) -> AwsSettings:
        return AwsSettings(self.aws_endpoint_url, self.aws_region)

    @classmethod
    def from_env(cls) -> ServerConfig:
        env = os.environ
        credentials = env.get("USERPOOL_CREDENTIALS")
        triggers = env.get("USERPOOL_TRIGGERS")
        tls_cert, tls_key = env.get("USERPOOL_TLS_CERT"), env.get("USERPOOL_TLS_KEY")
        return cls(
            host=env.get("USERPOOL_HOST", cls.host),
            port=int(env.get("USERPOOL_PORT", cls.port)),
            data_dir=Path(env.get("USERPOOL_DATA_DIR", str(cls.data_dir))),
            db=env.get("USERPOOL_DB") or None,
            workers=int(env.get("USERPOOL_WORKERS", cls.workers)),
            log_level=env.get("USERPOOL_LOG_LEVEL", cls.log_level),
            region=env.get("USERPOOL_REGION", cls.region),
            credentials_file=Path(credentials) if credentials else None,
            public_url=env.get("USERPOOL_PUBLIC_URL") or None,
            issuer=env.get("USERPOOL_ISSUER", cls.issuer),
            rotate_keys_every=_optional_duration(env.get("USERPOOL_ROTATE_KEYS_EVERY")),
            delivery=env.get("USERPOOL_DELIVERY", cls.delivery),
            smtp_host=env.get("USERPOOL_SMTP_HOST") or None,
            smtp_port=_optional_int(env.get("USERPOOL_SMTP_PORT")),
            smtp_tls=env.get("USERPOOL_SMTP_TLS", cls.smtp_tls),
            smtp_username=env.get("USERPOOL_SMTP_USERNAME") or None,
            smtp_password=env.get("USERPOOL_SMTP_PASSWORD") or None,
            smtp_from=env.get("USERPOOL_SMTP_FROM") or cls.smtp_from,
            aws_endpoint_url=env.get("USERPOOL_AWS_ENDPOINT_URL") or None,
            aws_region=env.get("USERPOOL_AWS_REGION") or None,
            dev_endpoints=_flag(env.get("USERPOOL_DEV_ENDPOINTS")),
            triggers_file=Path(triggers) if triggers else None,
            lambda_endpoint_url=env.get("USERPOOL_LAMBDA_ENDPOINT_URL") or None,
            tls=_flag(env.get("USERPOOL_TLS")) or bool(tls_cert),
            tls_cert=Path(tls_cert) if tls_cert else None,
            tls_key=Path(tls_key) if tls_key else None,
            log_format=env.get("USERPOOL_LOG_FORMAT") or cls.log_format,
            sqlite_synchronous=env.get("USERPOOL_SQLITE_SYNCHRONOUS") or cls.sqlite_synchronous,
            quotas=env.get("USERPOOL_QUOTAS") or None,
            quotas_store=env.get("USERPOOL_QUOTAS_STORE") or cls.quotas_store,
        )

    def to_env(self) -> dict[str, str]:
        values = {
            "USERPOOL_HOST": self.host,
            "USERPOOL_PORT": str(self.port),
            "USERPOOL_DATA_DIR": str(self.data_dir),
            "USERPOOL_DB": self.db or "",
            "USERPOOL_WORKERS": str(self.workers),
            "USERPOOL_LOG_LEVEL": self.log_level,
            "USERPOOL_REGION": self.region,
            "USERPOOL_PUBLIC_URL": self.public_url or "",
            "USERPOOL_ISSUER": self.issuer,
            "USERPOOL_ROTATE_KEYS_EVERY": str(self.rotate_keys_every or ""),
            "USERPOOL_DELIVERY": self.delivery,
            "USERPOOL_SMTP_HOST": self.smtp_host or "",
            "USERPOOL_SMTP_PORT": str(self.smtp_port or ""),
            "USERPOOL_SMTP_TLS": self.smtp_tls,
            "USERPOOL_SMTP_USERNAME": self.smtp_username or "",
            "USERPOOL_SMTP_PASSWORD": self.smtp_password or "",
            "USERPOOL_SMTP_FROM": self.smtp_from,
            "USERPOOL_AWS_ENDPOINT_URL": self.aws_endpoint_url or "",
            "USERPOOL_AWS_REGION": self.aws_region or "",
            "USERPOOL_DEV_ENDPOINTS": "1" if self.dev_endpoints else "",
            "USERPOOL_TRIGGERS": str(self.triggers_file or ""),
            "USERPOOL_LAMBDA_ENDPOINT_URL": self.lambda_endpoint_url or "",
            "USERPOOL_TLS": "1" if self.tls else "",
            "USERPOOL_TLS_CERT": str(self.tls_cert or ""),
            "USERPOOL_TLS_KEY": str(self.tls_key or ""),
            "USERPOOL_LOG_FORMAT": self.log_format,
            "USERPOOL_SQLITE_SYNCHRONOUS": self.sqlite_synchronous,
            "USERPOOL_QUOTAS": self.quotas or "",
            "USERPOOL_QUOTAS_STORE": self.quotas_store,
        }
        if self.credentials_file is not None:
            values["USERPOOL_CREDENTIALS"] = str(self.credentials_file)
        return values
