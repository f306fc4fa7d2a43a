"""Server settings, read from the environment (the CLI's flags set the same variables)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from userpool.delivery import COGNITO_FROM
from userpool.delivery.aws import AwsSettings
from userpool.delivery.smtp import SmtpSettings
from userpool.storage.database import sqlite_url


def _optional_int(value: str | None) -> int | None:
    return int(value) if value else None


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
    delivery: str = "console"  # the default backend; a pool's `userpool:delivery` tag overrides
    smtp_host: str | None = None
    smtp_port: int | None = None
    smtp_tls: str = "starttls"
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_from: str = COGNITO_FROM
    aws_endpoint_url: str | None = None
    aws_region: str | None = None
    dev_endpoints: bool = False  # GET /_userpool/outbox
    triggers_file: Path | None = None  # function name or ARN -> a handler on this machine
    lambda_endpoint_url: str | None = None  # Lambda Invoke API for other functions; None: AWS

    @property
    def db_url(self) -> str:
        return self.db or sqlite_url(self.data_dir)

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    def issuer_for(self, pool_id: str) -> str:
        if self.issuer == "aws":
            region = pool_id.split("_", 1)[0]
            return f"https://cognito-idp.{region}.amazonaws.com/{pool_id}"
        return f"{self.base_url}/{pool_id}"

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
            delivery=env.get("USERPOOL_DELIVERY", cls.delivery),
            smtp_host=env.get("USERPOOL_SMTP_HOST") or None,
            smtp_port=_optional_int(env.get("USERPOOL_SMTP_PORT")),
            smtp_tls=env.get("USERPOOL_SMTP_TLS", cls.smtp_tls),
            smtp_username=env.get("USERPOOL_SMTP_USERNAME") or None,
            smtp_password=env.get("USERPOOL_SMTP_PASSWORD") or None,
            smtp_from=env.get("USERPOOL_SMTP_FROM") or cls.smtp_from,
            aws_endpoint_url=env.get("USERPOOL_AWS_ENDPOINT_URL") or None,
            aws_region=env.get("USERPOOL_AWS_REGION") or None,
            dev_endpoints=env.get("USERPOOL_DEV_ENDPOINTS", "") not in ("", "0", "false"),
            triggers_file=Path(triggers) if triggers else None,
            lambda_endpoint_url=env.get("USERPOOL_LAMBDA_ENDPOINT_URL") or None,
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
        }
        if self.credentials_file is not None:
            values["USERPOOL_CREDENTIALS"] = str(self.credentials_file)
        return values
