"""Group commit: one writer task makes every staged state change durable, in batches.

Runs stage records (``stage``), events (``publish``) and callbacks (``after_commit``). The
writer commits whatever has accumulated as soon as the previous commit is done: no timer,
so a lone chain pays one fast commit per step while a busy process shares each commit among
many nodes. Events and callbacks of a batch run only after its commit, so a node's
successors are released (and the world hears of its completion) only once it is durable.

Records staged with ``durable=False`` (a node that started running) ride along with the
next commit. When none comes within ``LAZY_FLUSH_SECONDS`` (one long node, nothing else
running) they are committed on their own, so a page that opens the run mid-node reads it
RUNNING from the store; a busy process never pays for this, its next commit is sooner.
"""

import asyncio
import logging
from collections.abc import Callable

from blockyard.engine.ports import (
    Batch,
    Charge,
    EventBus,
    GraphExecRecord,
    Message,
    NodeExecRecord,
    RunStore,
)

log = logging.getLogger(__name__)

_RETRY_DELAYS = (0.05, 0.2, 0.5, 1.0, 2.0)
LAZY_FLUSH_SECONDS = 0.25
"""How long a record staged with ``durable=False`` may wait for another commit to ride."""


class GroupCommitter:
    def __init__(self, store: RunStore, bus: EventBus) -> None:
        self._store = store
        self._bus = bus
        self._batch = Batch()
        self._durable = False
        self._events: list[tuple[str, Message]] = []
        self._callbacks: list[Callable[[], None]] = []
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._task: asyncio.Task[None] | None = None
        self._lazy: asyncio.TimerHandle | None = None
        self.commits = 0

    # -- staging --------------------------------------------------------------------------
    def stage_node(self, record: NodeExecRecord, *, durable: bool = True) -> None:
        self._batch.node_execs[record.id] = record
        if durable:
            self._mark()
        else:
            self._flush_later()

    def stage_graph(self, record: GraphExecRecord, *, durable: bool = True) -> None:
        self._batch.graph_execs[record.id] = record
        if durable:
            self._mark()
        else:
            self._flush_later()

    def stage_charge(self, charge: Charge) -> None:
        self._batch.charges.append(charge)
        self._mark()

    def publish(self, channel: str, message: Message) -> None:
        """Publish after the changes staged so far are durable (keeps events in order)."""
        self._events.append((channel, message))
        self._poke()

    def after_commit(self, callback: Callable[[], None]) -> None:
        self._callbacks.append(callback)
        self._mark()

    def _mark(self) -> None:
        self._durable = True
        self._poke()

    def _flush_later(self) -> None:
        if self._lazy is None:
            self._lazy = asyncio.get_running_loop().call_later(LAZY_FLUSH_SECONDS, self._lazy_due)

    def _lazy_due(self) -> None:
        self._lazy = None
        if self._batch.node_execs or self._batch.graph_execs:
            self._mark()

    def _poke(self) -> None:
        self._idle.clear()
        self._wake.set()
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._writer(), name="group-commit")

    # -- writing --------------------------------------------------------------------------
    async def flush(self) -> None:
        """Wait until everything staged before this call is durable and published."""
        if self._durable or self._events:
            self._mark()
        await self._idle.wait()

    async def close(self) -> None:
        if self._lazy is not None:
            self._lazy.cancel()
            self._lazy = None
        await self.flush()
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _writer(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            if not (self._durable or self._events):
                self._idle.set()
                continue
            await self._write_once()

    async def _write_once(self) -> None:
        events, self._events = self._events, []
        callbacks: list[Callable[[], None]] = []
        if self._durable:
            batch, self._batch, self._durable = self._batch, Batch(), False
            callbacks, self._callbacks = self._callbacks, []
            await self._commit(batch)
        await self._publish(events)
        for callback in callbacks:
            callback()
        if not (self._durable or self._events):
            self._idle.set()

    async def _commit(self, batch: Batch) -> None:
        """Commit, retrying a failing store for as long as it takes.

        Nothing else can make progress without the store, and successors must not run on
        changes that are not durable; so the writer waits (and logs) rather than drops work.
        """
        attempt = 0
        while True:
            try:
                await self._store.commit(batch)
                self.commits += 1
                return
            except Exception:
                delay = _RETRY_DELAYS[min(attempt, len(_RETRY_DELAYS) - 1)]
                attempt += 1
                log.exception(
                    "Commit of %d node records failed (attempt %d); retrying in %.2fs",
                    len(batch.node_execs),
                    attempt,
                    delay,
                )
                await asyncio.sleep(delay)

    async def _publish(self, events: list[tuple[str, Message]]) -> None:
        if not events:
            return
        by_channel: dict[str, list[Message]] = {}
        for channel, message in events:
            by_channel.setdefault(channel, []).append(message)
        for channel, messages in by_channel.items():
            try:
                await self._bus.publish(channel, messages)
            except Exception:
                log.exception("Publishing %d events failed", len(messages))
