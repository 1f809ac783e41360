"""Two users over one real server: Alice with data of every kind, Mallory with nothing."""

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from blockyard.wiring import Container
from tests.api.helpers import (
    ApiUser,
    create_graph,
    execute,
    greeting_agent,
    make_settings,
    running_container,
    serving,
    signup,
    wait_for_run,
)

MARKERS = (
    "alice-graph-marker",
    "alice-input-marker",
    "alice-cred-title",
    "alice-key-name",
    "sk-alice-secret-0042",
)
"""Strings only Alice's data contains: none may reach Mallory."""


@dataclass
class World:
    client: httpx.AsyncClient
    container: Container
    alice: ApiUser
    mallory: ApiUser
    ids: dict[str, Any] = field(default_factory=dict)
    """Path parameter name -> Alice's value."""
    mallory_key: str = ""


async def build_world(client: httpx.AsyncClient, container: Container) -> World:
    alice = await signup(client, "alice@example.com")
    mallory = await signup(client, "mallory@example.com")
    agent = greeting_agent()
    agent["name"] = "alice-graph-marker"
    graph = await create_graph(client, alice, agent)
    second = await client.put(
        f"/api/graphs/{graph['id']}", json={"graph": graph}, headers=alice.headers
    )
    assert second.status_code == 200, second.text
    run = await execute(client, alice, graph, name="alice-input-marker")
    done = await wait_for_run(client, alice, graph["id"], run["id"])
    assert done["status"] == "COMPLETED" and "alice-input-marker" in str(done["outputs"])
    cred = await client.post(
        "/api/integrations/openai/credentials",
        json={"type": "api_key", "title": "alice-cred-title", "api_key": "sk-alice-secret-0042"},
        headers=alice.headers,
    )
    assert cred.status_code == 201, cred.text
    key = await client.post(
        "/api/api-keys", json={"name": "alice-key-name", "scopes": ["read"]}, headers=alice.headers
    )
    assert key.status_code == 201, key.text
    mallory_key = await client.post(
        "/api/api-keys",
        json={"name": "m", "scopes": ["read", "execute", "manage"]},
        headers=mallory.headers,
    )
    schedule = await client.post(
        f"/api/graphs/{graph['id']}/schedules",
        json={"name": "alice-schedule-name", "cron": "0 9 * * *", "inputs": {"name": "alice"}},
        headers=alice.headers,
    )
    assert schedule.status_code == 201, schedule.text
    world = World(client, container, alice, mallory, mallory_key=mallory_key.json()["key"])
    world.ids = {
        "graph_id": graph["id"],
        "version": 1,
        "graph_version": 1,
        "graph_exec_id": run["id"],
        "key_id": key.json()["id"],
        "credential_id": cred.json()["id"],
        "schedule_id": schedule.json()["id"],
        "user_id": alice.id,
        "provider": "openai",
        "block_id": next(iter(container.registry)).id,
    }
    return world


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    settings = make_settings(tmp_path / "data")
    async with running_container(settings) as container, serving(container) as (_app, client):
        yield await build_world(client, container)
