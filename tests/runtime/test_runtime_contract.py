"""One contract for both runtimes: every test runs on the in-process and the Redis adapter.

Every wait is bounded by ``asyncio.timeout`` so a broken adapter fails instead of hanging.
"""

import asyncio

import pytest

from blockyard.engine.ports import Job, Message, WorkQueue
from tests.runtime.helpers import CLAIM_IDLE_MS, WAIT, BusFactory, cancel, drain, get, job, take

# -- work queue ----------------------------------------------------------------------------


async def test_jobs_come_out_in_order_and_acked_jobs_do_not_return(
    queue_pair: tuple[WorkQueue, WorkQueue],
) -> None:
    queue, _ = queue_pair
    for n in range(3):
        await queue.put(job(n))
    for n in range(3):
        delivery = await get(queue)
        assert delivery.job == job(n)
        await delivery.ack()
    await queue.put(job(3))
    assert (await get(queue)).job == job(3)


async def test_two_consumers_share_the_jobs_without_duplicates(
    queue_pair: tuple[WorkQueue, WorkQueue],
) -> None:
    jobs = [job(n) for n in range(20)]
    for item in jobs:
        await queue_pair[0].put(item)
    taken: dict[int, list[Job]] = {0: [], 1: []}
    all_done = asyncio.Event()

    async def consume(index: int) -> None:
        while True:
            delivery = await queue_pair[index].get()
            taken[index].append(delivery.job)
            await asyncio.sleep(0.002)  # some work, so the other consumer gets a turn
            await delivery.ack()
            if len(taken[0]) + len(taken[1]) == len(jobs):
                all_done.set()

    consumers = [asyncio.create_task(consume(index)) for index in (0, 1)]
    try:
        async with asyncio.timeout(WAIT):
            await all_done.wait()
    finally:
        for task in consumers:
            await cancel(task)
    received = taken[0] + taken[1]
    assert len(received) == len(jobs)
    assert sorted(received, key=lambda j: j.graph_exec_id) == sorted(
        jobs, key=lambda j: j.graph_exec_id
    )
    assert taken[0] and taken[1]


async def test_a_dead_consumers_job_is_claimed_after_the_idle_time(
    queue_pair: tuple[WorkQueue, WorkQueue],
) -> None:
    dead_worker, live_worker = queue_pair
    await dead_worker.put(job(1))
    abandoned = await get(dead_worker)  # never acked, never kept alive
    claimed = await get(live_worker)
    assert claimed.job == job(1)

    await abandoned.ack()  # too late: the job is no longer the dead worker's to ack
    again = await get(dead_worker)  # so the new owner's silence lets it be claimed again
    assert again.job == job(1)
    await again.ack()
    await dead_worker.put(job(2))
    assert (await get(live_worker)).job == job(2)


async def test_keepalive_prevents_the_claim(queue_pair: tuple[WorkQueue, WorkQueue]) -> None:
    busy_worker, idle_worker = queue_pair
    await busy_worker.put(job(1))
    held = await get(busy_worker)
    thief = asyncio.create_task(idle_worker.get())
    try:
        for _ in range(10):  # 2.5 times the idle time in all
            await asyncio.sleep(CLAIM_IDLE_MS / 4 / 1000)
            await held.keepalive()
        assert not thief.done()
        await held.ack()
    finally:
        await cancel(thief)
    await busy_worker.put(job(2))
    assert (await get(idle_worker)).job == job(2)


async def test_closed_queue_refuses_work(queue_pair: tuple[WorkQueue, WorkQueue]) -> None:
    queue, _ = queue_pair
    await queue.close()
    with pytest.raises(RuntimeError):
        await queue.put(job(1))
    with pytest.raises(RuntimeError):
        await queue.get()


# -- event bus -----------------------------------------------------------------------------


async def test_messages_arrive_in_publish_order(bus_factory: BusFactory) -> None:
    bus = bus_factory()
    subscription = await bus.subscribe("events:u1")
    await bus.publish("events:u1", [{"n": n} for n in range(100)])
    for n in range(100, 120):
        await bus.publish("events:u1", [{"n": n}])
    assert await take(subscription, 120) == [{"n": n} for n in range(120)]


async def test_every_subscriber_receives_every_message(bus_factory: BusFactory) -> None:
    """With Redis the three buses are three processes: two API servers and a worker."""
    api_one, api_two, worker = bus_factory(), bus_factory(), bus_factory()
    first = await api_one.subscribe("events:u1")
    second = await api_two.subscribe("events:u1")
    third = await api_two.subscribe("events:u1")
    messages: list[Message] = [{"seq": 1, "status": "RUNNING"}, {"seq": 2, "nested": {"a": [1]}}]
    await worker.publish("events:u1", messages)
    for subscription in (first, second, third):
        assert await take(subscription, 2) == messages


async def test_unsubscribe_stops_delivery(bus_factory: BusFactory) -> None:
    bus = bus_factory()
    leaving = await bus.subscribe("events:u1")
    staying = await bus.subscribe("events:u1")
    await bus.publish("events:u1", [{"n": 1}])
    await leaving.close()
    await bus.publish("events:u1", [{"n": 2}])
    assert await drain(leaving) == []
    assert await take(staying, 2) == [{"n": 1}, {"n": 2}]

    await staying.close()
    again = await bus.subscribe("events:u1")
    await bus.publish("events:u1", [{"n": 3}])
    assert await take(again, 1) == [{"n": 3}]


async def test_channels_are_isolated_and_exact(bus_factory: BusFactory) -> None:
    bus = bus_factory()
    one = await bus.subscribe("events:u1")
    other = await bus.subscribe("events:u10")
    await bus.publish("events:u1", [{"to": "u1"}])
    await bus.publish("events:u10", [{"to": "u10"}])
    await bus.publish("events:u1", [{"to": "u1", "n": 2}])
    assert await take(other, 1) == [{"to": "u10"}]
    assert await take(one, 2) == [{"to": "u1"}, {"to": "u1", "n": 2}]


async def test_a_slow_subscriber_is_dropped_without_blocking_the_publisher(
    bus_factory: BusFactory,
) -> None:
    bus = bus_factory(max_buffer=5)
    slow = await bus.subscribe("events:u1")
    async with asyncio.timeout(WAIT):
        await bus.publish("events:u1", [{"n": n} for n in range(12)])
    assert await drain(slow) == [{"n": n} for n in range(5)]
    fresh = await bus.subscribe("events:u1")
    await bus.publish("events:u1", [{"n": 99}])
    assert await take(fresh, 1) == [{"n": 99}]


async def test_a_message_json_cannot_carry_is_refused(bus_factory: BusFactory) -> None:
    bus = bus_factory()
    with pytest.raises(TypeError):
        await bus.publish("events:u1", [{"ok": 1}, {"bad": object()}])


async def test_close_ends_subscriptions_and_leaves_no_task(bus_factory: BusFactory) -> None:
    bus = bus_factory()
    subscription = await bus.subscribe("events:u1")
    await bus.close()
    assert await drain(subscription) == []
    assert asyncio.all_tasks() == {asyncio.current_task()}
    with pytest.raises(RuntimeError):
        await bus.publish("events:u1", [{"n": 1}])
