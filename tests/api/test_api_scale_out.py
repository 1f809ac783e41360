"""The main flow on PostgreSQL, and two API processes sharing PostgreSQL and Redis."""

import json
from pathlib import Path

import pytest
from websockets.asyncio.client import connect

from blockyard.api.app import create_app
from tests.api.helpers import (
    create_graph,
    execute,
    greeting_agent,
    make_settings,
    running_container,
    serving,
    signup,
    wait_for_run,
)
from tests.api.test_api_ws import events_until_done, live_server, receive, send


@pytest.mark.postgres
async def test_main_flow_on_postgres(postgres_url: str, tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data", database_url=postgres_url)
    async with running_container(settings) as container, serving(container) as (_, client):
        alice, bob = await signup(client), await signup(client)
        graph = await create_graph(client, alice, greeting_agent())
        meta = await execute(client, alice, graph, name="Ada")
        run = await wait_for_run(client, alice, graph["id"], meta["id"])
        assert run["status"] == "COMPLETED"
        assert run["outputs"] == {"greeting": ["Hello, Ada!"]}
        assert len(run["node_executions"]) == 3
        url = f"/api/graphs/{graph['id']}/executions/{meta['id']}"
        assert (await client.get(url, headers=bob.headers)).status_code == 404
        exported = await client.get(f"/api/graphs/{graph['id']}/export", headers=alice.headers)
        assert exported.json()["id"] == graph["id"]


@pytest.mark.postgres
@pytest.mark.redis
async def test_events_reach_a_socket_on_another_api_process(
    postgres_url: str, redis_url: str, redis_prefix: str, tmp_path: Path
) -> None:
    """Process A runs the agent (its worker takes the job from Redis); a client watches
    through process B, which has no worker: the events travel over Redis pub/sub."""
    shared = {"database_url": postgres_url, "redis_url": redis_url}
    runner = make_settings(tmp_path / "a", workers=1, **shared)
    viewer = make_settings(tmp_path / "b", workers=0, jwt_secret="shared-secret", **shared)
    runner = runner.model_copy(update={"jwt_secret": "shared-secret"})
    async with (
        running_container(runner, redis_prefix=redis_prefix) as a,
        running_container(viewer, redis_prefix=redis_prefix) as b,
        serving(a) as (_, client_a),
        live_server(create_app(b)) as address_b,
    ):
        alice = await signup(client_a)
        graph = await create_graph(client_a, alice, greeting_agent(slow_seconds=0.2))
        async with connect(f"ws://{address_b}/ws?token={alice.access_token}") as ws:
            await send(ws, "subscribe_graph_executions", {"graph_id": graph["id"]})
            assert (await receive(ws))["success"] is True
            meta = await execute(client_a, alice, graph, name="Ada")
            await send(ws, "subscribe_graph_execution", {"graph_exec_id": meta["id"]})
            messages = await events_until_done(ws)
    final = messages[-1]["data"]
    assert final["id"] == meta["id"] and final["status"] == "COMPLETED"
    assert final["outputs"] == {"greeting": ["Hello, Ada!"]}
    assert json.dumps(messages)  # every message is plain JSON
