"""Runtime fixtures: each yields the in-process adapter and the Redis adapter in turn.

A "pair" of queues models two workers: in-process they share one ``LocalQueue``; with
Redis they are two ``RedisQueue`` instances (two consumers, as in two processes) on one
stream. A bus factory models processes: in-process every call returns the one bus of
the process; with Redis each call connects a new ``RedisBus`` (another process).
"""

from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from blockyard.engine.ports import EventBus, WorkQueue
from blockyard.runtime.fanout import DEFAULT_BUFFER
from blockyard.runtime.local import LocalBus, LocalQueue
from blockyard.runtime.redis import RedisBus, RedisQueue
from tests.runtime.helpers import CLAIM_IDLE_MS, BusFactory

KINDS = ["local", pytest.param("redis", marks=pytest.mark.redis)]


@pytest.fixture(params=KINDS)
async def queue_pair(request: pytest.FixtureRequest) -> AsyncIterator[tuple[WorkQueue, WorkQueue]]:
    if request.param == "local":
        queue = LocalQueue(claim_idle_ms=CLAIM_IDLE_MS)
        yield queue, queue
        await queue.close()
        return
    url: str = request.getfixturevalue("redis_url")
    stream = f"{request.getfixturevalue('redis_prefix')}:jobs"
    first, second = (
        RedisQueue(url, stream=stream, consumer=name, claim_idle_ms=CLAIM_IDLE_MS)
        for name in ("worker-a", "worker-b")
    )
    yield first, second
    await first.close()
    await second.close()
    await delete_keys(url, stream)


@pytest.fixture(params=KINDS)
async def bus_factory(request: pytest.FixtureRequest) -> AsyncIterator[BusFactory]:
    made: list[EventBus] = []
    if request.param == "local":
        shared: dict[int, LocalBus] = {}

        def make(max_buffer: int = DEFAULT_BUFFER) -> EventBus:
            if max_buffer not in shared:
                shared[max_buffer] = LocalBus(max_buffer=max_buffer)
                made.append(shared[max_buffer])
            return shared[max_buffer]

    else:
        url: str = request.getfixturevalue("redis_url")
        prefix: str = request.getfixturevalue("redis_prefix")

        def make(max_buffer: int = DEFAULT_BUFFER) -> EventBus:
            bus = RedisBus(url, prefix=prefix, max_buffer=max_buffer)
            made.append(bus)
            return bus

    yield make
    for bus in made:
        await bus.close()


async def delete_keys(url: str, *keys: str) -> None:
    client = Redis.from_url(url)
    try:
        await client.delete(*keys)
    finally:
        await client.aclose()
