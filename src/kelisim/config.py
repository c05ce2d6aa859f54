"""Settings, read from the environment (prefix KELISIM_) once, then passed in explicitly.

Nothing reads the environment at import time; `create_app(settings)` and the CLI build one
`Settings` and hand it down, and tests build their own.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KELISIM_", extra="ignore")

    data_dir: Path = Field(default=Path("kelisim-data"),
                           description="Folder for the embedded SQLite database and node keys.")
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; PostgreSQL in production "
                    "(postgresql+psycopg://user:pass@host/db). Default: SQLite in data_dir.")
    host: str = Field(default="127.0.0.1", description="Address the server listens on.")
    port: int = Field(default=8470, description="Port the server listens on.")
    max_request_bytes: int = Field(default=16 * 1024 * 1024,
                                   description="Largest request body accepted (HTTP 413 above).")
    intake_processes: int | None = Field(
        default=None, ge=0,
        description="Worker processes that check posted STIX objects alongside the request "
                    "(state-secret scan, validation); 0: none. Default: one per core beyond "
                    "the first.")

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'kelisim.db').resolve()}"
