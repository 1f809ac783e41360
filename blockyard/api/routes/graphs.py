"""Agents: CRUD with versions, the active version, import and export of AutoGPT JSON.

Every call is scoped to the caller: the store answers another user's graph with
``NotFoundError`` (404). Saving validates the graph against the block registry (problems
come back per node, 422); importing does not, so a file that uses blocks this server lacks
still imports, with a report of what is missing.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query, Response

from blockyard.api.deps import ContainerDep, Manager, Reader
from blockyard.api.schemas import (
    MAX_INT,
    GraphCreate,
    GraphImportPublic,
    GraphMetaPublic,
    GraphPublic,
    GraphUpdate,
    MissingBlock,
    SetActiveVersion,
)
from blockyard.errors import AgentFormatError, LimitExceededError
from blockyard.graph import agent_json, io_schema
from blockyard.graph.model import Graph
from blockyard.graph.validate import ensure_valid
from blockyard.wiring import Container

router = APIRouter(prefix="/api/graphs", tags=["graphs"])


def public(container: Container, graph: Graph) -> GraphPublic:
    """A graph with the JSON schemas of its inputs and outputs."""
    registry = container.registry
    return GraphPublic(
        **graph.model_dump(),
        input_schema=io_schema.graph_input_schema(graph, registry),
        output_schema=io_schema.graph_output_schema(graph, registry),
    )


def check_size(container: Container, graph: Graph) -> None:
    """Refuse agents over ``max_graph_nodes`` nodes or ``max_graph_links`` links (413), and
    version numbers no database column holds (422)."""
    for part in (graph, *graph.sub_graphs):
        if not -MAX_INT <= part.version <= MAX_INT:
            raise AgentFormatError(f"Version {part.version} of {part.id} is out of range")
    nodes = len(graph.nodes) + sum(len(sub.nodes) for sub in graph.sub_graphs)
    limit = container.settings.max_graph_nodes
    if nodes > limit:
        raise LimitExceededError(f"The graph has {nodes} nodes; this server allows {limit}")
    links = len(graph.links) + sum(len(sub.links) for sub in graph.sub_graphs)
    link_limit = container.settings.max_graph_links
    if links > link_limit:
        raise LimitExceededError(f"The graph has {links} links; this server allows {link_limit}")


async def create_graph(container: Container, user_id: str, graph: Graph) -> GraphPublic:
    """Save a new agent (fresh ids, version 1) after checking it against the registry.

    The check comes first, so each problem names the node by the id the caller sent."""
    check_size(container, graph)
    ensure_valid(graph, container.registry)
    graph = agent_json.reassign_ids(graph)
    return public(container, await container.repos.graphs.create(user_id, graph))


async def update_graph(
    container: Container, user_id: str, graph_id: str, graph: Graph
) -> GraphPublic:
    """Save ``graph`` as the next version of ``graph_id``, made active."""
    check_size(container, graph)
    ensure_valid(graph, container.registry)
    saved = await container.repos.graphs.save_version(user_id, graph_id, graph)
    return public(container, saved)


async def import_graph(container: Container, user_id: str, data: Any) -> GraphImportPublic:
    """Read an AutoGPT agent file, save it with fresh ids and report unknown blocks."""
    graph = agent_json.reassign_ids(agent_json.load_agent(data))
    check_size(container, graph)
    missing = [
        MissingBlock(**item) for item in agent_json.missing_blocks(graph, container.registry)
    ]
    saved = await container.repos.graphs.create(user_id, graph)
    return GraphImportPublic(graph=public(container, saved), missing_blocks=missing)


async def export_graph(
    container: Container, user_id: str, graph_id: str, version: int | None
) -> dict[str, Any]:
    graph = await container.repos.graphs.get(user_id, graph_id, version, with_sub_graphs=True)
    return agent_json.dump_agent(graph, container.registry, strip_secrets=True)


@router.get("")
async def list_graphs(container: ContainerDep, user: Reader) -> list[GraphMetaPublic]:
    metas = await container.repos.graphs.list(user.user_id)
    return [GraphMetaPublic.model_validate(meta) for meta in metas]


@router.post("", status_code=201)
async def create(container: ContainerDep, user: Manager, body: GraphCreate) -> GraphPublic:
    return await create_graph(container, user.user_id, body.graph)


@router.post("/import", status_code=201)
async def import_agent(
    container: ContainerDep, user: Manager, data: Annotated[dict[str, Any], Body()]
) -> GraphImportPublic:
    return await import_graph(container, user.user_id, data)


@router.get("/{graph_id}", response_model=None)
async def get_graph(
    container: ContainerDep,
    user: Reader,
    graph_id: str,
    version: Annotated[int | None, Query(ge=1, le=MAX_INT)] = None,
    for_export: bool = False,
) -> GraphPublic | dict[str, Any]:
    if for_export:
        return await export_graph(container, user.user_id, graph_id, version)
    graph = await container.repos.graphs.get(user.user_id, graph_id, version)
    return public(container, graph)


@router.put("/{graph_id}")
async def update(
    container: ContainerDep, user: Manager, graph_id: str, body: GraphUpdate
) -> GraphPublic:
    return await update_graph(container, user.user_id, graph_id, body.graph)


@router.delete("/{graph_id}", status_code=204)
async def delete(container: ContainerDep, user: Manager, graph_id: str) -> Response:
    await container.repos.graphs.delete(user.user_id, graph_id)
    return Response(status_code=204)


@router.get("/{graph_id}/versions")
async def versions(container: ContainerDep, user: Reader, graph_id: str) -> list[GraphPublic]:
    graphs = await container.repos.graphs.versions(user.user_id, graph_id)
    return [public(container, graph) for graph in graphs]


@router.get("/{graph_id}/versions/{version}")
async def get_version(
    container: ContainerDep,
    user: Reader,
    graph_id: str,
    version: Annotated[int, Path(ge=1, le=MAX_INT)],
) -> GraphPublic:
    return public(container, await container.repos.graphs.get(user.user_id, graph_id, version))


@router.put("/{graph_id}/versions/active")
async def set_active(
    container: ContainerDep, user: Manager, graph_id: str, body: SetActiveVersion
) -> GraphPublic:
    graphs = container.repos.graphs
    await graphs.set_active(user.user_id, graph_id, body.active_graph_version)
    return public(container, await graphs.get(user.user_id, graph_id))


@router.get("/{graph_id}/export")
async def export(
    container: ContainerDep,
    user: Reader,
    graph_id: str,
    version: Annotated[int | None, Query(ge=1, le=MAX_INT)] = None,
) -> dict[str, Any]:
    return await export_graph(container, user.user_id, graph_id, version)
