"""A vault over a real database (SQLite and PostgreSQL) with two users."""

from collections.abc import AsyncIterator, Iterator

import pytest

from blockyard.integrations.credentials import CredentialsVault
from blockyard.integrations.crypto import KeyRing, parse_key
from blockyard.integrations.oauth.providers import OidcConfig, ProviderRegistry
from blockyard.store.credentials import CredentialRepo
from blockyard.store.db import Database, open_database
from blockyard.store.leases import LeaseRepo
from blockyard.store.users import UserRepo
from tests.fakes.oauth_server import FakeOAuthServer

KEY = "uCgbr8d2Nc4HjvZzXh2b9oQ0m1YVHqk3pT2xv6JXQ0A="
REDIRECT_URI = "http://127.0.0.1:8000/auth/integrations/oauth_callback"


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    opened = await open_database(database_url)
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture
async def users(db: Database) -> tuple[str, str]:
    repo = UserRepo(db)
    ada = await repo.create("ada@example.com", "x")
    bob = await repo.create("bob@example.com", "x")
    return ada.id, bob.id


@pytest.fixture
def oauth_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOAuthServer]:
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")  # the test server speaks http
    with FakeOAuthServer(REDIRECT_URI) as server:
        yield server


def oidc_registry(server: FakeOAuthServer) -> ProviderRegistry:
    config = OidcConfig(
        name="oidc",
        title="Test IdP",
        issuer=server.url(),
        client_id=server.client.client_id,
        client_secret=server.client.client_secret,
        scopes=("openid", "email", "offline_access"),
    )
    return ProviderRegistry(oidc={"oidc": config})


def make_vault(
    db: Database, providers: ProviderRegistry | None = None, **options: object
) -> CredentialsVault:
    return CredentialsVault(
        CredentialRepo(db),
        KeyRing(parse_key(KEY)),
        LeaseRepo(db),
        providers,
        **options,  # type: ignore[arg-type]
    )
