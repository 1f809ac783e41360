"""The WebSocket: auth, subscriptions, ordered node and graph events, catch-up, ownership.

These run a real uvicorn on a free loopback port and talk to it with ``websockets``.
"""

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from blockyard.api.app import create_app
from blockyard.wiring import Container
from tests.api.helpers import ApiUser, create_graph, execute, greeting_agent, signup

TERMINAL = {"COMPLETED", "FAILED", "TERMINATED"}


@asynccontextmanager
async def live_server(app: FastAPI) -> AsyncIterator[str]:
    """Serve ``app`` on a free loopback port; yields ``host:port``."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    host, port = sock.getsockname()
    config = uvicorn.Config(app, log_level="warning", ws="websockets-sansio", lifespan="on")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        for _ in range(500):
            if server.started or task.done():
                break
            await asyncio.sleep(0.01)
        assert server.started, "uvicorn did not start"
        yield f"{host}:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()


@pytest.fixture
async def server(container: Container) -> AsyncIterator[tuple[str, httpx.AsyncClient]]:
    async with (
        live_server(create_app(container)) as address,
        httpx.AsyncClient(base_url=f"http://{address}") as client,
    ):
        yield address, client


async def receive(ws: ClientConnection) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), 20))
    return message


async def send(ws: ClientConnection, method: str, data: Any) -> None:
    await ws.send(json.dumps({"method": method, "data": data}))


async def events_until_done(ws: ClientConnection) -> list[dict[str, Any]]:
    """Every message up to the graph event that ends the run."""
    seen = []
    while True:
        message = await receive(ws)
        seen.append(message)
        data = message.get("data")
        if message["method"] == "graph_execution_event" and data["status"] in TERMINAL:
            return seen


async def test_subscribe_and_receive_ordered_events(
    server: tuple[str, httpx.AsyncClient],
) -> None:
    address, client = server
    alice = await signup(client)
    graph = await create_graph(client, alice, greeting_agent(slow_seconds=0.3))
    async with connect(f"ws://{address}/ws?token={alice.access_token}") as ws:
        await send(ws, "subscribe_graph_executions", {"graph_id": graph["id"]})
        ack = await receive(ws)
        assert ack == {
            "method": "subscribe_graph_executions",
            "success": True,
            "channel": f"{alice.id}|graph#{graph['id']}|executions",
        }
        meta = await execute(client, alice, graph, name="Ada")
        await send(ws, "subscribe_graph_execution", {"graph_exec_id": meta["id"], "last_seq": 0})
        messages = await events_until_done(ws)

    acks = [m for m in messages if m.get("success") is True and "data" not in m]
    assert acks[0]["channel"] == f"{alice.id}|graph_exec#{meta['id']}"
    events = [m for m in messages if m["method"].endswith("_event")]
    node_events = [m["data"] for m in events if m["method"] == "node_execution_event"]
    assert all(e["graph_exec_id"] == meta["id"] for e in node_events)
    seqs = [e["seq"] for e in node_events]
    assert seqs == sorted(seqs)
    final: dict[str, str] = {}
    for event in node_events:
        final[event["node_exec_id"]] = event["status"]
    assert len(final) == 4 and set(final.values()) == {"COMPLETED"}
    last = events[-1]["data"]
    assert last["status"] == "COMPLETED"
    assert last["outputs"] == {"greeting": ["Hello, Ada!"]}


async def test_catch_up_after_the_run_replays_from_the_store(
    server: tuple[str, httpx.AsyncClient],
) -> None:
    address, client = server
    alice = await signup(client)
    graph = await create_graph(client, alice, greeting_agent())
    meta = await execute(client, alice, graph, name="Ada")
    async with connect(f"ws://{address}/ws?token={alice.access_token}") as ws:
        # Wait for the end through a graph subscription, then ask for everything since 0.
        await send(ws, "subscribe_graph_execution", {"graph_exec_id": meta["id"]})
        await receive(ws)
        run = (
            await client.get(
                f"/api/graphs/{graph['id']}/executions/{meta['id']}", headers=alice.headers
            )
        ).json()
        if run["status"] not in TERMINAL:
            await events_until_done(ws)
        await send(ws, "unsubscribe", {"graph_exec_id": meta["id"]})
        assert (await receive(ws))["method"] == "unsubscribe"
        await send(ws, "subscribe_graph_execution", {"graph_exec_id": meta["id"], "last_seq": 0})
        assert (await receive(ws))["success"] is True
        replay = await events_until_done(ws)
    nodes = [m["data"] for m in replay if m["method"] == "node_execution_event"]
    assert {n["status"] for n in nodes} == {"COMPLETED"} and len(nodes) == 3
    assert replay[-1]["data"]["outputs"] == {"greeting": ["Hello, Ada!"]}


async def test_catch_up_from_a_seq_sends_only_what_changed_after_it(
    server: tuple[str, httpx.AsyncClient],
) -> None:
    address, client = server
    alice = await signup(client)
    graph = await create_graph(client, alice, greeting_agent(slow_seconds=0.5))
    meta = await execute(client, alice, graph, name="Ada")
    async with connect(f"ws://{address}/ws?token={alice.access_token}") as ws:
        await send(ws, "subscribe_graph_execution", {"graph_exec_id": meta["id"], "last_seq": 0})
        assert (await receive(ws))["success"] is True
        full = await events_until_done(ws)
        await send(ws, "unsubscribe", {"graph_exec_id": meta["id"]})
        assert (await receive(ws))["method"] == "unsubscribe"
        # Resume from the slow step's completion (a live event, half a second in).
        events = [m["data"] for m in full if m["method"] == "node_execution_event"]
        finals = {e["node_exec_id"]: e["seq"] for e in events}
        slow_done = [
            e for e in events if e["status"] == "COMPLETED" and "seconds" in e["input_data"]
        ]
        middle = slow_done[-1]["seq"]
        await send(
            ws, "subscribe_graph_execution", {"graph_exec_id": meta["id"], "last_seq": middle}
        )
        assert (await receive(ws))["success"] is True
        replay = await events_until_done(ws)
    replayed = {m["data"]["node_exec_id"] for m in replay if m["method"] == "node_execution_event"}
    assert replayed == {node for node, seq in finals.items() if seq > middle}
    assert 0 < len(replayed) < len(finals)
    assert replay[-1]["data"]["outputs"] == {"greeting": ["Hello, Ada!"]}


async def test_heartbeat_and_bad_messages(server: tuple[str, httpx.AsyncClient]) -> None:
    address, client = server
    alice = await signup(client)
    async with connect(f"ws://{address}/ws?token={alice.access_token}") as ws:
        await send(ws, "heartbeat", "ping")
        assert await receive(ws) == {"method": "heartbeat", "data": "pong", "success": True}
        await ws.send("not json")
        assert (await receive(ws))["success"] is False
        await send(ws, "dance", {})
        assert (await receive(ws))["method"] == "error"
        await send(ws, "subscribe_graph_execution", {})
        assert (await receive(ws))["success"] is False


async def test_only_the_owner_can_subscribe(server: tuple[str, httpx.AsyncClient]) -> None:
    address, client = server
    alice, bob = await signup(client), await signup(client)
    graph = await create_graph(client, alice, greeting_agent())
    meta = await execute(client, alice, graph, name="Ada")
    async with connect(f"ws://{address}/ws?token={bob.access_token}") as ws:
        await send(ws, "subscribe_graph_execution", {"graph_exec_id": meta["id"], "last_seq": 0})
        denied = await receive(ws)
        assert denied["method"] == "error" and denied["success"] is False
        await send(ws, "subscribe_graph_executions", {"graph_id": graph["id"]})
        assert (await receive(ws))["method"] == "error"
        await send(ws, "heartbeat", "ping")
        assert (await receive(ws))["data"] == "pong"  # nothing of Alice's came in between


async def _close_code(url: str) -> int | None:
    async with connect(url) as ws:
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 10)
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code


async def test_connections_without_a_valid_credential_are_closed(
    server: tuple[str, httpx.AsyncClient],
) -> None:
    address, _ = server
    assert await _close_code(f"ws://{address}/ws") == 4001
    assert await _close_code(f"ws://{address}/ws?token=nonsense") == 4003


async def test_an_api_key_can_open_the_socket(server: tuple[str, httpx.AsyncClient]) -> None:
    address, client = server
    alice: ApiUser = await signup(client)
    created = await client.post(
        "/api/api-keys", json={"name": "ws", "scopes": ["read"]}, headers=alice.headers
    )
    key = created.json()["key"]
    async with connect(f"ws://{address}/ws?token={key}") as ws:
        await send(ws, "heartbeat", "ping")
        assert (await receive(ws))["data"] == "pong"
