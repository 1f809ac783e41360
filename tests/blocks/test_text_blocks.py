"""Text blocks: sandboxed templates and regular expressions that cannot hang a worker."""

import pytest

from blockyard.blocks import text
from blockyard.blocks.testing import run_block
from blockyard.blocks.text import (
    CombineTextsBlock,
    ExtractTextInformationBlock,
    FillTextTemplateBlock,
    MatchTextPatternBlock,
    TextSplitBlock,
)
from blockyard.errors import BlockInputError


async def test_catastrophic_pattern_times_out_with_a_clear_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(text, "REGEX_TIMEOUT_SECONDS", 0.05)
    outputs = await run_block(
        ExtractTextInformationBlock(), {"text": "x" * 5000, "pattern": "(x+x+)+y"}
    )
    assert list(outputs) == ["error"]
    assert "backtracks catastrophically" in outputs["error"][0]


async def test_catastrophic_pattern_in_match_block_times_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(text, "REGEX_TIMEOUT_SECONDS", 0.05)
    outputs = await run_block(MatchTextPatternBlock(), {"text": "x" * 5000, "match": "(x+x+)+y"})
    assert list(outputs) == ["error"]


async def test_invalid_pattern_is_reported() -> None:
    outputs = await run_block(MatchTextPatternBlock(), {"text": "abc", "match": "(unclosed"})
    assert list(outputs) == ["error"]
    assert "Invalid regular expression '(unclosed'" in outputs["error"][0]


async def test_group_beyond_the_pattern_is_reported() -> None:
    outputs = await run_block(
        ExtractTextInformationBlock(), {"text": "a1", "pattern": r"(\w)\d", "group": 2}
    )
    assert outputs == {"error": ["Group 2 does not exist: the pattern has 1 group(s)."]}


async def test_template_syntax_error_is_reported() -> None:
    outputs = await run_block(FillTextTemplateBlock(), {"format": "{% if %}"})
    assert list(outputs) == ["error"]
    assert outputs["error"][0].startswith("Template syntax error on line 1")


async def test_template_sandbox_refuses_unsafe_attributes() -> None:
    outputs = await run_block(
        FillTextTemplateBlock(), {"format": "{{ ''.__class__.__mro__[1].__subclasses__() }}"}
    )
    assert list(outputs) == ["error"]
    assert "Template could not be rendered" in outputs["error"][0]


async def test_template_cannot_change_its_values() -> None:
    items = [1, 2]
    outputs = await run_block(
        FillTextTemplateBlock(), {"values": {"items": items}, "format": "{{ items.append(3) }}"}
    )
    assert list(outputs) == ["error"]
    assert items == [1, 2]


async def test_split_needs_a_delimiter() -> None:
    outputs = await run_block(TextSplitBlock(), {"text": "a,b", "delimiter": ""})
    assert outputs == {"error": ["The delimiter is empty; give the text to split at."]}


async def test_combine_rejects_non_text_items() -> None:
    with pytest.raises(BlockInputError, match=r"input\.1"):
        await run_block(CombineTextsBlock(), {"input": ["a", {"b": 1}]})
