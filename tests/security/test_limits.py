"""Limits, each with a clear error: agent size, run input size, runs at once per user,
sign-in and API-key rate limits, the admin guard, and logout that really revokes."""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from blockyard.api.auth import hash_password
from blockyard.wiring import Container
from tests.api.helpers import (
    PASSWORD,
    ApiUser,
    create_graph,
    execute,
    greeting_agent,
    link,
    make_settings,
    node,
    running_container,
    serving,
    signup,
    wait_for_status,
)

INPUT_BLOCK = "c0a8e994-ebf1-4a9c-a4d8-89d09c86741b"

LIMITS = {
    "max_graph_nodes": 6,
    "max_graph_links": 4,
    "max_input_bytes": 2000,
    "max_user_executions": 2,
    "login_attempts_per_minute": 3,
    "api_key_requests_per_minute": 4,
}


@pytest.fixture
async def limited(tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, Container]]:
    settings = make_settings(tmp_path / "data", **LIMITS)
    async with running_container(settings) as container, serving(container) as (_app, client):
        yield client, container


def wide_agent(nodes: int, links: int) -> dict[str, Any]:
    agent = greeting_agent()
    agent["nodes"] = [node(f"n{i}", INPUT_BLOCK, name=f"in{i}") for i in range(nodes)]
    agent["links"] = [link(f"n{i}", "result", f"n{i + 1}", "value") for i in range(links)]
    return agent


async def graph_count(client: httpx.AsyncClient, user: ApiUser) -> int:
    return len((await client.get("/api/graphs", headers=user.headers)).json())


async def test_agents_over_the_node_or_link_limit_are_refused_everywhere(
    limited: tuple[httpx.AsyncClient, Container],
) -> None:
    client, _ = limited
    user = await signup(client)
    saved = await create_graph(client, user, wide_agent(3, 2))
    for agent, what in ((wide_agent(7, 0), "7 nodes"), (wide_agent(6, 5), "5 links")):
        for method, url, body in (
            ("POST", "/api/graphs", {"graph": agent}),
            ("PUT", f"/api/graphs/{saved['id']}", {"graph": agent}),
            ("POST", "/api/graphs/import", agent),
        ):
            response = await client.request(method, url, json=body, headers=user.headers)
            assert response.status_code == 413, (url, response.text)
            assert what in response.json()["detail"]
    assert await graph_count(client, user) == 1
    versions = await client.get(f"/api/graphs/{saved['id']}/versions", headers=user.headers)
    assert len(versions.json()) == 1


async def test_run_inputs_over_the_limit_are_refused(
    limited: tuple[httpx.AsyncClient, Container],
) -> None:
    client, _ = limited
    user = await signup(client)
    graph = await create_graph(client, user, greeting_agent())
    response = await client.post(
        f"/api/graphs/{graph['id']}/execute/1",
        json={"inputs": {"name": "x" * 5000}},
        headers=user.headers,
    )
    assert response.status_code == 413 and "larger than" in response.json()["detail"]
    assert (await client.get("/api/executions", headers=user.headers)).json() == []


async def test_a_user_may_have_only_so_many_runs_at_once(
    limited: tuple[httpx.AsyncClient, Container],
) -> None:
    client, _ = limited
    user, other = await signup(client), await signup(client)
    graph = await create_graph(client, user, greeting_agent(slow_seconds=30))
    runs = [await execute(client, user, graph, name=f"r{i}") for i in range(2)]
    refused = await client.post(
        f"/api/graphs/{graph['id']}/execute/1",
        json={"inputs": {"name": "r3"}},
        headers=user.headers,
    )
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    assert "runs queued or running" in refused.json()["detail"]
    other_graph = await create_graph(client, other, greeting_agent())
    await execute(client, other, other_graph, name="fine")  # the limit is per user
    for run in runs:
        await wait_for_status(client, user, graph["id"], run["id"], "RUNNING")
        stop = f"/api/graphs/{graph['id']}/executions/{run['id']}/stop"
        assert (await client.post(stop, headers=user.headers)).status_code == 200
    await execute(client, user, graph, name="again")


async def test_sign_in_attempts_are_limited_per_account(
    limited: tuple[httpx.AsyncClient, Container],
) -> None:
    client, _ = limited
    user = await signup(client)  # one login spent
    for _ in range(2):
        wrong = await client.post(
            "/api/auth/login", json={"email": user.email, "password": "wrong password"}
        )
        assert wrong.status_code == 401
    blocked = await client.post("/api/auth/login", json={"email": user.email, "password": PASSWORD})
    assert blocked.status_code == 429 and "Retry-After" in blocked.headers
    assert blocked.json()["type"] == "RateLimitError"
    other = await signup(client)  # another account is not affected
    assert other.access_token


async def test_api_keys_are_rate_limited_per_key(
    limited: tuple[httpx.AsyncClient, Container],
) -> None:
    client, _ = limited
    user = await signup(client)
    keys = []
    for name in ("a", "b"):
        made = await client.post(
            "/api/api-keys", json={"name": name, "scopes": ["read"]}, headers=user.headers
        )
        keys.append({"X-API-Key": made.json()["key"]})
    statuses = [(await client.get("/api/graphs", headers=keys[0])).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    assert (await client.get("/api/graphs", headers=keys[1])).status_code == 200
    assert (await client.get("/api/graphs", headers=user.headers)).status_code == 200


async def test_admin_routes_are_for_admins_only(
    limited: tuple[httpx.AsyncClient, Container],
) -> None:
    client, container = limited
    user = await signup(client)
    assert (await client.get("/api/admin/encryption", headers=user.headers)).status_code == 403
    await container.repos.users.create(
        "root@example.com", await hash_password(PASSWORD), is_admin=True
    )
    tokens = await client.post(
        "/api/auth/login", json={"email": "root@example.com", "password": PASSWORD}
    )
    admin = {"Authorization": f"Bearer {tokens.json()['access_token']}"}
    status = await client.get("/api/admin/encryption", headers=admin)
    assert status.status_code == 200
    assert status.json()["current_key_id"] == container.integrations.vault.keys.current_id


async def test_logout_really_revokes_the_refresh_token(
    limited: tuple[httpx.AsyncClient, Container],
) -> None:
    client, _ = limited
    user = await signup(client)
    body = {"refresh_token": user.refresh_token}
    assert (await client.post("/api/auth/logout", json=body)).status_code == 204
    assert (await client.post("/api/auth/refresh", json=body)).status_code == 401
