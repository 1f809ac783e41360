"""One settings object, read from ``BLOCKYARD_*`` environment variables and an optional ``.env``.

Every default works on a laptop: SQLite in ``./data``, in-process queue and event bus.
Secrets (encryption key, JWT secret) are generated into the data folder on first start by
``wiring``, never hard-coded here.
"""

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BLOCKYARD_", env_file=".env", extra="ignore")

    data_dir: Path = Field(Path("data"), description="Folder for the SQLite file, keys and media.")
    database_url: str = Field("", description="SQLAlchemy URL; empty means SQLite in data_dir.")
    redis_url: str = Field("", description="Redis URL; empty means in-process queue and bus.")
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = Field(1, ge=0, description="Engine workers inside `serve` (0: API only).")
    encryption_key: str = Field("", description="Base64 AES key; generated when empty.")
    jwt_secret: str = Field("", description="HS256 secret; generated when empty.")
    access_token_minutes: int = 30
    refresh_token_days: int = 30
    max_request_bytes: int = Field(10 * 1024 * 1024, description="Largest accepted body.")
    max_graph_nodes: int = 20_000
    node_concurrency: int = Field(64, ge=1, description="Nodes running at once per execution.")
    user_concurrency: int = Field(256, ge=1, description="Nodes running at once per user.")
    billing_enabled: bool = False
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    allow_registration: bool = True

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'blockyard.db').as_posix()}"
