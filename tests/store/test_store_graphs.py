"""Saved agents: versions, owners, sub-graphs, and the engine's graph source."""

import itertools

import pytest

from blockyard.errors import ConflictError, NotFoundError
from blockyard.graph.model import BaseGraph, Graph, Link, Node, NodePolicy, new_id
from blockyard.store.db import Database
from blockyard.store.graphs import AGENT_EXECUTOR_BLOCK_ID, GraphRepo, SqlGraphSource
from tests.store.helpers import MakeUser

TEXT_BLOCK = "1f292d4a-41a4-4977-9684-7c8d560b9f91"


def make_graph(name: str = "Digest ✉", *, nodes: int = 3, graph_id: str | None = None) -> Graph:
    """A chain of ``nodes`` nodes with unicode defaults, UI metadata and one retry policy."""
    chain = [
        Node(
            block_id=TEXT_BLOCK,
            input_default={"text": f"schritt {i} — 第{i}步", "opts": {"n": i, "xs": [1.5, None]}},
            metadata={"position": {"x": 100.5 * i, "y": -20}},
            policy=NodePolicy(max_attempts=3, timeout_seconds=2.5) if i == 0 else None,
        )
        for i in range(nodes)
    ]
    links = [
        Link(source_id=a.id, sink_id=b.id, source_name="text", sink_name="text", is_static=i == 0)
        for i, (a, b) in enumerate(itertools.pairwise(chain))
    ]
    return Graph(
        id=graph_id or new_id(), name=name, description="Ünïcode ok", nodes=chain, links=links
    )


def agent_node(graph_id: str, version: int | None) -> Node:
    return Node(
        block_id=AGENT_EXECUTOR_BLOCK_ID,
        input_default={"graph_id": graph_id, "graph_version": version, "inputs": {}},
    )


def as_sub(graph: Graph) -> BaseGraph:
    return BaseGraph.model_validate(graph.model_dump(exclude={"sub_graphs", "user_id"}))


def same_content(a: Graph | BaseGraph, b: Graph | BaseGraph) -> bool:
    fields = {"id", "name", "description", "nodes", "links"}
    return a.model_dump(include=fields) == b.model_dump(include=fields)


async def test_a_graph_reads_back_exactly(db: Database, make_user: MakeUser) -> None:
    ann = await make_user("ann")
    repo = GraphRepo(db)
    graph = make_graph()
    created = await repo.create(ann.id, graph)
    assert (created.version, created.is_active, created.user_id) == (1, True, ann.id)
    loaded = await repo.get(ann.id, graph.id)
    assert loaded == created
    assert loaded.nodes[0].policy == NodePolicy(max_attempts=3, timeout_seconds=2.5)
    assert [n.id for n in loaded.nodes] == [n.id for n in graph.nodes]
    assert await repo.get(ann.id, graph.id, 1) == loaded


async def test_an_empty_graph_and_a_taken_id(db: Database, make_user: MakeUser) -> None:
    ann = await make_user("ann")
    repo = GraphRepo(db)
    empty = await repo.create(ann.id, Graph(name="empty"))
    assert (await repo.get(ann.id, empty.id)).nodes == []
    with pytest.raises(ConflictError):
        await repo.create(ann.id, make_graph(graph_id=empty.id))


async def test_saving_makes_a_new_active_version(db: Database, make_user: MakeUser) -> None:
    ann = await make_user("ann")
    repo = GraphRepo(db)
    v1 = await repo.create(ann.id, make_graph("v1"))
    # The same node ids may be kept from one version to the next.
    v2 = await repo.save_version(ann.id, v1.id, v1.model_copy(update={"name": "v2"}))
    assert (v2.id, v2.version, v2.is_active, v2.name) == (v1.id, 2, True, "v2")
    v3 = await repo.save_version(ann.id, v1.id, make_graph("v3", nodes=1))
    assert v3.version == 3
    assert (await repo.get(ann.id, v1.id)).name == "v3"
    old = await repo.get(ann.id, v1.id, 1)
    assert old.name == "v1" and not old.is_active and same_content(old, v1)
    versions = await repo.versions(ann.id, v1.id)
    assert [(g.version, g.is_active) for g in versions] == [(3, True), (2, False), (1, False)]
    assert len(versions[2].nodes) == 3 and len(versions[0].nodes) == 1


async def test_activating_an_older_version(db: Database, make_user: MakeUser) -> None:
    ann = await make_user("ann")
    repo = GraphRepo(db)
    v1 = await repo.create(ann.id, make_graph("first"))
    await repo.save_version(ann.id, v1.id, make_graph("second"))
    active = await repo.set_active(ann.id, v1.id, 1)
    assert (active.version, active.is_active, active.name) == (1, True, "first")
    assert (await repo.get(ann.id, v1.id)).version == 1
    [meta] = await repo.list(ann.id)
    assert (meta.version, meta.name, meta.is_active) == (1, "first", True)
    with pytest.raises(NotFoundError):
        await repo.set_active(ann.id, v1.id, 7)


async def test_list_shows_the_active_version_of_each_agent(
    db: Database, make_user: MakeUser
) -> None:
    ann = await make_user("ann")
    repo = GraphRepo(db)
    one = await repo.create(ann.id, make_graph("one"))
    two = await repo.create(ann.id, make_graph("two"))
    await repo.save_version(ann.id, one.id, make_graph("one, again"))
    metas = await repo.list(ann.id)
    assert [(m.id, m.version, m.name) for m in metas] == [
        (one.id, 2, "one, again"),
        (two.id, 1, "two"),
    ]
    assert metas[0].created_at <= metas[0].updated_at
    assert metas[1].description == "Ünïcode ok"


async def test_delete_removes_every_version(db: Database, make_user: MakeUser) -> None:
    ann = await make_user("ann")
    repo = GraphRepo(db)
    graph = await repo.create(ann.id, make_graph())
    await repo.save_version(ann.id, graph.id, make_graph())
    await repo.delete(ann.id, graph.id)
    for call in (
        repo.get(ann.id, graph.id),
        repo.versions(ann.id, graph.id),
        repo.delete(ann.id, graph.id),
    ):
        with pytest.raises(NotFoundError):
            await call
    assert await repo.list(ann.id) == []
    # The id is free again, nodes and links included.
    assert (await repo.create(ann.id, graph)).version == 1


async def test_another_users_graph_is_not_found(db: Database, make_user: MakeUser) -> None:
    ann, bob = await make_user("ann"), await make_user("bob")
    repo = GraphRepo(db)
    graph = await repo.create(ann.id, make_graph())
    calls = [
        repo.get(bob.id, graph.id),
        repo.get(bob.id, graph.id, 1),
        repo.versions(bob.id, graph.id),
        repo.save_version(bob.id, graph.id, make_graph()),
        repo.set_active(bob.id, graph.id, 1),
        repo.delete(bob.id, graph.id),
        SqlGraphSource(repo).get_graph(graph.id, None, bob.id),
    ]
    for call in calls:
        with pytest.raises(NotFoundError):
            await call
    assert await repo.list(bob.id) == []
    assert (await repo.get(ann.id, graph.id)).version == 1
    with pytest.raises(ConflictError):  # the id is taken, even though bob cannot see it
        await repo.create(bob.id, make_graph(graph_id=graph.id))


async def test_sub_graphs_are_stored_and_filled_in(db: Database, make_user: MakeUser) -> None:
    ann = await make_user("ann")
    repo = GraphRepo(db)
    leaf = make_graph("leaf", nodes=1)
    middle = make_graph("middle", nodes=1)
    middle.nodes.append(agent_node(leaf.id, 1))
    main = make_graph("main", nodes=1)
    main.nodes.append(agent_node(middle.id, 1))
    main.nodes.append(agent_node(new_id(), None))  # refers to nothing: left out
    main.sub_graphs = [as_sub(middle), as_sub(leaf)]
    await repo.create(ann.id, main)

    assert (await repo.get(ann.id, leaf.id)).name == "leaf"
    plain = await repo.get(ann.id, main.id)
    assert plain.sub_graphs == []
    full = await repo.get(ann.id, main.id, with_sub_graphs=True)
    assert [s.name for s in full.sub_graphs] == ["middle", "leaf"]
    assert same_content(full.sub_graphs[0], middle) and same_content(full.sub_graphs[1], leaf)
    assert {m.name for m in await repo.list(ann.id)} == {"main", "middle", "leaf"}

    # Saving again with the same sub-graphs does not duplicate them.
    again = await repo.save_version(ann.id, main.id, main)
    assert again.version == 2
    assert len(await repo.versions(ann.id, leaf.id)) == 1


async def test_sub_graph_ids_of_another_user_conflict(db: Database, make_user: MakeUser) -> None:
    ann, bob = await make_user("ann"), await make_user("bob")
    repo = GraphRepo(db)
    leaf = await repo.create(ann.id, make_graph("ann's leaf", nodes=1))
    main = make_graph("bob's main", nodes=1)
    main.nodes.append(agent_node(leaf.id, 1))
    main.sub_graphs = [as_sub(leaf)]
    with pytest.raises(ConflictError):
        await repo.create(bob.id, main)
    with pytest.raises(NotFoundError):  # nothing of bob's attempt was stored
        await repo.get(bob.id, main.id)


async def test_graph_source_serves_saved_versions(db: Database, make_user: MakeUser) -> None:
    ann = await make_user("ann")
    repo = GraphRepo(db)
    source = SqlGraphSource(db)  # built from the database, as wiring does
    v1 = await repo.create(ann.id, make_graph("v1"))
    first = await source.get_graph(v1.id, None, ann.id)
    assert first == await repo.get(ann.id, v1.id)
    assert await source.get_graph(v1.id, 1, ann.id) is first  # unchanged versions are cached

    await repo.save_version(ann.id, v1.id, make_graph("v2"))
    assert (await source.get_graph(v1.id, None, ann.id)).name == "v2"
    assert await source.get_graph(v1.id, 1, ann.id) is first

    await repo.delete(ann.id, v1.id)
    with pytest.raises(NotFoundError):
        await source.get_graph(v1.id, 1, ann.id)
