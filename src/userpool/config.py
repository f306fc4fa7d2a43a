"""Server settings, read from the environment (the CLI's flags set the same variables)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from userpool.storage.database import sqlite_url


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

    @classmethod
    def from_env(cls) -> ServerConfig:
        env = os.environ
        credentials = env.get("USERPOOL_CREDENTIALS")
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
        }
        if self.credentials_file is not None:
            values["USERPOOL_CREDENTIALS"] = str(self.credentials_file)
        return values
