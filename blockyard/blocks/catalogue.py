"""The block catalogue (``docs/blocks.md``), written from the blocks' own schemas.

Run ``python -m blockyard.blocks.catalogue > docs/blocks.md`` after adding or changing a
block; a test fails while the committed file differs from what this prints. Only the
built-in blocks are listed (third-party packages vary from one installation to another),
and nothing in the output depends on time or machine, so it is the same wherever it runs.
"""

import json
import re
import sys
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic.fields import FieldInfo
from pydantic_core import to_jsonable_python

from blockyard.blocks.base import ERROR_PIN, Block, BlockCategory, BlockType
from blockyard.blocks.registry import BlockRegistry, load_registry

COMMAND = "python -m blockyard.blocks.catalogue > docs/blocks.md"
_WORD_BREAK = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_PLURAL = {
    "text": "texts",
    "number": "numbers",
    "whole number": "whole numbers",
    "true/false": "true/false values",
    "dictionary": "dictionaries",
    "list": "lists",
    "any": "anything",
}
_STRING_FORMATS = {"date": "date", "time": "time of day", "date-time": "date and time"}
_MAX_DEFAULT_CHARS = 48


def display_name(block: Block | type[Block]) -> str:
    """``AddToDictionaryBlock`` -> ``Add To Dictionary``; ``XMLParserBlock`` -> ``XML Parser``."""
    name = block.name().removesuffix("Block")
    return _WORD_BREAK.sub(" ", name)


def _anchor(title: str) -> str:
    """The fragment GitHub and most Markdown renderers give a heading."""
    return re.sub(r"[^a-z0-9 -]", "", title.lower()).replace(" ", "-")


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _option_types(options: Iterable[Mapping[str, Any]], defs: Mapping[str, Any]) -> str:
    parts: list[str] = []
    nullable = False
    for option in options:
        if option.get("type") == "null":
            nullable = True
            continue
        described = describe_type(option, defs)
        if described not in parts:
            parts.append(described)
    if "number" in parts and "whole number" in parts:
        parts.remove("whole number")  # every whole number is a number
    text = " or ".join(parts) or "empty"
    return f"{text} (or empty)" if nullable and parts else text


def _container_type(schema: Mapping[str, Any], defs: Mapping[str, Any]) -> str:
    if schema.get("type") == "array":
        items = schema.get("items")
        if not items:
            return "list"
        inner = describe_type(items, defs)
        return f"list of {_PLURAL.get(inner, inner)}"
    values = schema.get("additionalProperties")
    if isinstance(values, Mapping) and values:
        inner = describe_type(values, defs)
        return "dictionary" if inner == "any" else f"dictionary of {_PLURAL.get(inner, inner)}"
    return "dictionary"


def describe_type(schema: Mapping[str, Any], defs: Mapping[str, Any]) -> str:
    """A JSON schema in words a builder reads: 'list of texts', 'one of `a`, `b`'."""
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        return describe_type(defs.get(ref.removeprefix("#/$defs/"), {}), defs)
    if "enum" in schema:
        return "one of " + ", ".join(f"`{value}`" for value in schema["enum"])
    if "const" in schema:
        return f"`{schema['const']}`"
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return _option_types(schema[key], defs)
    kind = schema.get("type")
    if kind == "string":
        return _STRING_FORMATS.get(schema.get("format", ""), "text")
    if kind in ("array", "object"):
        return _container_type(schema, defs)
    simple = {"integer": "whole number", "number": "number", "boolean": "true/false"}
    return simple.get(kind, "any") if isinstance(kind, str) else "any"


def _default(field: FieldInfo) -> str:
    if field.is_required():
        return "required"
    value = to_jsonable_python(field.get_default(call_default_factory=True))
    text = json.dumps(value, ensure_ascii=False)
    if len(text) > _MAX_DEFAULT_CHARS:
        text = text[: _MAX_DEFAULT_CHARS - 1] + "…"
    return f"`{text}`".replace("|", "\\|")


def _pin_rows(block: Block, side: str) -> list[str]:
    model = block.Input if side == "input" else block.Output
    schema = model.jsonschema()
    defs = schema.get("$defs", {})
    rows = []
    properties = dict(schema.get("properties", {}))
    if ERROR_PIN in properties:  # every block has it; list it last, after the block's own
        properties[ERROR_PIN] = properties.pop(ERROR_PIN)
    for name, prop in properties.items():
        if prop.get("hidden"):
            continue
        kind = _cell(describe_type(prop, defs))
        about = _cell(prop.get("description", ""))
        if side == "input":
            rows.append(f"| `{name}` | {kind} | {_default(model.model_fields[name])} | {about} |")
        else:
            rows.append(f"| `{name}` | {kind} | {about} |")
    return rows


def _facts(block: Block) -> str:
    categories = ", ".join(c.value.replace("_", " ").capitalize() for c in sorted(block.categories))
    facts = [f"Id `{block.id}`", f"category: {categories}"]
    if block.block_type is not BlockType.STANDARD:
        facts.append(f"kind: {block.block_type.value}")
    if block.static_output:
        facts.append("static output (later blocks reuse its last value)")
    if block.disabled:
        facts.append("disabled")
    return " · ".join(facts)


def render_block(block: Block) -> str:
    """One block's section: what it does, then its input and output pins."""
    lines = [f"### {display_name(block)}", "", block.description, "", _facts(block), ""]
    inputs = _pin_rows(block, "input")
    if inputs:
        lines += ["| Input | Type | Default | Description |", "| --- | --- | --- | --- |"]
        lines += [*inputs, ""]
    outputs = _pin_rows(block, "output")
    if outputs:
        lines += ["| Output | Type | Description |", "| --- | --- | --- |", *outputs, ""]
    return "\n".join(lines)


def _index(blocks: list[Block]) -> list[str]:
    lines = ["## Blocks by category", ""]
    for category in sorted(BlockCategory, key=lambda c: c.value):
        members = [b for b in blocks if category in b.categories]
        if not members:
            continue
        lines += [f"**{category.value.replace('_', ' ').capitalize()}**: "]
        links = [f"[{display_name(b)}](#{_anchor(display_name(b))})" for b in members]
        lines[-1] += ", ".join(links)
        lines.append("")
    return lines


def render_catalogue(registry: BlockRegistry) -> str:
    """The whole catalogue as Markdown, blocks in alphabetical order of their names."""
    blocks = sorted(registry, key=display_name)
    lines = [
        "# Block catalogue",
        "",
        f"Every built-in block ({len(blocks)} of them), written from the blocks' own schemas "
        f"by `{COMMAND}`. Do not edit this file by hand; change the block and run that.",
        "",
        "Each block runs once per complete set of inputs and sends values on its output pins. "
        "Every block may fail: its `error` pin then carries a message, and linking that pin "
        "(for example to an Error Handler) lets the agent go on.",
        "",
        *_index(blocks),
        "## Blocks",
        "",
    ]
    lines += [render_block(block) for block in blocks]
    return "\n".join(lines).rstrip("\n") + "\n"


def main() -> None:
    sys.stdout.write(render_catalogue(load_registry(entry_point_packages=False)))


if __name__ == "__main__":
    main()
