"""The one Redis pub/sub connection of a :class:`~blockyard.runtime.redis.RedisBus`.

A :class:`Listener` keeps Redis subscribed to exactly the channels its fanout has
subscribers for, and feeds the fanout what arrives. One background task reads the
connection; it sends a PING every ``heartbeat`` seconds and treats three heartbeats of
silence as a dead connection. When the connection drops it logs, waits (exponential
backoff), reconnects and subscribes again to every channel that still has subscribers.

``subscribe`` returns only once Redis has confirmed the SUBSCRIBE, so a message published
by any process after that is delivered. Commands that change subscriptions are sent under
one lock and computed from the fanout's current state (reconcile, not replay), so a
subscribe racing an unsubscribe of the same channel cannot leave Redis out of step.
"""

import asyncio
import logging
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError

from blockyard.runtime.fanout import Fanout

log = logging.getLogger(__name__)


def make_client(url: str, **options: Any) -> Redis:
    """A client without redis-py's own socket timeout; callers bound waits themselves.

    With a socket timeout set, redis-py wraps every socket write in ``asyncio.wait_for``,
    which on Python 3.11 can swallow the cancellation of the calling task when the write
    finishes at the same moment (a worker being stopped would then keep running). Waits
    are bounded with ``asyncio.timeout`` instead, which does not lose cancellations.
    """
    return Redis.from_url(url, socket_timeout=None, **options)


class Backoff:
    """Doubling waits between reconnection attempts, reset after a success."""

    def __init__(self, first: float = 0.1, cap: float = 5.0) -> None:
        self.first = first
        self.cap = cap
        self.delay = first

    def reset(self) -> None:
        self.delay = self.first

    async def sleep(self) -> None:
        await asyncio.sleep(self.delay)
        self.delay = min(self.delay * 2, self.cap)


class Listener:
    """Reads one pub/sub connection into a :class:`Fanout`; reconnects when it drops."""

    def __init__(self, url: str, *, prefix: str, fanout: Fanout, heartbeat: float) -> None:
        # No retries inside redis-py: a dropped connection surfaces here, where the
        # whole subscription set is rebuilt on a fresh connection.
        self._client = make_client(
            url, retry=Retry(NoBackoff(), 0), client_name=f"{prefix}-bus-listener", protocol=2
        )
        self._prefix = prefix
        self._fanout = fanout
        self._heartbeat = heartbeat
        self._pubsub: PubSub | None = None
        self._on_server: set[str] = set()
        self._unconfirmed: dict[str, int] = {}
        self._confirmed: dict[str, asyncio.Event] = {}
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None

    async def ensure(self, channel: str) -> None:
        """Return once Redis confirmed a subscription to ``channel`` (which has a subscriber)."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="blockyard-bus-listener")
        await self.reconcile(channel)
        await self._confirmation(channel).wait()

    async def reconcile(self, channel: str) -> None:
        """(Un)subscribe ``channel`` on Redis so it matches whether the fanout wants it."""
        async with self._lock:
            pubsub = self._pubsub
            wanted = self._fanout.has(channel)
            if pubsub is None or wanted == (channel in self._on_server):
                return  # when disconnected, the reconnect subscribes what is wanted
            try:
                async with asyncio.timeout(self._heartbeat):
                    if wanted:
                        self._on_server.add(channel)
                        self._unconfirmed[channel] = self._unconfirmed.get(channel, 0) + 1
                        await pubsub.subscribe(self._key(channel))
                    else:
                        self._on_server.discard(channel)
                        self._confirmed.pop(channel, None)
                        await pubsub.unsubscribe(self._key(channel))
            except (RedisError, TimeoutError) as exc:
                log.info("event bus: (un)subscribe of %r failed (%s)", channel, exc)

    async def close(self) -> None:
        """Stop the reader task and drop the connection; nothing keeps running."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                current = asyncio.current_task()
                if current is not None and current.cancelling():
                    raise
        try:
            await self._disconnect()
        finally:
            await self._client.aclose()

    async def _run(self) -> None:
        backoff = Backoff()
        while True:
            try:
                async with asyncio.timeout(3 * self._heartbeat):
                    await self._connect()
                backoff.reset()
                await self._pump()
            except (RedisError, OSError) as exc:  # OSError includes TimeoutError
                log.warning(
                    "event bus: redis connection lost (%s); reconnecting in %.1fs",
                    exc,
                    backoff.delay,
                )
            except Exception:
                log.exception("event bus: listener failed; reconnecting in %.1fs", backoff.delay)
            await self._disconnect()
            await backoff.sleep()

    async def _connect(self) -> None:
        async with self._lock:
            pubsub = self._client.pubsub()
            self._pubsub = pubsub
            await pubsub.connect()  # type: ignore[no-untyped-call]  # redis-py lacks hints
            self._on_server = set(self._fanout.channels())
            self._unconfirmed = dict.fromkeys(self._on_server, 1)
            self._confirmed = {c: e for c, e in self._confirmed.items() if c in self._on_server}
            if self._on_server:
                await pubsub.subscribe(*(self._key(channel) for channel in self._on_server))

    async def _disconnect(self) -> None:
        async with self._lock:
            pubsub, self._pubsub = self._pubsub, None
            self._on_server.clear()
            for event in self._confirmed.values():
                event.clear()
        if pubsub is not None:
            await pubsub.aclose()  # type: ignore[no-untyped-call]

    async def _pump(self) -> None:
        """Read until the connection fails; PING when quiet so a dead peer is noticed."""
        pubsub = self._pubsub
        assert pubsub is not None
        loop = asyncio.get_running_loop()
        last_heard = last_ping = loop.time()
        while True:
            message = await pubsub.get_message(timeout=min(1.0, self._heartbeat))
            now = loop.time()
            if message is not None:
                last_heard = now
                await self._handle(message)
            elif now - last_heard > 3 * self._heartbeat:
                raise RedisConnectionError("no reply to the heartbeat PING")
            if now - last_ping >= self._heartbeat:
                last_ping = now
                async with asyncio.timeout(self._heartbeat):
                    await pubsub.ping()

    async def _handle(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind not in ("message", "subscribe"):
            return
        channel = self._channel(message["channel"])
        if channel is None:
            return
        if kind == "subscribe":
            self._confirm(channel)
            return
        self._fanout.deliver(channel, [message["data"]])
        if not self._fanout.has(channel):  # its last subscriber was too slow and dropped
            await self.reconcile(channel)

    def _confirm(self, channel: str) -> None:
        left = self._unconfirmed.get(channel, 0) - 1
        if left > 0:
            self._unconfirmed[channel] = left  # an earlier SUBSCRIBE's reply: wait for ours
            return
        self._unconfirmed.pop(channel, None)
        if channel in self._on_server:
            self._confirmation(channel).set()

    def _confirmation(self, channel: str) -> asyncio.Event:
        return self._confirmed.setdefault(channel, asyncio.Event())

    def _key(self, channel: str) -> str:
        return f"{self._prefix}:{channel}"

    def _channel(self, key: bytes | str) -> str | None:
        name = key.decode() if isinstance(key, bytes) else key
        head = f"{self._prefix}:"
        return name[len(head) :] if name.startswith(head) else None
