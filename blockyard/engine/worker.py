"""A worker: takes jobs from the work queue and runs them on an engine; obeys stop messages.

In the embedded server (in-process queue) the worker also resumes, on start, every run the
store says is unfinished: the in-process queue died with the old process. With Redis the
queue itself hands a dead worker's jobs to another (claim of idle entries), so workers
started with ``resume_from_store=False`` do not race each other for them.
"""

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from typing import Any

from blockyard.engine.executor import Engine
from blockyard.engine.ports import CONTROL_CHANNEL, Delivery, EventBus, Subscription, WorkQueue

log = logging.getLogger("blockyard.worker")
KEEPALIVE_SECONDS = 10.0


class Worker:
    def __init__(
        self,
        engine: Engine,
        queue: WorkQueue,
        bus: EventBus,
        *,
        max_runs: int = 100,
        resume_from_store: bool = True,
    ) -> None:
        self.engine = engine
        self.queue = queue
        self.bus = bus
        self.resume_from_store = resume_from_store
        self._slots = asyncio.Semaphore(max_runs)
        self._tasks: set[asyncio.Task[None]] = set()
        self._loops: list[asyncio.Task[None]] = []
        self._control: Subscription | None = None

    async def start(self) -> None:
        self._control = await self.bus.subscribe(CONTROL_CHANNEL)
        self._loops.append(asyncio.create_task(self._obey(self._control), name="worker-control"))
        if self.resume_from_store:
            for graph_exec_id in await self.engine.store.unfinished_graph_execs():
                log.info("Resuming run %s", graph_exec_id)
                self._track(self._run(graph_exec_id, None))
        self._loops.append(asyncio.create_task(self._consume(), name="worker-consume"))

    async def stop(self) -> None:
        """Abandon running work (it resumes later) and stop taking jobs."""
        for task in [*self._loops, *self._tasks]:
            task.cancel()
        await asyncio.gather(*self._loops, *self._tasks, return_exceptions=True)
        self._loops.clear()
        if self._control is not None:
            await self._control.close()
            self._control = None
        await self.engine.close()

    async def _consume(self) -> None:
        while True:
            await self._slots.acquire()
            try:
                delivery = await self.queue.get()
            except BaseException:
                self._slots.release()
                raise
            self._track(self._run(delivery.job.graph_exec_id, delivery), slot=True)

    def _track(self, coro: Coroutine[Any, Any, None], *, slot: bool = False) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)

        def done(t: asyncio.Task[None]) -> None:
            self._tasks.discard(t)
            if slot:
                self._slots.release()

        task.add_done_callback(done)

    async def _run(self, graph_exec_id: str, delivery: Delivery | None) -> None:
        keepalive = None
        if delivery is not None:
            keepalive = asyncio.create_task(self._keepalive(delivery))
        try:
            await self.engine.run(graph_exec_id)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("Run %s failed in the worker", graph_exec_id)
        finally:
            if keepalive is not None:
                keepalive.cancel()
        if delivery is not None:
            await delivery.ack()

    @staticmethod
    async def _keepalive(delivery: Delivery) -> None:
        while True:
            await asyncio.sleep(KEEPALIVE_SECONDS)
            with contextlib.suppress(Exception):
                await delivery.keepalive()

    async def _obey(self, control: Subscription) -> None:
        """Follow control messages; a subscription that ends (dropped) is made anew."""
        while True:
            async for message in control:
                if message.get("op") == "stop" and isinstance(message.get("graph_exec_id"), str):
                    self.engine.stop(message["graph_exec_id"])
            log.warning("The control subscription ended; subscribing again")
            await control.close()
            await asyncio.sleep(0.1)
            control = self._control = await self.bus.subscribe(CONTROL_CHANNEL)
