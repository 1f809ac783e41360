"""Agent input and output blocks: typed values, options, templates."""

import pytest

from blockyard.blocks.io import (
    AgentDateInputBlock,
    AgentDictionaryInputBlock,
    AgentDropdownInputBlock,
    AgentInputBlock,
    AgentListInputBlock,
    AgentNumberInputBlock,
    AgentOutputBlock,
    AgentTableInputBlock,
)
from blockyard.blocks.testing import run_block
from blockyard.errors import BlockInputError


async def test_input_without_value_sends_nothing() -> None:
    assert await run_block(AgentInputBlock(), {"name": "topic"}) == {}


async def test_dropdown_rejects_a_value_outside_its_options() -> None:
    with pytest.raises(BlockInputError, match=r"'XL' is not one of the options: 'S', 'M'"):
        await run_block(
            AgentDropdownInputBlock(),
            {"name": "size", "value": "XL", "placeholder_values": ["S", "M"]},
        )


async def test_dropdown_without_options_takes_any_text() -> None:
    outputs = await run_block(AgentDropdownInputBlock(), {"name": "size", "value": "XL"})
    assert outputs == {"result": ["XL"]}


async def test_typed_inputs_reject_wrong_values() -> None:
    with pytest.raises(BlockInputError, match="value"):
        await run_block(AgentNumberInputBlock(), {"name": "n", "value": "many"})
    with pytest.raises(BlockInputError, match="value"):
        await run_block(AgentDateInputBlock(), {"name": "day", "value": "2025-02-30"})


async def test_output_template_error_is_reported_on_error_pin() -> None:
    outputs = await run_block(
        AgentOutputBlock(), {"name": "answer", "value": 1, "format": "{{ value "}
    )
    assert set(outputs) == {"error"}
    assert "answer" in outputs["error"][0]
    assert "syntax error" in outputs["error"][0]


async def test_output_escapes_html_when_asked() -> None:
    outputs = await run_block(
        AgentOutputBlock(),
        {"name": "page", "value": "<script>", "format": "<p>{{ value }}</p>", "escape_html": True},
    )
    assert outputs == {"output": ["<p>&lt;script&gt;</p>"], "name": ["page"]}


async def test_output_needs_a_name() -> None:
    with pytest.raises(BlockInputError, match="name: Field required"):
        await run_block(AgentOutputBlock(), {"value": 1})


@pytest.mark.parametrize(
    ("block", "value"),
    [
        (AgentTableInputBlock(), "not a table"),
        (AgentListInputBlock(), {"a": 1}),
        (AgentDictionaryInputBlock(), [1, 2]),
    ],
)
async def test_container_inputs_reject_the_wrong_shape(
    block: AgentInputBlock, value: object
) -> None:
    with pytest.raises(BlockInputError, match="value"):
        await run_block(block, {"name": "x", "value": value})


async def test_table_input_defaults_to_three_columns() -> None:
    schema = AgentTableInputBlock.Input.jsonschema()
    assert schema["properties"]["column_headers"]["default"] == ["Column 1", "Column 2", "Column 3"]
    assert schema["properties"]["value"]["format"] == "table"
