"""Dictionaries and lists: build them, add to them, look things up in them.

Blocks never change the containers they receive (another node may hold the same value):
each returns a new dictionary or list.
"""

import builtins
import json
import math
from collections.abc import Iterator
from typing import Any

from blockyard.blocks.base import (
    Block,
    BlockCategory,
    BlockOutput,
    BlockSchemaInput,
    BlockSchemaOutput,
    SchemaField,
)
from blockyard.blocks.context import BlockContext
from blockyard.blocks.data_dicts import MAX_DEPTH
from blockyard.blocks.data_formats import TooDeepError, load_json

_MISSING: Any = object()


class CreateDictionaryBlock(Block):
    id = "b924ddf4-de4f-4b56-9a85-358930dcbc91"
    description = (
        "Builds a dictionary from named values; connect each value to a pin "
        "values_#_<key>. Use it when you know every entry up front."
    )
    categories = frozenset({BlockCategory.DATA})

    class Input(BlockSchemaInput):
        values: dict[str, Any] = SchemaField(
            description="The entries of the dictionary.", placeholder='{"name": "Alice"}'
        )

    class Output(BlockSchemaOutput):
        dictionary: dict[str, Any] = SchemaField(description="The new dictionary.")

    test_input = [
        {"values": {"name": "Alice", "age": 25}},
        {"values_#_city": "Paris", "values_#_tags": ["a", "b"]},
    ]
    test_output = [
        ("dictionary", {"name": "Alice", "age": 25}),
        ("dictionary", {"city": "Paris", "tags": ["a", "b"]}),
    ]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        yield "dictionary", dict(input_data.values)


class AddToDictionaryBlock(Block):
    id = "31d1064e-7446-4693-a7d4-65e5ca1180d1"
    description = (
        "Adds an entry (or several) to a dictionary and returns the new dictionary; "
        "without a dictionary, starts a new one."
    )
    categories = frozenset({BlockCategory.BASIC})

    class Input(BlockSchemaInput):
        dictionary: dict[str, Any] = SchemaField(
            default_factory=dict, advanced=False, description="The dictionary to add to."
        )
        key: str = SchemaField(
            default="", advanced=False, placeholder="new_key", description="The new entry's key."
        )
        value: Any = SchemaField(default=None, advanced=False, description="The new entry's value.")
        entries: dict[str, Any] = SchemaField(
            default_factory=dict, description="Several entries to add at once."
        )

    class Output(BlockSchemaOutput):
        updated_dictionary: dict[str, Any] = SchemaField(
            description="The dictionary with the entries added."
        )

    test_input = [
        {"dictionary": {"a": 1}, "key": "b", "value": 2},
        {"key": "first", "value": "x"},
        {"dictionary": {"a": 1}, "entries": {"b": 2, "c": 3}},
    ]
    test_output = [
        ("updated_dictionary", {"a": 1, "b": 2}),
        ("updated_dictionary", {"first": "x"}),
        ("updated_dictionary", {"a": 1, "b": 2, "c": 3}),
    ]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        if input_data.value is not None and not input_data.key:
            yield "error", "A value was given without a key to store it under."
            return
        updated = dict(input_data.dictionary)
        if input_data.key and input_data.value is not None:
            updated[input_data.key] = input_data.value
        updated.update(input_data.entries)
        yield "updated_dictionary", updated


def _as_index(key: str | int, length: int) -> int | None:
    """``key`` as a valid list index (negative counts from the end), or None."""
    if isinstance(key, str):
        if not key.strip().lstrip("-").isdigit():
            return None
        key = int(key)
    return key if -length <= key < length else None


def _in_items(items: list[Any] | tuple[Any, ...], key: str) -> Iterator[Any]:
    for item in items:
        found = _lookup(item, key) if isinstance(item, dict) else _attribute(item, key)
        if found is not _MISSING:
            yield found


def _attribute(obj: Any, key: str | int) -> Any:
    if not isinstance(key, str) or key.startswith("_"):
        return _MISSING
    return getattr(obj, key, _MISSING)


def _lookup(container: Any, key: str | int) -> Any:
    """The value under ``key`` in a dictionary, list or object; ``_MISSING`` if absent.

    On a list, a numeric key is an index and a text key collects that entry from every
    item (``[{"k": 1}, {"k": 2}]`` with ``"k"`` gives ``[1, 2]``).
    """
    if isinstance(container, dict):
        if key in container:
            return container[key]
        return container.get(str(key), _MISSING) if isinstance(key, int) else _MISSING
    if isinstance(container, list | tuple):
        index = _as_index(key, len(container))
        if index is not None:
            return container[index]
        if isinstance(key, str):
            collected = list(_in_items(container, key))
            return collected if collected else _MISSING
        return _MISSING
    return _attribute(container, key)


def _parse_if_json(value: Any) -> Any:
    """A JSON object or array given as text is looked into; any other value is kept.

    ``TooDeepError`` when the text is JSON nested too deeply to look into.
    """
    if isinstance(value, str) and value.lstrip()[:1] in ("{", "["):
        try:
            return load_json(value)
        except json.JSONDecodeError:
            return value
    return value


class FindInDictionaryBlock(Block):
    id = "0e50422c-6dee-4145-83d6-3a5a392f65de"
    description = (
        "Looks up a key in a dictionary, an index in a list, or an attribute of an object, "
        "and sends the value found on 'output' (or the input on 'missing')."
    )
    categories = frozenset({BlockCategory.BASIC})

    class Input(BlockSchemaInput):
        input: Any = SchemaField(description="The dictionary, list or object to look in.")
        key: str | int = SchemaField(description="The key, index or attribute to look up.")

    class Output(BlockSchemaOutput):
        output: Any = SchemaField(description="The value found.")
        missing: Any = SchemaField(description="The input, when the key is not in it.")

    test_input = [
        {"input": {"apple": 1, "banana": 2}, "key": "banana"},
        {"input": {"x": 10}, "key": "w"},
        {"input": [1, 2, 3], "key": 1},
        {"input": [1, 2, 3], "key": 3},
        {"input": [{"k": "v1"}, {"j": 0}, {"k": "v3"}], "key": "k"},
        {"input": '{"a": {"b": 1}}', "key": "a"},
    ]
    test_output = [
        ("output", 2),
        ("missing", {"x": 10}),
        ("output", 2),
        ("missing", [1, 2, 3]),
        ("output", ["v1", "v3"]),
        ("output", {"b": 1}),
    ]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        try:
            container = _parse_if_json(input_data.input)
        except TooDeepError:
            yield "error", f"The input is JSON text nested more than {MAX_DEPTH} levels deep."
            return
        found = _lookup(container, input_data.key)
        if found is _MISSING:
            yield "missing", input_data.input
        else:
            yield "output", found


def _estimate_tokens(value: Any) -> int:
    """About four characters of JSON text per token: close enough to size chunks."""
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return math.ceil(len(text) / 4)


def _chunks(values: list[Any], max_size: int | None, max_tokens: int | None) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    tokens = 0
    for value in values:
        cost = _estimate_tokens(value) if max_tokens else 0
        too_many = max_size is not None and len(chunk) >= max_size
        too_long = max_tokens is not None and tokens + cost > max_tokens
        if chunk and (too_many or too_long):
            yield chunk
            chunk, tokens = [], 0
        chunk.append(value)
        tokens += cost
    if chunk or not values:
        yield chunk


class CreateListBlock(Block):
    id = "a912d5c7-6e00-4542-b2a9-8034136930e4"
    description = (
        "Builds a list from values (connect them to pins values_$_0, values_$_1, ...). "
        "With a maximum size or token count, sends the list in several parts."
    )
    categories = frozenset({BlockCategory.DATA})

    class Input(BlockSchemaInput):
        values: list[Any] = SchemaField(
            description="The items of the list.", placeholder='["Alice", 25, true]'
        )
        max_size: int | None = SchemaField(
            default=None, ge=1, description="At most this many items per part."
        )
        max_tokens: int | None = SchemaField(
            default=None,
            ge=1,
            description="At most about this many tokens per part (estimated, 4 characters "
            "of JSON per token); an item larger than that gets a part of its own.",
        )

    class Output(BlockSchemaOutput):
        list: builtins.list[Any] = SchemaField(description="The list, or one part of it.")

    test_input = [
        {"values": ["Alice", 25, True]},
        {"values_$_0": "a", "values_$_1": "b", "values_$_2": "c", "max_size": 2},
    ]
    test_output = [("list", ["Alice", 25, True]), ("list", ["a", "b"]), ("list", ["c"])]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        for chunk in _chunks(input_data.values, input_data.max_size, input_data.max_tokens):
            yield "list", chunk


class AddToListBlock(Block):
    id = "aeb08fc1-2fc1-4141-bc8e-f758f183a822"
    description = (
        "Adds an entry (or several) to a list, at the end or at a position, and returns "
        "the new list; without a list, starts a new one."
    )
    categories = frozenset({BlockCategory.BASIC})

    class Input(BlockSchemaInput):
        list: builtins.list[Any] = SchemaField(
            default_factory=builtins.list, advanced=False, description="The list to add to."
        )
        entry: Any = SchemaField(default=None, advanced=False, description="The entry to add.")
        entries: builtins.list[Any] = SchemaField(
            default_factory=builtins.list, description="Several entries to add (before 'entry')."
        )
        position: int | None = SchemaField(
            default=None,
            advanced=False,
            description="Where to insert (0 is the start, -1 before the last); empty: the end.",
        )

    class Output(BlockSchemaOutput):
        updated_list: builtins.list[Any] = SchemaField(
            description="The list with the entries added."
        )

    test_input = [
        {"list": [1, 2, 3], "entry": "x", "position": 1},
        {"entry": "first"},
        {"list": ["a", "b"], "entries": ["f", "g"], "entry": "e", "position": 1},
    ]
    test_output = [
        ("updated_list", [1, "x", 2, 3]),
        ("updated_list", ["first"]),
        ("updated_list", ["a", "f", "g", "e", "b"]),
    ]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        added = list(input_data.entries)
        if input_data.entry is not None:
            added.append(input_data.entry)
        items = input_data.list
        pos = len(items) if input_data.position is None else input_data.position
        yield "updated_list", [*items[:pos], *added, *items[pos:]]


class FindInListBlock(Block):
    id = "5e2c6d0a-1e37-489f-b1d0-8e1812b23333"
    description = "Finds where a value first appears in a list."
    categories = frozenset({BlockCategory.BASIC})

    class Input(BlockSchemaInput):
        list: builtins.list[Any] = SchemaField(description="The list to search.")
        value: Any = SchemaField(description="The value to find.")

    class Output(BlockSchemaOutput):
        index: int = SchemaField(description="The position of its first occurrence (from 0).")
        found: bool = SchemaField(description="Whether the value is in the list.")
        not_found_value: Any = SchemaField(description="The value, when it is not in the list.")

    test_input = [{"list": [1, 2, 3, 2], "value": 2}, {"list": ["a"], "value": "z"}]
    test_output = [("index", 1), ("found", True), ("found", False), ("not_found_value", "z")]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        try:
            index = input_data.list.index(input_data.value)
        except ValueError:
            yield "found", False
            yield "not_found_value", input_data.value
            return
        yield "index", index
        yield "found", True


class GetListItemBlock(Block):
    id = "262ca24c-1025-43cf-a578-534e23234e97"
    description = "Gets the item at a position in a list (-1 is the last item)."
    categories = frozenset({BlockCategory.BASIC})

    class Input(BlockSchemaInput):
        list: builtins.list[Any] = SchemaField(description="The list to take the item from.")
        index: int = SchemaField(description="The position, from 0; negative counts from the end.")

    class Output(BlockSchemaOutput):
        item: Any = SchemaField(description="The item at that position.")

    test_input = [{"list": [1, 2, 3], "index": 1}, {"list": [1, 2, 3], "index": -1}]
    test_output = [("item", 2), ("item", 3)]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        items, index = input_data.list, input_data.index
        if not -len(items) <= index < len(items):
            yield "error", f"Index {index} is out of range for a list of {len(items)} item(s)."
            return
        yield "item", items[index]
