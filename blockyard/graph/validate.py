"""Checks a graph against the block schemas of a registry and reports every problem.

The editor shows all mistakes at once, each on its node, so nothing here stops at the first
one: :func:`validate_graph` returns a list of :class:`Problem`, and :func:`ensure_valid`
raises :class:`~blockyard.errors.GraphValidationError` carrying that list.

What is checked: unknown blocks, links to or from nodes that do not exist, pins a block does
not have (dynamic pins such as ``values_#_x`` count as their base field), required inputs
that nothing fills, links between pins whose coarse types cannot meet, and (as a warning)
plain input pins fed by several different nodes (legal, and common in AutoGPT loops, but
each value starts its own run). Cycles are legal: whether a loop can ever become ready is a
matter for the engine. Credentials fields are never required of the graph: they come from
the user's vault at run time, and AutoGPT strips them from every exported file.

Speed matters because the editor validates on every save: each block's schema is reduced
once to a :class:`~blockyard.graph.pin_types.BlockPins` (cached per block class), and each
link then costs a few dict look-ups, never a walk over JSON schema.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal, TypeVar

from blockyard.blocks.base import BlockType
from blockyard.blocks.registry import BlockRegistry
from blockyard.errors import GraphValidationError
from blockyard.graph.io_schema import (
    graph_input_schema,
    graph_output_schema,
    input_default_value,
)
from blockyard.graph.model import BaseGraph, Graph, Link, Node
from blockyard.graph.pin_types import (
    CONTAINER_KINDS,
    BlockPins,
    Kinds,
    block_pins,
    compatible,
    describe,
    pin_base,
)

Severity = Literal["error", "warning"]
G = TypeVar("G", bound=BaseGraph)


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with one node. ``field`` names the pin or setting at fault."""

    node_id: str
    field: str
    message: str
    severity: Severity = "error"

    def as_dict(self) -> dict[str, str]:
        return {
            "node_id": self.node_id,
            "field": self.field,
            "message": self.message,
            "severity": self.severity,
        }


# --- the checks -------------------------------------------------------------------------


class _GraphCheck:
    """One pass over one graph (not its sub-graphs), collecting problems as it goes."""

    def __init__(
        self,
        graph: BaseGraph,
        registry: BlockRegistry,
        sub_graphs: Iterable[BaseGraph],
        graph_inputs: frozenset[str] | None,
    ) -> None:
        self.graph = graph
        self.registry = registry
        self.sub_graphs = {g.id: g for g in sub_graphs}
        self.graph_inputs = graph_inputs  # None: not validating for a run
        self.problems: list[Problem] = []
        self.nodes: dict[str, Node] = {}
        self.pins: dict[str, BlockPins] = {}
        self.linked: dict[str, set[str]] = defaultdict(set)
        self.fan_in: dict[tuple[str, str], set[str]] = defaultdict(set)
        self._agent_io: dict[str, tuple[frozenset[str] | None, frozenset[str] | None]] = {}

    def run(self) -> list[Problem]:
        self._index_nodes()
        for link in self.graph.links:
            self._check_link(link)
        for node in self.nodes.values():
            self._check_required(node)
        self._check_fan_in()
        return self.problems

    def _report(self, node_id: str, field: str, message: str, severity: Severity = "error") -> None:
        self.problems.append(Problem(node_id, field, message, severity))

    def _index_nodes(self) -> None:
        for node in self.graph.nodes:
            if node.id in self.nodes:
                self._report(node.id, "id", f"Node id {node.id} is used by more than one node")
                continue
            self.nodes[node.id] = node
            block = self.registry.find(node.block_id)
            if block is None:
                self._report(node.id, "block_id", f"Unknown block {node.block_id}")
            else:
                self.pins[node.id] = block_pins(type(block))

    def _check_link(self, link: Link) -> None:
        source, sink = self.nodes.get(link.source_id), self.nodes.get(link.sink_id)
        if source is None:
            where = (link.sink_id, link.sink_name) if sink else (link.source_id, link.source_name)
            self._report(
                *where, f"Link comes from node {link.source_id}, which is not in the graph"
            )
        if sink is None:
            where = (link.source_id, link.source_name) if source else (link.sink_id, link.sink_name)
            self._report(*where, f"Link goes to node {link.sink_id}, which is not in the graph")
        if sink is not None:
            self.linked[sink.id].add(pin_base(link.sink_name))
        if source is None or sink is None:
            return
        out_known, out_kinds = self._pin_kinds(source, link.source_name, output=True)
        in_known, in_kinds = self._pin_kinds(sink, link.sink_name, output=False)
        if out_known and in_known and not compatible(out_kinds, in_kinds):
            self._report(
                sink.id,
                link.sink_name,
                f"Cannot link {self.pins[source.id].name}.{link.source_name} "
                f"({describe(out_kinds)}) to input '{link.sink_name}' ({describe(in_kinds)})",
            )
        if in_known and self._single_valued(sink, link.sink_name):
            self.fan_in[(sink.id, link.sink_name)].add(source.id)

    def _pin_kinds(self, node: Node, pin: str, *, output: bool) -> tuple[bool, Kinds]:
        """Whether ``node`` has ``pin`` (reporting it if not) and what kinds it carries."""
        pins = self.pins.get(node.id)
        if pins is None:
            return False, None  # unknown block, reported once already
        declared = (pins.outputs if output else pins.inputs).get(pin_base(pin))
        if declared is not None:
            return True, declared.at(pin)
        if pins.block_type is BlockType.AGENT:
            names = self._agent_pins(node)[1 if output else 0]
            if names is None or pin_base(pin) in names:
                return True, None
        side = "output" if output else "input"
        self._report(node.id, pin, f"{pins.name} has no {side} '{pin}'")
        return False, None

    def _agent_pins(self, node: Node) -> tuple[frozenset[str] | None, frozenset[str] | None]:
        """An Agent Executor's pins are its sub-graph's inputs and outputs (None: unknown)."""
        if node.id not in self._agent_io:
            self._agent_io[node.id] = (
                self._agent_names(node, "input"),
                self._agent_names(node, "output"),
            )
        return self._agent_io[node.id]

    def _agent_names(self, node: Node, side: str) -> frozenset[str] | None:
        schema = node.input_default.get(f"{side}_schema")
        if isinstance(schema, Mapping) and isinstance(schema.get("properties"), Mapping):
            return frozenset(schema["properties"])
        sub = self.sub_graphs.get(str(node.input_default.get("graph_id")))
        if sub is None:
            return None
        derive = graph_input_schema if side == "input" else graph_output_schema
        return frozenset(derive(sub, self.registry)["properties"])

    def _single_valued(self, node: Node, pin: str) -> bool:
        declared = self.pins[node.id].inputs.get(pin_base(pin))
        kinds = declared.kinds if declared is not None else None
        return kinds is None or not (kinds & CONTAINER_KINDS)

    def _check_required(self, node: Node) -> None:
        pins = self.pins.get(node.id)
        if pins is None:
            return
        filled = {pin_base(k) for k, v in node.input_default.items() if v is not None}
        filled |= self.linked.get(node.id, set())
        if pins.block_type is BlockType.INPUT and self.graph_inputs is not None:
            self._check_graph_input(node, filled)
        for name in sorted(pins.must_fill - filled):
            self._report(node.id, name, f"Required input '{name}' has no value: set it or link it")

    def _check_graph_input(self, node: Node, filled: set[str]) -> None:
        """For a run, an input node's value comes from the run's inputs or a default."""
        assert self.graph_inputs is not None
        name = node.input_default.get("name")
        given = name in self.graph_inputs or "value" in filled
        if not given and input_default_value(node, self.registry.get(node.block_id)) is None:
            self._report(node.id, "value", f"Graph input '{name}' is required: give it a value")
        filled.add("value")  # reported here with the input's name, or satisfied

    def _check_fan_in(self) -> None:
        for (sink_id, pin), sources in self.fan_in.items():
            if len(sources) > 1:
                self._report(
                    sink_id,
                    pin,
                    f"Input '{pin}' is fed by {len(sources)} different nodes "
                    f"({', '.join(sorted(sources))}); each value starts its own run",
                    "warning",
                )


def validate_graph(
    graph: BaseGraph,
    registry: BlockRegistry,
    *,
    for_run: bool = False,
    graph_inputs: Iterable[str] = (),
) -> list[Problem]:
    """Every problem in ``graph`` and its sub-graphs, errors and warnings, per node.

    With ``for_run`` the agent's input nodes must be satisfied by ``graph_inputs`` (the
    names of the inputs given to the run) or their own default value.
    """
    subs = list(graph.sub_graphs) if isinstance(graph, Graph) else []
    inputs = frozenset(graph_inputs) if for_run else None
    problems = _GraphCheck(graph, registry, subs, inputs).run()
    for sub in subs:
        problems += _GraphCheck(sub, registry, subs, None).run()
    return problems


def ensure_valid(
    graph: BaseGraph,
    registry: BlockRegistry,
    *,
    for_run: bool = False,
    graph_inputs: Iterable[str] = (),
) -> list[Problem]:
    """Raise GraphValidationError if ``graph`` has any error; return its warnings."""
    problems = validate_graph(graph, registry, for_run=for_run, graph_inputs=graph_inputs)
    errors = [p for p in problems if p.severity == "error"]
    if not errors:
        return problems
    first = errors[0]
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    raise GraphValidationError(
        f"Graph '{graph.name or graph.id}' is not valid: node {first.node_id}, "
        f"{first.field}: {first.message}{more}",
        [p.as_dict() for p in problems],
        graph_id=graph.id,
    )


def _force_static(graph: BaseGraph, registry: BlockRegistry) -> None:
    static_nodes = set()
    for node in graph.nodes:
        block = registry.find(node.block_id)
        if block is not None and block.static_output:
            static_nodes.add(node.id)
    for link in graph.links:
        if link.source_id in static_nodes:
            link.is_static = True


def normalise(graph: G, registry: BlockRegistry) -> G:
    """A copy of ``graph`` in which every link leaving a static-output block is static."""
    copy = graph.model_copy(deep=True)
    _force_static(copy, registry)
    if isinstance(copy, Graph):
        for sub in copy.sub_graphs:
            _force_static(sub, registry)
    return copy
