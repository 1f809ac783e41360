"""The generated block catalogue: complete, readable types, and committed up to date."""

import io
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import pytest

from blockyard.blocks import catalogue
from blockyard.blocks.catalogue import COMMAND, describe_type, display_name, render_catalogue
from blockyard.blocks.registry import BlockRegistry, load_registry
from blockyard.blocks.text import FillTextTemplateBlock

DOCS = Path(__file__).resolve().parents[2] / "docs" / "blocks.md"
REGISTRY = load_registry(entry_point_packages=False)


def test_docs_blocks_md_is_up_to_date() -> None:
    expected = render_catalogue(REGISTRY)
    committed = DOCS.read_text(encoding="utf-8") if DOCS.exists() else ""
    if committed != expected:
        pairs = zip(committed.splitlines(), expected.splitlines(), strict=False)
        line = next((i for i, (a, b) in enumerate(pairs, 1) if a != b), None)
        where = f"first difference at line {line}" if line else "one is longer"
        pytest.fail(f"docs/blocks.md is out of date ({where}); run: {COMMAND}", pytrace=False)


def test_every_block_has_a_section_with_its_id() -> None:
    text = render_catalogue(REGISTRY)
    for block in REGISTRY:
        assert f"### {display_name(block)}\n" in text
        assert f"Id `{block.id}`" in text


def test_main_prints_the_catalogue() -> None:
    out = io.StringIO()
    with redirect_stdout(out):
        catalogue.main()
    assert out.getvalue() == render_catalogue(REGISTRY)


def test_a_block_section_lists_pins_with_defaults_and_error_last() -> None:
    text = render_catalogue(BlockRegistry([FillTextTemplateBlock]))
    section = text[text.index("### Fill Text Template") :]
    assert "| `format` | text | required | The template, in Jinja2 syntax. |" in section
    assert "| `escape_html` | true/false | `false` |" in section
    outputs = section[section.index("| Output |") :].splitlines()
    assert outputs[2].startswith("| `output` | text |")
    assert outputs[3].startswith("| `error` | text |")


@pytest.mark.parametrize(
    ("schema", "words"),
    [
        ({"type": "string"}, "text"),
        ({"type": "string", "format": "date"}, "date"),
        ({"type": "integer"}, "whole number"),
        ({"type": "array", "items": {"type": "string"}}, "list of texts"),
        ({"type": "array", "items": {"type": "array", "items": {}}}, "list of lists"),
        ({"type": "object", "additionalProperties": {"type": "number"}}, "dictionary of numbers"),
        ({"anyOf": [{"type": "integer"}, {"type": "null"}]}, "whole number (or empty)"),
        ({"anyOf": [{"type": "integer"}, {"type": "number"}]}, "number"),
        ({"enum": ["a", "b"]}, "one of `a`, `b`"),
        ({"$ref": "#/$defs/Mode"}, "one of `x`"),
        ({}, "any"),
    ],
)
def test_types_in_words(schema: dict[str, Any], words: str) -> None:
    assert describe_type(schema, {"Mode": {"enum": ["x"]}}) == words


@pytest.mark.parametrize(
    ("name", "shown"),
    [("XMLParserBlock", "XML Parser"), ("AgentShortTextInputBlock", "Agent Short Text Input")],
)
def test_display_names(name: str, shown: str) -> None:
    block = type(name, (FillTextTemplateBlock,), {})
    assert display_name(block) == shown
