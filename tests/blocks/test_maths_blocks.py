"""Calculator and counting: zero divisors and values that cannot be counted."""

import pytest

from blockyard.blocks.maths import CalculatorBlock, CountItemsBlock
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
    assert outputs == {"error": ["A int is not a collection that can be counted."]}
