"""Schedules in the database, and the scheduler firing them, on SQLite and PostgreSQL."""

import asyncio
import time
import uuid

import pytest

from blockyard.engine.executor import new_graph_exec
from blockyard.engine.ports import GraphExecRecord
from blockyard.engine.schedules import Schedule, Scheduler, fire_key, next_fire
from blockyard.errors import ConflictError, NotFoundError, RateLimitError
from blockyard.graph.model import Graph
from blockyard.store.db import Database
from blockyard.store.schedules import ScheduleRepo
from tests.store.helpers import MakeUser

START = 1_800_000_000.0  # a Friday, 2027-01-15 08:00 UTC


def schedule(user_id: str, **changes: object) -> Schedule:
    values: dict[str, object] = {
        "id": str(uuid.uuid4()),
        "user_id": user_id,
        "graph_id": "g1",
        "graph_version": None,
        "name": "every minute",
        "cron": "* * * * *",
        "timezone": "UTC",
        "inputs": {"topic": "news"},
        "next_run_at": next_fire("* * * * *", "UTC", START),
    }
    values.update(changes)
    return Schedule(**values)  # type: ignore[arg-type]


class Runs:
    """Records submitted fires; refuses a key it has seen (the store's unique key)."""

    def __init__(self, fail: Exception | None = None) -> None:
        self.by_key: dict[str, GraphExecRecord] = {}
        self.fail = fail

    async def submit(self, s: Schedule, key: str) -> GraphExecRecord:
        await asyncio.sleep(0)
        if self.fail is not None:
            raise self.fail
        if key in self.by_key:
            raise ConflictError("duplicate")
        record = new_graph_exec(Graph(id=s.graph_id), s.user_id, s.inputs, idempotency_key=key)
        self.by_key[key] = record
        return record

    async def find(self, key: str) -> GraphExecRecord | None:
        return self.by_key.get(key)


async def test_owner_scoped_crud(db: Database, make_user: MakeUser) -> None:
    ann, bob = await make_user("ann"), await make_user("bob")
    repo = ScheduleRepo(db)
    made = await repo.create(schedule(ann.id))
    assert (await repo.get(ann.id, made.id)).inputs == {"topic": "news"}
    assert [s.id for s in await repo.list(ann.id)] == [made.id]
    assert await repo.list(ann.id, graph_id="other") == []
    assert await repo.list(bob.id) == []
    with pytest.raises(NotFoundError):
        await repo.get(bob.id, made.id)
    with pytest.raises(NotFoundError):
        await repo.update(bob.id, made.id, enabled=False)
    with pytest.raises(NotFoundError):
        await repo.delete(bob.id, made.id)
    changed = await repo.update(ann.id, made.id, enabled=False, next_run_at=None)
    assert changed.enabled is False and changed.next_run_at is None
    await repo.delete(ann.id, made.id)
    assert await repo.count(ann.id) == 0


async def test_due_schedules_fire_once_and_move_on(db: Database, make_user: MakeUser) -> None:
    ann = await make_user("ann")
    repo = ScheduleRepo(db)
    made = await repo.create(schedule(ann.id))
    later = await repo.create(schedule(ann.id, next_run_at=START + 3600))
    runs = Runs()
    now = [START + 90]  # one fire due (START + 60), the other an hour away
    scheduler = Scheduler(repo, runs.submit, clock=lambda: now[0], find_existing=runs.find)
    assert await scheduler.run_due() == 1
    assert list(runs.by_key) == [fire_key(made.id, START + 60)]
    fired = await repo.get(ann.id, made.id)
    assert fired.next_run_at == START + 120 and fired.last_run_at == START + 90
    assert fired.last_exec_id == runs.by_key[fire_key(made.id, START + 60)].id
    assert (await repo.get(ann.id, later.id)).last_run_at is None
    assert await repo.next_due_at() == START + 120
    assert await scheduler.run_due() == 0  # nothing new is due


async def test_missed_fires_are_coalesced_into_one(db: Database, make_user: MakeUser) -> None:
    ann = await make_user("ann")
    repo = ScheduleRepo(db)
    made = await repo.create(schedule(ann.id))
    runs = Runs()
    now = START + 3 * 3600 + 5  # three hours of every-minute fires missed
    scheduler = Scheduler(repo, runs.submit, clock=lambda: now)
    assert await scheduler.run_due() == 1
    assert len(runs.by_key) == 1
    assert (await repo.get(ann.id, made.id)).next_run_at == next_fire("* * * * *", "UTC", now)


async def test_two_processes_make_one_run_per_fire(db: Database, make_user: MakeUser) -> None:
    ann = await make_user("ann")
    repo_a, repo_b = ScheduleRepo(db), ScheduleRepo(db)
    for _ in range(5):
        await repo_a.create(schedule(ann.id))
    runs = Runs()  # shared, like the one graph_executions table with its unique key
    now = START + 61
    a = Scheduler(repo_a, runs.submit, clock=lambda: now, find_existing=runs.find)
    b = Scheduler(repo_b, runs.submit, clock=lambda: now, find_existing=runs.find)
    fired = await asyncio.gather(a.run_due(), b.run_due())
    assert sum(fired) == 5 and len(runs.by_key) == 5
    for s in await repo_a.list(ann.id):
        assert s.next_run_at == START + 120 and s.last_exec_id is not None


async def test_a_fire_that_cannot_start_is_recorded(db: Database, make_user: MakeUser) -> None:
    ann = await make_user("ann")
    repo = ScheduleRepo(db)
    busy = await repo.create(schedule(ann.id))
    runs = Runs()
    scheduler = Scheduler(repo, runs.submit, clock=lambda: START + 1)
    await repo.update(ann.id, busy.id, next_run_at=START)  # one fire that works first
    assert await scheduler.run_due() == 1
    assert (await repo.get(ann.id, busy.id)).last_exec_id is not None
    runs.fail = RateLimitError("You have 50 runs queued or running")
    scheduler.clock = lambda: START + 61
    assert await scheduler.run_due() == 1
    stored = await repo.get(ann.id, busy.id)
    assert stored.enabled and stored.next_run_at == START + 120
    assert stored.last_error == "You have 50 runs queued or running"
    assert stored.last_exec_id is None  # the last fire started no run

    gone = await repo.create(schedule(ann.id, graph_id="deleted"))
    runs.fail = NotFoundError("Graph deleted not found")
    scheduler.clock = lambda: START + 121
    await scheduler.run_due()
    stored = await repo.get(ann.id, gone.id)
    assert not stored.enabled and stored.next_run_at is None
    assert stored.last_error is not None and "The agent is gone" in stored.last_error


async def test_the_loop_fires_when_a_schedule_becomes_due(
    db: Database, make_user: MakeUser
) -> None:
    ann = await make_user("ann")
    repo = ScheduleRepo(db)
    runs = Runs()
    scheduler = Scheduler(repo, runs.submit, poll_seconds=0.05, find_existing=runs.find)
    scheduler.start()
    try:
        await repo.create(schedule(ann.id, next_run_at=time.time()))
        scheduler.wake()
        async with asyncio.timeout(10):
            while not runs.by_key:
                await asyncio.sleep(0.01)
    finally:
        await scheduler.stop()
    assert len(runs.by_key) == 1
