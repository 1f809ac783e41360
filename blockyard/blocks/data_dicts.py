"""More dictionary blocks: remove, replace, test for emptiness, reach into paths, merge.

As everywhere in the data blocks, the containers received are never changed: each block
returns a new one. Merging is bounded (:data:`MAX_ITEMS`, :data:`MAX_DEPTH`) so that a
graph cannot build a structure that exhausts a worker's memory or stack.
"""

import builtins
import re
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

MAX_ITEMS = 1_000_000
"""The most elements a list built by a data block (merge, concatenate) may hold."""
MAX_DEPTH = 100
"""The deepest nesting of lists and dictionaries a data block builds or reads."""

MISSING: Any = object()
"""What :func:`resolve_path` returns when the path leads nowhere."""

_PATH_TOKEN = re.compile(r"""\.?([^.\[\]'"]+)|\[(-?\d+)\]|\[(['"])(.*?)\3\]""")


def _key_in(dictionary: dict[str, Any], key: str | int) -> str | int | None:
    """The key as stored in ``dictionary`` (``1`` finds ``"1"``), or None when absent."""
    if key in dictionary:
        return key
    if isinstance(key, int) and str(key) in dictionary:
        return str(key)
    return None


def _missing_key(key: str | int, dictionary: dict[str, Any]) -> str:
    keys = ", ".join(repr(k) for k in list(dictionary)[:10])
    more = ", ..." if len(dictionary) > 10 else ""
    return f"The key {key!r} is not in the dictionary (its keys: {keys or 'none'}{more})."


def parse_path(path: str) -> list[str | int]:
    """``user.tags[0]`` or ``user.tags.0`` as steps; ``ValueError`` says what is wrong.

    A step in brackets with quotes (``["a.b"]``) is a key that may hold dots.
    """
    steps: list[str | int] = []
    position = 0
    while position < len(path):
        match = _PATH_TOKEN.match(path, position)
        if match is None or (match.group(1) is not None and not match.group(1).strip()):
            raise ValueError(f"The path {path!r} is not valid at character {position + 1}.")
        if match.group(2) is not None:
            steps.append(int(match.group(2)))
        else:
            steps.append(match.group(1) if match.group(1) is not None else match.group(4))
        position = match.end()
    if not steps:
        raise ValueError("The path is empty.")
    return steps


def _step(container: Any, step: str | int) -> Any:
    if isinstance(container, dict):
        key = _key_in(container, step)
        return MISSING if key is None else container[key]
    if isinstance(container, list | tuple):
        if isinstance(step, str):
            if not step.lstrip("-").isdigit():
                return MISSING
            step = int(step)
        return container[step] if -len(container) <= step < len(container) else MISSING
    return MISSING


def resolve_path(value: Any, steps: list[str | int]) -> Any:
    """The value at ``steps`` inside ``value``, or :data:`MISSING`."""
    for step in steps:
        value = _step(value, step)
        if value is MISSING:
            break
    return value


class RemoveFromDictionaryBlock(Block):
    id = "46afe2ea-c613-43f8-95ff-6692c3ef6876"
    description = "Removes an entry from a dictionary by its key and returns the new dictionary."
    categories = frozenset({BlockCategory.BASIC})

    class Input(BlockSchemaInput):
        dictionary: dict[str, Any] = SchemaField(description="The dictionary to remove from.")
        key: str | int = SchemaField(description="The key of the entry to remove.")
        return_value: bool = SchemaField(
            default=False, description="Also send the removed value on 'removed_value'."
        )

    class Output(BlockSchemaOutput):
        updated_dictionary: dict[str, Any] = SchemaField(
            description="The dictionary without the entry."
        )
        removed_value: Any = SchemaField(description="The value that was removed.")

    test_input = [
        {"dictionary": {"a": 1, "b": 2}, "key": "a", "return_value": True},
        {"dictionary": {"1": "one", "2": "two"}, "key": 2},
    ]
    test_output = [
        ("updated_dictionary", {"b": 2}),
        ("removed_value", 1),
        ("updated_dictionary", {"1": "one"}),
    ]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        key = _key_in(input_data.dictionary, input_data.key)
        if key is None:
            yield "error", _missing_key(input_data.key, input_data.dictionary)
            return
        updated = dict(input_data.dictionary)
        removed = updated.pop(str(key))
        yield "updated_dictionary", updated
        if input_data.return_value:
            yield "removed_value", removed


class ReplaceDictionaryValueBlock(Block):
    id = "27e31876-18b6-44f3-ab97-f6226d8b3889"
    description = (
        "Replaces the value of an existing entry of a dictionary; the old value is sent too. "
        "To add entries, use Add To Dictionary."
    )
    categories = frozenset({BlockCategory.BASIC})

    class Input(BlockSchemaInput):
        dictionary: dict[str, Any] = SchemaField(description="The dictionary to change.")
        key: str | int = SchemaField(description="The key of the entry to replace.")
        value: Any = SchemaField(description="The new value.")

    class Output(BlockSchemaOutput):
        updated_dictionary: dict[str, Any] = SchemaField(
            description="The dictionary with the new value."
        )
        old_value: Any = SchemaField(description="The value that was replaced.")

    test_input = [{"dictionary": {"name": "Ann", "age": 3}, "key": "age", "value": 4}]
    test_output = [("updated_dictionary", {"name": "Ann", "age": 4}), ("old_value", 3)]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        key = _key_in(input_data.dictionary, input_data.key)
        if key is None:
            yield "error", _missing_key(input_data.key, input_data.dictionary)
            return
        updated = dict(input_data.dictionary)
        old = updated[str(key)]
        updated[str(key)] = input_data.value
        yield "updated_dictionary", updated
        yield "old_value", old


class DictionaryIsEmptyBlock(Block):
    id = "a3cf3f64-6bb9-4cc6-9900-608a0b3359b0"
    description = "Tells whether a dictionary has no entries at all."
    categories = frozenset({BlockCategory.BASIC})

    class Input(BlockSchemaInput):
        dictionary: dict[str, Any] = SchemaField(description="The dictionary to check.")

    class Output(BlockSchemaOutput):
        is_empty: bool = SchemaField(description="True when it has no entries.")

    test_input = [{"dictionary": {}}, {"dictionary": {"a": 1}}]
    test_output = [("is_empty", True), ("is_empty", False)]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        yield "is_empty", not input_data.dictionary


class GetValueAtPathBlock(Block):
    id = "353a3e2b-f1df-43aa-8e08-5fb24c096666"
    description = (
        "Reaches into nested dictionaries and lists with a path such as "
        "'user.addresses[0].city' and sends the value found there (or the input on 'missing')."
    )
    categories = frozenset({BlockCategory.DATA})

    class Input(BlockSchemaInput):
        input: Any = SchemaField(description="The dictionary or list to look in.")
        path: str = SchemaField(
            description="Keys and positions separated by dots; [0] or .0 for list items, "
            "['a.b'] for a key with dots.",
            placeholder="user.addresses[0].city",
        )

    class Output(BlockSchemaOutput):
        output: Any = SchemaField(description="The value at the path.")
        missing: Any = SchemaField(description="The input, when nothing is at the path.")

    test_input = [
        {"input": {"user": {"tags": ["a", "b"]}}, "path": "user.tags[1]"},
        {"input": {"user": {"tags": ["a", "b"]}}, "path": "user.tags.-1"},
        {"input": {"a.b": {"c": 1}}, "path": "['a.b'].c"},
        {"input": {"user": {}}, "path": "user.name"},
    ]
    test_output = [
        ("output", "b"),
        ("output", "b"),
        ("output", 1),
        ("missing", {"user": {}}),
    ]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        try:
            steps = parse_path(input_data.path)
        except ValueError as exc:
            yield "error", str(exc)
            return
        found = resolve_path(input_data.input, steps)
        if found is MISSING:
            yield "missing", input_data.input
        else:
            yield "output", found


class _MergeBudget:
    """Counts what a merge builds, so that it stops with a clear error past the limits."""

    def __init__(self) -> None:
        self.items = 0

    def spend(self, count: int) -> None:
        self.items += count
        if self.items > MAX_ITEMS:
            raise ValueError(
                f"The merged result would hold more than {MAX_ITEMS:,} items; merge fewer or "
                "smaller values."
            )


def _deep_merge(
    base: dict[str, Any], extra: dict[str, Any], lists: bool, budget: _MergeBudget, depth: int
) -> dict[str, Any]:
    if depth > MAX_DEPTH:
        raise ValueError(f"The dictionaries are nested more than {MAX_DEPTH} levels deep.")
    merged = dict(base)
    budget.spend(len(extra))
    for key, value in extra.items():
        old = merged.get(key, MISSING)
        if isinstance(old, dict) and isinstance(value, dict):
            merged[key] = _deep_merge(old, value, lists, budget, depth + 1)
        elif lists and isinstance(old, list) and isinstance(value, list):
            budget.spend(len(value))
            merged[key] = [*old, *value]
        else:
            merged[key] = value
    return merged


def merge_values(items: builtins.list[Any], deep: bool, combine_lists: bool) -> Any:
    """Dictionaries merged key by key (later ones win), or lists joined; else ValueError."""
    if not items:
        raise ValueError("There is nothing to merge; connect dictionaries or lists to 'items'.")
    budget = _MergeBudget()
    if all(isinstance(item, list) for item in items):
        budget.spend(sum(len(item) for item in items))
        return [element for item in items for element in item]
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise ValueError(
                f"Merge takes only dictionaries or only lists; item {index} is a "
                f"{type(item).__name__}."
            )
    merged: dict[str, Any] = {}
    for item in items:
        if deep:
            merged = _deep_merge(merged, item, combine_lists, budget, 1)
        else:
            budget.spend(len(item))
            merged.update(item)
    return merged


class MergeBlock(Block):
    id = "6323ff65-55cd-4ae1-a36d-25aca0e00e87"
    description = (
        "Merges several dictionaries into one (later ones win; deep merging combines nested "
        "dictionaries key by key), or joins several lists into one."
    )
    categories = frozenset({BlockCategory.DATA})

    class Input(BlockSchemaInput):
        items: builtins.list[Any] = SchemaField(
            description="The dictionaries or lists to merge, in order (pins items_$_0, "
            "items_$_1, ...)."
        )
        deep: bool = SchemaField(
            default=True,
            description="Merge nested dictionaries too; off replaces a nested dictionary whole.",
        )
        combine_lists: bool = SchemaField(
            default=False,
            description="In a deep merge, join lists found under the same key instead of "
            "replacing them.",
        )

    class Output(BlockSchemaOutput):
        merged: Any = SchemaField(description="The merged dictionary or joined list.")

    test_input = [
        {"items": [{"a": 1, "n": {"x": 1}}, {"b": 2, "n": {"y": 2}}]},
        {"items": [{"n": {"x": 1}}, {"n": {"y": 2}}], "deep": False},
        {"items_$_0": {"t": [1]}, "items_$_1": {"t": [2]}, "combine_lists": True},
        {"items": [[1, 2], [3]]},
    ]
    test_output = [
        ("merged", {"a": 1, "n": {"x": 1, "y": 2}, "b": 2}),
        ("merged", {"n": {"y": 2}}),
        ("merged", {"t": [1, 2]}),
        ("merged", [1, 2, 3]),
    ]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        try:
            merged = merge_values(input_data.items, input_data.deep, input_data.combine_lists)
        except ValueError as exc:
            yield "error", str(exc)
            return
        yield "merged", merged
