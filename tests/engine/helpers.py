"""Build graphs tersely and run them on the in-memory twins."""

from dataclasses import dataclass, field
from typing import Any

from blockyard.engine.executor import Engine
from blockyard.engine.memory import MemoryBilling, MemoryBus, MemoryGraphSource, MemoryRunStore
from blockyard.engine.ports import GraphExecRecord, NodeExecRecord
from blockyard.graph.model import Graph, Link, Node, NodePolicy
from tests.engine import blocks_for_tests as tb

USER = "user-1"


class GraphBuilder:
    def __init__(self, name: str = "test agent") -> None:
        self.graph = Graph(name=name)

    def node(
        self,
        block: type[tb.Block],
        node_id: str | None = None,
        policy: NodePolicy | None = None,
        **defaults: Any,
    ) -> str:
        node = Node(block_id=block.id, input_default=defaults, policy=policy)
        if node_id:
            node.id = node_id
        self.graph.nodes.append(node)
        return node.id

    def link(self, source: str, pin: str, sink: str, sink_pin: str, static: bool = False) -> None:
        self.graph.links.append(
            Link(
                source_id=source,
                source_name=pin,
                sink_id=sink,
                sink_name=sink_pin,
                is_static=static,
            )
        )


@dataclass
class Harness:
    store: MemoryRunStore = field(default_factory=MemoryRunStore)
    bus: MemoryBus = field(default_factory=MemoryBus)
    graphs: MemoryGraphSource = field(default_factory=MemoryGraphSource)
    billing: MemoryBilling | None = None
    node_concurrency: int = 64
    max_node_execs: int = 1_000_000
    _engine: Engine | None = None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = self.new_engine()
        return self._engine

    def new_engine(self) -> Engine:
        return Engine(
            tb.test_registry(),
            self.store,
            self.graphs,
            self.bus,
            billing=self.billing,
            node_concurrency=self.node_concurrency,
            max_node_execs=self.max_node_execs,
        )

    async def run(self, graph: Graph, **inputs: Any) -> GraphExecRecord:
        self.graphs.add(graph)
        return await self.engine.execute(graph, USER, inputs)

    async def node_execs(self, record: GraphExecRecord) -> list[NodeExecRecord]:
        return await self.store.list_node_execs(record.id)

    async def outputs_of(self, record: GraphExecRecord, node_id: str, pin: str) -> list[Any]:
        found: list[Any] = []
        for r in sorted(await self.node_execs(record), key=lambda r: r.end_seq):
            if r.node_id == node_id:
                found.extend(r.output_data.get(pin, []))
        return found
