"""run_block and check_examples: the harness must report what is wrong, not hide it."""

from typing import Any

import pytest

from blockyard.blocks.base import (
    Block,
    BlockOutput,
    BlockSchemaInput,
    BlockSchemaOutput,
    SchemaField,
)
from blockyard.blocks.context import BlockContext
from blockyard.blocks.testing import check_examples, matches_expected, run_block
from blockyard.errors import BlockInputError


class DoubleBlock(Block):
    id = "0b6f0c7e-2f55-4c4b-9b44-6c1d8f9a0e11"
    description = "Test block: doubles each number of a list."

    class Input(BlockSchemaInput):
        numbers: list[int] = SchemaField(description="Numbers.")

    class Output(BlockSchemaOutput):
        doubled: int = SchemaField(description="One number, doubled.")

    test_input = [{"numbers": [1, 2]}]
    test_output = [("doubled", 2), ("doubled", 5)]  # deliberately wrong

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        for n in input_data.numbers:
            yield "doubled", n * 2


async def test_run_block_merges_dynamic_pins_and_groups_by_pin() -> None:
    outputs = await run_block(DoubleBlock(), {"numbers_$_1": 5, "numbers_$_0": 1})
    assert outputs == {"doubled": [2, 10]}


async def test_run_block_names_invalid_fields() -> None:
    with pytest.raises(BlockInputError, match=r"numbers\.0: Input should be a valid integer"):
        await run_block(DoubleBlock(), {"numbers": ["one"]})


async def test_check_examples_reports_mismatches() -> None:
    problems = await check_examples(DoubleBlock())
    assert problems == ["output 1: expected 'doubled' matching 5, got 'doubled' = 4"]


async def test_check_examples_reports_missing_outputs() -> None:
    class Shorter(DoubleBlock):
        test_output = [("doubled", 2)]

    problems = await check_examples(Shorter())
    assert len(problems) == 1
    assert "yielded 2 outputs, test_output lists 1" in problems[0]


@pytest.mark.parametrize(
    ("actual", "expected", "result"),
    [(1, 1, True), (1, 2, False), ("a", str, True), (1, str, False), (3, lambda v: v > 2, True)],
)
def test_matches_expected(actual: Any, expected: Any, result: bool) -> None:
    assert matches_expected(actual, expected) is result
