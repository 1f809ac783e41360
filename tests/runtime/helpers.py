"""Shared pieces of the runtime tests: names, and waits that are always bounded."""

import asyncio
import contextlib
from collections.abc import Callable
from typing import Protocol, TypeVar

from blockyard.engine.ports import Delivery, EventBus, Job, Message, Subscription

CLAIM_IDLE_MS = 200
"""Short enough to keep the tests fast, long enough for keepalive every 50 ms."""

WAIT = 5.0
"""Upper bound for anything that should happen; never reached when the adapter works."""

BusFactory = Callable[..., EventBus]


def job(n: int) -> Job:
    return Job(graph_exec_id=f"exec-{n}", user_id="user-1")


D = TypeVar("D", bound=Delivery, covariant=True)


class Getter(Protocol[D]):
    async def get(self) -> D: ...


async def get(queue: Getter[D]) -> D:
    """The next delivery, typed as the queue's own delivery class."""
    async with asyncio.timeout(WAIT):
        return await queue.get()


async def take(subscription: Subscription, count: int) -> list[Message]:
    received: list[Message] = []
    async with asyncio.timeout(WAIT):
        async for message in subscription:
            received.append(message)
            if len(received) == count:
                break
    return received


async def drain(subscription: Subscription) -> list[Message]:
    """Everything until the subscription ends (it must end: closed or dropped)."""
    async with asyncio.timeout(WAIT):
        return [message async for message in subscription]


async def cancel(task: "asyncio.Task[object]") -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
