"""Running agents through the HTTP API: outputs, node executions, stop, re-run, ownership."""

import httpx

from tests.api.helpers import (
    ApiUser,
    create_graph,
    execute,
    greeting_agent,
    node,
    wait_for_run,
    wait_for_status,
)

NUMBER_INPUT_BLOCK = "96dae2bb-97a2-41c2-bd2f-13a3b5a8ea98"


async def run_greeting(client: httpx.AsyncClient, user: ApiUser) -> tuple[dict, dict]:  # type: ignore[type-arg]
    graph = await create_graph(client, user, greeting_agent())
    meta = await execute(client, user, graph, name="Ada")
    return graph, await wait_for_run(client, user, graph["id"], meta["id"])


async def test_execute_and_read_outputs_and_node_executions(
    client: httpx.AsyncClient, alice: ApiUser
) -> None:
    graph = await create_graph(client, alice, greeting_agent())
    meta = await execute(client, alice, graph, name="Ada")
    assert meta["status"] in {"QUEUED", "RUNNING", "COMPLETED"}
    assert (meta["graph_id"], meta["graph_version"], meta["user_id"]) == (
        graph["id"],
        1,
        alice.id,
    )
    assert meta["inputs"] == {"name": "Ada"}

    run = await wait_for_run(client, alice, graph["id"], meta["id"])
    assert run["status"] == "COMPLETED", run
    assert run["outputs"] == {"greeting": ["Hello, Ada!"]}
    node_execs = run["node_executions"]
    assert len(node_execs) == 3
    assert {n["status"] for n in node_execs} == {"COMPLETED"}
    by_node = {n["node_id"]: n for n in node_execs}
    fill = next(n for n in graph["nodes"] if n["input_default"].get("format"))
    assert by_node[fill["id"]]["output_data"] == {"output": ["Hello, Ada!"]}
    assert by_node[fill["id"]]["input_data"]["values"] == {"name": "Ada"}
    assert all(n["end_time"] and n["start_time"] for n in node_execs)
    assert run["ended_at"] and run["started_at"]


async def test_executions_are_listed(client: httpx.AsyncClient, alice: ApiUser) -> None:
    graph, run = await run_greeting(client, alice)
    _, other_run = await run_greeting(client, alice)
    all_runs = (await client.get("/api/executions", headers=alice.headers)).json()
    assert {r["id"] for r in all_runs} == {run["id"], other_run["id"]}
    of_graph = await client.get(f"/api/graphs/{graph['id']}/executions", headers=alice.headers)
    assert [r["id"] for r in of_graph.json()] == [run["id"]]


async def test_missing_inputs_are_validation_errors(
    client: httpx.AsyncClient, alice: ApiUser
) -> None:
    graph = await create_graph(client, alice, greeting_agent())
    response = await client.post(
        f"/api/graphs/{graph['id']}/execute/1", json={"inputs": {}}, headers=alice.headers
    )
    assert response.status_code == 422
    body = response.json()
    assert body["type"] == "GraphValidationError"
    assert any(p["node_id"] for p in body["problems"])


async def test_unknown_inputs_and_values_of_the_wrong_kind_are_refused(
    client: httpx.AsyncClient, alice: ApiUser
) -> None:
    agent = greeting_agent()
    agent["nodes"].append(node("count", NUMBER_INPUT_BLOCK, name="count", value=1))
    graph = await create_graph(client, alice, agent)
    url = f"/api/graphs/{graph['id']}/execute/1"
    cases = [
        ({"name": "Ada", "bogus": 1}, "This agent has no input 'bogus'; its inputs are: 'count'"),
        ({"name": "Ada", "count": "many"}, "Input 'count': "),
    ]
    for inputs, message in cases:
        response = await client.post(url, json={"inputs": inputs}, headers=alice.headers)
        assert response.status_code == 422, response.text
        assert response.json()["detail"].startswith(message), response.text
    fine = await client.post(
        url, json={"inputs": {"name": "Ada", "count": 3}}, headers=alice.headers
    )
    assert fine.status_code == 200, fine.text


async def test_stop_terminates_a_running_execution(
    client: httpx.AsyncClient, alice: ApiUser
) -> None:
    graph = await create_graph(client, alice, greeting_agent(slow_seconds=60))
    meta = await execute(client, alice, graph, name="Ada")
    await wait_for_status(client, alice, graph["id"], meta["id"], "RUNNING")
    stopped = await client.post(
        f"/api/graphs/{graph['id']}/executions/{meta['id']}/stop", headers=alice.headers
    )
    assert stopped.status_code == 200, stopped.text
    run = await wait_for_run(client, alice, graph["id"], meta["id"])
    assert run["status"] == "TERMINATED"
    assert run["outputs"] == {}


async def test_rerun_from_a_node_makes_a_new_run(client: httpx.AsyncClient, alice: ApiUser) -> None:
    graph, run = await run_greeting(client, alice)
    fill = next(n for n in graph["nodes"] if n["input_default"].get("format"))
    response = await client.post(
        f"/api/graphs/{graph['id']}/executions/{run['id']}/rerun",
        json={"node_id": fill["id"]},
        headers=alice.headers,
    )
    assert response.status_code == 200, response.text
    rerun = await wait_for_run(client, alice, graph["id"], response.json()["id"])
    assert rerun["id"] != run["id"]
    assert rerun["status"] == "COMPLETED"
    assert rerun["outputs"] == {"greeting": ["Hello, Ada!"]}


async def test_other_users_get_404_on_every_execution_route(
    client: httpx.AsyncClient, alice: ApiUser, bob: ApiUser
) -> None:
    graph, run = await run_greeting(client, alice)
    base = f"/api/graphs/{graph['id']}/executions/{run['id']}"
    for method, url, body in [
        ("GET", base, None),
        ("POST", f"{base}/stop", None),
        ("POST", f"{base}/rerun", {"node_id": graph["nodes"][0]["id"]}),
        ("GET", f"/api/graphs/{graph['id']}/executions", None),
    ]:
        response = await client.request(method, url, json=body, headers=bob.headers)
        assert response.status_code == 404, (method, url, response.text)
    assert (await client.get("/api/executions", headers=bob.headers)).json() == []

    # A run of another graph of the same user is not found under this graph's path either.
    other = await create_graph(client, alice, greeting_agent())
    wrong_graph = f"/api/graphs/{other['id']}/executions/{run['id']}"
    assert (await client.get(wrong_graph, headers=alice.headers)).status_code == 404
