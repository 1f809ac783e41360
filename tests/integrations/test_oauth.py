"""OAuth2 against a real authorization server on loopback: the whole redirect flow with
PKCE and state, refresh before expiry (once across processes), revocation, broken marks."""

import asyncio
import time
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import text

from blockyard.blocks.credentials import OAuth2Credentials
from blockyard.errors import BlockExecutionError, PermissionDeniedError
from blockyard.integrations.credentials import CredentialsVault
from blockyard.integrations.drafts import CredentialMeta
from blockyard.integrations.oauth.flow import OAuthFlow
from blockyard.store.db import Database
from blockyard.store.oauth_states import OAuthStateRepo
from tests.fakes.oauth_server import FakeOAuthServer
from tests.integrations.conftest import REDIRECT_URI, make_vault, oidc_registry


async def age_token(db: Database, credential_id: str, seconds_left: float = 10.0) -> None:
    """Make a one-hour token look nearly spent, as if an hour had passed."""
    now = time.time()
    async with db.engine.begin() as conn:
        await conn.execute(
            text("UPDATE credentials SET expires_at = :e, updated_at = :u WHERE id = :id"),
            {"e": now + seconds_left, "u": now + seconds_left - 3600, "id": credential_id},
        )


def flow_for(vault: CredentialsVault, db: Database) -> OAuthFlow:
    return OAuthFlow(vault, OAuthStateRepo(db), REDIRECT_URI)


async def browser_consents(login_url: str) -> tuple[str, str]:
    """Follow the login URL like a browser whose user clicks Allow: ``(code, state)``."""
    async with httpx.AsyncClient() as browser:
        response = await browser.get(login_url)
    assert response.status_code == 302, response.text
    target = urlsplit(response.headers["location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == REDIRECT_URI
    query = parse_qs(target.query)
    return query["code"][0], query["state"][0]


async def sign_in(flow: OAuthFlow, user_id: str) -> CredentialMeta:
    login_url, state = await flow.start(user_id, "oidc")
    code, returned = await browser_consents(login_url)
    assert returned == state
    return await flow.finish(user_id, "oidc", code, state)


async def test_the_whole_redirect_flow_stores_working_tokens(
    db: Database, users: tuple[str, str], oauth_server: FakeOAuthServer
) -> None:
    ada, _ = users
    vault = make_vault(db, oidc_registry(oauth_server))
    flow = flow_for(vault, db)
    login_url, state = await flow.start(ada, "oidc", ("profile",))
    query = parse_qs(urlsplit(login_url).query)
    assert query["code_challenge_method"] == ["S256"] and query["state"] == [state]
    assert query["scope"] == ["openid email offline_access profile"]
    code, _ = await browser_consents(login_url)
    meta = await flow.finish(ada, "oidc", code, state)
    assert (meta.type, meta.username, meta.status) == ("oauth2", "ada@example.org", "active")
    assert meta.title == "Test IdP (ada@example.org)"
    creds = await vault.resolve(ada, {"id": meta.id, "provider": "oidc", "type": "oauth2"})
    assert isinstance(creds, OAuth2Credentials)
    assert creds.access_token.get_secret_value() in oauth_server.live_access_tokens()
    assert creds.refresh_token is not None
    with pytest.raises(PermissionDeniedError):  # a state works once
        await flow.finish(ada, "oidc", code, state)


async def test_a_state_is_bound_to_the_user_who_started_the_sign_in(
    db: Database, users: tuple[str, str], oauth_server: FakeOAuthServer
) -> None:
    ada, bob = users
    vault = make_vault(db, oidc_registry(oauth_server))
    flow = flow_for(vault, db)
    login_url, state = await flow.start(ada, "oidc")
    code, _ = await browser_consents(login_url)
    with pytest.raises(PermissionDeniedError):
        await flow.finish(bob, "oidc", code, state)
    with pytest.raises(PermissionDeniedError):
        await flow.finish(ada, "oidc", code, "made-up-state")
    assert await vault.list(bob) == []
    assert (await flow.finish(ada, "oidc", code, state)).type == "oauth2"


async def test_a_code_without_the_pkce_verifier_is_refused(
    db: Database, users: tuple[str, str], oauth_server: FakeOAuthServer
) -> None:
    ada, _ = users
    vault = make_vault(db, oidc_registry(oauth_server))
    login_url, _ = await flow_for(vault, db).start(ada, "oidc")
    code, _ = await browser_consents(login_url)
    async with httpx.AsyncClient() as http:
        response = await http.post(
            oauth_server.url("/token"),
            data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI},
            auth=(oauth_server.client.client_id, oauth_server.client.client_secret),
        )
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"


async def test_tokens_are_refreshed_before_they_expire(
    db: Database, users: tuple[str, str], oauth_server: FakeOAuthServer
) -> None:
    ada, _ = users
    vault = make_vault(db, oidc_registry(oauth_server))
    meta = await sign_in(flow_for(vault, db), ada)
    first = await vault.resolve(ada, {"id": meta.id})
    assert oauth_server.refresh_calls == 0
    await age_token(db, meta.id)
    second = await vault.resolve(ada, {"id": meta.id})
    assert isinstance(first, OAuth2Credentials) and isinstance(second, OAuth2Credentials)
    assert oauth_server.refresh_calls == 1
    assert second.access_token.get_secret_value() != first.access_token.get_secret_value()
    assert second.access_token.get_secret_value() in oauth_server.live_access_tokens()
    assert second.access_token_expires_at and second.access_token_expires_at > time.time() + 3000


async def test_processes_racing_to_refresh_spend_the_refresh_token_once(
    db: Database, users: tuple[str, str], oauth_server: FakeOAuthServer
) -> None:
    ada, _ = users
    meta = await sign_in(flow_for(make_vault(db, oidc_registry(oauth_server)), db), ada)
    await age_token(db, meta.id)
    processes = [make_vault(db, oidc_registry(oauth_server)) for _ in range(4)]
    results = await asyncio.gather(*(v.resolve(ada, {"id": meta.id}) for v in processes))
    tokens = {
        r.access_token.get_secret_value() for r in results if isinstance(r, OAuth2Credentials)
    }
    assert oauth_server.refresh_calls == 1
    assert len(tokens) == 1 and tokens <= oauth_server.live_access_tokens()
    assert (await processes[0].get_meta(ada, meta.id)).status == "active"


async def test_a_revoked_grant_marks_the_credentials_broken(
    db: Database, users: tuple[str, str], oauth_server: FakeOAuthServer
) -> None:
    ada, _ = users
    vault = make_vault(db, oidc_registry(oauth_server))
    meta = await sign_in(flow_for(vault, db), ada)
    assert (await vault.check(ada, meta.id)).status == "active"
    oauth_server.revoke_all()
    await age_token(db, meta.id)
    with pytest.raises(BlockExecutionError, match="no longer work"):
        await vault.resolve(ada, {"id": meta.id})
    shown = await vault.get_meta(ada, meta.id)
    assert shown.status == "broken" and shown.status_reason


async def test_the_health_check_notices_a_token_revoked_at_the_provider(
    db: Database, users: tuple[str, str], oauth_server: FakeOAuthServer
) -> None:
    ada, _ = users
    vault = make_vault(db, oidc_registry(oauth_server))
    meta = await sign_in(flow_for(vault, db), ada)
    oauth_server.revoke_all()
    checked = await vault.check(ada, meta.id)
    assert checked.status == "broken" and "no longer accepts" in (checked.status_reason or "")


async def test_deleting_revokes_the_tokens_at_the_provider(
    db: Database, users: tuple[str, str], oauth_server: FakeOAuthServer
) -> None:
    ada, _ = users
    vault = make_vault(db, oidc_registry(oauth_server))
    meta = await sign_in(flow_for(vault, db), ada)
    assert oauth_server.live_access_tokens()
    assert await vault.delete(ada, meta.id) is True
    assert oauth_server.revocations >= 1 and not oauth_server.live_access_tokens()
    assert await vault.list(ada) == []
