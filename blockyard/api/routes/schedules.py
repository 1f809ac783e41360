"""Schedules: run an agent on a cron expression in a time zone, with saved inputs.

Owner-scoped like everything else (another user's schedule is 404). Creating or changing a
schedule checks the agent and its inputs as a run would, and the cron and time zone, then
computes when it fires next and wakes this process's scheduler. Secret inputs are sealed at
rest and shown masked. See ``docs/schedules.md``.
"""

import time
from typing import Annotated

from fastapi import APIRouter, Query, Response

from blockyard.api.deps import ContainerDep, Executor, Reader
from blockyard.api.schemas_schedules import ScheduleCreate, SchedulePublic, ScheduleUpdate
from blockyard.engine import schedules as sched
from blockyard.engine.secret_inputs import masked, refuse_markers, secret_input_names
from blockyard.errors import LimitExceededError
from blockyard.wiring import Container

router = APIRouter(prefix="/api", tags=["schedules"])
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=2**31 - 1)]


def public(schedule: sched.Schedule) -> SchedulePublic:
    shown = SchedulePublic.model_validate(schedule)
    return shown.model_copy(update={"inputs": masked(schedule.inputs)})


async def _checked(
    container: Container, schedule: sched.Schedule, *, new_inputs: bool
) -> sched.Schedule:
    """Check the agent, inputs, cron and zone; seal new secret inputs; set ``next_run_at``."""
    graph = await container.service.graphs.get_graph(
        schedule.graph_id, schedule.graph_version, schedule.user_id
    )  # first: another user's agent is 404 whatever else is wrong
    if new_inputs:
        refuse_markers(schedule.inputs)
    sched.check_cron(schedule.cron, schedule.timezone)
    inputs = sched.opened_inputs(schedule, container.engine.secrets)
    container.service.check_runnable(graph, inputs)
    if new_inputs:
        secret = secret_input_names(graph, container.registry)
        sched.seal_inputs(schedule, secret, container.engine.secrets)
    schedule.next_run_at = (
        sched.next_fire(schedule.cron, schedule.timezone, time.time()) if schedule.enabled else None
    )
    return schedule


def _wake(container: Container) -> None:
    if container.scheduler is not None:
        container.scheduler.wake()


@router.post("/graphs/{graph_id}/schedules", status_code=201)
async def create(
    container: ContainerDep, user: Executor, graph_id: str, body: ScheduleCreate
) -> SchedulePublic:
    limit = container.settings.max_user_schedules
    if await container.repos.schedules.count(user.user_id) >= limit:
        raise LimitExceededError(f"You have {limit} schedules, the most this server allows")
    schedule = sched.Schedule(
        id="",
        user_id=user.user_id,
        graph_id=graph_id,
        graph_version=body.graph_version,
        name=body.name,
        cron=body.cron,
        timezone=body.timezone,
        inputs=body.inputs,
    )
    schedule.id = sched.new_schedule_id()
    made = await container.repos.schedules.create(
        await _checked(container, schedule, new_inputs=True)
    )
    _wake(container)
    return public(made)


@router.get("/graphs/{graph_id}/schedules")
async def list_for_graph(
    container: ContainerDep, user: Reader, graph_id: str, limit: Limit = 100, offset: Offset = 0
) -> list[SchedulePublic]:
    await container.repos.graphs.get(user.user_id, graph_id)
    found = await container.repos.schedules.list(user.user_id, graph_id, limit, offset)
    return [public(s) for s in found]


@router.get("/schedules")
async def list_all(
    container: ContainerDep, user: Reader, limit: Limit = 100, offset: Offset = 0
) -> list[SchedulePublic]:
    found = await container.repos.schedules.list(user.user_id, None, limit, offset)
    return [public(s) for s in found]


@router.get("/schedules/{schedule_id}")
async def get(container: ContainerDep, user: Reader, schedule_id: str) -> SchedulePublic:
    return public(await container.repos.schedules.get(user.user_id, schedule_id))


@router.patch("/schedules/{schedule_id}")
async def update(
    container: ContainerDep, user: Executor, schedule_id: str, body: ScheduleUpdate
) -> SchedulePublic:
    schedule = await container.repos.schedules.get(user.user_id, schedule_id)
    changes = body.model_dump(exclude_unset=True)
    for name, value in changes.items():
        if value is not None or name == "graph_version":
            setattr(schedule, name, value)
    await _checked(container, schedule, new_inputs="inputs" in changes)
    saved = await container.repos.schedules.update(
        user.user_id,
        schedule_id,
        name=schedule.name,
        cron=schedule.cron,
        timezone=schedule.timezone,
        inputs=schedule.inputs,
        graph_version=schedule.graph_version,
        enabled=schedule.enabled,
        next_run_at=schedule.next_run_at,
    )
    _wake(container)
    return public(saved)


@router.delete("/schedules/{schedule_id}", status_code=204)
async def delete(container: ContainerDep, user: Executor, schedule_id: str) -> Response:
    await container.repos.schedules.delete(user.user_id, schedule_id)
    return Response(status_code=204)
