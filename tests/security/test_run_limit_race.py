"""The runs-per-user limit holds under a burst of simultaneous submits spread over two API
processes on one database (SQLite and PostgreSQL): exactly ``limit`` are accepted, the
others get the 429 that says why."""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.api.helpers import (
    create_graph,
    greeting_agent,
    make_settings,
    running_container,
    serving,
    signup,
)

LIMIT = 3


@pytest.fixture
async def two_apis(database_url: str, tmp_path: Path) -> AsyncIterator[list[httpx.AsyncClient]]:
    """Two containers (each its own pools and writer), no workers: runs stay queued."""
    settings = make_settings(
        tmp_path / "data", database_url=database_url, workers=0, max_user_executions=LIMIT
    )
    async with (
        running_container(settings) as first,
        running_container(settings) as second,
        serving(first) as (_first_app, first_client),
        serving(second) as (_second_app, second_client),
    ):
        yield [first_client, second_client]


async def test_a_burst_of_submits_admits_exactly_the_limit(
    two_apis: list[httpx.AsyncClient],
) -> None:
    user = await signup(two_apis[0])
    graph = await create_graph(two_apis[0], user, greeting_agent())
    url = f"/api/graphs/{graph['id']}/execute/1"
    responses = await asyncio.gather(
        *(
            two_apis[i % 2].post(url, json={"inputs": {"name": f"r{i}"}}, headers=user.headers)
            for i in range(LIMIT + 5)
        )
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * LIMIT + [429] * 5, [r.text for r in responses]
    for refused in (r for r in responses if r.status_code == 429):
        assert "runs queued or running" in refused.json()["detail"]
        assert int(refused.headers["retry-after"]) >= 1
    for client in two_apis:
        listed = await client.get("/api/executions", headers=user.headers)
        assert len(listed.json()) == LIMIT

    accepted = next(r.json() for r in responses if r.status_code == 200)
    runs = f"/api/graphs/{graph['id']}/executions/{accepted['id']}"
    stopped = await two_apis[1].post(f"{runs}/stop", headers=user.headers)
    assert stopped.status_code == 200  # one place comes free: a re-run competes for it too
    first = graph["nodes"][0]["id"]
    contenders = [
        two_apis[0].post(f"{runs}/rerun", json={"node_id": first}, headers=user.headers),
        two_apis[1].post(url, json={"inputs": {"name": "x"}}, headers=user.headers),
        two_apis[0].post(url, json={"inputs": {"name": "y"}}, headers=user.headers),
    ]
    again = await asyncio.gather(*contenders)
    assert sorted(r.status_code for r in again) == [200, 429, 429], [r.text for r in again]
