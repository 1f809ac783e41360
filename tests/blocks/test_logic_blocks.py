"""Condition, match and iteration blocks, and what they do with bad input."""

import pytest

from blockyard.blocks.logic import ConditionBlock, IfInputMatchesBlock, StepThroughItemsBlock
from blockyard.blocks.testing import run_block, run_block_pairs
from blockyard.errors import BlockInputError


async def test_condition_on_incomparable_values_is_an_error() -> None:
    outputs = await run_block(ConditionBlock(), {"value1": "abc", "operator": ">", "value2": 5})
    assert outputs == {"error": ["Cannot compare str 'abc' > int 5."]}


async def test_condition_rejects_unknown_operator() -> None:
    with pytest.raises(BlockInputError, match="operator"):
        await run_block(ConditionBlock(), {"value1": 1, "operator": "=~", "value2": 1})


async def test_if_input_matches_sends_the_input_by_default() -> None:
    outputs = await run_block(IfInputMatchesBlock(), {"input": "a", "value": "b"})
    assert outputs == {"result": [False], "no_output": ["a"]}


@pytest.mark.parametrize(
    ("items_str", "message"),
    [("[1, 2", "items_str is not valid JSON"), ("42", "holds a int, not a list or an object")],
)
async def test_step_through_bad_json(items_str: str, message: str) -> None:
    outputs = await run_block(StepThroughItemsBlock(), {"items_str": items_str})
    assert list(outputs) == ["error"]
    assert message in outputs["error"][0]


async def test_step_through_yields_item_then_key_per_element() -> None:
    pairs = await run_block_pairs(StepThroughItemsBlock(), {"items_$_0": "a", "items_$_1": "b"})
    assert pairs == [("item", "a"), ("key", 0), ("item", "b"), ("key", 1)]


async def test_step_through_nothing_sends_nothing() -> None:
    assert await run_block(StepThroughItemsBlock(), {}) == {}
