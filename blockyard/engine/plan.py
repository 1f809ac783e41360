"""A graph compiled for running: blocks resolved, links indexed by pin, starting nodes known.

Compiling once per execution keeps the hot path to dictionary lookups: routing an output
looks up the links of ``(node, output pin)``; readiness compares pin sets.
"""

from dataclasses import dataclass, field

from blockyard.blocks.base import Block, BlockType
from blockyard.blocks.pins import base_name
from blockyard.blocks.registry import BlockRegistry
from blockyard.errors import GraphValidationError
from blockyard.graph.model import BaseGraph, Link, Node, NodePolicy

DEFAULT_POLICY = NodePolicy()


@dataclass(slots=True, frozen=True)
class Route:
    """One link as the source node sees it."""

    selector: str
    """The link's ``source_name``: the output pin, or a path into it (``result_#_key``)."""
    sink_id: str
    sink_name: str
    is_static: bool


@dataclass(slots=True)
class NodePlan:
    node: Node
    block: Block
    policy: NodePolicy
    routes: dict[str, list[Route]] = field(default_factory=dict)
    """Outgoing links by the base name of their source pin."""
    linked_pins: frozenset[str] = frozenset()
    """Input pins (full names, dynamic included) that some link feeds."""
    error_handled: bool = False
    """True when a link leaves the ``error`` pin: a failure then flows on as data."""
    credential_fields: tuple[str, ...] = ()
    """Input fields holding a credentials reference, resolved just before the block runs."""

    @property
    def id(self) -> str:
        return self.node.id

    @property
    def block_type(self) -> BlockType:
        return self.block.block_type


@dataclass(slots=True)
class Plan:
    graph: BaseGraph
    nodes: dict[str, NodePlan]
    starting: list[str]
    input_nodes: dict[str, str]
    """Graph input name -> node id of the Agent Input node that takes it."""

    @classmethod
    def compile(cls, graph: BaseGraph, registry: BlockRegistry) -> "Plan":
        nodes: dict[str, NodePlan] = {}
        problems = []
        for node in graph.nodes:
            block = registry.find(node.block_id)
            if block is None:
                problems.append(
                    {
                        "node_id": node.id,
                        "field": "block_id",
                        "message": f"Unknown block {node.block_id}",
                    }
                )
                continue
            nodes[node.id] = NodePlan(
                node=node,
                block=block,
                policy=node.policy or DEFAULT_POLICY,
                credential_fields=_credential_fields(block),
            )
        if problems:
            raise GraphValidationError("The agent uses blocks that do not exist here", problems)
        _index_links(graph.links, nodes)
        return cls(
            graph=graph,
            nodes=nodes,
            starting=_starting_nodes(graph, nodes),
            input_nodes=_input_nodes(nodes),
        )


def _index_links(links: list[Link], nodes: dict[str, NodePlan]) -> None:
    linked: dict[str, set[str]] = {}
    for link in links:
        source, sink = nodes.get(link.source_id), nodes.get(link.sink_id)
        if source is None or sink is None:
            continue
        static = link.is_static or source.block.static_output
        route = Route(link.source_name, link.sink_id, link.sink_name, static)
        source.routes.setdefault(base_name(link.source_name), []).append(route)
        linked.setdefault(link.sink_id, set()).add(link.sink_name)
        if base_name(link.source_name) == "error":
            source.error_handled = True
    for node_id, pins in linked.items():
        nodes[node_id].linked_pins = frozenset(pins)


def _starting_nodes(graph: BaseGraph, nodes: dict[str, NodePlan]) -> list[str]:
    """Nodes without inbound links, plus every input node; notes never run."""
    return [
        node.id
        for node in graph.nodes
        if node.id in nodes
        and nodes[node.id].block_type != BlockType.NOTE
        and (not nodes[node.id].linked_pins or nodes[node.id].block_type == BlockType.INPUT)
    ]


def _input_nodes(nodes: dict[str, NodePlan]) -> dict[str, str]:
    found: dict[str, str] = {}
    for plan in nodes.values():
        if plan.block_type == BlockType.INPUT:
            name = plan.node.input_default.get("name")
            if isinstance(name, str) and name:
                found.setdefault(name, plan.id)
    return found


def _credential_fields(block: Block) -> tuple[str, ...]:
    return tuple(
        name
        for name in block.Input.model_fields
        if name == "credentials" or name.endswith("_credentials")
    )
