"""What kinds of value a block's pins carry, reduced once per block for fast checks.

Validation compares the two ends of every link. Walking JSON schemas for each link would
make a large graph slow, so each block's Input and Output schemas are reduced once (cached
per block class) to a :class:`BlockPins`: per field, the coarse JSON kinds it accepts
(string, number, boolean, array, object; None for anything) and those of its list items
and dictionary values, which dynamic pins such as ``items_$_0`` or ``values_#_x`` carry.

The coercions allowed follow AutoGPT, which converts values on the way in: numbers,
booleans and text convert into each other, anything can be rendered as text, and a
container only takes a container of its own kind or text (parsed as JSON). A list into a
number, a number into a list and a dictionary into a list are the mistakes reported.
"""

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from blockyard.blocks.base import Block, BlockType
from blockyard.blocks.pins import DICT_SEP, LIST_SEP, base_name

TOOL_SEP = "_^_"
"""SmartDecisionMaker tool routing: ``tools_^_{node_id}_~_{field}`` belongs to ``tools``."""


Kinds = frozenset[str] | None
"""The JSON kinds a pin may carry (string, number, boolean, array, object); None: anything."""

_JSON_KIND = {
    "string": "string",
    "integer": "number",
    "number": "number",
    "boolean": "boolean",
    "array": "array",
    "object": "object",
    "null": "null",
}
_ACCEPTS: dict[str, frozenset[str]] = {
    # Scalars coerce into each other and anything renders as text, as AutoGPT converts;
    # containers only take containers of their own kind or text holding JSON.
    "string": frozenset({"string", "number", "boolean", "array", "object"}),
    "number": frozenset({"number", "string", "boolean"}),
    "boolean": frozenset({"boolean", "number", "string"}),
    "array": frozenset({"array", "string"}),
    "object": frozenset({"object", "string"}),
}
CONTAINER_KINDS = frozenset({"array", "object"})
_SEPARATORS = re.compile(r"_#_|_\$_|_@_")


def _py_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, list):
        return "array"
    return "object" if isinstance(value, dict) else "string"


def _alternatives(
    schema: Mapping[str, Any], defs: Mapping[str, Any], depth: int = 0
) -> list[Mapping[str, Any]]:
    """The leaf schemas a value may match: ``$ref`` resolved, unions flattened."""
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        target = defs.get(ref.removeprefix("#/$defs/"))
        schema = target if isinstance(target, Mapping) else {}
    options = schema.get("anyOf") or schema.get("oneOf")
    if not options and len(schema.get("allOf") or ()) == 1:
        options = schema["allOf"]
    if not options or depth > 8:
        return [schema]
    return [
        leaf
        for option in options
        if isinstance(option, Mapping)
        for leaf in _alternatives(option, defs, depth + 1)
    ]


def _leaf_kinds(leaf: Mapping[str, Any]) -> set[str] | None:
    declared = leaf.get("type")
    if isinstance(declared, str):
        declared = [declared]
    if isinstance(declared, list):
        return {_JSON_KIND[t] for t in declared if t in _JSON_KIND}
    if isinstance(leaf.get("enum"), list):
        return {_py_kind(v) for v in leaf["enum"]}
    if "const" in leaf:
        return {_py_kind(leaf["const"])}
    return None


def schema_kinds(schema: Mapping[str, Any], defs: Mapping[str, Any]) -> Kinds:
    """Reduce a property's JSON schema to the kinds of value it accepts (None: any)."""
    kinds: set[str] = set()
    for leaf in _alternatives(schema, defs):
        leaf_kinds = _leaf_kinds(leaf)
        if leaf_kinds is None:
            return None
        kinds |= leaf_kinds
    kinds.discard("null")
    return frozenset(kinds) or None


def _element_kinds(schema: Mapping[str, Any], defs: Mapping[str, Any], key: str) -> Kinds:
    for leaf in _alternatives(schema, defs):
        inner = leaf.get(key)
        if isinstance(inner, Mapping):
            return schema_kinds(inner, defs)
    return None


def compatible(source: Kinds, sink: Kinds) -> bool:
    """Can a value of ``source`` kinds be delivered to a pin of ``sink`` kinds?"""
    if source is None or sink is None:
        return True
    return any(s in _ACCEPTS.get(k, frozenset()) for k in sink for s in source)


def describe(kinds: Kinds) -> str:
    return "any" if kinds is None else " or ".join(sorted(kinds))


def pin_base(pin: str) -> str:
    """The schema field a pin belongs to, for dynamic and tool-routing pins alike."""
    return base_name(pin.split(TOOL_SEP, 1)[0])


@dataclass(frozen=True, slots=True)
class PinType:
    """A field's kinds, and those of its list items and dictionary values (dynamic pins)."""

    kinds: Kinds
    items: Kinds = None
    entries: Kinds = None

    def at(self, pin: str) -> Kinds:
        """The kinds carried by ``pin``: the field itself or one element of it."""
        if TOOL_SEP in pin:
            return None
        seps = _SEPARATORS.findall(pin)
        if not seps:
            return self.kinds
        if len(seps) > 1:
            return None
        return self.items if seps[0] == LIST_SEP else self.entries if seps[0] == DICT_SEP else None


@dataclass(frozen=True, slots=True)
class BlockPins:
    """What validation needs to know of one block, computed once per block class."""

    name: str
    inputs: Mapping[str, PinType]
    outputs: Mapping[str, PinType]
    must_fill: frozenset[str]
    """Required inputs a graph must fill; credentials come from the vault at run time."""
    block_type: BlockType
    static_output: bool


def _pin_types(schema: Mapping[str, Any]) -> dict[str, PinType]:
    defs = schema.get("$defs") or {}
    return {
        name: PinType(
            kinds=schema_kinds(prop, defs),
            items=_element_kinds(prop, defs, "items"),
            entries=_element_kinds(prop, defs, "additionalProperties"),
        )
        for name, prop in (schema.get("properties") or {}).items()
    }


def _is_credentials(name: str) -> bool:
    return name == "credentials" or name.endswith("_credentials")


@functools.cache
def block_pins(cls: type[Block]) -> BlockPins:
    """Reduce ``cls``'s Input and Output schemas to pin types (cached per class)."""
    in_schema = cls.Input.jsonschema()
    required = frozenset(in_schema.get("required") or ())
    webhook = cls.block_type in (BlockType.WEBHOOK, BlockType.WEBHOOK_MANUAL)
    must_fill = frozenset(
        n for n in required if not _is_credentials(n) and not (webhook and n == "payload")
    )
    return BlockPins(
        name=cls.name(),
        inputs=_pin_types(in_schema),
        outputs=_pin_types(cls.Output.jsonschema()),
        must_fill=must_fill,
        block_type=cls.block_type,
        static_output=cls.static_output,
    )
