"""What only the Redis adapters promise: a tidy stream, one connection per bus, reconnects."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from redis.asyncio import Redis

from blockyard.runtime.redis import RedisBus, RedisQueue
from tests.runtime.conftest import delete_keys
from tests.runtime.helpers import CLAIM_IDLE_MS, WAIT, get, job, take

pytestmark = pytest.mark.redis


@pytest.fixture
async def client(redis_url: str) -> AsyncIterator["Redis"]:
    redis = Redis.from_url(redis_url)
    yield redis
    await redis.aclose()


@pytest.fixture
async def stream(redis_url: str, redis_prefix: str) -> AsyncIterator[str]:
    name = f"{redis_prefix}:jobs"
    yield name
    await delete_keys(redis_url, name)


def queue(url: str, stream: str, consumer: str) -> RedisQueue:
    return RedisQueue(url, stream=stream, consumer=consumer, claim_idle_ms=CLAIM_IDLE_MS)


async def consumers(client: "Redis", stream: str) -> dict[str, int]:
    """Consumer name -> pending entries, from XINFO CONSUMERS."""
    infos = await client.xinfo_consumers(stream, "workers")
    return {info["name"].decode(): info["pending"] for info in infos}


async def eventually(check: Callable[[], Awaitable[bool]]) -> None:
    """Poll an async predicate until it holds (bounded by WAIT)."""
    async with asyncio.timeout(WAIT):
        while not await check():
            await asyncio.sleep(0.02)


async def test_acked_entries_leave_the_stream_and_idle_consumers_leave_the_group(
    redis_url: str, client: "Redis", stream: str
) -> None:
    tidy, holder = queue(redis_url, stream, "tidy"), queue(redis_url, stream, "holder")
    await tidy.put(job(1))
    await tidy.put(job(2))
    await (await get(tidy)).ack()
    held = await get(holder)
    assert await client.xlen(stream) == 1
    assert await consumers(client, stream) == {"tidy": 0, "holder": 1}

    await tidy.close()
    await holder.close()  # still holds an entry: it stays so the entry can be claimed
    assert await consumers(client, stream) == {"holder": 1}
    assert held.job == job(2)


async def test_a_claimed_entry_cannot_be_kept_alive_or_acked_by_its_old_owner(
    redis_url: str, client: "Redis", stream: str
) -> None:
    old, new = queue(redis_url, stream, "old"), queue(redis_url, stream, "new")
    try:
        await old.put(job(1))
        stale = await get(old)
        claimed = await get(new)
        await stale.keepalive()
        await stale.ack()
        assert stale.lost and not claimed.lost
        assert await consumers(client, stream) == {"old": 0, "new": 1}
        await claimed.ack()
        assert await client.xlen(stream) == 0
    finally:
        await old.close()
        await new.close()


async def test_the_queue_recovers_when_its_stream_is_deleted(
    redis_url: str, client: "Redis", stream: str
) -> None:
    worker = queue(redis_url, stream, "w")
    try:
        await worker.put(job(1))
        await (await get(worker)).ack()
        await client.delete(stream)  # an operator flushed the keys
        await worker.put(job(2))
        assert (await get(worker)).job == job(2)
    finally:
        await worker.close()


async def num_subscribers(client: "Redis", key: str) -> int:
    ((_, count),) = await client.pubsub_numsub(key)
    return int(count)


async def test_one_redis_subscription_per_channel_however_many_local_subscribers(
    redis_url: str, redis_prefix: str, client: "Redis"
) -> None:
    bus = RedisBus(redis_url, prefix=redis_prefix)
    key = f"{redis_prefix}:events:u1"
    try:
        subscriptions = [await bus.subscribe("events:u1") for _ in range(3)]
        assert await num_subscribers(client, key) == 1
        for subscription in subscriptions[:2]:
            await subscription.close()
        assert await num_subscribers(client, key) == 1
        await subscriptions[2].close()
        await eventually(lambda: _is_zero(client, key))
    finally:
        await bus.close()


async def _is_zero(client: "Redis", key: str) -> bool:
    return await num_subscribers(client, key) == 0


async def test_a_foreign_message_that_is_not_json_is_skipped(
    redis_url: str, redis_prefix: str, client: "Redis"
) -> None:
    bus = RedisBus(redis_url, prefix=redis_prefix)
    try:
        subscription = await bus.subscribe("c")
        await client.publish(f"{redis_prefix}:c", b"\xffnot json")
        await bus.publish("c", [{"ok": True}])
        assert await take(subscription, 1) == [{"ok": True}]
    finally:
        await bus.close()


async def test_the_listener_reconnects_and_resubscribes_after_its_connection_drops(
    redis_url: str, redis_prefix: str, client: "Redis"
) -> None:
    listening = RedisBus(redis_url, prefix=redis_prefix)
    publishing = RedisBus(redis_url, prefix=redis_prefix)
    try:
        subscription = await listening.subscribe("events:u1")
        await _kill_listener(client, f"{redis_prefix}-bus-listener")
        # Pub/sub keeps nothing for an absent listener: publish until one arrives.
        async with asyncio.timeout(WAIT):
            n = 0
            while True:
                await publishing.publish("events:u1", [{"n": n}])
                try:
                    async with asyncio.timeout(0.05):
                        await anext(aiter(subscription))
                    break
                except TimeoutError:
                    n += 1
        await publishing.publish("events:u1", [{"after": True}])
        rest = []
        async with asyncio.timeout(WAIT):
            async for message in subscription:
                rest.append(message)
                if message == {"after": True}:
                    break
        assert all("n" in message for message in rest[:-1])
    finally:
        await listening.close()
        await publishing.close()


async def _kill_listener(client: "Redis", name: str) -> None:
    listeners = [info for info in await client.client_list() if info["name"] == name]
    assert len(listeners) == 1
    await client.client_kill_filter(_id=listeners[0]["id"])
