"""Every route of the OpenAPI spec, tried by Mallory on Alice's things: 404 or 403, and
nothing of Alice's in any answer; then Alice's things are checked to be as they were.

The walk reads the app's own spec, so a route added later is tried too. A route whose path
names one of Alice's things (a graph, a run, an API key, credentials) must refuse; any
other route may answer, but only with Mallory's own data.
"""

import asyncio
import json
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect

from blockyard.api.app import create_app
from tests.api.helpers import create_graph, execute, greeting_agent, wait_for_run
from tests.api.test_api_ws import live_server
from tests.security.conftest import MARKERS, World
from tests.security.spec_walk import Operation, Sampler, operations

OWNED = frozenset({"graph_id", "graph_exec_id", "key_id", "credential_id", "user_id"})
"""Path parameters that name one user's things (or the user: an administrator's routes);
the rest (provider, block) are shared."""
EXAMPLES: dict[str, Any] = {
    "PUT /api/graphs/{graph_id}": lambda: {"graph": greeting_agent()},
    "POST /api/graphs/{graph_id}/executions/{graph_exec_id}/rerun": lambda: {"node_id": "fill"},
    "POST /api/graphs/{graph_id}/execute/{graph_version}": lambda: {"inputs": {"name": "m"}},
}


def request_for(op: Operation, world: World, sampler: Sampler) -> dict[str, Any]:
    """URL, query and body for ``op`` aimed at Alice's things."""
    path = op.path
    for name in op.path_params:
        assert name in world.ids, (
            f"{op} takes the path parameter {name!r}: give Alice one in tests/security/"
            "conftest.py (build_world) so that the isolation walk can aim at it"
        )
        path = path.replace("{" + name + "}", str(world.ids[name]))
    params = {p["name"]: sampler.sample(p.get("schema", {})) for p in op.required_query()}
    request: dict[str, Any] = {"method": op.method.upper(), "url": path, "params": params}
    example = EXAMPLES.get(str(op))
    schema = op.body_schema()
    if example is not None:
        request["json"] = example()
    elif schema is not None:
        request["json"] = sampler.sample(schema)
    return request


def leaked(response: httpx.Response) -> list[str]:
    return [marker for marker in MARKERS if marker in response.text]


async def snapshot(world: World) -> dict[str, Any]:
    """What Alice sees of her things (to compare before and after the attack)."""
    client, headers, ids = world.client, world.alice.headers, world.ids
    paths = {
        "graph": f"/api/graphs/{ids['graph_id']}",
        "versions": f"/api/graphs/{ids['graph_id']}/versions",
        "run": f"/api/graphs/{ids['graph_id']}/executions/{ids['graph_exec_id']}",
        "credentials": "/api/integrations/credentials",
        "keys": "/api/api-keys",
    }
    seen = {}
    for name, path in paths.items():
        response = await client.get(path, headers=headers)
        assert response.status_code == 200, (name, response.text)
        seen[name] = response.json()
    for key in seen["keys"]:
        key.pop("last_used_at", None)
    return seen


@pytest.mark.parametrize("credential", ["bearer", "api_key"])
async def test_every_route_refuses_another_users_things(world: World, credential: str) -> None:
    app_spec = (await world.client.get("/openapi.json")).json()
    sampler = Sampler(app_spec)
    headers = world.mallory.headers if credential == "bearer" else {"X-API-Key": world.mallory_key}
    before = await snapshot(world)
    tried = 0
    for op in operations(app_spec):
        request = request_for(op, world, sampler)
        response = await world.client.request(**request, headers=headers)
        tried += 1
        assert response.status_code < 500, (str(op), response.text)
        assert not leaked(response), (str(op), response.status_code, leaked(response))
        if OWNED & set(op.path_params):
            assert response.status_code in (403, 404), (
                str(op),
                response.status_code,
                response.text,
            )
    assert tried >= 30
    assert await snapshot(world) == before


async def test_alice_reaches_the_same_urls(world: World) -> None:
    """The control: the ids the walk aims at are right (Alice gets her things)."""
    app_spec = (await world.client.get("/openapi.json")).json()
    sampler = Sampler(app_spec)
    reads = [
        op
        for op in operations(app_spec)
        if op.method == "get"
        and OWNED & set(op.path_params)
        and not op.path.startswith("/api/admin/")  # Alice is no administrator
    ]
    assert len(reads) >= 6
    for op in reads:
        request = request_for(op, world, sampler)
        response = await world.client.request(**request, headers=world.alice.headers)
        assert response.status_code == 200, (str(op), response.text)


async def test_websocket_subscriptions_to_another_users_runs_get_nothing(world: World) -> None:
    app = create_app(world.container)
    async with live_server(app) as address, httpx.AsyncClient(base_url=f"http://{address}") as c:
        graph = await create_graph(c, world.alice, greeting_agent())
        url = f"ws://{address}/ws?token={world.mallory.access_token}"
        async with connect(url) as ws:
            for method, data in (
                ("subscribe_graph_execution", {"graph_exec_id": world.ids["graph_exec_id"]}),
                (
                    "subscribe_graph_execution",
                    {"graph_exec_id": world.ids["graph_exec_id"], "last_seq": 0},
                ),
                ("subscribe_graph_executions", {"graph_id": graph["id"]}),
            ):
                await ws.send(json.dumps({"method": method, "data": data}))
                reply = json.loads(await asyncio.wait_for(ws.recv(), 10))
                assert reply["method"] == "error" and reply["success"] is False, reply
            run = await execute(c, world.alice, graph, name="alice-input-marker")
            await wait_for_run(c, world.alice, graph["id"], run["id"])
            await ws.send(json.dumps({"method": "heartbeat", "data": "ping"}))
            reply = json.loads(await asyncio.wait_for(ws.recv(), 10))
            assert reply == {"method": "heartbeat", "data": "pong", "success": True}
