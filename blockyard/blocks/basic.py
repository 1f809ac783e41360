"""Basic blocks: hold a value, annotate, print, convert types, reverse a list."""

import enum
import json
from collections.abc import Callable
from typing import Any

from blockyard.blocks.base import (
    Block,
    BlockCategory,
    BlockOutput,
    BlockSchemaInput,
    BlockSchemaOutput,
    BlockType,
    SchemaField,
)
from blockyard.blocks.context import BlockContext
from blockyard.blocks.data_dicts import MAX_DEPTH
from blockyard.blocks.data_formats import TooDeepError, load_json
from blockyard.blocks.text import as_text


class StoreValueBlock(Block):
    id = "1ff065e9-88e8-4358-9d82-8dc91f622ba9"
    description = (
        "Holds a value and sends it on each time it is triggered; its outgoing links are "
        "static, so later blocks can reuse the value as often as they run."
    )
    categories = frozenset({BlockCategory.BASIC})
    static_output = True

    class Input(BlockSchemaInput):
        input: Any = SchemaField(
            description="Triggers the block; it is also the value sent when 'data' is empty."
        )
        data: Any = SchemaField(
            default=None, advanced=False, description="A fixed value to send on instead."
        )

    class Output(BlockSchemaOutput):
        output: Any = SchemaField(description="'data' when given, otherwise 'input'.")

    test_input = [{"input": "Hello"}, {"input": "Hello", "data": "Stored"}, {"input": 1, "data": 0}]
    test_output = [("output", "Hello"), ("output", "Stored"), ("output", 0)]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        yield "output", input_data.data if input_data.data is not None else input_data.input


class NoteBlock(Block):
    id = "cc10ff7b-7753-4ff2-9af6-9399b1a7eddc"
    description = "A sticky note on the canvas, to explain your agent. It never runs."
    categories = frozenset({BlockCategory.BASIC})
    block_type = BlockType.NOTE

    class Input(BlockSchemaInput):
        text: str = SchemaField(description="The text of the note.")

    class Output(BlockSchemaOutput):
        output: str = SchemaField(description="The text of the note.")

    test_input = [{"text": "Remember to set the API key."}]
    test_output = [("output", "Remember to set the API key.")]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        yield "output", input_data.text


class PrintToConsoleBlock(Block):
    id = "f3b1c1b2-4c4f-4f0d-8d2f-4c4f0d8d2f4c"
    description = "Writes a value to the server log and passes it on; useful for debugging."
    categories = frozenset({BlockCategory.BASIC})

    class Input(BlockSchemaInput):
        text: Any = SchemaField(description="The value to log.")

    class Output(BlockSchemaOutput):
        output: Any = SchemaField(description="The same value, unchanged.")
        status: str = SchemaField(description="'printed' once it was logged.")

    test_input = [{"text": "Hello, World!"}]
    test_output = [("output", "Hello, World!"), ("status", "printed")]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        ctx.logger.info(
            "Print to console (execution %s, node %s): %s",
            ctx.graph_exec_id,
            ctx.node_id,
            as_text(input_data.text),
        )
        yield "output", input_data.text
        yield "status", "printed"


class TypeOptions(enum.StrEnum):
    STRING = "string"
    NUMBER = "number"
    BOOLEAN = "boolean"
    LIST = "list"
    DICTIONARY = "dictionary"


_TRUE_WORDS = frozenset({"true", "yes", "y", "on", "1"})
_FALSE_WORDS = frozenset({"false", "no", "n", "off", "0", ""})


def _to_number(value: Any) -> float:
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            raise ValueError(f"{value!r} is not a number") from None
    raise ValueError(f"a {type(value).__name__} cannot be turned into a number")


def _to_boolean(value: Any) -> bool:
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE_WORDS or word in _FALSE_WORDS:
            return word in _TRUE_WORDS
        raise ValueError(f"{value!r} is neither true/yes/on/1 nor false/no/off/0")
    return bool(value)


def _parse_json(value: str, kind: type) -> Any:
    try:
        parsed = load_json(value)
    except json.JSONDecodeError as exc:
        raise ValueError(f"the text is not valid JSON ({exc.msg})") from None
    except TooDeepError:
        raise ValueError(f"the JSON text is nested more than {MAX_DEPTH} levels deep") from None
    if not isinstance(parsed, kind):
        raise ValueError(f"the JSON text holds a {type(parsed).__name__}, not a {kind.__name__}")
    return parsed


def _to_list(value: Any) -> list[Any]:
    if isinstance(value, list | tuple | set | frozenset):
        return list(value)
    if isinstance(value, dict):
        return [[key, item] for key, item in value.items()]
    if isinstance(value, str) and value.strip().startswith("["):
        parsed: list[Any] = _parse_json(value, list)
        return parsed
    return [] if value is None else [value]


def _to_dictionary(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    if isinstance(value, list | tuple):
        return {str(i): item for i, item in enumerate(value)}
    if isinstance(value, str):
        parsed: dict[str, Any] = _parse_json(value, dict)
        return parsed
    raise ValueError(f"a {type(value).__name__} cannot be turned into a dictionary")


_CONVERTERS: dict[TypeOptions, Callable[[Any], Any]] = {
    TypeOptions.STRING: as_text,
    TypeOptions.NUMBER: _to_number,
    TypeOptions.BOOLEAN: _to_boolean,
    TypeOptions.LIST: _to_list,
    TypeOptions.DICTIONARY: _to_dictionary,
}


class UniversalTypeConverterBlock(Block):
    id = "95d1b990-ce13-4d88-9737-ba5c2070c97b"
    description = (
        "Converts a value to text, a number, a true/false value, a list or a dictionary "
        "(JSON text is parsed; other values are converted sensibly or rejected clearly)."
    )
    categories = frozenset({BlockCategory.BASIC})

    class Input(BlockSchemaInput):
        value: Any = SchemaField(description="The value to convert.")
        type: TypeOptions = SchemaField(description="The type to convert it to.")

    class Output(BlockSchemaOutput):
        value: Any = SchemaField(description="The converted value.")

    test_input = [
        {"value": " 42 ", "type": "number"},
        {"value": {"a": 1}, "type": "string"},
        {"value": "Yes", "type": "boolean"},
        {"value": "[1, 2]", "type": "list"},
        {"value": ["x", "y"], "type": "dictionary"},
    ]
    test_output = [
        ("value", 42.0),
        ("value", '{"a": 1}'),
        ("value", True),
        ("value", [1, 2]),
        ("value", {"0": "x", "1": "y"}),
    ]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        try:
            converted = _CONVERTERS[input_data.type](input_data.value)
        except ValueError as exc:
            yield "error", f"Cannot convert to {input_data.type.value}: {exc}."
            return
        yield "value", converted


class ReverseListOrderBlock(Block):
    id = "422cb708-3109-4277-bfe3-bc2ae5812777"
    description = "Reverses the order of the items in a list."
    categories = frozenset({BlockCategory.BASIC})

    class Input(BlockSchemaInput):
        input_list: list[Any] = SchemaField(description="The list to reverse.")

    class Output(BlockSchemaOutput):
        reversed_list: list[Any] = SchemaField(description="The items, last first.")

    test_input = [{"input_list": [1, "two", {"three": 3}]}, {"input_list": []}]
    test_output = [("reversed_list", [{"three": 3}, "two", 1]), ("reversed_list", [])]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        yield "reversed_list", list(reversed(input_data.input_list))
