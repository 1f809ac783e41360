"""A run's inputs checked against the agent before the run is stored.

Each input must be one the agent takes (an Agent Input block of that ``name``), and its value
must fit that block's ``value`` field (a number for a number input, a list for a list
input...). Checking here turns a mistake into a 422 that names the input, instead of a run
that fails later at its first node.
"""

from typing import Any

from pydantic import ValidationError

from blockyard.blocks.base import Block, BlockType
from blockyard.blocks.registry import BlockRegistry
from blockyard.errors import BlockInputError
from blockyard.graph.model import BaseGraph, Node


def input_nodes(graph: BaseGraph, registry: BlockRegistry) -> dict[str, tuple[Node, Block]]:
    """The agent's inputs by name: each Agent Input node and its block."""
    found: dict[str, tuple[Node, Block]] = {}
    for node in graph.nodes:
        block = registry.find(node.block_id)
        name = node.input_default.get("name")
        if block is not None and block.block_type is BlockType.INPUT and isinstance(name, str):
            found.setdefault(name, (node, block))
    return found


def check_input_values(graph: BaseGraph, registry: BlockRegistry, inputs: dict[str, Any]) -> None:
    """BlockInputError for an input the agent does not take or a value of the wrong kind."""
    takes = input_nodes(graph, registry)
    unknown = sorted(set(inputs) - set(takes))
    if unknown:
        known = ", ".join(repr(name) for name in sorted(takes)) or "none"
        raise BlockInputError(
            f"This agent has no input {', '.join(repr(n) for n in unknown)}; "
            f"its inputs are: {known}"
        )
    for name, value in inputs.items():
        node, block = takes[name]
        try:
            block.Input.model_validate({**node.input_default, "value": value})
        except ValidationError as exc:
            first = exc.errors()[0]
            raise BlockInputError(f"Input {name!r}: {first['msg']}") from None
