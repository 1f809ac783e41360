"""What only the in-process adapters promise: requeue of orphaned jobs, copies per subscriber."""

import asyncio
import gc
import logging

import pytest

from blockyard.runtime.local import LocalBus, LocalDelivery, LocalQueue
from tests.runtime.helpers import WAIT, drain, get, job, take


async def test_a_dropped_delivery_is_requeued() -> None:
    queue = LocalQueue()
    await queue.put(job(1))
    delivery = await get(queue)
    assert queue.requeue_unacked() == 0  # still held by a live worker
    del delivery
    gc.collect()
    assert queue.requeue_unacked() == 1
    assert (await get(queue)).job == job(1)


async def test_the_job_of_a_worker_task_that_ended_is_requeued() -> None:
    queue = LocalQueue()
    await queue.put(job(1))
    kept: list[LocalDelivery] = []

    async def worker() -> None:
        kept.append(await queue.get())
        raise RuntimeError("worker crashed before acking")

    task = asyncio.create_task(worker())
    with pytest.raises(RuntimeError):
        await task
    assert queue.requeue_unacked() == 1
    again = await get(queue)
    assert again.job == job(1)

    await kept[0].ack()  # the dead worker's stale delivery cannot ack the new one
    assert queue.in_flight() == 1
    await again.ack()
    assert queue.in_flight() == 0


async def test_acked_jobs_are_never_requeued() -> None:
    queue = LocalQueue()
    await queue.put(job(1))
    delivery = await get(queue)
    await delivery.ack()
    del delivery
    gc.collect()
    assert queue.requeue_unacked() == 0


async def test_without_claim_idle_ms_a_held_job_is_not_claimed() -> None:
    queue = LocalQueue()
    await queue.put(job(1))
    held = await get(queue)
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.3):
            await queue.get()
    await held.ack()


async def test_keepalive_after_a_claim_reports_the_job_lost() -> None:
    queue = LocalQueue(claim_idle_ms=50)
    await queue.put(job(1))
    first = await get(queue)
    second = await get(queue)  # claimed once ``first`` has been idle for 50 ms
    await first.keepalive()
    assert first.lost and not second.lost
    assert queue.in_flight() == 1


async def test_close_wakes_every_blocked_getter() -> None:
    queue = LocalQueue()
    getters = [asyncio.create_task(queue.get()) for _ in range(3)]
    await asyncio.sleep(0)
    await queue.close()
    async with asyncio.timeout(WAIT):
        results = await asyncio.gather(*getters, return_exceptions=True)
    assert all(isinstance(result, RuntimeError) for result in results)


async def test_each_subscriber_gets_its_own_copy() -> None:
    bus = LocalBus()
    first = await bus.subscribe("c")
    second = await bus.subscribe("c")
    await bus.publish("c", [{"items": [1]}])
    (mine,) = await take(first, 1)
    mine["items"].append(2)
    assert await take(second, 1) == [{"items": [1]}]
    await bus.close()


async def test_a_slow_subscriber_is_marked_dropped_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    bus = LocalBus(max_buffer=2)
    slow = await bus.subscribe("c")
    fast = await bus.subscribe("c")
    reader = asyncio.create_task(take(fast, 3))
    await asyncio.sleep(0)
    with caplog.at_level(logging.WARNING, logger="blockyard.runtime.fanout"):
        for n in range(3):
            await bus.publish("c", [{"n": n}])
            await asyncio.sleep(0)  # the fast reader keeps up, the slow one never reads
    assert await reader == [{"n": 0}, {"n": 1}, {"n": 2}]
    assert slow.dropped and not fast.dropped
    assert await drain(slow) == [{"n": 0}, {"n": 1}]
    assert "dropping a slow subscriber" in caplog.text
    await bus.close()
