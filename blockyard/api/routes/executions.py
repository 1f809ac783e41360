"""Running agents: execute a version, list and read runs with outputs, stop, re-run.

Reads go to the store (``ExecutionRepo``, owner-scoped); changes go through the engine's
``ExecutionService``, which queues the run for a worker in this or another process.
"""

from typing import Annotated

from fastapi import APIRouter, Path, Query

from blockyard.api.deps import ContainerDep, Executor, Reader
from blockyard.api.schemas import (
    MAX_INT,
    ExecuteRequest,
    GraphExecutionMeta,
    GraphExecutionPublic,
    NodeExecutionPublic,
    RerunRequest,
)
from blockyard.engine.events import parent_node_exec_id
from blockyard.engine.outputs import graph_outputs
from blockyard.engine.ports import GraphExecRecord
from blockyard.engine.secret_inputs import masked
from blockyard.errors import NotFoundError
from blockyard.wiring import Container

router = APIRouter(prefix="/api", tags=["executions"])
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=MAX_INT)]


async def owned_execution(
    container: Container, user_id: str, graph_id: str, graph_exec_id: str
) -> GraphExecRecord:
    """The caller's run of ``graph_id``; a run of another graph or user is not found."""
    record = await container.repos.executions.get(user_id, graph_exec_id)
    if record.graph_id != graph_id:
        raise NotFoundError(f"Execution {graph_exec_id} not found", graph_exec_id=graph_exec_id)
    return record


def execution_meta(record: GraphExecRecord) -> GraphExecutionMeta:
    """What a run shows: its secret inputs (sealed in the store) as the mask."""
    meta = GraphExecutionMeta.model_validate(record)
    update = {"parent_node_exec_id": parent_node_exec_id(record), "inputs": masked(record.inputs)}
    return meta.model_copy(update=update)


async def execution_detail(
    container: Container, user_id: str, graph_id: str, graph_exec_id: str
) -> GraphExecutionPublic:
    """A run with its outputs (output name -> values), every node execution, and the
    sub-agent runs its nodes started (each names its ``parent_node_exec_id``)."""
    record = await owned_execution(container, user_id, graph_id, graph_exec_id)
    node_execs = await container.repos.executions.node_execs(user_id, graph_exec_id)
    graph = await container.repos.graphs.get(
        user_id, graph_id, record.graph_version, with_sub_graphs=True
    )
    children = await container.repos.executions.children(user_id, graph_exec_id)
    return GraphExecutionPublic(
        **execution_meta(record).model_dump(),
        outputs=graph_outputs(graph, node_execs, container.registry),
        node_executions=[NodeExecutionPublic.model_validate(n) for n in node_execs],
        children=[execution_meta(child) for child in children],
        cost=await container.repos.credits.run_cost(user_id, graph_exec_id),
    )


@router.post("/graphs/{graph_id}/execute/{graph_version}")
async def execute(
    container: ContainerDep,
    user: Executor,
    graph_id: str,
    graph_version: Annotated[int, Path(ge=1, le=MAX_INT)],
    body: ExecuteRequest,
) -> GraphExecutionMeta:
    record = await container.service.submit(
        user.user_id, graph_id, graph_version, body.inputs, body.node_input_masks
    )
    return execution_meta(record)


@router.get("/executions")
async def list_all(
    container: ContainerDep, user: Reader, limit: Limit = 50, offset: Offset = 0
) -> list[GraphExecutionMeta]:
    records = await container.repos.executions.list(user.user_id, limit=limit, offset=offset)
    return [execution_meta(r) for r in records]


@router.get("/graphs/{graph_id}/executions")
async def list_for_graph(
    container: ContainerDep,
    user: Reader,
    graph_id: str,
    limit: Limit = 50,
    offset: Offset = 0,
) -> list[GraphExecutionMeta]:
    await container.repos.graphs.get(user.user_id, graph_id)
    records = await container.repos.executions.list(
        user.user_id, graph_id=graph_id, limit=limit, offset=offset
    )
    return [execution_meta(r) for r in records]


@router.get("/graphs/{graph_id}/executions/{graph_exec_id}")
async def get_execution(
    container: ContainerDep, user: Reader, graph_id: str, graph_exec_id: str
) -> GraphExecutionPublic:
    return await execution_detail(container, user.user_id, graph_id, graph_exec_id)


@router.post("/graphs/{graph_id}/executions/{graph_exec_id}/stop")
async def stop(
    container: ContainerDep, user: Executor, graph_id: str, graph_exec_id: str
) -> GraphExecutionMeta:
    await owned_execution(container, user.user_id, graph_id, graph_exec_id)
    record = await container.service.stop(user.user_id, graph_exec_id)
    return execution_meta(record)


@router.post("/graphs/{graph_id}/executions/{graph_exec_id}/rerun")
async def rerun(
    container: ContainerDep,
    user: Executor,
    graph_id: str,
    graph_exec_id: str,
    body: RerunRequest,
) -> GraphExecutionMeta:
    await owned_execution(container, user.user_id, graph_id, graph_exec_id)
    record = await container.service.rerun(user.user_id, graph_exec_id, body.node_id, body.inputs)
    return execution_meta(record)
