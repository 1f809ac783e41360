"""Live execution events over ``/ws``, in AutoGPT's envelope ``{method, data, success,
channel, error}``.

Every API process subscribes to the event bus once per connected user
(``user_channel(user_id)``) and fans each event out to that user's sockets: node events to
sockets subscribed to the run, graph events to sockets subscribed to the run or to its
graph. With Redis every process receives every event, so it does not matter which process
a client is connected to or which worker runs the agent.

A client that reconnects sends ``last_seq``: the server replays, from the store, every node
execution changed after it, then the run's current state, then the live events it held
back meanwhile, dropping those the replay already covered. Each socket has its own bounded
outbox; a client too slow to keep up is disconnected (code 1013) and can catch up with
``last_seq`` rather than slowing everyone else.
"""

import asyncio
import contextlib
import json
import logging
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from blockyard.api.auth import Principal, Scope, authenticate
from blockyard.engine import events
from blockyard.engine.outputs import graph_outputs
from blockyard.engine.ports import (
    EventBus,
    GraphExecRecord,
    Message,
    NodeExecRecord,
    Subscription,
    user_channel,
)
from blockyard.errors import BlockyardError
from blockyard.wiring import Container

log = logging.getLogger(__name__)
router = APIRouter(tags=["websocket"])

GRAPH_EVENT = "graph_execution_event"
NODE_EVENT = "node_execution_event"
OUTBOX_SIZE = 10_000
CLOSE_MISSING_TOKEN = 4001
CLOSE_BAD_TOKEN = 4003
CLOSE_TOO_SLOW = 1013
CLOSE_SERVER_ERROR = 1011


def exec_channel(user_id: str, graph_exec_id: str) -> str:
    return f"{user_id}|graph_exec#{graph_exec_id}"


def graph_channel(user_id: str, graph_id: str) -> str:
    return f"{user_id}|graph#{graph_id}|executions"


def event_seq(data: dict[str, Any]) -> int:
    """The per-run sequence number an event carries (0 when it has none)."""
    value = data.get("seq", 0)
    return value if isinstance(value, int) else 0


@dataclass(eq=False)
class Client:
    """One connected socket: what it subscribed to and what waits to be sent to it."""

    websocket: WebSocket
    user_id: str
    exec_ids: set[str] = field(default_factory=set)
    graph_ids: set[str] = field(default_factory=set)
    held: dict[str, list[Message]] = field(default_factory=dict)
    """Live events of runs being replayed, held back until the replay is sent."""
    outbox: asyncio.Queue[Message | None] = field(
        default_factory=lambda: asyncio.Queue(OUTBOX_SIZE)
    )
    close_code: int | None = None
    """Set when the socket must close once the queued messages are sent."""

    def send(self, message: Message) -> None:
        if self.close_code is not None:
            return
        try:
            self.outbox.put_nowait(message)
        except asyncio.QueueFull:
            self.disconnect(CLOSE_TOO_SLOW, drop_one=True)

    def disconnect(self, code: int, *, drop_one: bool = False) -> None:
        """Close after what is queued (``drop_one`` makes room in a full outbox)."""
        if self.close_code is not None:
            return
        self.close_code = code
        if drop_one:
            self.outbox.get_nowait()
        self.outbox.put_nowait(None)

    def deliver(self, message: Message) -> None:
        """Route one bus message to this socket if it subscribed to it.

        Graph events go to the run's and the graph's subscribers; anything else about one
        run (node events, streamed partial output) to the run's subscribers only; messages
        about no run (notifications) to every socket of the user.
        """
        method, data = message.get("method"), message.get("data")
        if not isinstance(method, str) or not isinstance(data, dict):
            return
        if method == GRAPH_EVENT:
            exec_id, graph_id = str(data.get("id") or ""), str(data.get("graph_id") or "")
        elif data.get("graph_exec_id"):
            exec_id, graph_id = str(data["graph_exec_id"]), ""
        else:
            self.send(message)
            return
        channel = self._channel(exec_id, graph_id)
        if channel is None:
            return
        out = {"method": method, "data": data, "channel": channel}
        if exec_id in self.held:
            self.held[exec_id].append(out)
        else:
            self.send(out)

    def _channel(self, exec_id: str, graph_id: str) -> str | None:
        if exec_id in self.exec_ids:
            return exec_channel(self.user_id, exec_id)
        if graph_id and graph_id in self.graph_ids:
            return graph_channel(self.user_id, graph_id)
        return None

    def release(self, exec_id: str, covered_seq: int) -> None:
        """Send the live events held during a replay that the replay did not cover."""
        for message in self.held.pop(exec_id, []):
            if event_seq(message["data"]) > covered_seq:
                self.send(message)

    async def pump(self) -> None:
        """Send the outbox in order; a ``None`` means the client fell too far behind."""
        while True:
            message = await self.outbox.get()
            if message is None:
                code = self.close_code or CLOSE_TOO_SLOW
                reason = "Too slow; reconnect with last_seq" if code == CLOSE_TOO_SLOW else ""
                await self.websocket.close(code, reason)
                return
            await self.websocket.send_text(json.dumps(message, default=str))


@dataclass(eq=False)
class _UserFeed:
    subscription: Subscription
    task: asyncio.Task[None]
    clients: set[Client] = field(default_factory=set)


class EventHub:
    """One bus subscription per connected user, fanned out to that user's sockets."""

    def __init__(self, bus: EventBus) -> None:
        self._bus = bus
        self._feeds: dict[str, _UserFeed] = {}
        self._lock = asyncio.Lock()

    async def join(self, client: Client) -> None:
        async with self._lock:
            feed = self._feeds.get(client.user_id)
            if feed is None:
                subscription = await self._bus.subscribe(user_channel(client.user_id))
                task = asyncio.create_task(self._run_feed(client.user_id, subscription))
                feed = self._feeds[client.user_id] = _UserFeed(subscription, task)
            feed.clients.add(client)

    async def leave(self, client: Client) -> None:
        async with self._lock:
            feed = self._feeds.get(client.user_id)
            if feed is None:
                return
            feed.clients.discard(client)
            if not feed.clients:
                del self._feeds[client.user_id]
                await _end_feed(feed)

    async def _run_feed(self, user_id: str, subscription: Subscription) -> None:
        try:
            async for message in subscription:
                feed = self._feeds.get(user_id)
                for client in list(feed.clients if feed else ()):
                    client.deliver(message)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("Event feed of user %s failed; closing its sockets", user_id)
        feed = self._feeds.pop(user_id, None)
        for client in list(feed.clients if feed else ()):
            client.disconnect(CLOSE_SERVER_ERROR, drop_one=client.outbox.full())
        with contextlib.suppress(Exception):
            await subscription.close()

    async def close(self) -> None:
        async with self._lock:
            feeds, self._feeds = list(self._feeds.values()), {}
        for feed in feeds:
            await _end_feed(feed)


async def _end_feed(feed: _UserFeed) -> None:
    feed.task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await feed.task
    with contextlib.suppress(Exception):
        await feed.subscription.close()


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
        """Send the run's node executions and its state from the store; return the seq covered.

        Replayed events carry the run's stored ``event_seq``: they show the state as of
        that event, so a client's ``last_seq`` stays monotonic. Node rows do not record the
        event seq of their last change, so every node execution of the run is sent (a
        superset of those changed after ``last_seq``; each event is a node's whole state).
        """
        covered = record.event_seq
        if last_seq >= covered:
            return covered  # the client has seen everything the store has
        channel = exec_channel(self.user_id, record.id)
        node_execs = await self.container.repos.executions.node_execs(self.user_id, record.id)
        for node_exec in node_execs:
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
        receive = asyncio.ensure_future(websocket.receive_text())
        await asyncio.wait({receive, sender}, return_when=asyncio.FIRST_COMPLETED)
        if not receive.done():
            receive.cancel()
            return
        try:
            raw = receive.result()
        except (WebSocketDisconnect, RuntimeError):
            return
        await session.handle(raw)
