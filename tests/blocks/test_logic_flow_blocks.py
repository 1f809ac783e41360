"""Switch, Gate and Error Handler: alone, and inside real runs of the engine.

The engine tests matter here: these blocks rely on the engine's routing of ``branches_#_x``
links, its readiness rule and its handling of linked ``error`` pins.
"""

from typing import Any

import pytest

from blockyard.blocks.base import Block
from blockyard.blocks.basic import StoreValueBlock
from blockyard.blocks.logic_flow import ErrorHandlerBlock, GateBlock, SwitchBlock, clean_error
from blockyard.blocks.maths import CalculatorBlock
from blockyard.blocks.registry import load_registry
from blockyard.blocks.testing import run_block
from blockyard.engine.executor import Engine
from blockyard.engine.memory import MemoryBus, MemoryGraphSource, MemoryRunStore
from blockyard.engine.ports import GraphExecRecord
from blockyard.engine.states import ExecutionStatus
from blockyard.errors import BlockInputError
from blockyard.graph.model import Graph, Link, Node

REGISTRY = load_registry(["blockyard.blocks.logic_flow"], entry_point_packages=False)


class Flow:
    """A graph under construction, run on the engine's in-memory twins."""

    def __init__(self) -> None:
        self.graph = Graph(name="flow test")
        self.store = MemoryRunStore()

    def node(self, block: type[Block], **defaults: Any) -> str:
        node = Node(block_id=block.id, input_default=defaults)
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

    async def run(self) -> GraphExecRecord:
        graphs = MemoryGraphSource()
        graphs.add(self.graph)
        engine = Engine(REGISTRY, self.store, graphs, MemoryBus())
        return await engine.execute(self.graph, "user-1", {})

    async def outputs(self, record: GraphExecRecord, node_id: str, pin: str) -> list[Any]:
        found: list[Any] = []
        for execution in await self.store.list_node_execs(record.id):
            if execution.node_id == node_id:
                found.extend(execution.output_data.get(pin, []))
        return found


async def test_switch_without_cases_is_an_error() -> None:
    outputs = await run_block(SwitchBlock(), {"value": 1, "cases": {}})
    assert outputs == {"error": ["The switch has no cases; add one per branch (cases_#_<name>)."]}


async def test_switch_takes_the_first_matching_case() -> None:
    outputs = await run_block(SwitchBlock(), {"value": "x", "cases": {"a": "x", "b": "x"}})
    assert outputs == {"branches": [{"a": "x"}], "matched_case": ["a"]}


async def test_switch_runs_only_the_matching_branch_in_a_graph() -> None:
    flow = Flow()
    switch = flow.node(SwitchBlock, value="big", cases={"small": "small", "big": "big"})
    small = flow.node(StoreValueBlock)
    big = flow.node(StoreValueBlock)
    fallback = flow.node(StoreValueBlock)
    flow.link(switch, "branches_#_small", small, "input")
    flow.link(switch, "branches_#_big", big, "input")
    flow.link(switch, "default", fallback, "input")

    record = await flow.run()

    assert record.status == ExecutionStatus.COMPLETED
    assert await flow.outputs(record, big, "output") == ["big"]
    assert await flow.outputs(record, small, "output") == []
    assert await flow.outputs(record, fallback, "output") == []


async def test_gate_needs_its_signal() -> None:
    with pytest.raises(BlockInputError, match="signal"):
        await run_block(GateBlock(), {"value": 1})


async def test_gate_waits_for_the_signal_and_releases_a_static_value_per_signal() -> None:
    flow = Flow()
    value = flow.node(StoreValueBlock, input="report")
    signals = flow.node(SwitchBlock, value=1, cases={"go": 1})
    second = flow.node(StoreValueBlock, input="again")
    gate = flow.node(GateBlock)
    flow.link(value, "output", gate, "value")  # Store Value's links are static
    flow.link(signals, "matched_case", gate, "signal")
    flow.link(second, "output", gate, "signal")

    record = await flow.run()

    assert await flow.outputs(record, gate, "output") == ["report", "report"]


async def test_gate_without_a_signal_never_runs() -> None:
    flow = Flow()
    value = flow.node(StoreValueBlock, input="report")
    never = flow.node(SwitchBlock, value="x", cases={"y": "y"})
    gate = flow.node(GateBlock)
    flow.link(value, "output", gate, "value")
    flow.link(never, "matched_case", gate, "signal")

    record = await flow.run()

    assert record.status == ExecutionStatus.COMPLETED
    assert await flow.outputs(record, gate, "output") == []


async def test_error_handler_catches_a_failed_node_and_the_run_goes_on() -> None:
    flow = Flow()
    divide = flow.node(CalculatorBlock, operation="Divide", a=1, b=0)
    handler = flow.node(ErrorHandlerBlock, fallback=0)
    after = flow.node(StoreValueBlock)
    flow.link(divide, "error", handler, "error")
    flow.link(handler, "output", after, "input")

    record = await flow.run()

    assert record.status == ExecutionStatus.COMPLETED
    assert await flow.outputs(record, handler, "message") == ["Cannot divide by zero (b is 0)."]
    assert await flow.outputs(record, after, "output") == [0]


async def test_error_handler_with_an_empty_error_is_an_error() -> None:
    outputs = await run_block(ErrorHandlerBlock(), {"error": "   "})
    assert outputs == {
        "error": ["No error message arrived; link this block from a block's 'error' pin."]
    }


def test_clean_error_shortens_long_messages() -> None:
    assert clean_error("BlockExecutionError: " + "x" * 100, 20) == "x" * 19 + "…"
    assert clean_error({"code": 500}, 100) == "{'code': 500}"
