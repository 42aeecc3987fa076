"""Settings, read from the environment (prefix ``PORTAL_``) with an embedded default.

The embedded default needs nothing installed: a SQLite file and a blob folder under ``./var``.
"""

from __future__ import annotations

import secrets
from enum import StrEnum
from functools import cached_property
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class SettingsError(ValueError):
    """The settings are unsafe or inconsistent; the portal refuses to start."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PORTAL_", extra="ignore")

    environment: Environment = Environment.DEVELOPMENT
    var_dir: Path = Path("var")
    database_url: str = ""
    blob_dir: Path | None = None
    # Signs session cookies. The embedded default keeps a random key in var/secret_key.
    secret_key: str = ""
    base_url: str = "http://127.0.0.1:8000"
    # The persona picker: sign in as anyone, no password. Only for the embedded demo.
    demo_sign_in: bool = False
    sql_echo: bool = False
    page_size_default: int = Field(default=20, ge=1)
    page_size_max: int = Field(default=100, ge=1)

    @model_validator(mode="after")
    def _embedded_defaults(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite+aiosqlite:///{self.var_dir / 'portal.db'}"
        if self.blob_dir is None:
            self.blob_dir = self.var_dir / "blobs"
        if self.demo_sign_in and (self.environment is Environment.PRODUCTION or not self.is_local_database):
            raise SettingsError(
                "PORTAL_DEMO_SIGN_IN lets anyone act as anyone: it is refused with production settings "
                "and with a database on another machine"
            )
        if self.environment is Environment.PRODUCTION and not self.secret_key:
            raise SettingsError("PORTAL_SECRET_KEY must be set in production")
        return self

    @property
    def is_local_database(self) -> bool:
        """A SQLite file, or a server on this machine (a unix socket or the loopback interface)."""
        url = make_url(self.database_url)
        return url.get_backend_name() == "sqlite" or url.host in (None, "", "localhost", "127.0.0.1", "::1")

    @property
    def graphiql(self) -> bool:
        return self.environment is Environment.DEVELOPMENT

    @cached_property
    def session_secret(self) -> str:
        """The key that signs session cookies; generated once per embedded install."""
        if self.secret_key:
            return self.secret_key
        key_file = self.var_dir / "secret_key"
        if not key_file.exists():
            key_file.parent.mkdir(parents=True, exist_ok=True)
            key_file.write_text(secrets.token_urlsafe(48))
            key_file.chmod(0o600)
        return key_file.read_text().strip()
