"""Basic blocks: failures of the type converter, logging of the print block."""

import logging

import pytest

from blockyard.blocks.basic import PrintToConsoleBlock, UniversalTypeConverterBlock
from blockyard.blocks.testing import make_context, run_block
from blockyard.errors import BlockInputError


@pytest.mark.parametrize(
    ("value", "target", "message"),
    [
        ("abc", "number", "'abc' is not a number"),
        ([1, 2], "number", "a list cannot be turned into a number"),
        ("maybe", "boolean", "'maybe' is neither"),
        ("[1, 2", "list", "not valid JSON"),
        ("[1, 2]", "dictionary", "holds a list, not a dict"),
        (3, "dictionary", "a int cannot be turned into a dictionary"),
    ],
)
async def test_converter_reports_impossible_conversions(
    value: object, target: str, message: str
) -> None:
    outputs = await run_block(UniversalTypeConverterBlock(), {"value": value, "type": target})
    assert list(outputs) == ["error"]
    assert message in outputs["error"][0]
    assert outputs["error"][0].startswith(f"Cannot convert to {target}")


async def test_converter_rejects_unknown_types() -> None:
    with pytest.raises(BlockInputError, match="type"):
        await run_block(UniversalTypeConverterBlock(), {"value": 1, "type": "set"})


async def test_print_logs_through_the_context_logger(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("blockyard.test.print")
    with caplog.at_level(logging.INFO, logger="blockyard.test.print"):
        outputs = await run_block(
            PrintToConsoleBlock(), {"text": {"k": 1}}, make_context(logger=logger)
        )
    assert outputs == {"output": [{"k": 1}], "status": ["printed"]}
    assert '{"k": 1}' in caplog.text
