"""A sub-agent's run is visible from its parent: in the stored run and live on the socket."""

import uuid
from typing import Any

import httpx
from websockets.asyncio.client import connect

from blockyard.wiring import Container
from tests.api.helpers import (
    INPUT_BLOCK,
    OUTPUT_BLOCK,
    ApiUser,
    create_graph,
    execute,
    greeting_agent,
    link,
    node,
    signup,
    wait_for_run,
)
from tests.api.test_api_ws import events_until_done, receive, send, server

__all__ = ["server"]  # the fixture, imported for these tests

AGENT_EXECUTOR_BLOCK = "e189baac-8c20-45a1-94a7-55177ea42565"


def parent_agent(child: dict[str, Any]) -> dict[str, Any]:
    """name -> Agent Executor(child greeter) -> output ``greeting``."""
    return {
        "id": str(uuid.uuid4()),
        "version": 1,
        "name": "Parent",
        "description": "Runs the greeter",
        "nodes": [
            node("in", INPUT_BLOCK, name="name"),
            node(
                "call",
                AGENT_EXECUTOR_BLOCK,
                graph_id=child["id"],
                graph_version=child["version"],
                agent_name=child["name"],
            ),
            node("out", OUTPUT_BLOCK, name="greeting"),
        ],
        "links": [
            link("in", "result", "call", "inputs_#_name"),
            link("call", "greeting", "out", "value"),
        ],
        "sub_graphs": [],
    }


async def run_parent(client: httpx.AsyncClient, user: ApiUser) -> tuple[Any, Any, Any]:
    child = await create_graph(client, user, greeting_agent())
    parent = await create_graph(client, user, parent_agent(child))
    meta = await execute(client, user, parent, name="Ada")
    return child, parent, await wait_for_run(client, user, parent["id"], meta["id"])


async def test_the_parent_run_lists_its_sub_agent_run(
    client: httpx.AsyncClient, alice: ApiUser, bob: ApiUser
) -> None:
    child, _parent, run = await run_parent(client, alice)
    assert run["status"] == "COMPLETED", run
    assert run["outputs"] == {"greeting": ["Hello, Ada!"]}
    assert run["parent_exec_id"] is None and run["parent_node_exec_id"] is None
    call = next(n for n in run["node_executions"] if n["block_id"] == AGENT_EXECUTOR_BLOCK)
    [sub] = run["children"]
    assert sub["graph_id"] == child["id"] and sub["graph_version"] == child["version"]
    assert sub["parent_exec_id"] == run["id"]
    assert sub["parent_node_exec_id"] == call["node_exec_id"]
    assert sub["status"] == "COMPLETED" and sub["inputs"] == {"name": "Ada"}

    url = f"/api/graphs/{child['id']}/executions/{sub['id']}"
    detail = (await client.get(url, headers=alice.headers)).json()
    assert detail["parent_node_exec_id"] == call["node_exec_id"]
    assert detail["outputs"] == {"greeting": ["Hello, Ada!"]}
    assert {n["status"] for n in detail["node_executions"]} == {"COMPLETED"}
    assert detail["children"] == []
    assert (await client.get(url, headers=bob.headers)).status_code == 404


async def test_a_parent_subscriber_hears_about_the_sub_agent_run(
    server: tuple[str, httpx.AsyncClient], container: Container
) -> None:
    address, client = server
    alice = await signup(client)
    child = await create_graph(client, alice, greeting_agent(slow_seconds=0.3))
    parent = await create_graph(client, alice, parent_agent(child))
    async with connect(f"ws://{address}/ws?token={alice.access_token}") as ws:
        meta = await execute(client, alice, parent, name="Ada")
        await send(ws, "subscribe_graph_execution", {"graph_exec_id": meta["id"], "last_seq": 0})
        assert (await receive(ws))["success"] is True
        messages = await events_until_done(ws)
    channel = f"{alice.id}|graph_exec#{meta['id']}"
    graph_events = [m for m in messages if m["method"] == "graph_execution_event"]
    sub_events = [m for m in graph_events if m["data"]["id"] != meta["id"]]
    assert sub_events, "no event of the sub-agent run reached the parent's subscriber"
    assert all(m["channel"] == channel for m in sub_events)
    assert {m["data"]["parent_exec_id"] for m in sub_events} == {meta["id"]}
    assert sub_events[-1]["data"]["status"] == "COMPLETED"
    call = next(
        m["data"]
        for m in messages
        if m["method"] == "node_execution_event" and m["data"]["block_id"] == AGENT_EXECUTOR_BLOCK
    )
    assert {m["data"]["parent_node_exec_id"] for m in sub_events} == {call["node_exec_id"]}
    # The child's own node events go to its subscribers only, not to the parent's.
    node_runs = {m["data"]["graph_exec_id"] for m in messages if "node_exec_id" in m["data"]}
    assert node_runs == {meta["id"]}
