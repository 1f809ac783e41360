"""Blockyard as an MCP server: exposed agents are tools of /mcp, behind API keys."""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import httpx2
import pytest
from fastapi import FastAPI
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from blockyard.wiring import Container
from tests.api.helpers import (
    ApiUser,
    create_graph,
    greeting_agent,
    make_settings,
    running_container,
    serving,
    signup,
)


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient, Container]]:
    async with (
        running_container(make_settings(tmp_path / "data")) as container,
        serving(container) as (app, client),
    ):
        yield app, client, container


async def api_key(client: httpx.AsyncClient, user: ApiUser, *scopes: str) -> str:
    response = await client.post(
        "/api/api-keys", json={"name": "mcp", "scopes": list(scopes)}, headers=user.headers
    )
    assert response.status_code == 201, response.text
    key: str = response.json()["key"]
    return key


def mcp_client(app: FastAPI, key: str) -> Client:
    http = httpx2.AsyncClient(
        transport=httpx2.ASGITransport(app=app),
        base_url="http://testserver",
        headers={"X-API-Key": key},
    )
    return Client(streamable_http_client("http://testserver/mcp", http_client=http))


async def test_exposed_agents_are_listed_and_run_as_tools(served: Any) -> None:
    app, client, _ = served
    alice = await signup(client, "alice@example.com")
    greeter = await create_graph(client, alice, greeting_agent())
    await create_graph(client, alice, {**greeting_agent(), "name": "Hidden"})
    exposed = await client.put(f"/api/mcp/agents/{greeter['id']}", headers=alice.headers)
    assert exposed.status_code == 200, exposed.text
    assert exposed.json()["tool_name"] == "greeter"
    assert exposed.json()["input_schema"]["required"] == ["name"]

    async with mcp_client(app, await api_key(client, alice, "read", "execute")) as mcp:
        tools = (await mcp.list_tools()).tools
        assert [t.name for t in tools] == ["greeter"]
        assert tools[0].description == "Says hello"
        assert set(tools[0].input_schema["properties"]) == {"name"}
        result = await mcp.call_tool("greeter", {"name": "Ada"})
    assert not result.is_error, result.content
    assert result.structured_content is not None
    assert result.structured_content["outputs"] == {"greeting": ["Hello, Ada!"]}

    hidden = await client.delete(f"/api/mcp/agents/{greeter['id']}", headers=alice.headers)
    assert hidden.status_code == 204
    assert (await client.get("/api/mcp/agents", headers=alice.headers)).json() == []


async def test_keys_are_required_and_scoped_and_agents_stay_private(served: Any) -> None:
    app, client, _ = served
    alice = await signup(client, "alice@example.com")
    bob = await signup(client, "bob@example.com")
    greeter = await create_graph(client, alice, greeting_agent())
    assert (
        await client.put(f"/api/mcp/agents/{greeter['id']}", headers=bob.headers)
    ).status_code == 404
    await client.put(f"/api/mcp/agents/{greeter['id']}", headers=alice.headers)

    refused = await client.post("/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
    assert refused.status_code == 401
    async with mcp_client(app, await api_key(client, bob, "read", "execute")) as mcp:
        assert (await mcp.list_tools()).tools == []
    async with mcp_client(app, await api_key(client, alice, "read")) as mcp:
        assert [t.name for t in (await mcp.list_tools()).tools] == ["greeter"]
        result = await mcp.call_tool("greeter", {"name": "Ada"})
    assert result.is_error
    assert "lacks the 'execute' scope" in result.content[0].text  # type: ignore[union-attr]
