"""Throughput of the runtime adapters: messages/s through each event bus, jobs/s through
each work queue, in-process and (when the server answers) Redis.

Bus: one publisher sends ``--messages`` messages (in publish calls of 1 and of 100) to 1
subscriber, and a quarter as many to 10 subscribers; the clock stops when every
subscriber has every message. With Redis, publisher and subscribers are separate
``RedisBus`` instances (separate connections, as separate processes would be), all in
this one event loop: the 10-subscriber rate is one CPU doing the work of ten processes,
so the 1-subscriber line is the rate one API process can receive.

Queue: a producer puts ``--jobs`` jobs while 1 and 4 consumers get and ack them; the
clock stops at the last ack. With Redis each consumer is its own ``RedisQueue``.

    .venv/bin/python -m benchmarks.runtime_bus [--messages 20000] [--jobs 2000]
                                               [--redis URL | --no-redis]
"""

import argparse
import asyncio
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from redis.asyncio import Redis

from blockyard.engine.ports import EventBus, Job, Subscription, WorkQueue
from blockyard.runtime.local import LocalBus, LocalQueue
from blockyard.runtime.redis import RedisBus, RedisQueue

DEFAULT_REDIS = "redis://127.0.0.1:6379/0"
CHANNEL = "events:bench-user"


@dataclass(frozen=True, slots=True)
class Result:
    label: str
    count: int
    seconds: float
    unit: str

    def line(self) -> str:
        rate = f"{self.count / self.seconds:>12,.0f} {self.unit}/s"
        return f"{self.label:<44} {rate}  ({self.count:,} in {self.seconds:.2f} s)"


def sample_message(n: int) -> dict[str, object]:
    """About the size of a node execution event."""
    return {
        "method": "node_execution_event",
        "seq": n,
        "data": {"node_id": f"node-{n % 50}", "status": "COMPLETED", "output": [f"value {n}"]},
    }


async def receive_all(subscription: Subscription, count: int) -> None:
    received = 0
    async for _ in subscription:
        received += 1
        if received == count:
            return
    raise RuntimeError("a subscription ended early (dropped as too slow?)")


async def bus_run(
    publisher: EventBus, listeners: list[EventBus], messages: int, batch: int
) -> float:
    subscriptions = [await bus.subscribe(CHANNEL) for bus in listeners]
    readers = [asyncio.create_task(receive_all(s, messages)) for s in subscriptions]
    payload = [sample_message(n) for n in range(messages)]
    start = time.perf_counter()
    for first in range(0, messages, batch):
        await publisher.publish(CHANNEL, payload[first : first + batch])
        await asyncio.sleep(0)  # let the readers run, as a real server's loop would
    await asyncio.gather(*readers)
    elapsed = time.perf_counter() - start
    for subscription in subscriptions:
        await subscription.close()
    return elapsed


async def bus_results(
    name: str, make: Callable[[], EventBus], shared: bool, messages: int
) -> list[Result]:
    results = []
    for subscribers, count in ((1, messages), (10, messages // 4)):
        for batch in (1, 100):
            publisher = make()
            listeners = [publisher if shared else make() for _ in range(subscribers)]
            try:
                seconds = await bus_run(publisher, listeners, count, batch)
            finally:
                for bus in {id(b): b for b in [publisher, *listeners]}.values():
                    await bus.close()
            label = f"{name} bus, {subscribers:>2} subscriber(s), batch {batch:>3}"
            results.append(Result(label, count, seconds, "messages"))
    return results


async def consume(queue: WorkQueue, done: list[int], total: int, finished: asyncio.Event) -> None:
    while True:
        delivery = await queue.get()
        await delivery.ack()
        done[0] += 1
        if done[0] == total:
            finished.set()


async def queue_run(queues: list[WorkQueue], jobs: int) -> float:
    done, finished = [0], asyncio.Event()
    start = time.perf_counter()
    workers = [asyncio.create_task(consume(q, done, jobs, finished)) for q in queues]
    for n in range(jobs):
        await queues[0].put(Job(graph_exec_id=f"exec-{n}", user_id="bench"))
    await finished.wait()
    elapsed = time.perf_counter() - start
    for task in workers:
        task.cancel()
    await asyncio.gather(*workers, return_exceptions=True)
    return elapsed


async def local_results(messages: int, jobs: int) -> list[Result]:
    results = await bus_results("local", lambda: LocalBus(max_buffer=messages + 1), True, messages)
    for consumers in (1, 4):
        queue = LocalQueue()
        seconds = await queue_run([queue] * consumers, jobs * 10)
        await queue.close()
        results.append(Result(f"local queue, {consumers} consumer(s)", jobs * 10, seconds, "jobs"))
    return results


async def redis_results(url: str, messages: int, jobs: int) -> list[Result]:
    prefix = f"blockyard-bench-{uuid.uuid4().hex[:8]}"
    results = await bus_results(
        "redis",
        lambda: RedisBus(url, prefix=prefix, max_buffer=messages + 1),
        False,
        messages,
    )
    for consumers in (1, 4):
        stream = f"{prefix}:jobs-{consumers}"
        queues: list[WorkQueue] = [RedisQueue(url, stream=stream) for _ in range(consumers)]
        try:
            seconds = await queue_run(queues, jobs)
        finally:
            for queue in queues:
                await queue.close()
            client = Redis.from_url(url)
            await client.delete(stream)
            await client.aclose()
        results.append(Result(f"redis queue, {consumers} consumer(s)", jobs, seconds, "jobs"))
    return results


async def redis_answers(url: str) -> bool:
    client = Redis.from_url(url, socket_connect_timeout=1)
    try:
        return bool(await client.ping())
    except OSError:
        return False
    except Exception as exc:  # redis.ConnectionError and friends
        print(f"redis at {url} does not answer: {exc}")
        return False
    finally:
        await client.aclose()


async def main_async(args: argparse.Namespace) -> None:
    results = await local_results(args.messages, args.jobs)
    if not args.no_redis and await redis_answers(args.redis):
        results += await redis_results(args.redis, args.messages, args.jobs)
    elif not args.no_redis:
        print(f"(Redis at {args.redis} is not reachable: skipped)")
    for result in results:
        print(result.line())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--jobs", type=int, default=2_000, help="Redis jobs (local: 10x)")
    parser.add_argument("--redis", default=DEFAULT_REDIS)
    parser.add_argument("--no-redis", action="store_true")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
