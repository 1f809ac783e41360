"""The inputs an agent takes and the outputs it gives, as JSON schemas.

An agent's interface is not declared separately: it is read off its Agent Input nodes
(blocks of type INPUT) and Agent Output nodes (type OUTPUT), as in AutoGPT. Each input
node's ``input_default`` gives the property name (``name``), its default (``value``), its
``title`` and ``description``; the input block's own ``value`` field gives the type, so the
typed variants (number, toggle, date...) produce typed properties. An input without a
default value is required. The run form, the API and the Agent Executor block all read
these schemas.
"""

import functools
from collections.abc import Mapping
from typing import Any

from blockyard.blocks.base import Block, BlockType
from blockyard.blocks.registry import BlockRegistry
from blockyard.graph.model import BaseGraph, Node

DROPDOWN_INPUT_BLOCK_ID = "655d6fdf-a334-421c-b733-520549c07cd1"
"""AutoGPT's AgentDropdownInputBlock: its ``placeholder_values`` are the allowed options."""

_FIELD_ONLY_KEYS = (
    "title",
    "description",
    "default",
    "advanced",
    "secret",
    "placeholder",
    "hidden",
)


def _nodes_of_type(graph: BaseGraph, registry: BlockRegistry, kind: BlockType) -> list[Node]:
    found = []
    for node in graph.nodes:
        block = registry.find(node.block_id)
        if block is not None and block.block_type is kind:
            found.append(node)
    return found


def input_nodes(graph: BaseGraph, registry: BlockRegistry) -> list[Node]:
    """The agent's input nodes, in graph order."""
    return _nodes_of_type(graph, registry, BlockType.INPUT)


def output_nodes(graph: BaseGraph, registry: BlockRegistry) -> list[Node]:
    """The agent's output nodes, in graph order."""
    return _nodes_of_type(graph, registry, BlockType.OUTPUT)


def _inline(schema: Any, defs: Mapping[str, Any], depth: int = 0) -> Any:
    """``schema`` with every ``#/$defs/`` reference replaced by its definition."""
    if isinstance(schema, list):
        return [_inline(item, defs, depth) for item in schema]
    if not isinstance(schema, Mapping):
        return schema
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/") and depth < 16:
        target = defs.get(ref.removeprefix("#/$defs/"), {})
        rest = {k: v for k, v in schema.items() if k != "$ref"}
        return _inline({**target, **rest}, defs, depth + 1)
    return {k: _inline(v, defs, depth) for k, v in schema.items()}


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """``X | None`` as plain ``X``: an input left empty is already expressed by ``required``."""
    options = schema.get("anyOf")
    if not isinstance(options, list):
        return schema
    kept = [o for o in options if not (isinstance(o, Mapping) and o.get("type") == "null")]
    if not kept or len(kept) == len(options):
        return schema
    rest = {k: v for k, v in schema.items() if k != "anyOf"}
    return {**kept[0], **rest} if len(kept) == 1 else {"anyOf": kept, **rest}


def _value_property(cls: type[Block]) -> Mapping[str, Any]:
    schema = cls.Input.jsonschema()
    prop = (schema.get("properties") or {}).get("value")
    return prop if isinstance(prop, Mapping) else {}


@functools.cache
def _value_schema(cls: type[Block]) -> dict[str, Any]:
    """The type part of the block's ``value`` input, without the field's own UI hints."""
    inlined: dict[str, Any] = _inline(
        _value_property(cls), cls.Input.jsonschema().get("$defs") or {}
    )
    return _without_null({k: v for k, v in inlined.items() if k not in _FIELD_ONLY_KEYS})


def input_default_value(node: Node, block: Block) -> Any:
    """An input node's default: its own ``value``, else its block's (a toggle's False)."""
    value = node.input_default.get("value")
    return _value_property(type(block)).get("default") if value is None else value


def _io_name(node: Node) -> str | None:
    name = node.input_default.get("name")
    return name if isinstance(name, str) and name else None


def _described(node: Node, base: dict[str, Any], name: str) -> dict[str, Any]:
    prop = dict(base)
    prop["title"] = node.input_default.get("title") or name
    description = node.input_default.get("description")
    if description:
        prop["description"] = description
    return prop


def _input_property(node: Node, block: Block, name: str) -> tuple[dict[str, Any], bool]:
    """The property for one input node, and whether a run must supply it."""
    settings = node.input_default
    prop = _described(node, _value_schema(type(block)), name)
    value = input_default_value(node, block)
    if settings.get("secret"):
        prop["secret"] = True
    elif value is not None:
        prop["default"] = value  # a secret's value is never shown
    if settings.get("advanced"):
        prop["advanced"] = True
    options = settings.get("placeholder_values")
    if block.id == DROPDOWN_INPUT_BLOCK_ID and isinstance(options, list) and options:
        prop["enum"] = list(options)
    return prop, value is None


def graph_input_schema(graph: BaseGraph, registry: BlockRegistry) -> dict[str, Any]:
    """A JSON object schema with one property per named input node."""
    properties: dict[str, Any] = {}
    required: list[str] = []
    for node in input_nodes(graph, registry):
        name = _io_name(node)
        if name is None:
            continue
        prop, needed = _input_property(node, registry.get(node.block_id), name)
        properties[name] = prop
        if needed and name not in required:
            required.append(name)
        elif not needed and name in required:
            required.remove(name)
    return {"type": "object", "properties": properties, "required": required}


def graph_output_schema(graph: BaseGraph, registry: BlockRegistry) -> dict[str, Any]:
    """A JSON object schema with one property per named output node."""
    properties: dict[str, Any] = {}
    for node in output_nodes(graph, registry):
        name = _io_name(node)
        if name is None:
            continue
        block = registry.get(node.block_id)
        prop = _described(node, _value_schema(type(block)), name)
        if node.input_default.get("secret"):
            prop["secret"] = True
        properties[name] = prop
    return {"type": "object", "properties": properties, "required": []}
