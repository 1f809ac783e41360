"""Graphs to rows and back: one ``graphs`` row per version, plus its nodes and links.

Kept apart from :mod:`.graphs` (the repository's rules: versions, owners, sub-graphs) so
that each stays one screen of reading. Everything here runs inside a caller's session.
"""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from blockyard.graph.model import BaseGraph, Graph, Link, Node, NodePolicy
from blockyard.store.tables import GraphRow, LinkRow, NodeRow

GraphKey = tuple[str, int]
"""``(graph id, version)``."""


async def insert_graph(
    session: AsyncSession,
    user_id: str,
    graph: BaseGraph,
    *,
    version: int,
    is_active: bool,
    now: float,
) -> None:
    """Insert one version of ``graph`` with its nodes and links (ids kept as given)."""
    await session.execute(
        insert(GraphRow).values(
            id=graph.id,
            version=version,
            user_id=user_id,
            name=graph.name,
            description=graph.description,
            is_active=is_active,
            created_at=now,
            updated_at=now,
        )
    )
    if graph.nodes:
        nodes = [_node_row(graph.id, version, i, node) for i, node in enumerate(graph.nodes)]
        await session.execute(insert(NodeRow), nodes)
    if graph.links:
        links = [_link_row(graph.id, version, i, link) for i, link in enumerate(graph.links)]
        await session.execute(insert(LinkRow), links)


def _node_row(graph_id: str, version: int, ordinal: int, node: Node) -> dict[str, Any]:
    return {
        "graph_id": graph_id,
        "graph_version": version,
        "id": node.id,
        "ordinal": ordinal,
        "block_id": node.block_id,
        "input_default": node.input_default,
        "meta": node.metadata,
        "policy": node.policy.model_dump(mode="json") if node.policy is not None else None,
    }


def _link_row(graph_id: str, version: int, ordinal: int, link: Link) -> dict[str, Any]:
    return {
        "graph_id": graph_id,
        "graph_version": version,
        "id": link.id,
        "ordinal": ordinal,
        "source_id": link.source_id,
        "sink_id": link.sink_id,
        "source_name": link.source_name,
        "sink_name": link.sink_name,
        "is_static": link.is_static,
    }


def _node(row: NodeRow) -> Node:
    policy = NodePolicy.model_validate(row.policy) if row.policy is not None else None
    return Node(
        id=row.id,
        block_id=row.block_id,
        input_default=row.input_default,
        metadata=row.meta,
        policy=policy,
    )


def _link(row: LinkRow) -> Link:
    return Link(
        id=row.id,
        source_id=row.source_id,
        sink_id=row.sink_id,
        source_name=row.source_name,
        sink_name=row.sink_name,
        is_static=row.is_static,
    )


async def load_graphs(session: AsyncSession, rows: Sequence[GraphRow]) -> list[Graph]:
    """The graphs of ``rows`` (in that order) with their nodes and links: three queries."""
    if not rows:
        return []
    keys = [(row.id, row.version) for row in rows]
    nodes: dict[GraphKey, list[Node]] = {key: [] for key in keys}
    links: dict[GraphKey, list[Link]] = {key: [] for key in keys}
    node_query = (
        select(NodeRow)
        .where(tuple_(NodeRow.graph_id, NodeRow.graph_version).in_(keys))
        .order_by(NodeRow.ordinal)
    )
    for node in await session.scalars(node_query):
        nodes[(node.graph_id, node.graph_version)].append(_node(node))
    link_query = (
        select(LinkRow)
        .where(tuple_(LinkRow.graph_id, LinkRow.graph_version).in_(keys))
        .order_by(LinkRow.ordinal)
    )
    for link in await session.scalars(link_query):
        links[(link.graph_id, link.graph_version)].append(_link(link))
    return [_graph(row, nodes[key], links[key]) for row, key in zip(rows, keys, strict=True)]


def _graph(row: GraphRow, nodes: list[Node], links: list[Link]) -> Graph:
    return Graph(
        id=row.id,
        version=row.version,
        is_active=row.is_active,
        name=row.name,
        description=row.description,
        nodes=nodes,
        links=links,
        user_id=row.user_id,
    )
