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

    @property
    def db_url(self) -> str:
        return self.db or sqlite_url(self.data_dir)

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
        }
        if self.credentials_file is not None:
            values["USERPOOL_CREDENTIALS"] = str(self.credentials_file)
        return values
