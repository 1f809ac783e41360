"""How the WebSocket hub routes bus messages to one socket (no network needed)."""

import asyncio
from typing import Any, cast

from fastapi import WebSocket

from blockyard.api.ws_hub import CLOSE_TOO_SLOW, OUTBOX_SIZE, Client, EventHub
from blockyard.engine.ports import user_channel
from blockyard.runtime.local import LocalBus


def client() -> Client:
    return Client(cast(WebSocket, object()), "u1")


def node_event(exec_id: str, seq: int) -> dict[str, Any]:
    return {"method": "node_execution_event", "data": {"graph_exec_id": exec_id, "seq": seq}}


def graph_event(exec_id: str, graph_id: str, seq: int) -> dict[str, Any]:
    data = {"id": exec_id, "graph_id": graph_id, "seq": seq, "status": "RUNNING"}
    return {"method": "graph_execution_event", "data": data}


def drain(c: Client) -> list[Any]:
    out = []
    while not c.outbox.empty():
        out.append(c.outbox.get_nowait())
    return out


def test_node_events_reach_only_subscribers_of_their_run() -> None:
    c = client()
    c.exec_ids.add("e1")
    c.deliver(node_event("e1", 1))
    c.deliver(node_event("e2", 2))
    c.deliver({"method": "node_execution_stream", "data": {"graph_exec_id": "e2", "pin": "x"}})
    assert [m["data"]["graph_exec_id"] for m in drain(c)] == ["e1"]


def test_graph_events_reach_run_and_graph_subscribers_once() -> None:
    c = client()
    c.graph_ids.add("g1")
    c.deliver(graph_event("e1", "g1", 1))
    c.deliver(graph_event("e9", "g9", 1))
    c.deliver(node_event("e1", 2))  # node events are not sent on the graph channel
    (only,) = drain(c)
    assert only["channel"] == "u1|graph#g1|executions"
    c.exec_ids.add("e1")
    c.deliver(graph_event("e1", "g1", 3))
    (both,) = drain(c)
    assert both["channel"] == "u1|graph_exec#e1"


def test_notifications_reach_every_socket() -> None:
    c = client()
    c.deliver({"method": "notification", "data": {"type": "info"}})
    assert drain(c) == [{"method": "notification", "data": {"type": "info"}}]


def test_events_held_during_a_replay_are_released_without_duplicates() -> None:
    c = client()
    c.exec_ids.add("e1")
    c.held["e1"] = []
    for seq in (4, 5, 6):
        c.deliver(node_event("e1", seq))
    assert drain(c) == []
    c.release("e1", covered_seq=5)
    assert [m["data"]["seq"] for m in drain(c)] == [6]
    c.deliver(node_event("e1", 7))
    assert [m["data"]["seq"] for m in drain(c)] == [7]


def test_a_socket_that_falls_behind_is_closed_not_waited_for() -> None:
    c = client()
    c.exec_ids.add("e1")
    for seq in range(OUTBOX_SIZE + 5):
        c.deliver(node_event("e1", seq))
    assert c.close_code == CLOSE_TOO_SLOW
    queued = drain(c)
    assert len(queued) == OUTBOX_SIZE and queued[-1] is None


async def test_one_bus_subscription_per_user_fans_out() -> None:
    bus = LocalBus()
    hub = EventHub(bus)
    first, second = client(), client()
    for c in (first, second):
        c.exec_ids.add("e1")
        await hub.join(c)
    await bus.publish(user_channel("u1"), [node_event("e1", 1)])
    for _ in range(100):
        if not first.outbox.empty() and not second.outbox.empty():
            break
        await asyncio.sleep(0.01)
    assert len(drain(first)) == 1 and len(drain(second)) == 1
    await hub.leave(first)
    await hub.leave(second)
    await hub.close()
    await bus.close()
