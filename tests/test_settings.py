"""Settings: the embedded default, and the demo sign-in refused wherever it would be dangerous."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from portal.settings import Environment, Settings


def test_the_embedded_default_is_a_sqlite_file_and_a_blob_folder_under_var(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("PORTAL_DATABASE_URL", "PORTAL_VAR_DIR", "PORTAL_BLOB_DIR", "PORTAL_ENVIRONMENT"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert settings.database_url == "sqlite+aiosqlite:///var/portal.db"
    assert settings.blob_dir == Path("var/blobs")
    assert settings.graphiql is True


def test_portal_database_url_selects_postgresql(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTAL_DATABASE_URL", "postgresql+asyncpg://portal@db.internal/portal")
    assert Settings().database_url.startswith("postgresql+asyncpg://")


@pytest.mark.parametrize(
    "database_url",
    [
        "sqlite+aiosqlite:///var/portal.db",
        "postgresql+asyncpg://postgres@127.0.0.1:5432/portal",
        "postgresql+asyncpg://postgres@localhost/portal",
    ],
)
def test_the_demo_sign_in_runs_on_a_local_database(database_url: str) -> None:
    assert Settings(demo_sign_in=True, database_url=database_url).demo_sign_in


@pytest.mark.parametrize(
    ("environment", "database_url"),
    [
        (Environment.PRODUCTION, "sqlite+aiosqlite:///var/portal.db"),
        (Environment.DEVELOPMENT, "postgresql+asyncpg://portal@db.internal/portal"),
    ],
)
def test_the_demo_sign_in_is_refused_in_production_or_on_a_remote_database(
    environment: Environment, database_url: str
) -> None:
    with pytest.raises(ValidationError, match="PORTAL_DEMO_SIGN_IN"):
        Settings(demo_sign_in=True, environment=environment, database_url=database_url, secret_key="k" * 40)


def test_production_needs_a_secret_key() -> None:
    with pytest.raises(ValidationError, match="PORTAL_SECRET_KEY"):
        Settings(environment=Environment.PRODUCTION, secret_key="")


def test_the_embedded_secret_key_is_made_once_and_kept(tmp_path: Path) -> None:
    first = Settings(var_dir=tmp_path).session_secret
    assert len(first) > 40
    assert Settings(var_dir=tmp_path).session_secret == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize(
    ("value", "networks"),
    [
        ("", []),
        ("10.0.0.0/8, 192.0.2.7 2001:db8::/32", ["10.0.0.0/8", "192.0.2.7/32", "2001:db8::/32"]),
        ('["10.0.0.0/8", "192.0.2.7"]', ["10.0.0.0/8", "192.0.2.7/32"]),
    ],
)
def test_trusted_proxies_are_addresses_and_networks(
    monkeypatch: pytest.MonkeyPatch, value: str, networks: list[str]
) -> None:
    """Issue 13: PORTAL_TRUSTED_PROXIES names the proxies whose X-Forwarded-For is believed; none by
    default."""
    monkeypatch.delenv("PORTAL_TRUSTED_PROXIES", raising=False)
    assert Settings().trusted_proxies == []
    monkeypatch.setenv("PORTAL_TRUSTED_PROXIES", value)
    assert [str(n) for n in Settings().trusted_proxies] == networks


@pytest.mark.parametrize("value", ["10.0.0.1/8", "proxy.internal", "*"])
def test_a_trusted_proxy_must_be_an_address_or_a_network(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    """Issue 13: no wildcard, no host name, no network with host bits."""
    monkeypatch.setenv("PORTAL_TRUSTED_PROXIES", value)
    with pytest.raises(ValidationError, match="trusted_proxies"):
        Settings()


def test_providers_with_one_issuer_name_one_kind_of_subject() -> None:
    """Issue 13: accounts are bound by issuer and subject, so an issuer's providers agree on its subject
    claims ("sub" unless said otherwise)."""
    provider = {"label": "L", "issuer": "https://issuer.example", "client_id": "c", "client_secret": "s"}
    entra = {**provider, "name": "b", "subject_claims": ["tid", "oid"]}
    assert Settings(oidc_providers=[{**provider, "name": "a"}]).oidc_providers[0].subject_claims == ["sub"]
    with pytest.raises(ValidationError, match="subject_claims"):
        Settings(oidc_providers=[{**provider, "name": "a"}, entra])
