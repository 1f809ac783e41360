"""The integrations routes over a real app: credentials saved and listed without secrets,
an OAuth2 sign-in through the routes and a real provider, and a run that uses saved
credentials whose stored inputs and outputs hold no secret."""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from blockyard.blocks.base import (
    Block,
    BlockOutput,
    BlockSchemaInput,
    BlockSchemaOutput,
    SchemaField,
)
from blockyard.blocks.context import BlockContext
from blockyard.blocks.credentials import CredentialsField
from blockyard.settings import Settings
from blockyard.wiring import Container, build
from tests.api.helpers import (
    make_settings,
    node,
    registry_with_test_blocks,
    serving,
    signup,
    wait_for_run,
)
from tests.fakes.oauth_server import FakeOAuthServer
from tests.integrations.conftest import REDIRECT_URI

SECRET = "sk-route-secret-777"


class KeyCheck(Block):
    """Says whether the saved key arrived (never the key itself)."""

    id = "9e3c0e4a-7c55-4b8e-9a57-2c1f3b0d0a01"

    class Input(BlockSchemaInput):
        credentials: dict[str, Any] = CredentialsField("openai", "api_key")
        prompt: str = SchemaField("hi", description="anything")

    class Output(BlockSchemaOutput):
        key_length: int = SchemaField(description="length of the key")

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        yield "key_length", len(ctx.credentials["credentials"].api_key.get_secret_value())


@pytest.fixture
async def api(
    tmp_path: Path, oauth_server: FakeOAuthServer
) -> AsyncIterator[tuple[httpx.AsyncClient, Container]]:
    settings: Settings = make_settings(
        tmp_path / "data",
        platform_url="http://127.0.0.1:8000/",
        oidc_issuer=oauth_server.url(),
        oidc_client_id=oauth_server.client.client_id,
        oidc_client_secret=oauth_server.client.client_secret,
    )
    registry = registry_with_test_blocks()
    registry.register(KeyCheck)
    container = await build(settings, registry=registry)
    try:
        await container.start()
        async with serving(container) as (_app, client):
            yield client, container
    finally:
        await container.close()


async def test_credentials_are_listed_with_metadata_and_never_a_secret(
    api: tuple[httpx.AsyncClient, Container],
) -> None:
    client, _ = api
    user = await signup(client)
    made = await client.post(
        "/api/integrations/openai/credentials",
        json={"type": "api_key", "title": "My key", "api_key": SECRET},
        headers=user.headers,
    )
    assert made.status_code == 201, made.text
    body = made.json()
    assert (body["provider"], body["type"], body["title"], body["status"]) == (
        "openai",
        "api_key",
        "My key",
        "active",
    )
    headers = await client.post(
        "/api/integrations/http/credentials",
        json={"type": "host_scoped", "host": "api.example.com", "headers": {"X-Key": "hdr-secret"}},
        headers=user.headers,
    )
    assert headers.json()["header_names"] == ["X-Key"]
    for url in (
        "/api/integrations/credentials",
        "/api/integrations/openai/credentials",
        f"/api/integrations/openai/credentials/{body['id']}",
    ):
        response = await client.get(url, headers=user.headers)
        assert response.status_code == 200
        assert SECRET not in response.text and "hdr-secret" not in response.text
    wrong_provider = await client.get(
        f"/api/integrations/anthropic/credentials/{body['id']}", headers=user.headers
    )
    assert wrong_provider.status_code == 404
    bad = await client.post(
        "/api/integrations/openai/credentials",
        json={"type": "api_key", "api_key": SECRET, "extra": "x"},
        headers=user.headers,
    )
    assert bad.status_code == 422 and SECRET not in bad.text
    deleted = await client.delete(
        f"/api/integrations/openai/credentials/{body['id']}", headers=user.headers
    )
    assert deleted.json() == {"deleted": True, "revoked": False}
    providers = (await client.get("/api/integrations/providers", headers=user.headers)).json()
    by_name = {p["name"]: p for p in providers}
    assert by_name["oidc"]["oauth_configured"] is True
    assert "host_scoped" in by_name["http"]["credential_types"]
    titles = {name: p["title"] for name, p in by_name.items()}
    assert (titles["open_router"], titles["openai_compatible"]) == (
        "OpenRouter",
        "OpenAI-compatible server",
    )
    assert all(title != name for name, title in titles.items())


async def test_oauth_sign_in_through_the_routes(
    api: tuple[httpx.AsyncClient, Container], oauth_server: FakeOAuthServer
) -> None:
    client, _ = api
    user = await signup(client)
    login = await client.get(
        "/api/integrations/oidc/login", params={"scopes": "profile"}, headers=user.headers
    )
    assert login.status_code == 200, login.text
    login_url, state = login.json()["login_url"], login.json()["state_token"]
    async with httpx.AsyncClient() as browser:
        consent = await browser.get(login_url)
    redirect = urlsplit(consent.headers["location"])
    assert f"{redirect.scheme}://{redirect.netloc}{redirect.path}" == REDIRECT_URI
    code = parse_qs(redirect.query)["code"][0]
    other = await signup(client)
    stolen = await client.post(
        "/api/integrations/oidc/callback",
        json={"code": code, "state_token": state},
        headers=other.headers,
    )
    assert stolen.status_code == 403
    done = await client.post(
        "/api/integrations/oidc/callback",
        json={"code": code, "state_token": state},
        headers=user.headers,
    )
    assert done.status_code == 200, done.text
    meta = done.json()
    assert (meta["type"], meta["username"]) == ("oauth2", "ada@example.org")
    listed = await client.get("/api/integrations/oidc/credentials", headers=user.headers)
    assert [c["id"] for c in listed.json()] == [meta["id"]]
    assert not any(t in listed.text for t in oauth_server.live_access_tokens())
    checked = await client.post(
        f"/api/integrations/oidc/credentials/{meta['id']}/check", headers=user.headers
    )
    assert checked.json()["status"] == "active"
    gone = await client.delete(
        f"/api/integrations/oidc/credentials/{meta['id']}", headers=user.headers
    )
    assert gone.json() == {"deleted": True, "revoked": True}
    unknown = await client.get("/api/integrations/github/login", headers=user.headers)
    assert unknown.status_code == 404


async def test_a_run_uses_saved_credentials_and_stores_only_the_reference(
    api: tuple[httpx.AsyncClient, Container],
) -> None:
    client, _ = api
    user = await signup(client)
    made = await client.post(
        "/api/integrations/openai/credentials",
        json={"type": "api_key", "title": "k", "api_key": SECRET},
        headers=user.headers,
    )
    ref = {"id": made.json()["id"], "provider": "openai", "type": "api_key", "title": "k"}
    agent = {
        "id": "x",
        "version": 1,
        "name": "uses a key",
        "description": "",
        "nodes": [node("check", KeyCheck.id, credentials=ref)],
        "links": [],
        "sub_graphs": [],
    }
    graph = (await client.post("/api/graphs", json={"graph": agent}, headers=user.headers)).json()
    run = await client.post(
        f"/api/graphs/{graph['id']}/execute/1", json={"inputs": {}}, headers=user.headers
    )
    done = await wait_for_run(client, user, graph["id"], run.json()["id"])
    assert done["status"] == "COMPLETED", done
    [node_exec] = done["node_executions"]
    assert node_exec["output_data"] == {"key_length": [len(SECRET)]}
    assert node_exec["input_data"]["credentials"] == ref
    assert SECRET not in str(done)
    export = await client.get(f"/api/graphs/{graph['id']}/export", headers=user.headers)
    assert SECRET not in export.text


async def test_a_single_block_run_gets_the_callers_credentials_only(
    api: tuple[httpx.AsyncClient, Container],
) -> None:
    client, _ = api
    owner, other = await signup(client), await signup(client)
    made = await client.post(
        "/api/integrations/openai/credentials",
        json={"type": "api_key", "api_key": SECRET},
        headers=owner.headers,
    )
    ref = {"id": made.json()["id"], "provider": "openai", "type": "api_key"}
    url = f"/api/blocks/{KeyCheck.id}/execute"
    ran = await client.post(url, json={"credentials": ref}, headers=owner.headers)
    assert ran.status_code == 200 and ran.json() == {"key_length": [len(SECRET)]}
    refused = await client.post(url, json={"credentials": ref}, headers=other.headers)
    assert refused.status_code == 404 and SECRET not in refused.text
