"""The ``/ws`` endpoint: AutoGPT's envelope ``{method, data, success, channel, error}``.

A client authenticates with ``?token=`` (an access token or an API key), then subscribes to
runs or to every run of a graph; events reach it through the :mod:`~blockyard.api.ws_hub`.

A client that reconnects sends ``last_seq``: the server replays the run from the store,
then the live events it held back meanwhile, dropping those the replay already covered.
"""

import asyncio
import contextlib
import json
import logging
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from blockyard.api.auth import Principal, Scope, authenticate
from blockyard.api.ws_hub import (
    CLOSE_BAD_TOKEN,
    CLOSE_MISSING_TOKEN,
    Client,
    EventHub,
    exec_channel,
    graph_channel,
)
from blockyard.engine import events
from blockyard.engine.events import GRAPH_EVENT, NODE_EVENT
from blockyard.engine.outputs import graph_outputs
from blockyard.engine.ports import GraphExecRecord, NodeExecRecord
from blockyard.errors import BlockyardError
from blockyard.wiring import Container

log = logging.getLogger(__name__)
router = APIRouter(tags=["websocket"])


class Session:
    """The protocol of one socket: subscriptions, catch-up replay and heartbeats."""

    def __init__(self, container: Container, client: Client) -> None:
        self.container = container
        self.client = client
        self.user_id = client.user_id

    async def handle(self, raw: str) -> None:
        try:
            message = json.loads(raw)
        except ValueError:
            self.error("", "Messages must be JSON")
            return
        if not isinstance(message, dict):
            self.error("", "Messages must be JSON objects")
            return
        method = str(message.get("method", ""))
        handler = self.handlers().get(method)
        if handler is None:
            self.error(method, f"Unknown method {method!r}")
            return
        try:
            await handler(message.get("data"))
        except BlockyardError as exc:
            self.error(method, exc.message)
        except Exception:
            log.exception("WebSocket %s failed for user %s", method, self.user_id)
            self.error(method, "Internal server error")

    def handlers(self) -> dict[str, Any]:
        return {
            "subscribe_graph_execution": self.subscribe_execution,
            "subscribe_graph_executions": self.subscribe_graph,
            "unsubscribe": self.unsubscribe,
            "heartbeat": self.heartbeat,
        }

    def error(self, method: str, text: str) -> None:
        self.client.send({"method": "error", "success": False, "error": text, "data": method})

    def ack(self, method: str, channel: str) -> None:
        self.client.send({"method": method, "success": True, "channel": channel})

    async def heartbeat(self, data: Any) -> None:
        self.client.send({"method": "heartbeat", "data": "pong", "success": True})

    async def subscribe_execution(self, data: Any) -> None:
        exec_id = _field(data, "graph_exec_id")
        last_seq = data.get("last_seq") if isinstance(data, dict) else None
        if last_seq is not None and not isinstance(last_seq, int):
            self.error("subscribe_graph_execution", "last_seq must be an integer")
            return
        self.client.held[exec_id] = []
        try:
            record = await self.container.repos.executions.get(self.user_id, exec_id)
            self.client.exec_ids.add(exec_id)
            self.ack("subscribe_graph_execution", exec_channel(self.user_id, exec_id))
            covered = await self.replay(record, last_seq) if last_seq is not None else -1
        except BaseException:
            self.client.held.pop(exec_id, None)
            raise
        self.client.release(exec_id, covered)

    async def replay(self, record: GraphExecRecord, last_seq: int) -> int:
        """Send the run's changes after ``last_seq`` from the store; return the seq covered.

        That is every node execution whose last published change is later than ``last_seq``
        (or unknown: rows from before revision 0006), then the run's state with its outputs.
        Replayed events carry the run's stored ``event_seq``: they show the state as of that
        event, so a client's ``last_seq`` stays monotonic; each is a node's whole state.
        """
        covered = record.event_seq
        if last_seq >= covered:
            return covered  # the client has seen everything the store has
        channel = exec_channel(self.user_id, record.id)
        node_execs = await self.container.repos.executions.node_execs(self.user_id, record.id)
        for node_exec in node_execs:
            if 0 < node_exec.event_seq <= last_seq:
                continue  # the client has this change already
            data = {**events.node_exec_event(node_exec, record), "seq": covered}
            self.client.send({"method": NODE_EVENT, "data": data, "channel": channel})
        outputs = await self.outputs_of(record, node_execs)
        data = {**events.graph_exec_event(record, outputs), "seq": covered}
        self.client.send({"method": GRAPH_EVENT, "data": data, "channel": channel})
        return covered

    async def outputs_of(
        self, record: GraphExecRecord, node_execs: list[NodeExecRecord]
    ) -> dict[str, list[Any]]:
        graph = await self.container.repos.graphs.get(
            self.user_id, record.graph_id, record.graph_version
        )
        return graph_outputs(graph, node_execs, self.container.registry)

    async def subscribe_graph(self, data: Any) -> None:
        graph_id = _field(data, "graph_id")
        await self.container.repos.graphs.get(self.user_id, graph_id)
        self.client.graph_ids.add(graph_id)
        self.ack("subscribe_graph_executions", graph_channel(self.user_id, graph_id))

    async def unsubscribe(self, data: Any) -> None:
        if isinstance(data, dict) and data.get("graph_id"):
            graph_id = str(data["graph_id"])
            self.client.graph_ids.discard(graph_id)
            self.ack("unsubscribe", graph_channel(self.user_id, graph_id))
            return
        exec_id = _field(data, "graph_exec_id")
        self.client.exec_ids.discard(exec_id)
        self.ack("unsubscribe", exec_channel(self.user_id, exec_id))


def _field(data: Any, name: str) -> str:
    value = data.get(name) if isinstance(data, dict) else None
    if not isinstance(value, str) or not value:
        raise BlockyardError(f"data.{name} is required")
    return value


async def _principal(websocket: WebSocket, container: Container) -> Principal | None:
    """Authenticate from ``?token=`` (an access token or an API key) or ``X-API-Key``."""
    credential = websocket.query_params.get("token") or websocket.headers.get("x-api-key")
    if not credential:
        await websocket.close(CLOSE_MISSING_TOKEN, "Missing token")
        return None
    try:
        principal = await authenticate(container, credential)
        principal.require(Scope.READ)
    except BlockyardError as exc:
        await websocket.close(CLOSE_BAD_TOKEN, exc.message)
        return None
    return principal


@router.websocket("/ws")
async def websocket_endpoint(websocket: WebSocket) -> None:
    container: Container = websocket.app.state.container
    hub: EventHub = websocket.app.state.hub
    await websocket.accept()
    principal = await _principal(websocket, container)
    if principal is None:
        return
    client = Client(websocket, principal.user_id)
    await hub.join(client)
    sender = asyncio.create_task(client.pump())
    session = Session(container, client)
    try:
        await _receive_loop(websocket, session, sender)
    finally:
        await hub.leave(client)
        sender.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await sender


async def _receive_loop(websocket: WebSocket, session: Session, sender: asyncio.Task[None]) -> None:
    """Handle messages until the client leaves or the sender closes the socket."""
    while not sender.done():
        receive = asyncio.ensure_future(websocket.receive())
        await asyncio.wait({receive, sender}, return_when=asyncio.FIRST_COMPLETED)
        if not receive.done():
            receive.cancel()
            return
        try:
            message = receive.result()
        except (WebSocketDisconnect, RuntimeError):
            return
        if message["type"] == "websocket.disconnect":
            return
        raw = message.get("text")
        if raw is None:
            raw = (message.get("bytes") or b"").decode("utf-8", errors="replace")
        await session.handle(raw)
