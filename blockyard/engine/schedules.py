"""Schedules: run a saved agent on a cron expression in a time zone, with saved inputs.

A schedule is a row of its own (not an opaque job pickle): its cron, time zone, inputs and
``next_run_at``, the instant it fires next. The :class:`Scheduler` loop, one per process
that runs it, fires every due schedule and moves ``next_run_at`` on, safely when several
processes share the database:

1. the run is submitted with the idempotency key ``schedule:<id>:<due>``, so two processes
   (or one that crashed after submitting and came back) make one run of that fire at most;
2. ``next_run_at`` moves from ``due`` to the next time by compare-and-set, so only one
   process advances it.

Fires missed while no process was running are coalesced: a schedule that was due (once or
many times) runs once when the scheduler comes back, then keeps its cron from now on. A fire
that cannot start (the agent was deleted, its inputs no longer fit, the user is at the runs
limit) is recorded on the schedule as ``last_error``; a deleted agent also disables it.

Cron expressions have five fields (minute hour day-of-month month day-of-week) and are read
in the schedule's IANA time zone, so "every day at 9" stays 9 o'clock across daylight-saving
changes; a time that does not exist that day (skipped by a spring-forward) fires at the
first valid minute after it.
"""

import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cronsim import CronSim, CronSimError

from blockyard.engine.ports import Clock, GraphExecRecord
from blockyard.engine.secret_inputs import SEALED, SecretBox, is_sealed
from blockyard.errors import (
    BlockyardError,
    ConflictError,
    ExecutionError,
    InvalidValueError,
    NotFoundError,
)

if TYPE_CHECKING:
    from blockyard.engine.service import ExecutionService

log = logging.getLogger("blockyard.scheduler")

POLL_SECONDS = 10.0
"""How often the loop looks for schedules another process created or changed."""
BATCH = 100
"""Due schedules taken per pass (the rest wait for the next pass, a moment later)."""
MAX_ERROR_CHARS = 500


@dataclass(slots=True)
class Schedule:
    id: str
    user_id: str
    graph_id: str
    graph_version: int | None
    """None: whichever version is active when it fires."""
    name: str
    cron: str
    timezone: str
    inputs: dict[str, Any] = field(default_factory=dict)
    """Agent inputs by name; secret ones sealed (see :mod:`blockyard.engine.secret_inputs`)."""
    enabled: bool = True
    next_run_at: float | None = None
    """When it fires next (epoch seconds); None while disabled."""
    last_run_at: float | None = None
    last_exec_id: str | None = None
    last_error: str | None = None
    created_at: float = 0.0
    updated_at: float = 0.0


def zone(name: str) -> ZoneInfo:
    """The IANA time zone ``name``; InvalidValueError when there is no such zone."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidValueError(
            f"Unknown time zone {name!r}; use an IANA name such as 'Europe/Paris' or 'UTC'",
            field="timezone",
        ) from None


def next_fire(cron: str, timezone: str, after: float) -> float:
    """The first fire time of ``cron`` in ``timezone`` strictly after ``after``."""
    tz = zone(timezone)
    start = datetime.fromtimestamp(after, tz).replace(microsecond=0)
    try:
        fires = CronSim(cron, start)
        moment = next(fires)
        while moment.timestamp() <= after:
            moment = next(fires)
    except CronSimError as exc:
        raise InvalidValueError(
            f"Invalid cron expression {cron!r}: {exc}. Use five fields: minute hour "
            "day-of-month month day-of-week, e.g. '0 9 * * 1-5' for 9:00 on weekdays",
            field="cron",
        ) from None
    except StopIteration:
        raise InvalidValueError(f"The cron expression {cron!r} never fires", field="cron") from None
    return moment.astimezone(UTC).timestamp()


def check_cron(cron: str, timezone: str) -> None:
    """InvalidValueError with a clear message unless ``cron`` can fire in ``timezone``."""
    if len(cron.split()) != 5:
        raise InvalidValueError(
            f"A cron expression has five fields (minute hour day-of-month month "
            f"day-of-week); {cron!r} has {len(cron.split())}",
            field="cron",
        )
    next_fire(cron, timezone, time.time())


def fire_key(schedule_id: str, due: float) -> str:
    """The idempotency key of one fire: the same for every process that tries it."""
    return f"schedule:{schedule_id}:{int(due)}"


class ScheduleStore(Protocol):
    """What the scheduler needs of the database."""

    async def due(self, now: float, limit: int) -> list[Schedule]:
        """Enabled schedules with ``next_run_at <= now``, earliest first."""
        ...

    async def next_due_at(self) -> float | None:
        """The earliest ``next_run_at`` of any enabled schedule."""
        ...

    async def advance(self, schedule_id: str, due: float, next_run_at: float) -> bool:
        """Move ``next_run_at`` from ``due`` to ``next_run_at``; False if it was not ``due``."""
        ...

    async def record_fire(
        self,
        schedule_id: str,
        *,
        at: float,
        exec_id: str | None,
        error: str | None,
        disable: bool = False,
    ) -> None: ...


class RunSubmitter(Protocol):
    """Starts a run of a schedule (the execution service, with the inputs opened)."""

    async def __call__(self, schedule: Schedule, idempotency_key: str) -> GraphExecRecord: ...


class Scheduler:
    """Fires due schedules until stopped; :meth:`wake` after a local change."""

    def __init__(
        self,
        store: ScheduleStore,
        submit: RunSubmitter,
        *,
        clock: Clock = time.time,
        poll_seconds: float = POLL_SECONDS,
        find_existing: Callable[[str], Any] | None = None,
    ) -> None:
        self.store = store
        self.submit = submit
        self.clock = clock
        self.poll_seconds = poll_seconds
        self.find_existing = find_existing
        """``idempotency key -> run or None``: the run an earlier try of a fire made."""
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.fired = 0

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name="scheduler")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def wake(self) -> None:
        """Look again now (a schedule was created or changed in this process)."""
        self._wake.set()

    async def _loop(self) -> None:
        while True:
            try:
                await self.run_due()
                delay = await self._delay()
            except Exception:
                log.exception("Scheduler pass failed; trying again shortly")
                delay = self.poll_seconds
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=delay)

    async def _delay(self) -> float:
        upcoming = await self.store.next_due_at()
        if upcoming is None:
            return self.poll_seconds
        return min(self.poll_seconds, max(0.0, upcoming - self.clock()))

    async def run_due(self) -> int:
        """Fire every schedule due now; how many this process fired."""
        fired = 0
        while True:
            now = self.clock()
            due = await self.store.due(now, BATCH)
            for schedule in due:
                fired += await self.fire(schedule, now)
            if len(due) < BATCH:
                return fired

    async def fire(self, schedule: Schedule, now: float) -> int:
        """Start the run of this fire (once across processes) and move the schedule on."""
        due = schedule.next_run_at
        if due is None:
            return 0
        key = fire_key(schedule.id, due)
        exec_id: str | None = None
        error: str | None = None
        disable = False
        try:
            exec_id = (await self.submit(schedule, key)).id
        except ConflictError:
            existing = await self._existing(key)
            exec_id = existing.id if existing is not None else None
        except NotFoundError as exc:
            error, disable = f"The agent is gone; schedule disabled: {exc.message}", True
        except BlockyardError as exc:
            error = exc.message
        try:
            following = next_fire(schedule.cron, schedule.timezone, max(due, now))
        except InvalidValueError as exc:  # a zone removed from the time zone database
            error, disable, following = exc.message, True, due
        if not await self.store.advance(schedule.id, due, following):
            return 0  # another process moved it on first
        await self.store.record_fire(
            schedule.id,
            at=now,
            exec_id=exec_id,
            error=error[:MAX_ERROR_CHARS] if error else None,
            disable=disable,
        )
        if error:
            log.warning("Schedule %s could not start a run: %s", schedule.id, error)
        self.fired += 1
        return 1

    async def _existing(self, key: str) -> GraphExecRecord | None:
        if self.find_existing is None:
            return None
        found: GraphExecRecord | None = await self.find_existing(key)
        return found


def _context(schedule: Schedule, name: str) -> bytes:
    return f"schedule\0{schedule.id}\0{schedule.user_id}\0{name}".encode()


def seal_inputs(schedule: Schedule, secret_names: set[str], box: SecretBox | None) -> None:
    """Seal the saved inputs that the agent's secret Agent Inputs take (before storing)."""
    if box is None:
        return
    inputs = dict(schedule.inputs)
    for name in secret_names & inputs.keys():
        if not is_sealed(inputs[name]):
            plaintext = json.dumps(inputs[name], default=str).encode("utf-8")
            inputs[name] = {SEALED: box.seal(plaintext, _context(schedule, name))}
    schedule.inputs = inputs


def opened_inputs(schedule: Schedule, box: SecretBox | None) -> dict[str, Any]:
    """The saved inputs as given, sealed ones opened (to submit a run, which seals anew)."""
    inputs = dict(schedule.inputs)
    for name, value in schedule.inputs.items():
        if is_sealed(value):
            if box is None:
                raise ExecutionError(f"The secret input {name!r} is sealed and there is no key")
            inputs[name] = json.loads(box.open(value[SEALED], _context(schedule, name)))
    return inputs


class ScheduledRuns:
    """The scheduler's :class:`RunSubmitter` over the execution service."""

    def __init__(self, service: "ExecutionService", box: SecretBox | None) -> None:
        self.service = service
        self.box = box

    async def __call__(self, schedule: Schedule, idempotency_key: str) -> GraphExecRecord:
        return await self.service.submit(
            schedule.user_id,
            schedule.graph_id,
            schedule.graph_version,
            opened_inputs(schedule, self.box),
            idempotency_key=idempotency_key,
        )


def new_schedule_id() -> str:
    return str(uuid.uuid4())
