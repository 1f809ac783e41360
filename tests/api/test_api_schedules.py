"""Schedules through the HTTP API: create, read, change, delete, fire; errors; ownership."""

import asyncio
import time
import uuid
from typing import Any

import httpx

from blockyard.engine.redact import MASK
from blockyard.wiring import Container
from tests.api.helpers import (
    INPUT_BLOCK,
    OUTPUT_BLOCK,
    TEMPLATE_BLOCK,
    ApiUser,
    create_graph,
    greeting_agent,
    link,
    node,
    wait_for_run,
)


def secret_agent() -> dict[str, Any]:
    """token (secret) -> "Token: {{ token }}" -> output ``shown``."""
    return {
        "id": str(uuid.uuid4()),
        "version": 1,
        "name": "Uses a token",
        "nodes": [
            node("in", INPUT_BLOCK, name="token", secret=True),
            node("fill", TEMPLATE_BLOCK, format="Token: {{ token }}"),
            node("out", OUTPUT_BLOCK, name="shown"),
        ],
        "links": [
            link("in", "result", "fill", "values_#_token"),
            link("fill", "output", "out", "value"),
        ],
        "sub_graphs": [],
    }


async def make_schedule(
    client: httpx.AsyncClient, user: ApiUser, graph: dict[str, Any], **body: Any
) -> httpx.Response:
    payload = {"name": "Every morning", "cron": "0 9 * * 1-5", "timezone": "Europe/Paris"}
    payload.update(body)
    return await client.post(
        f"/api/graphs/{graph['id']}/schedules", json=payload, headers=user.headers
    )


async def test_create_read_change_and_delete(client: httpx.AsyncClient, alice: ApiUser) -> None:
    graph = await create_graph(client, alice, greeting_agent())
    made = await make_schedule(client, alice, graph, inputs={"name": "Ada"})
    assert made.status_code == 201, made.text
    schedule = made.json()
    assert schedule["enabled"] is True and schedule["inputs"] == {"name": "Ada"}
    assert schedule["graph_version"] is None and schedule["next_run_at"] is not None
    url = f"/api/schedules/{schedule['id']}"
    assert (await client.get(url, headers=alice.headers)).json() == schedule
    listed = await client.get(f"/api/graphs/{graph['id']}/schedules", headers=alice.headers)
    assert [s["id"] for s in listed.json()] == [schedule["id"]]
    assert len((await client.get("/api/schedules", headers=alice.headers)).json()) == 1

    paused = await client.patch(url, json={"enabled": False}, headers=alice.headers)
    assert paused.status_code == 200 and paused.json()["next_run_at"] is None
    resumed = await client.patch(
        url, json={"enabled": True, "cron": "*/5 * * * *"}, headers=alice.headers
    )
    assert resumed.json()["cron"] == "*/5 * * * *" and resumed.json()["next_run_at"]
    assert (await client.delete(url, headers=alice.headers)).status_code == 204
    assert (await client.get(url, headers=alice.headers)).status_code == 404


async def test_bad_schedules_are_refused_clearly(client: httpx.AsyncClient, alice: ApiUser) -> None:
    graph = await create_graph(client, alice, greeting_agent())
    cases = [
        ({"cron": "61 * * * *", "inputs": {"name": "A"}}, "Invalid cron expression"),
        ({"cron": "* * *", "inputs": {"name": "A"}}, "five fields"),
        ({"timezone": "Mars/Olympus", "inputs": {"name": "A"}}, "Unknown time zone"),
        ({"inputs": {}}, "name"),  # the agent's required input is missing
    ]
    for body, message in cases:
        response = await make_schedule(client, alice, graph, **body)
        assert response.status_code == 422, response.text
        assert message in response.text
    missing = await client.post(
        f"/api/graphs/{uuid.uuid4()}/schedules",
        json={"name": "x", "cron": "* * * * *"},
        headers=alice.headers,
    )
    assert missing.status_code == 404


async def test_another_users_schedule_is_not_found(
    client: httpx.AsyncClient, alice: ApiUser, bob: ApiUser
) -> None:
    graph = await create_graph(client, alice, greeting_agent())
    schedule = (await make_schedule(client, alice, graph, inputs={"name": "Ada"})).json()
    url = f"/api/schedules/{schedule['id']}"
    assert (await client.get(url, headers=bob.headers)).status_code == 404
    paused = await client.patch(url, json={"enabled": False}, headers=bob.headers)
    assert paused.status_code == 404
    assert (await client.delete(url, headers=bob.headers)).status_code == 404
    assert (await client.get("/api/schedules", headers=bob.headers)).json() == []
    on_graph = await make_schedule(client, bob, graph, inputs={"name": "Bob"})
    assert on_graph.status_code == 404


async def test_a_due_schedule_runs_the_agent_with_its_secret_inputs(
    client: httpx.AsyncClient, alice: ApiUser, container: Container
) -> None:
    graph = await create_graph(client, alice, secret_agent())
    made = await make_schedule(client, alice, graph, cron="0 0 1 1 *", inputs={"token": "s3cr3t"})
    assert made.status_code == 201, made.text
    schedule = made.json()
    assert schedule["inputs"] == {"token": MASK}
    stored = await container.repos.schedules.get(alice.id, schedule["id"])
    assert "s3cr3t" not in str(stored.inputs)

    # Make it due now, as if New Year had come, and let the scheduler find it.
    await container.repos.schedules.update(alice.id, schedule["id"], next_run_at=time.time())
    assert container.scheduler is not None
    container.scheduler.wake()
    url = f"/api/schedules/{schedule['id']}"
    fired: dict[str, Any] = {}
    for _ in range(500):  # a bound against hangs, not a timing assertion
        fired = (await client.get(url, headers=alice.headers)).json()
        if fired["last_exec_id"]:
            break
        await asyncio.sleep(0.02)
    assert fired["last_exec_id"], fired
    assert fired["last_error"] is None and fired["last_run_at"] is not None
    assert fired["next_run_at"] == schedule["next_run_at"]  # back to next New Year
    run = await wait_for_run(client, alice, graph["id"], fired["last_exec_id"])
    assert run["status"] == "COMPLETED"
    assert run["outputs"] == {"shown": ["Token: s3cr3t"]}
    assert "s3cr3t" not in str(run["inputs"])
