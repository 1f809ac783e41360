"""A run's outputs: the values its Agent Output nodes produced, by output name."""

from typing import Any

from blockyard.blocks.base import BlockType
from blockyard.blocks.registry import BlockRegistry
from blockyard.engine.ports import NodeExecRecord
from blockyard.engine.states import ExecutionStatus
from blockyard.graph.model import BaseGraph


def graph_outputs(
    graph: BaseGraph, node_execs: list[NodeExecRecord], registry: BlockRegistry
) -> dict[str, list[Any]]:
    """Output name -> every value its output nodes produced, in completion order."""
    output_nodes = {
        node.id
        for node in graph.nodes
        if (block := registry.find(node.block_id)) is not None
        and block.block_type == BlockType.OUTPUT
    }
    outputs: dict[str, list[Any]] = {}
    finished = [
        r for r in node_execs if r.node_id in output_nodes and r.status == ExecutionStatus.COMPLETED
    ]
    for record in sorted(finished, key=lambda r: r.end_seq):
        name = str(record.input_data.get("name") or "")
        outputs.setdefault(name, []).extend(record.output_data.get("output", []))
    return outputs
