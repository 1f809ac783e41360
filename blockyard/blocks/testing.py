"""Run one block outside the engine: for tests, the block author's guide and the API.

``run_block`` does what the engine does around a single node execution, minus the graph:
dynamic pins (``values_#_name``) are merged into their field, the result is validated
against the block's ``Input`` schema, and every ``(pin, value)`` the block yields is
collected by pin::

    outputs = await run_block(CalculatorBlock(), {"operation": "Add", "a": 1, "b": 2})
    assert outputs == {"result": [3.0]}

``check_examples`` runs a block's own ``test_input`` and compares what it yields with its
``test_output``, so every block is tested by one parametrised test over the registry.
"""

from collections.abc import Callable
from typing import Any

from blockyard.blocks.base import Block, BlockSchema
from blockyard.blocks.context import BlockContext
from blockyard.blocks.pins import merge_dynamic

TEST_USER_ID = "00000000-0000-4000-8000-000000000001"


def make_context(**overrides: Any) -> BlockContext:
    """A context with stable test ids; pass fields (``agents=...``) to override them."""
    fields: dict[str, Any] = {
        "user_id": TEST_USER_ID,
        "graph_exec_id": "test-graph-exec",
        "node_exec_id": "test-node-exec",
        "node_id": "test-node",
        "graph_id": "test-graph",
        "graph_version": 1,
        "idempotency_key": "test-graph-exec:test-node:0",
    }
    fields.update(overrides)
    return BlockContext(**fields)


def prepare_input(block: Block, inputs: dict[str, Any]) -> BlockSchema:
    """Merge dynamic pins and validate; raises ``BlockInputError`` naming each bad field."""
    return block.validate_input(merge_dynamic(dict(inputs)))


async def run_block_pairs(
    block: Block, inputs: dict[str, Any], ctx: BlockContext | None = None
) -> list[tuple[str, Any]]:
    """Every ``(pin, value)`` the block yields, in the order it yields them."""
    input_data = prepare_input(block, inputs)
    context = ctx if ctx is not None else make_context()
    return [(pin, value) async for pin, value in block.run(input_data, context)]


async def run_block(
    block: Block, inputs: dict[str, Any], ctx: BlockContext | None = None
) -> dict[str, list[Any]]:
    """Run ``block`` once on ``inputs``; the values it yielded, grouped by pin in order.

    Invalid inputs raise ``BlockInputError`` (nothing runs); failures the block reports
    itself come back under ``"error"``, as the engine would see them.
    """
    outputs: dict[str, list[Any]] = {}
    for pin, value in await run_block_pairs(block, inputs, ctx):
        outputs.setdefault(pin, []).append(value)
    return outputs


def matches_expected(actual: Any, expected: Any) -> bool:
    """``expected`` is a value (compared with ``==``), a type, or a one-argument predicate."""
    if isinstance(expected, type):
        return isinstance(actual, expected)
    if callable(expected):
        return bool(expected(actual))
    return bool(actual == expected)


async def check_examples(
    block: Block, ctx_factory: Callable[[], BlockContext] = make_context
) -> list[str]:
    """Run every ``test_input`` and compare with ``test_output``; the mismatches, if any.

    The outputs of all examples are concatenated in order and must match
    ``test_output`` pair by pair, so a block that yields too much or too little fails.
    """
    actual: list[tuple[str, Any]] = []
    for example in block.test_input:
        actual.extend(await run_block_pairs(block, example, ctx_factory()))
    expected = list(block.test_output)
    problems = [
        f"output {i}: expected {exp[0]!r} matching {exp[1]!r}, got {act[0]!r} = {act[1]!r}"
        for i, (act, exp) in enumerate(zip(actual, expected, strict=False))
        if act[0] != exp[0] or not matches_expected(act[1], exp[1])
    ]
    if len(actual) != len(expected):
        problems.append(
            f"{block.name()} yielded {len(actual)} outputs, test_output lists {len(expected)}: "
            f"{actual!r}"
        )
    return problems
