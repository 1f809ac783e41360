"""A real ``blockyard serve`` killed with SIGKILL mid-run resumes the run on restart.

The agent: Calculator (1 + 1) -> Countdown Timer (2 s) -> Calculator (+ 10) -> Agent Output.
The server is killed while the timer runs; after a restart the run completes with the same
output, the first Calculator's completed execution is the stored one (not run again), and
every node has exactly one execution.
"""

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.server_process import ServeProcess

CALCULATOR = "b1ab9b19-67a6-406d-abf5-2dba76d00c79"
TIMER = "d67a9c52-5e4e-11e2-bcfd-0800200c9a71"
OUTPUT = "363ae599-353e-4804-937e-b2ee3cef3da4"
PASSWORD = "a long enough password"

pytestmark = pytest.mark.slow


Server = ServeProcess


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    srv = Server(tmp_path)
    yield srv
    srv.stop()


def _node(node_id: str, block_id: str, **defaults: Any) -> dict[str, Any]:
    return {"id": node_id, "block_id": block_id, "input_default": defaults, "metadata": {}}


def _link(source: str, pin: str, sink: str, sink_pin: str) -> dict[str, Any]:
    return {"source_id": source, "source_name": pin, "sink_id": sink, "sink_name": sink_pin}


AGENT = {
    "name": "Survives a crash",
    "description": "",
    "nodes": [
        _node("first", CALCULATOR, operation="Add", a=1, b=1),
        _node("timer", TIMER, seconds=2),
        _node("second", CALCULATOR, operation="Add", b=10),
        _node("out", OUTPUT, name="answer"),
    ],
    "links": [
        _link("first", "result", "timer", "input_message"),
        _link("timer", "output_message", "second", "a"),
        _link("second", "result", "out", "value"),
    ],
}


def _login(client: httpx.Client, email: str) -> dict[str, str]:
    response = client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _run_state(client: httpx.Client, headers: dict[str, str], graph_id: str, exec_id: str) -> Any:
    response = client.get(f"/api/graphs/{graph_id}/executions/{exec_id}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def _by_node(state: Any) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {}
    for execution in state["node_executions"]:
        found.setdefault(execution["node_id"], []).append(execution)
    return found


def _wait(predicate: Any, what: str, limit: float = 30.0) -> Any:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_kill_9_during_a_run_then_restart_completes_it(server: Server) -> None:
    server.start()
    email = "durable@example.com"
    with httpx.Client(base_url=server.url, timeout=10) as client:
        assert (
            client.post(
                "/api/auth/register", json={"email": email, "password": PASSWORD}
            ).status_code
            == 201
        )
        headers = _login(client, email)
        created = client.post("/api/graphs", json={"graph": AGENT}, headers=headers)
        assert created.status_code == 201, created.text
        graph = created.json()
        ids = {
            n["block_id"] + str(n["input_default"].get("b", "")): n["id"] for n in graph["nodes"]
        }
        first_id, timer_id = ids[CALCULATOR + "1"], ids[TIMER]
        run = client.post(
            f"/api/graphs/{graph['id']}/execute/{graph['version']}",
            json={"inputs": {}},
            headers=headers,
        )
        assert run.status_code == 200, run.text
        exec_id = run.json()["id"]

        def timer_started() -> Any:
            state = _run_state(client, headers, graph["id"], exec_id)
            nodes = _by_node(state)
            done = nodes.get(first_id, [{}])[0].get("status") == "COMPLETED"
            return state if done and timer_id in nodes else None

        before = _wait(timer_started, "the timer to be queued")
        time.sleep(0.5)  # well inside the 2 s countdown
    server.kill()

    server.start()
    with httpx.Client(base_url=server.url, timeout=10) as client:
        headers = _login(client, email)

        def finished() -> Any:
            state = _run_state(client, headers, graph["id"], exec_id)
            return state if state["status"] in ("COMPLETED", "FAILED", "TERMINATED") else None

        after = _wait(finished, "the resumed run to end")

    assert after["status"] == "COMPLETED", (after.get("error"), server.log())
    assert after["outputs"] == {"answer": [12.0]}
    nodes_after = _by_node(after)
    assert all(len(execs) == 1 for execs in nodes_after.values()), nodes_after
    assert len(nodes_after) == 4
    first_before = _by_node(before)[first_id][0]
    first_after = nodes_after[first_id][0]
    assert first_after["node_exec_id"] == first_before["node_exec_id"]
    assert first_after["end_time"] == first_before["end_time"]  # not run again
    timer_before = _by_node(before)[timer_id][0]
    assert nodes_after[timer_id][0]["node_exec_id"] == timer_before["node_exec_id"]
