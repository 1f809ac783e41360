"""The embedded runtime: a work queue and an event bus inside one process.

:class:`LocalQueue` hands jobs to the engine workers of ``blockyard serve``. A job stays
"in flight" until its delivery is acked; if the worker that took it goes away first (its
:class:`LocalDelivery` was garbage-collected, or the task that called ``get`` is done),
:meth:`LocalQueue.requeue_unacked` puts it back. With ``claim_idle_ms`` set it also behaves
like the Redis queue: a job whose delivery has not been acked or kept alive for that long
is handed to the next ``get`` (the first taker's later ``ack`` or ``keepalive`` then does
nothing). Either way delivery is at least once; the engine's resume makes a second run of
a finished execution harmless.

:class:`LocalBus` is in-process pub/sub over :class:`~blockyard.runtime.fanout.Fanout`.
"""

import asyncio
import itertools
import logging
import time
import weakref
from dataclasses import dataclass

from blockyard.engine.ports import Clock, Job, Message
from blockyard.runtime.fanout import DEFAULT_BUFFER, Fanout, FanoutSubscription, encode

log = logging.getLogger(__name__)


class _Closed:
    """Sentinel that wakes blocked getters after ``close`` (each passes it on)."""


_CLOSED = _Closed()


@dataclass(slots=True)
class _InFlight:
    job: Job
    owner: "asyncio.Task[object] | None"
    delivery: "weakref.ref[LocalDelivery]"
    seen: float


class LocalDelivery:
    """A job handed to one worker; ``ack`` once the execution is durably finished."""

    def __init__(self, queue: "LocalQueue", token: int, job: Job) -> None:
        self.job = job
        self.lost = False
        """True once ``keepalive`` found the job had been handed to another worker."""
        self._queue = queue
        self._token = token

    async def ack(self) -> None:
        self._queue._ack(self._token)

    async def keepalive(self) -> None:
        if not self._queue._keepalive(self._token):
            self.lost = True
            log.warning("work queue: job %s was handed to another worker", self.job.graph_exec_id)


class LocalQueue:
    """FIFO of jobs for in-process workers, with requeue of jobs whose worker vanished."""

    def __init__(self, *, claim_idle_ms: int | None = None, clock: Clock = time.monotonic) -> None:
        self.claim_idle_ms = claim_idle_ms
        self._clock = clock
        self._ready: asyncio.Queue[Job | _Closed] = asyncio.Queue()
        self._in_flight: dict[int, _InFlight] = {}
        self._tokens = itertools.count(1)
        self._closed = False

    async def put(self, job: Job) -> None:
        self._check_open()
        self._ready.put_nowait(job)

    async def get(self) -> LocalDelivery:
        """The next job: an idle one to reclaim first, else the oldest waiting one."""
        while True:
            self._check_open()
            job = self._claim_idle()
            if job is None:
                job = await self._wait_ready()
            if job is not None:
                return self._deliver(job)

    def requeue_unacked(self) -> int:
        """Put back every unacked job whose delivery was dropped or whose taker is done.

        Returns how many were requeued. Call it when a worker task died (the supervisor
        knows) or periodically; jobs of live workers are left alone.
        """
        orphans = [
            token
            for token, entry in self._in_flight.items()
            if entry.delivery() is None or (entry.owner is not None and entry.owner.done())
        ]
        for token in orphans:
            self._ready.put_nowait(self._in_flight.pop(token).job)
        return len(orphans)

    def in_flight(self) -> int:
        """How many delivered jobs are not acked yet."""
        return len(self._in_flight)

    async def close(self) -> None:
        """Refuse new work and wake blocked getters (they raise ``RuntimeError``)."""
        if not self._closed:
            self._closed = True
            self._ready.put_nowait(_CLOSED)

    async def _wait_ready(self) -> Job | None:
        """Wait for a job; None when it is time to look for idle ones again."""
        try:
            async with asyncio.timeout(self._claim_wait()):
                item = await self._ready.get()
        except TimeoutError:
            return None
        if isinstance(item, _Closed):
            self._ready.put_nowait(item)
            raise RuntimeError("the work queue is closed")
        return item

    def _claim_wait(self) -> float | None:
        """Seconds until the oldest in-flight job could be reclaimed (None: never)."""
        if self.claim_idle_ms is None:
            return None
        idle = self.claim_idle_ms / 1000
        if not self._in_flight:
            return idle
        oldest = min(entry.seen for entry in self._in_flight.values())
        return max(0.001, oldest + idle - self._clock())

    def _claim_idle(self) -> Job | None:
        if self.claim_idle_ms is None or not self._in_flight:
            return None
        deadline = self._clock() - self.claim_idle_ms / 1000
        for token, entry in self._in_flight.items():
            if entry.seen <= deadline:
                del self._in_flight[token]
                log.warning("work queue: reclaiming idle job %s", entry.job.graph_exec_id)
                return entry.job
        return None

    def _deliver(self, job: Job) -> LocalDelivery:
        token = next(self._tokens)
        delivery = LocalDelivery(self, token, job)
        owner = asyncio.current_task()
        self._in_flight[token] = _InFlight(job, owner, weakref.ref(delivery), self._clock())
        return delivery

    def _ack(self, token: int) -> None:
        self._in_flight.pop(token, None)

    def _keepalive(self, token: int) -> bool:
        entry = self._in_flight.get(token)
        if entry is None:
            return False
        entry.seen = self._clock()
        return True

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("the work queue is closed")


class LocalBus:
    """In-process pub/sub: exact channel names, per-subscriber bounded buffers."""

    def __init__(self, *, max_buffer: int = DEFAULT_BUFFER) -> None:
        self._fanout = Fanout(limit=max_buffer)
        self._closed = False

    async def publish(self, channel: str, messages: list[Message]) -> None:
        self._check_open()
        self._fanout.deliver(channel, [encode(message) for message in messages])

    async def subscribe(self, channel: str) -> FanoutSubscription:
        self._check_open()
        return self._fanout.add(channel)

    async def close(self) -> None:
        """End every subscription; later publish or subscribe calls raise ``RuntimeError``."""
        self._closed = True
        self._fanout.close_all()

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("the event bus is closed")
