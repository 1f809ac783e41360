"""Plain factories for the API tests: settings, an app over a real container, users, agents."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from blockyard.api.app import create_app
from blockyard.blocks.base import (
    Block,
    BlockOutput,
    BlockSchemaInput,
    BlockSchemaOutput,
    SchemaField,
)
from blockyard.blocks.context import BlockContext
from blockyard.blocks.registry import BlockRegistry, load_registry
from blockyard.settings import Settings
from blockyard.wiring import Container, build

INPUT_BLOCK = "c0a8e994-ebf1-4a9c-a4d8-89d09c86741b"
OUTPUT_BLOCK = "363ae599-353e-4804-937e-b2ee3cef3da4"
TEMPLATE_BLOCK = "db7d8f02-2f44-4c55-ab7a-eae0941f0c30"
SLOW_BLOCK = "7b0a3c52-6a43-4f0e-9d4c-2f1f5c0e5a10"
PASSWORD = "correct horse battery"
TERMINAL = {"COMPLETED", "FAILED", "TERMINATED"}


class SlowBlock(Block):
    """Waits ``seconds`` (cancellable) and passes its value on: a run that can be stopped."""

    id = SLOW_BLOCK
    description = "Test block: waits, then passes its value on."

    class Input(BlockSchemaInput):
        value: Any = SchemaField(None, description="passed on")
        seconds: float = SchemaField(30.0, description="how long to wait")

    class Output(BlockSchemaOutput):
        value: Any = SchemaField(None, description="the value")

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        await asyncio.sleep(input_data.seconds)
        yield "value", input_data.value


def registry_with_test_blocks() -> BlockRegistry:
    registry = load_registry(entry_point_packages=False)
    registry.register(SlowBlock)
    return registry


def make_settings(data_dir: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": data_dir,
        "workers": 1,
        "max_request_bytes": 256 * 1024,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@asynccontextmanager
async def running_container(
    settings: Settings, *, redis_prefix: str = "blockyard"
) -> AsyncIterator[Container]:
    container = await build(
        settings, registry=registry_with_test_blocks(), redis_prefix=redis_prefix
    )
    try:
        await container.start()
        yield container
    finally:
        await container.close()


@asynccontextmanager
async def serving(container: Container) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """The app over ``container`` with its lifespan entered, and a client for it."""
    app = create_app(container)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield app, client


@dataclass
class ApiUser:
    id: str
    email: str
    access_token: str
    refresh_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


async def signup(client: httpx.AsyncClient, email: str | None = None) -> ApiUser:
    email = email or f"user-{uuid.uuid4().hex[:10]}@example.com"
    response = await client.post(
        "/api/auth/register", json={"email": email, "password": PASSWORD, "name": "Test"}
    )
    assert response.status_code == 201, response.text
    user_id = response.json()["id"]
    response = await client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    tokens = response.json()
    return ApiUser(user_id, email, tokens["access_token"], tokens["refresh_token"])


def node(node_id: str, block_id: str, **input_default: Any) -> dict[str, Any]:
    return {
        "id": node_id,
        "block_id": block_id,
        "input_default": input_default,
        "metadata": {"position": {"x": 0, "y": 0}},
    }


def link(source: str, source_name: str, sink: str, sink_name: str) -> dict[str, Any]:
    return {
        "source_id": source,
        "sink_id": sink,
        "source_name": source_name,
        "sink_name": sink_name,
        "is_static": False,
    }


def greeting_agent(slow_seconds: float | None = None) -> dict[str, Any]:
    """name -> "Hello, {name}!" -> output ``greeting`` (through a slow step if asked)."""
    nodes = [
        node("in", INPUT_BLOCK, name="name"),
        node("fill", TEMPLATE_BLOCK, format="Hello, {{ name }}!"),
        node("out", OUTPUT_BLOCK, name="greeting"),
    ]
    links = [link("fill", "output", "out", "value")]
    if slow_seconds is None:
        links.append(link("in", "result", "fill", "values_#_name"))
    else:
        nodes.append(node("slow", SLOW_BLOCK, seconds=slow_seconds))
        links += [
            link("in", "result", "slow", "value"),
            link("slow", "value", "fill", "values_#_name"),
        ]
    return {
        "id": str(uuid.uuid4()),
        "version": 1,
        "name": "Greeter",
        "description": "Says hello",
        "nodes": nodes,
        "links": links,
        "sub_graphs": [],
    }


async def create_graph(client: httpx.AsyncClient, user: ApiUser, graph: dict[str, Any]) -> Any:
    response = await client.post("/api/graphs", json={"graph": graph}, headers=user.headers)
    assert response.status_code == 201, response.text
    return response.json()


async def execute(
    client: httpx.AsyncClient, user: ApiUser, graph: dict[str, Any], **inputs: Any
) -> Any:
    response = await client.post(
        f"/api/graphs/{graph['id']}/execute/{graph['version']}",
        json={"inputs": inputs},
        headers=user.headers,
    )
    assert response.status_code == 200, response.text
    return response.json()


async def wait_for_run(
    client: httpx.AsyncClient, user: ApiUser, graph_id: str, exec_id: str, *, limit: float = 20
) -> Any:
    """Poll the run until it ends (a bound against hangs, not a timing assertion)."""
    url = f"/api/graphs/{graph_id}/executions/{exec_id}"
    for _ in range(int(limit / 0.02)):
        response = await client.get(url, headers=user.headers)
        assert response.status_code == 200, response.text
        if response.json()["status"] in TERMINAL:
            return response.json()
        await asyncio.sleep(0.02)
    raise AssertionError(f"run {exec_id} did not end within {limit} s")


async def wait_for_status(
    client: httpx.AsyncClient, user: ApiUser, graph_id: str, exec_id: str, status: str
) -> Any:
    url = f"/api/graphs/{graph_id}/executions/{exec_id}"
    for _ in range(1000):
        body = (await client.get(url, headers=user.headers)).json()
        if body["status"] == status:
            return body
        await asyncio.sleep(0.02)
    raise AssertionError(f"run {exec_id} never reached {status}")
