"""A value typed into an Agent Input marked ``secret``: sealed in the store, masked wherever
runs are shown (API, live and replayed WebSocket events), real for the blocks that use it,
and still real after a crash, in a re-run and after a key rotation. SQLite and PostgreSQL.

The agent below deliberately outputs the secret (``Bearer <token>``): what blocks do with
the value is the builder's choice, so graph outputs and downstream nodes are not masked;
the run's inputs and the Agent Input node itself are.
"""

import json
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from websockets.asyncio.client import connect

from blockyard.api.app import create_app
from blockyard.engine import redact
from blockyard.engine.ports import Batch, GraphExecRecord, NodeExecRecord, user_channel
from blockyard.engine.states import ExecutionStatus
from blockyard.graph.agent_json import load_agent
from blockyard.graph.model import Graph
from blockyard.integrations import keys
from blockyard.integrations.crypto import KeyRing, key_id, parse_key, read_retired
from blockyard.integrations.run_inputs import RunInputBox
from blockyard.store.credentials import CredentialRepo
from blockyard.store.executions import SealedInputsRepo
from blockyard.store.leases import LeaseRepo
from blockyard.store.users import User
from blockyard.wiring import Container
from tests.api.helpers import (
    INPUT_BLOCK,
    OUTPUT_BLOCK,
    TEMPLATE_BLOCK,
    ApiUser,
    create_graph,
    link,
    make_settings,
    node,
    running_container,
    serving,
    signup,
    wait_for_run,
)
from tests.api.test_api_ws import events_until_done, live_server, receive, send

SECRET = "sk-typed-secret-7731"
MASK = redact.MASK


def template_agent(inputs: dict[str, bool], template: str, output: str) -> dict[str, Any]:
    """Agent Inputs (name -> secret?) -> Fill Text Template ``template`` -> output."""
    nodes = [node(name, INPUT_BLOCK, name=name, secret=secret) for name, secret in inputs.items()]
    nodes += [node("fill", TEMPLATE_BLOCK, format=template), node("out", OUTPUT_BLOCK, name=output)]
    links = [link(name, "result", "fill", f"values_#_{name}") for name in inputs]
    links.append(link("fill", "output", "out", "value"))
    return {"id": str(uuid.uuid4()), "version": 1, "nodes": nodes, "links": links}


def bearer_agent() -> dict[str, Any]:
    """token (secret) and who (plain) -> "Bearer {{ token }} for {{ who }}" -> header."""
    return template_agent(
        {"token": True, "who": False}, "Bearer {{ token }} for {{ who }}", "header"
    )


def node_id(graph: dict[str, Any], **wanted: Any) -> str:
    """The id of the saved graph's node whose input_default has ``wanted``."""
    for found in graph["nodes"]:
        if all(found["input_default"].get(k) == v for k, v in wanted.items()):
            return str(found["id"])
    raise AssertionError(f"no node with {wanted}")


@pytest.fixture
async def idle(database_url: str, tmp_path: Path) -> AsyncIterator[Container]:
    """A container without workers: runs are stored and queued, and run only when told."""
    settings = make_settings(tmp_path / "data", database_url=database_url, workers=0)
    async with running_container(settings) as container:
        yield container


@pytest.fixture
async def api(
    database_url: str, tmp_path: Path
) -> AsyncIterator[tuple[httpx.AsyncClient, Container]]:
    """The API over a container whose worker runs what is submitted."""
    settings = make_settings(tmp_path / "data", database_url=database_url)
    async with running_container(settings) as container, serving(container) as served:
        yield served[1], container


async def start(
    client: httpx.AsyncClient, user: ApiUser, graph: dict[str, Any], inputs: dict[str, Any]
) -> httpx.Response:
    url = f"/api/graphs/{graph['id']}/execute/{graph['version']}"
    return await client.post(url, json={"inputs": inputs}, headers=user.headers)


async def run_agent(
    client: httpx.AsyncClient, user: ApiUser, graph: dict[str, Any], **inputs: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    response = await start(client, user, graph, inputs)
    assert response.status_code == 200, response.text
    meta = response.json()
    return meta, await wait_for_run(client, user, graph["id"], meta["id"])


async def raw_rows(container: Container, graph_exec_id: str) -> str:
    """Every stored column of the run and its node executions, as the database has them."""
    async with container.db.engine.connect() as conn:
        run = await conn.execute(
            text("SELECT * FROM graph_executions WHERE id = :id"), {"id": graph_exec_id}
        )
        nodes = await conn.execute(
            text("SELECT * FROM node_executions WHERE graph_exec_id = :id"), {"id": graph_exec_id}
        )
        return repr([tuple(row) for row in run]) + repr([tuple(row) for row in nodes])


async def raw_node_rows(container: Container, graph_exec_id: str, node: str) -> str:
    async with container.db.engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT * FROM node_executions WHERE graph_exec_id = :id AND node_id = :node"),
            {"id": graph_exec_id, "node": node},
        )
        return repr([tuple(row) for row in rows])


async def stored_run(
    container: Container, agent: dict[str, Any], **inputs: Any
) -> tuple[User, Graph, GraphExecRecord]:
    """A new user's run of ``agent``, stored and queued (not run: no workers)."""
    user = await container.repos.users.create(f"{uuid.uuid4().hex[:8]}@example.com", "x")
    graph = await container.repos.graphs.create(user.id, load_agent(agent))
    return user, graph, await container.service.submit(user.id, graph.id, None, inputs)


async def rotate(container: Container, data_dir: Path, **options: Any) -> keys.RotationReport:
    """``blockyard keys rotate`` with the generated key file, run inputs included."""
    key_file = data_dir / "encryption_key"
    current = key_file.read_text()
    options.setdefault("runs", SealedInputsRepo(container.db))
    repos = CredentialRepo(container.db), LeaseRepo(container.db)
    return await keys.rotate(*repos, data_dir, current, key_file=key_file, **options)


def secret_node(run: dict[str, Any], graph: dict[str, Any]) -> dict[str, Any]:
    wanted = node_id(graph, name="token")
    [found] = [n for n in run["node_executions"] if n["node_id"] == wanted]
    return dict(found)


async def test_a_secret_input_is_sealed_at_rest_masked_in_the_api_and_real_for_blocks(
    api: tuple[httpx.AsyncClient, Container],
) -> None:
    client, container = api
    user = await signup(client)
    graph = await create_graph(client, user, bearer_agent())
    meta, run = await run_agent(client, user, graph, token=SECRET, who="Ada")

    assert run["status"] == "COMPLETED", run
    assert run["outputs"] == {"header": [f"Bearer {SECRET} for Ada"]}  # the block got it
    assert meta["inputs"] == run["inputs"] == {"token": MASK, "who": "Ada"}
    agent_input = secret_node(run, graph)
    assert agent_input["input_data"]["value"] == MASK
    assert agent_input["output_data"] == {"result": [MASK]}
    assert SECRET not in json.dumps(agent_input)
    for url in ("/api/executions", f"/api/graphs/{graph['id']}/executions"):
        listed = await client.get(url, headers=user.headers)
        assert listed.status_code == 200 and SECRET not in listed.text
        assert listed.json()[0]["inputs"] == {"token": MASK, "who": "Ada"}

    async with container.db.engine.connect() as conn:
        column: Any = (
            await conn.execute(
                text("SELECT inputs FROM graph_executions WHERE id = :id"), {"id": meta["id"]}
            )
        ).scalar_one()
    stored = json.loads(column) if isinstance(column, str) else dict(column)
    assert stored["who"] == "Ada" and set(stored["token"]) == {"$secret"}
    assert SECRET not in json.dumps(stored)
    in_node = node_id(graph, name="token")
    assert SECRET not in await raw_node_rows(container, meta["id"], in_node)
    # The builder routed the value into a template and an output: those hold it.
    assert SECRET in await raw_rows(container, meta["id"])


async def test_live_and_replayed_events_mask_the_secret_input(
    api: tuple[httpx.AsyncClient, Container],
) -> None:
    client, container = api
    user = await signup(client)
    graph = await create_graph(client, user, bearer_agent())
    in_node = node_id(graph, name="token")
    subscription = await container.bus.subscribe(user_channel(user.id))
    try:
        meta, run = await run_agent(client, user, graph, token=SECRET, who="Ada")
        live: list[dict[str, Any]] = []
        async for message in subscription:
            live.append(message)
            data = message["data"]
            if message["method"] == "graph_execution_event" and data["status"] == "COMPLETED":
                break
    finally:
        await subscription.close()
    assert run["status"] == "COMPLETED"

    async with (
        live_server(create_app(container)) as address,
        connect(f"ws://{address}/ws?token={user.access_token}") as ws,
    ):
        await send(ws, "subscribe_graph_execution", {"graph_exec_id": meta["id"], "last_seq": 0})
        await receive(ws)  # the acknowledgement
        replayed = await events_until_done(ws)

    for events in (live, replayed):
        graph_events = [m["data"] for m in events if m["method"] == "graph_execution_event"]
        assert graph_events and all(
            e["inputs"] == {"token": MASK, "who": "Ada"} for e in graph_events
        )
        secret_events = [
            m["data"]
            for m in events
            if m["method"] == "node_execution_event" and m["data"]["node_id"] == in_node
        ]
        assert secret_events and SECRET not in json.dumps(secret_events)
        assert secret_events[-1]["output_data"] == {"result": [MASK]}


async def test_a_rerun_gets_the_real_value_and_an_edit_of_it_is_sealed_too(
    api: tuple[httpx.AsyncClient, Container],
) -> None:
    client, container = api
    user = await signup(client)
    graph = await create_graph(client, user, bearer_agent())
    meta, _run = await run_agent(client, user, graph, token=SECRET, who="Ada")
    rerun_url = f"/api/graphs/{graph['id']}/executions/{meta['id']}/rerun"

    fill = node_id(graph, format="Bearer {{ token }} for {{ who }}")
    again = await client.post(rerun_url, json={"node_id": fill}, headers=user.headers)
    assert again.status_code == 200, again.text
    assert again.json()["inputs"] == {"token": MASK, "who": "Ada"}
    rerun = await wait_for_run(client, user, graph["id"], again.json()["id"])
    assert rerun["outputs"] == {"header": [f"Bearer {SECRET} for Ada"]}  # reused, unmasked
    reused = secret_node(rerun, graph)
    assert reused["stats"]["reused_from"] and reused["output_data"] == {"result": [MASK]}

    edited_secret = "sk-edited-secret-5150"
    edit = {"node_id": node_id(graph, name="token"), "inputs": {"value": edited_secret}}
    edited = await client.post(rerun_url, json=edit, headers=user.headers)
    assert edited.status_code == 200, edited.text
    done = await wait_for_run(client, user, graph["id"], edited.json()["id"])
    assert done["outputs"] == {"header": [f"Bearer {edited_secret} for Ada"]}
    assert done["inputs"] == {"token": MASK, "who": "Ada"}
    assert edited_secret not in json.dumps(secret_node(done, graph))
    in_node = node_id(graph, name="token")
    async with container.db.engine.connect() as conn:
        row = await conn.execute(
            text("SELECT inputs, rerun_of FROM graph_executions WHERE id = :id"),
            {"id": done["id"]},
        )
        assert edited_secret not in repr(tuple(row.one()))
    assert edited_secret not in await raw_node_rows(container, done["id"], in_node)


async def test_a_marker_given_by_a_caller_is_refused(
    api: tuple[httpx.AsyncClient, Container],
) -> None:
    client, _ = api
    user = await signup(client)
    graph = await create_graph(client, user, bearer_agent())
    response = await start(client, user, graph, {"token": "x", "who": {"$secret": "forged"}})
    assert response.status_code == 422 and "reserved" in response.json()["detail"]


async def test_after_a_crash_the_agent_input_gets_its_real_value_back(idle: Container) -> None:
    """Two secret inputs at the moment of a crash: ``a`` had completed (its stored output is
    masked; its value must be routed again for real), ``b`` was running (it runs again and
    must get the run's input, not the mask)."""
    container = idle
    agent = template_agent({"a": True, "b": True}, "{{ a }}|{{ b }}", "joined")
    user, graph, record = await stored_run(container, agent, a="sk-A", b="sk-B")
    a_id = next(n.id for n in graph.nodes if n.input_default.get("name") == "a")
    b_id = next(n.id for n in graph.nodes if n.input_default.get("name") == "b")
    now = time.time()
    done = NodeExecRecord(
        id=str(uuid.uuid4()),
        graph_exec_id=record.id,
        node_id=a_id,
        block_id=INPUT_BLOCK,
        status=ExecutionStatus.COMPLETED,
        input_data={"name": "a", "secret": True, "value": MASK},
        output_data={"result": [MASK]},
        seq=1,
        end_seq=1,
        added_at=now,
        ended_at=now,
    )
    crashed = NodeExecRecord(
        id=str(uuid.uuid4()),
        graph_exec_id=record.id,
        node_id=b_id,
        block_id=INPUT_BLOCK,
        status=ExecutionStatus.RUNNING,
        input_data={"name": "b", "secret": True, "value": MASK},
        seq=2,
        added_at=now,
    )
    await container.engine.store.commit(Batch(node_execs={done.id: done, crashed.id: crashed}))

    finished = await container.engine.run(record.id)
    assert finished.status == ExecutionStatus.COMPLETED, finished.error
    node_execs = await container.repos.executions.node_execs(user.id, record.id)
    [out] = [n for n in node_execs if n.block_id == OUTPUT_BLOCK]
    assert out.output_data["output"] == ["sk-A|sk-B"]
    [rerun_b] = [n for n in node_execs if n.node_id == b_id]
    assert rerun_b.output_data == {"result": [MASK]} and "sk-B" not in repr(rerun_b)


async def test_rotation_reseals_run_inputs_and_keeps_their_key_until_then(
    idle: Container, tmp_path: Path
) -> None:
    container, data_dir = idle, tmp_path / "data"
    user, _graph, record = await stored_run(container, bearer_agent(), token=SECRET, who="x")
    report = await rotate(container, data_dir)
    new_key = parse_key((data_dir / "encryption_key").read_text())
    assert report.run_inputs.resealed == 1 and report.run_inputs.unreadable == []
    assert report.run_inputs.tokens_by_key == {key_id(new_key): 1}
    [(_id, _user, inputs)] = await SealedInputsRepo(container.db).page()
    assert inputs["token"]["$secret"].startswith(key_id(new_key) + ":")

    # Only the new key is needed now: a server without the old one still runs it.
    container.engine.secrets = RunInputBox(KeyRing(new_key))
    finished = await container.engine.run(record.id)
    assert finished.status == ExecutionStatus.COMPLETED, finished.error
    node_execs = await container.repos.executions.node_execs(user.id, record.id)
    [out] = [n for n in node_execs if n.block_id == OUTPUT_BLOCK]
    assert out.output_data["output"] == [f"Bearer {SECRET} for x"]

    again = await rotate(container, data_dir, drop_retired=True)
    assert again.run_inputs.resealed == 1
    assert read_retired(data_dir) == []  # no credential and no run uses the old keys now


async def test_drop_retired_keeps_a_key_that_a_run_input_still_names(
    idle: Container, tmp_path: Path
) -> None:
    """A token that does not open (here: tampered) cannot be re-sealed: its key is kept."""
    container, data_dir = idle, tmp_path / "data"
    old_key = parse_key((data_dir / "encryption_key").read_text())
    _user, _graph, record = await stored_run(container, bearer_agent(), token=SECRET, who="x")
    runs = SealedInputsRepo(container.db)
    [(_id, _owner, inputs)] = await runs.page()
    key, nonce, ciphertext = inputs["token"]["$secret"].split(":")
    flipped = ("B" if ciphertext[0] == "A" else "A") + ciphertext[1:]
    await runs.replace(record.id, {**inputs, "token": {"$secret": f"{key}:{nonce}:{flipped}"}})

    report = await rotate(container, data_dir, drop_retired=True)
    assert report.run_inputs.unreadable == [record.id] and report.run_inputs.resealed == 0
    assert report.run_inputs.tokens_by_key == {key_id(old_key): 1}
    assert read_retired(data_dir) == [old_key] and report.retired_dropped == []
