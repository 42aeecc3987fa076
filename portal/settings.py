"""Settings, read from the environment (prefix ``PORTAL_``) with an embedded default.

The embedded default needs nothing installed: a SQLite file and a blob folder under ``./var``.
"""

from __future__ import annotations

import json
import secrets
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, IPvAnyNetwork, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url

from portal.audit import keys
from portal.audit.keys import Keyring
from portal.pool import DEFAULT_POOL, PoolSize


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class OidcProvider(BaseModel):
    """An OpenID Connect provider people may sign in with: each authority's and Cafcass's Microsoft Entra ID
    tenant is one. The list of providers is the allowlist: no other issuer is accepted."""

    # Short and URL-safe: it names the provider in the sign-in URLs.
    name: str = Field(pattern=r"^[a-z0-9-]{1,40}$")
    # Shown on the sign-in button, e.g. "Riverside City Council".
    label: str
    # Exactly as the provider's discovery document and ID tokens state it.
    issuer: str
    client_id: str
    client_secret: str
    scope: str = "openid email profile"
    # The organisations whose people may sign in here (their names); empty: any organisation.
    organisations: list[str] = []
    # Microsoft Entra ID tenants accepted (the ID token's "tid" claim); empty: not checked.
    tenants: list[str] = []
    # The claims that together say who someone is at this provider, for good: their account is bound to
    # them by these, and an administrator invites them by these. OpenID Connect's "sub" by default. For
    # Microsoft Entra ID, ["tid", "oid"] (the tenant and the object id): its "sub" differs for every
    # application, and "preferred_username" and "email" can be changed.
    subject_claims: list[Annotated[str, Field(pattern=r"^[A-Za-z0-9_.:-]{1,100}$")]] = Field(
        default=["sub"], min_length=1
    )
    # Where the provider's discovery document is, if not under the issuer (as OpenID Connect expects).
    discovery_url: str | None = None

    @property
    def metadata_url(self) -> str:
        return self.discovery_url or self.issuer.rstrip("/") + "/.well-known/openid-configuration"


class SettingsError(ValueError):
    """The settings are unsafe or inconsistent; the portal refuses to start."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PORTAL_", extra="ignore")

    environment: Environment = Environment.DEVELOPMENT
    var_dir: Path = Path("var")
    database_url: str = ""
    # Each process's pool of connections to the database (see portal/pool.py's PoolSize).
    database_pool_size: int = Field(default=DEFAULT_POOL.size, ge=1)
    database_pool_overflow: int = Field(default=DEFAULT_POOL.overflow, ge=0)
    database_pool_timeout_seconds: float = Field(default=DEFAULT_POOL.timeout_seconds, gt=0)
    blob_dir: Path | None = None
    # Signs session cookies. The embedded default keeps a random key in var/secret_key.
    secret_key: str = ""
    base_url: str = "http://127.0.0.1:8000"
    # The persona picker: sign in as anyone, no password. Only for the embedded demo.
    demo_sign_in: bool = False
    sql_echo: bool = False
    oidc_providers: list[OidcProvider] = []
    # A signed-in session ends after this long without a request, and this long after sign-in regardless.
    session_idle_minutes: int = Field(default=30, ge=1)
    session_absolute_hours: int = Field(default=10, ge=1)
    # Sign-in attempts allowed from one address in the window before it is asked to wait (a sign-in that
    # succeeds does not count against its address: see portal/auth/throttle.py) ...
    sign_in_attempts: int = Field(default=20, ge=1)
    sign_in_window_minutes: int = Field(default=15, ge=1)
    # ... and sign-ins allowed to one account at an identity provider in its window, from anywhere.
    sign_in_account_attempts: int = Field(default=10, ge=1)
    sign_in_account_window_minutes: int = Field(default=15, ge=1)
    # The reverse proxies in front of the portal (IP addresses or networks, e.g. "10.0.0.0/8, 192.0.2.7",
    # or a JSON list) whose X-Forwarded-For is believed. Empty: nobody's, and a request comes from the
    # address that connected. See portal/auth/web.py's client_address.
    trusted_proxies: Annotated[list[IPvAnyNetwork], NoDecode] = []
    # Email goes out through the outbox: to this SMTP server (the organisation's relay in production).
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    mail_from: str = "Guardian-IRO portal <no-reply@portal.invalid>"
    # One SMTP conversation (connecting included) is given up after this long, and tried again later.
    smtp_timeout_seconds: float = Field(default=15, gt=0)
    # A sender holds a message while it sends it, renewing its hold just before sending; the hold must
    # outlast a whole conversation, or another sender could take the message while it is being sent.
    outbox_claim_seconds: float = Field(default=120, gt=0)
    # An email that failed for a while (a refused connection, a timeout, a 4xx answer) is tried again after
    # this, doubling each time up to the cap, until it has waited this many hours since it was queued; one
    # the relay refuses for good (5xx for its recipient or its content) gives up at once.
    outbox_retry_seconds: int = Field(default=60, ge=0)
    outbox_retry_cap_seconds: int = Field(default=3600, ge=0)
    outbox_give_up_hours: float = Field(default=7 * 24, gt=0)
    # Log lines as plain text, or one JSON object each for a log collector (portal/logs.py).
    log_format: Literal["text", "json"] = "text"
    # /metrics (Prometheus's text format) answers only a request with this bearer token; empty: no /metrics.
    metrics_token: str = ""
    # Run the outbox's sender inside the web process (as well as, or instead of, `portal outbox run`).
    outbox_in_app: bool = True
    # Court papers: the largest file accepted, and where blobs live (a local folder, or S3-compatible).
    upload_max_bytes: int = Field(default=100 * 1024 * 1024, ge=1)
    # A Word, Excel or OpenDocument file (a ZIP archive) may expand to at most this much when opened, and a
    # PDF's compressed object streams, which are decompressed to be checked for scripts, to at most this.
    upload_max_expanded_bytes: int = Field(default=512 * 1024 * 1024, ge=1)
    blob_backend: Literal["local", "s3"] = "local"
    s3_bucket: str = ""
    s3_endpoint_url: str | None = None
    s3_region: str = "eu-west-2"
    s3_access_key: str = ""
    s3_secret_key: str = ""
    # After the guardian's involvement closes, they may read the case for this many days, then not at all.
    guardian_read_only_days: int = Field(default=90, ge=0)
    # The clock: reminders, overdue notices, chasers and digests, every so often inside the web process (as
    # well as, or instead of, `portal clock tick` from cron). Digests go after this hour, England's time.
    clock_in_app: bool = True
    clock_every_seconds: int = Field(default=300, ge=1)
    digest_hour: int = Field(default=7, ge=0, le=23)
    # P2 (the guardian contacts the IRO) is met by a conversation, or by a message, email or letter once the
    # IRO's reply is marked; true: by any contact the guardian starts, as the protocol's letter reads.
    p2_one_way_contact_meets: bool = False
    # The audit trail's keyring (portal/audit/keys.py): the secret that seals it, never in the database.
    # The embedded default generates one in var/audit.keys; production must be given one.
    audit_key: str = Field(default="", repr=False)
    audit_key_file: Path | None = None
    # The sealer chains new audit events this often (in each web process, and `portal audit seal`), and
    # signs a checkpoint of the chain's head at most this often: into this file (by default
    # var/audit-checkpoints) or, when court papers live in S3 and no file is named, into their bucket,
    # each kept this long under Object Lock.
    audit_seal_in_app: bool = True
    audit_seal_every_seconds: float = Field(default=2, gt=0)
    audit_checkpoint_every_seconds: float = Field(default=60, ge=0)
    audit_checkpoint_file: Path | None = None
    audit_checkpoint_retain_days: int = Field(default=3650, ge=1)
    # The API: the largest request body /graphql reads, and whether signed-in callers may introspect the
    # schema (and see "Did you mean" suggestions); by default, everywhere but production.
    graphql_max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    graphql_introspection: bool | None = None
    # A case's view kept to be served again while nothing it shows changes (portal/api/reuse.py): at most
    # this many answers, of this many megabytes in all, in each web process; 0 keeps none.
    reuse_entries: int = Field(default=1000, ge=0)
    reuse_megabytes: int = Field(default=64, ge=1)
    page_size_default: int = Field(default=20, ge=1)
    page_size_max: int = Field(default=100, ge=1)

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _proxy_list(cls, value: Any) -> Any:
        """A JSON list, or addresses and networks separated by commas or spaces."""
        if isinstance(value, str):
            text = value.strip()
            return json.loads(text) if text.startswith("[") else text.replace(",", " ").split()
        return value

    @model_validator(mode="after")
    def _embedded_defaults(self) -> Settings:
        if self.graphql_introspection is None:
            self.graphql_introspection = self.environment is not Environment.PRODUCTION
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
        if self.environment is Environment.PRODUCTION and not (self.audit_key or self.audit_key_file):
            raise SettingsError("PORTAL_AUDIT_KEY or PORTAL_AUDIT_KEY_FILE must be set in production")
        if self.outbox_claim_seconds <= self.smtp_timeout_seconds:
            raise SettingsError(
                "PORTAL_OUTBOX_CLAIM_SECONDS must be longer than PORTAL_SMTP_TIMEOUT_SECONDS: a sender's "
                "hold on an email must outlast sending it, or another sender may send it again"
            )
        names = [p.name for p in self.oidc_providers]
        if len(set(names)) != len(names) or "demo" in names:
            raise SettingsError(
                "PORTAL_OIDC_PROVIDERS: each provider needs a name of its own, other than 'demo'"
            )
        subjects: dict[str, list[str]] = {}
        for p in self.oidc_providers:
            # Accounts are bound by issuer and subject: one issuer, one kind of subject.
            if subjects.setdefault(p.issuer, p.subject_claims) != p.subject_claims:
                raise SettingsError(
                    f"PORTAL_OIDC_PROVIDERS: the providers with issuer {p.issuer} differ in subject_claims"
                )
        return self

    @property
    def is_local_database(self) -> bool:
        """A SQLite file, or a server on this machine (a unix socket or the loopback interface)."""
        url = make_url(self.database_url)
        return url.get_backend_name() == "sqlite" or url.host in (None, "", "localhost", "127.0.0.1", "::1")

    @property
    def pool(self) -> PoolSize:
        return PoolSize(
            self.database_pool_size, self.database_pool_overflow, self.database_pool_timeout_seconds
        )

    def provider(self, name: str) -> OidcProvider | None:
        return next((p for p in self.oidc_providers if p.name == name), None)

    @property
    def graphiql(self) -> bool:
        return self.environment is Environment.DEVELOPMENT

    @cached_property
    def audit_keyring(self) -> Keyring:
        """The keys that seal the audit trail; KeyringError when they are missing or malformed."""
        generated = None if self.environment is Environment.PRODUCTION else self.var_dir / "audit.keys"
        return keys.load(self.audit_key, self.audit_key_file, generated)

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
