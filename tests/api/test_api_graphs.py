"""Graphs through the HTTP API: CRUD, versions, validation, import and export, ownership."""

import copy
from typing import Any

import httpx

from tests.api.helpers import (
    INPUT_BLOCK,
    OUTPUT_BLOCK,
    TEMPLATE_BLOCK,
    ApiUser,
    create_graph,
    greeting_agent,
    link,
    node,
)


async def test_graph_crud_and_versions(client: httpx.AsyncClient, alice: ApiUser) -> None:
    sent = greeting_agent()
    created = await create_graph(client, alice, sent)
    graph_id = created["id"]
    assert graph_id != sent["id"]  # fresh ids on create
    assert created["version"] == 1 and created["is_active"] is True
    assert "name" in created["input_schema"]["properties"]
    assert created["input_schema"]["required"] == ["name"]
    assert "greeting" in created["output_schema"]["properties"]
    assert len(created["nodes"]) == 3 and len(created["links"]) == 2

    listed = (await client.get("/api/graphs", headers=alice.headers)).json()
    assert [(g["id"], g["version"], g["name"]) for g in listed] == [(graph_id, 1, "Greeter")]

    changed = copy.deepcopy(created)
    changed["name"] = "Greeter 2"
    updated = await client.put(
        f"/api/graphs/{graph_id}", json={"graph": changed}, headers=alice.headers
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["version"] == 2 and updated.json()["name"] == "Greeter 2"

    versions = (await client.get(f"/api/graphs/{graph_id}/versions", headers=alice.headers)).json()
    assert sorted(v["version"] for v in versions) == [1, 2]
    v1 = await client.get(f"/api/graphs/{graph_id}/versions/1", headers=alice.headers)
    assert v1.json()["name"] == "Greeter"
    assert (await client.get(f"/api/graphs/{graph_id}", headers=alice.headers)).json()[
        "version"
    ] == 2

    active = await client.put(
        f"/api/graphs/{graph_id}/versions/active",
        json={"active_graph_version": 1},
        headers=alice.headers,
    )
    assert active.status_code == 200, active.text
    current = (await client.get(f"/api/graphs/{graph_id}", headers=alice.headers)).json()
    assert (current["version"], current["name"]) == (1, "Greeter")

    deleted = await client.delete(f"/api/graphs/{graph_id}", headers=alice.headers)
    assert deleted.status_code == 204
    gone = await client.get(f"/api/graphs/{graph_id}", headers=alice.headers)
    assert gone.status_code == 404
    assert gone.json()["type"] == "NotFoundError"


async def test_validation_problems_name_their_nodes(
    client: httpx.AsyncClient, alice: ApiUser
) -> None:
    graph = greeting_agent()
    graph["nodes"].append(node("ghost", "00000000-dead-4000-8000-000000000000"))
    graph["links"].append(link("fill", "no_such_pin", "out", "value"))
    response = await client.post("/api/graphs", json={"graph": graph}, headers=alice.headers)
    assert response.status_code == 422
    body = response.json()
    assert body["type"] == "GraphValidationError"
    assert body["detail"]
    problems = body["problems"]
    assert all({"node_id", "field", "message"} <= set(p) for p in problems)
    node_ids = {p["node_id"] for p in problems}
    # The unknown block and the node with the unknown pin, by the ids the caller sent.
    assert {"ghost", "fill"} <= node_ids


async def test_a_graph_that_is_not_a_graph_is_422(
    client: httpx.AsyncClient, alice: ApiUser
) -> None:
    response = await client.post(
        "/api/graphs", json={"graph": {"nodes": "many"}}, headers=alice.headers
    )
    assert response.status_code == 422
    assert response.json()["type"] == "RequestValidationError"


def autogpt_export() -> dict[str, Any]:
    """An agent file as AutoGPT exports it: a known chain plus one block we lack."""
    graph = greeting_agent()
    graph["nodes"].append(
        node("mystery", "11111111-2222-4333-8444-555555555555", api_key="sk-secret-value")
    )
    graph.update({"is_active": True, "forked_from_id": None, "user_id": "someone-else"})
    return graph


async def test_import_reports_missing_blocks_and_export_round_trips(
    client: httpx.AsyncClient, alice: ApiUser
) -> None:
    response = await client.post("/api/graphs/import", json=autogpt_export(), headers=alice.headers)
    assert response.status_code == 201, response.text
    body = response.json()
    graph = body["graph"]
    mystery = next(n for n in graph["nodes"] if n["block_id"].startswith("11111111"))
    assert body["missing_blocks"] == [{"node_id": mystery["id"], "block_id": mystery["block_id"]}]

    exported = await client.get(f"/api/graphs/{graph['id']}/export", headers=alice.headers)
    assert exported.status_code == 200
    agent = exported.json()
    assert agent["id"] == graph["id"]
    assert {n["id"] for n in agent["nodes"]} == {n["id"] for n in graph["nodes"]}
    assert "sk-secret-value" not in exported.text  # secrets are stripped on export
    for_export = await client.get(
        f"/api/graphs/{graph['id']}", params={"for_export": "true"}, headers=alice.headers
    )
    assert for_export.json() == agent

    again = await client.post("/api/graphs/import", json=agent, headers=alice.headers)
    assert again.status_code == 201
    assert again.json()["graph"]["id"] != graph["id"]


async def test_import_of_unreadable_json_is_a_clear_4xx(
    client: httpx.AsyncClient, alice: ApiUser
) -> None:
    response = await client.post(
        "/api/graphs/import", json={"nodes": [{"no": "block id"}]}, headers=alice.headers
    )
    assert response.status_code == 422
    assert response.json()["type"] in {"AgentFormatError", "RequestValidationError"}


async def test_other_users_get_404_on_every_graph_route(
    client: httpx.AsyncClient, alice: ApiUser, bob: ApiUser
) -> None:
    graph = await create_graph(client, alice, greeting_agent())
    gid = graph["id"]
    calls = [
        ("GET", f"/api/graphs/{gid}", None),
        ("GET", f"/api/graphs/{gid}?for_export=true", None),
        ("PUT", f"/api/graphs/{gid}", {"graph": graph}),
        ("DELETE", f"/api/graphs/{gid}", None),
        ("GET", f"/api/graphs/{gid}/versions", None),
        ("GET", f"/api/graphs/{gid}/versions/1", None),
        ("PUT", f"/api/graphs/{gid}/versions/active", {"active_graph_version": 1}),
        ("GET", f"/api/graphs/{gid}/export", None),
        ("GET", f"/api/graphs/{gid}/executions", None),
        ("POST", f"/api/graphs/{gid}/execute/1", {"inputs": {"name": "x"}}),
    ]
    for method, url, body in calls:
        response = await client.request(method, url, json=body, headers=bob.headers)
        assert response.status_code == 404, (method, url, response.text)
    assert (await client.get("/api/graphs", headers=bob.headers)).json() == []
    still = await client.get(f"/api/graphs/{gid}", headers=alice.headers)
    assert still.status_code == 200 and still.json()["version"] == 1


async def test_blocks_are_listed_with_schemas(client: httpx.AsyncClient, alice: ApiUser) -> None:
    response = await client.get("/api/blocks", headers=alice.headers)
    assert response.status_code == 200
    blocks = {b["id"]: b for b in response.json()}
    for block_id in (INPUT_BLOCK, OUTPUT_BLOCK, TEMPLATE_BLOCK):
        assert blocks[block_id]["inputSchema"]["type"] == "object"
        assert "properties" in blocks[block_id]["outputSchema"]
    assert (await client.get("/api/blocks")).status_code == 401


async def test_one_block_runs_on_its_own(client: httpx.AsyncClient, alice: ApiUser) -> None:
    response = await client.post(
        f"/api/blocks/{TEMPLATE_BLOCK}/execute",
        json={"values": {"name": "Ada"}, "format": "Hi {{ name }}"},
        headers=alice.headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["output"] == ["Hi Ada"]
    missing = await client.post(
        "/api/blocks/00000000-0000-4000-8000-00000000dead/execute", json={}, headers=alice.headers
    )
    assert missing.status_code == 404
    wrong = await client.post(
        f"/api/blocks/{TEMPLATE_BLOCK}/execute", json={"values": 3}, headers=alice.headers
    )
    assert wrong.status_code == 422
