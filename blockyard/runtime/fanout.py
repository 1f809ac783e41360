"""In-process fan-out of one channel's messages to many bounded subscriber buffers.

Both event buses end here: :class:`~blockyard.runtime.local.LocalBus` feeds a
:class:`Fanout` straight from ``publish``, and :class:`~blockyard.runtime.redis.RedisBus`
feeds one from its single Redis pub/sub connection, so every API process holds one Redis
connection however many WebSocket clients it serves.

Messages travel as JSON bytes (orjson) in both buses, so code that runs on the embedded
default cannot come to depend on objects that would not survive Redis; each subscriber
decodes its own copy, so no subscriber can mutate what another one sees.

A publisher never waits for a subscriber. A subscriber whose buffer is full is dropped
with a warning: it receives what it had buffered, then its iteration ends. Consumers of
live events repair the gap from the store (the WebSocket ``last_seq`` replay).
"""

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable

import orjson

from blockyard.engine.ports import Message

log = logging.getLogger(__name__)

DEFAULT_BUFFER = 1000
"""Messages a subscriber may fall behind before it is dropped."""

EmptyHook = Callable[[str], Awaitable[None]]


def encode(message: Message) -> bytes:
    """The wire form of a message; raises ``TypeError`` for values JSON cannot carry."""
    return orjson.dumps(message)


class FanoutSubscription:
    """One subscriber's bounded buffer; iterates decoded messages until closed or dropped."""

    def __init__(self, fanout: "Fanout", channel: str, limit: int) -> None:
        self.channel = channel
        self.dropped = False
        """True when the bus dropped this subscriber for falling ``limit`` messages behind."""
        self._fanout = fanout
        self._limit = limit
        self._buffer: deque[bytes] = deque()
        self._ended = False
        self._wakeup = asyncio.Event()

    def __aiter__(self) -> "FanoutSubscription":
        return self

    async def __anext__(self) -> Message:
        while True:
            while not self._buffer:
                if self._ended:
                    raise StopAsyncIteration
                self._wakeup.clear()
                await self._wakeup.wait()
            data = self._buffer.popleft()
            try:
                message: Message = orjson.loads(data)
            except orjson.JSONDecodeError:  # only a foreign publisher can send these
                log.warning("event bus: skipping a message on %r that is not JSON", self.channel)
                continue
            return message

    async def close(self) -> None:
        """Stop delivery now: buffered messages are discarded and iteration ends."""
        self._end(discard=True)
        await self._fanout.discard(self)

    def _push(self, data: bytes) -> bool:
        if len(self._buffer) >= self._limit:
            return False
        self._buffer.append(data)
        self._wakeup.set()
        return True

    def _end(self, *, discard: bool) -> None:
        self._ended = True
        if discard:
            self._buffer.clear()
        self._wakeup.set()


class Fanout:
    """Channel name (exact string) -> live subscriptions, delivering in publish order."""

    def __init__(self, *, limit: int = DEFAULT_BUFFER, on_empty: EmptyHook | None = None) -> None:
        if limit < 1:
            raise ValueError("a subscription buffer holds at least one message")
        self._limit = limit
        self._on_empty = on_empty
        self._channels: dict[str, dict[FanoutSubscription, None]] = {}

    def add(self, channel: str) -> FanoutSubscription:
        subscription = FanoutSubscription(self, channel, self._limit)
        self._channels.setdefault(channel, {})[subscription] = None
        return subscription

    def has(self, channel: str) -> bool:
        return channel in self._channels

    def channels(self) -> list[str]:
        return list(self._channels)

    def deliver(self, channel: str, datas: list[bytes]) -> None:
        """Append ``datas`` to every subscriber of ``channel``; drop those that are full."""
        subscribers = self._channels.get(channel)
        if not subscribers:
            return
        for subscription in list(subscribers):
            if not all(subscription._push(data) for data in datas):
                self._drop(subscription)

    async def discard(self, subscription: FanoutSubscription) -> None:
        """Forget ``subscription``; tell the owner when its channel has no subscriber left."""
        if self._remove(subscription) and self._on_empty is not None:
            await self._on_empty(subscription.channel)

    def close_all(self) -> None:
        """End every subscription (they drain what they hold) and forget them."""
        for subscribers in self._channels.values():
            for subscription in subscribers:
                subscription._end(discard=False)
        self._channels.clear()

    def _drop(self, subscription: FanoutSubscription) -> None:
        log.warning(
            "event bus: dropping a slow subscriber of %r (%d messages behind)",
            subscription.channel,
            self._limit,
        )
        subscription.dropped = True
        subscription._end(discard=False)
        self._remove(subscription)

    def _remove(self, subscription: FanoutSubscription) -> bool:
        """Remove; True when this emptied the channel."""
        subscribers = self._channels.get(subscription.channel)
        if subscribers is None or subscription not in subscribers:
            return False
        del subscribers[subscription]
        if subscribers:
            return False
        del self._channels[subscription.channel]
        return True
