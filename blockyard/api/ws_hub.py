"""Fan-out of live execution events to WebSocket clients, one bus subscription per user.

Every API process subscribes to the event bus once per connected user
(``user_channel(user_id)``) and routes each event to that user's sockets: node events to
sockets subscribed to the run, graph events to sockets subscribed to the run or to its
graph. With Redis every process receives every event, so it does not matter which process
a client is connected to or which worker runs the agent.

Each socket has its own bounded outbox; a client too slow to keep up is disconnected
(code 1013) and can catch up with ``last_seq`` rather than slowing everyone else.
"""

import asyncio
import contextlib
import json
import logging
from dataclasses import dataclass, field
from typing import Any

from fastapi import WebSocket

from blockyard.engine.events import GRAPH_EVENT
from blockyard.engine.ports import EventBus, Message, Subscription, user_channel

log = logging.getLogger(__name__)

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

        Graph events go to the run's, its parent run's (for a sub-agent run) and the graph's
        subscribers; anything else about one run (node events, streamed partial output) to
        the run's subscribers only; messages about no run (notifications) to every socket
        of the user.
        """
        method, data = message.get("method"), message.get("data")
        if not isinstance(method, str) or not isinstance(data, dict):
            return
        if method == GRAPH_EVENT:
            exec_id, graph_id = str(data.get("id") or ""), str(data.get("graph_id") or "")
            parent_id = str(data.get("parent_exec_id") or "")
            if exec_id not in self.exec_ids and parent_id in self.exec_ids:
                # A sub-agent run started by a run this socket watches: its status goes to
                # the parent's subscribers, who can then subscribe to the child itself.
                parent_channel = exec_channel(self.user_id, parent_id)
                self.send({"method": method, "data": data, "channel": parent_channel})
                return
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
