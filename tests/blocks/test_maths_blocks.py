"""Calculator and counting: zero divisors and values that cannot be counted."""

import pytest

from blockyard.blocks.maths import CalculatorBlock, CountItemsBlock, RandomNumberBlock
from blockyard.blocks.testing import run_block
from blockyard.errors import BlockInputError


@pytest.mark.parametrize(
    ("operation", "message"),
    [
        ("Divide", "Cannot divide by zero (b is 0)."),
        ("Modulo", "Cannot take the remainder of a division by zero (b is 0)."),
    ],
)
async def test_zero_divisor_is_a_clear_error(operation: str, message: str) -> None:
    outputs = await run_block(CalculatorBlock(), {"operation": operation, "a": 1, "b": 0})
    assert outputs == {"error": [message]}


async def test_power_overflow_and_complex_results_are_errors() -> None:
    big = await run_block(CalculatorBlock(), {"operation": "Power", "a": 10, "b": 400})
    assert "too large" in big["error"][0]
    root = await run_block(CalculatorBlock(), {"operation": "Power", "a": -8, "b": 0.5})
    assert "not a real number" in root["error"][0]


async def test_rounding_goes_half_away_from_zero() -> None:
    outputs = await run_block(
        CalculatorBlock(), {"operation": "Subtract", "a": -1, "b": 1.5, "round_result": True}
    )
    assert outputs == {"result": [-3]}


async def test_calculator_rejects_text_numbers_it_cannot_read() -> None:
    with pytest.raises(BlockInputError, match="a: Input should be a valid number"):
        await run_block(CalculatorBlock(), {"operation": "Add", "a": "ten", "b": 1})


async def test_count_items_of_a_number_is_an_error() -> None:
    outputs = await run_block(CountItemsBlock(), {"collection": 42})
    assert outputs == {"error": ["This is a single number, not a collection that can be counted."]}


async def test_random_number_with_a_seed_repeats() -> None:
    block = RandomNumberBlock()
    inputs = {"minimum": 0, "maximum": 1_000_000, "seed": 42}
    assert await run_block(block, inputs) == await run_block(block, inputs)


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ({"minimum": 5, "maximum": 1}, "The minimum (5) is larger than the maximum (1)."),
        ({"minimum": 0.2, "maximum": 0.8}, "There is no whole number between 0.2 and 0.8."),
    ],
)
async def test_random_number_bad_ranges(inputs: dict[str, float], message: str) -> None:
    assert await run_block(RandomNumberBlock(), inputs) == {"error": [message]}
