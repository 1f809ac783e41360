"""More list blocks: remove, replace, test, join, slice, sort and deduplicate.

The lists received are never changed; each block returns a new list. Sorting and
deduplicating run in a worker thread (``ctx.run_blocking``) because a long list takes a
noticeable moment, and the event loop must keep serving other nodes; a list of more than
:data:`~blockyard.blocks.data_dicts.MAX_ITEMS` items is refused before any work, as
joining lists is (a result that size could not travel on as one node output anyway).
"""

import builtins
import json
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
from blockyard.blocks.data_dicts import MAX_ITEMS, MISSING, parse_path, resolve_path


def _out_of_range(index: int, items: builtins.list[Any]) -> str:
    return f"Index {index} is out of range for a list of {len(items)} item(s)."


def _too_long(items: builtins.list[Any], doing: str) -> str | None:
    """Why ``items`` is too long to spend a worker on ``doing``; None when it is not."""
    if len(items) <= MAX_ITEMS:
        return None
    return f"The list has {len(items):,} items; {doing} is limited to {MAX_ITEMS:,}."


class RemoveFromListBlock(Block):
    id = "d93c5a93-ac7e-41c1-ae5c-ef67e6e9b826"
    description = (
        "Removes an item from a list, by its position or by its value (the first one that "
        "is equal), and returns the new list."
    )
    categories = frozenset({BlockCategory.BASIC})

    class Input(BlockSchemaInput):
        list: builtins.list[Any] = SchemaField(description="The list to remove from.")
        value: Any = SchemaField(
            default=None, advanced=False, description="The value to remove (its first copy)."
        )
        index: int | None = SchemaField(
            default=None,
            advanced=False,
            description="Or the position to remove, from 0; negative counts from the end.",
        )
        return_item: bool = SchemaField(
            default=False, description="Also send the removed item on 'removed_item'."
        )

    class Output(BlockSchemaOutput):
        updated_list: builtins.list[Any] = SchemaField(description="The list without the item.")
        removed_item: Any = SchemaField(description="The item that was removed.")

    test_input = [
        {"list": ["a", "b", "c"], "index": -1, "return_item": True},
        {"list": [1, 2, 1], "value": 1},
    ]
    test_output = [
        ("updated_list", ["a", "b"]),
        ("removed_item", "c"),
        ("updated_list", [2, 1]),
    ]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        items = builtins.list(input_data.list)
        if input_data.index is not None:
            if not -len(items) <= input_data.index < len(items):
                yield "error", _out_of_range(input_data.index, items)
                return
            removed = items.pop(input_data.index)
        elif input_data.value is not None:
            if input_data.value not in items:
                yield "error", f"The value {input_data.value!r} is not in the list."
                return
            removed = items.pop(items.index(input_data.value))
        else:
            yield "error", "Give the value or the index of the item to remove."
            return
        yield "updated_list", items
        if input_data.return_item:
            yield "removed_item", removed


class ReplaceListItemBlock(Block):
    id = "fbf62922-bea1-4a3d-8bac-23587f810b38"
    description = "Replaces the item at a position in a list; the old item is sent too."
    categories = frozenset({BlockCategory.BASIC})

    class Input(BlockSchemaInput):
        list: builtins.list[Any] = SchemaField(description="The list to change.")
        index: int = SchemaField(description="The position, from 0; negative counts from the end.")
        value: Any = SchemaField(description="The new item.")

    class Output(BlockSchemaOutput):
        updated_list: builtins.list[Any] = SchemaField(description="The list with the new item.")
        old_item: Any = SchemaField(description="The item that was replaced.")

    test_input = [{"list": [1, 2, 3], "index": 1, "value": "two"}]
    test_output = [("updated_list", [1, "two", 3]), ("old_item", 2)]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        items = builtins.list(input_data.list)
        if not -len(items) <= input_data.index < len(items):
            yield "error", _out_of_range(input_data.index, items)
            return
        old = items[input_data.index]
        items[input_data.index] = input_data.value
        yield "updated_list", items
        yield "old_item", old


class ListIsEmptyBlock(Block):
    id = "896ed73b-27d0-41be-813c-c1c1dc856c03"
    description = "Tells whether a list has no items at all."
    categories = frozenset({BlockCategory.BASIC})

    class Input(BlockSchemaInput):
        list: builtins.list[Any] = SchemaField(description="The list to check.")

    class Output(BlockSchemaOutput):
        is_empty: bool = SchemaField(description="True when it has no items.")

    test_input = [{"list": []}, {"list": [0]}]
    test_output = [("is_empty", True), ("is_empty", False)]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        yield "is_empty", not input_data.list


class ConcatenateListsBlock(Block):
    id = "3cf9298b-5817-4141-9d80-7c2cc5199c8e"
    description = "Joins several lists into one, keeping the order of the lists and their items."
    categories = frozenset({BlockCategory.BASIC})

    class Input(BlockSchemaInput):
        lists: builtins.list[builtins.list[Any]] = SchemaField(
            description="The lists to join, in order (pins lists_$_0, lists_$_1, ...).",
            placeholder="[[1, 2], [3]]",
        )

    class Output(BlockSchemaOutput):
        concatenated_list: builtins.list[Any] = SchemaField(description="All the items, in order.")

    test_input = [{"lists": [[1, 2], [3], []]}, {"lists_$_0": ["a"], "lists_$_1": ["b", "c"]}]
    test_output = [("concatenated_list", [1, 2, 3]), ("concatenated_list", ["a", "b", "c"])]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        total = sum(len(items) for items in input_data.lists)
        if total > MAX_ITEMS:
            yield (
                "error",
                f"The joined list would hold {total:,} items; the limit is {MAX_ITEMS:,}.",
            )
            return
        yield "concatenated_list", [item for items in input_data.lists for item in items]


class SliceListBlock(Block):
    id = "9346f2fa-b50d-42c6-88dc-ba765f33ec17"
    description = (
        "Takes part of a list: from a start position up to (not including) an end position, "
        "optionally every n-th item. Negative positions count from the end."
    )
    categories = frozenset({BlockCategory.DATA})

    class Input(BlockSchemaInput):
        list: builtins.list[Any] = SchemaField(description="The list to take from.")
        start: int | None = SchemaField(
            default=None, advanced=False, description="First position (from 0); empty: the start."
        )
        end: int | None = SchemaField(
            default=None, advanced=False, description="Stop before this position; empty: the end."
        )
        step: int = SchemaField(
            default=1, description="Take every n-th item; negative walks backwards."
        )

    class Output(BlockSchemaOutput):
        sliced_list: builtins.list[Any] = SchemaField(description="The items taken.")

    test_input = [
        {"list": [0, 1, 2, 3, 4], "start": 1, "end": 3},
        {"list": [0, 1, 2, 3, 4], "start": -2},
        {"list": [0, 1, 2, 3, 4], "step": 2},
    ]
    test_output = [("sliced_list", [1, 2]), ("sliced_list", [3, 4]), ("sliced_list", [0, 2, 4])]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        if input_data.step == 0:
            yield "error", "The step cannot be 0; use 1 to take every item."
            return
        yield "sliced_list", input_data.list[input_data.start : input_data.end : input_data.step]


def _sort_key_reader(key: str, ignore_case: bool) -> Any:
    steps = parse_path(key) if key else []

    def read(item: Any) -> tuple[int, Any]:
        value = resolve_path(item, steps) if steps else item
        if value is MISSING or value is None:
            return (1, 0)  # items without a value go last, in their original order
        if ignore_case and isinstance(value, str):
            value = value.casefold()
        return (0, value)

    return read


def sort_items(
    items: builtins.list[Any], key: str, reverse: bool, ignore_case: bool
) -> builtins.list[Any]:
    """``items`` sorted; items lacking the key (or None) stay last even when reversed."""
    read = _sort_key_reader(key, ignore_case)
    keyed = [(read(item), item) for item in items]
    present = [pair for pair in keyed if pair[0][0] == 0]
    absent = [item for (flag, _), item in keyed if flag == 1]
    try:
        present.sort(key=lambda pair: pair[0][1], reverse=reverse)
    except TypeError:
        kinds = sorted({type(k[1]).__name__ for k, _ in present})
        raise ValueError(
            f"The values cannot be compared with each other ({', '.join(kinds)}); sort by a "
            "key that holds one kind of value, or convert them first."
        ) from None
    return [item for _, item in present] + absent


class SortListBlock(Block):
    id = "6c48fa18-10cd-48b1-801b-ad2250b13d20"
    description = (
        "Sorts a list: numbers by size, texts alphabetically, dictionaries by one of their "
        "entries (e.g. 'price' or 'author.name'). Items lacking that entry go last."
    )
    categories = frozenset({BlockCategory.DATA})

    class Input(BlockSchemaInput):
        list: builtins.list[Any] = SchemaField(description="The list to sort.")
        key: str = SchemaField(
            default="",
            advanced=False,
            description="For dictionaries: the entry (or path) to sort by; empty sorts the "
            "items themselves.",
            placeholder="price",
        )
        reverse: bool = SchemaField(default=False, description="Largest or last first.")
        ignore_case: bool = SchemaField(
            default=False, description="Sort texts without regard to letter case."
        )

    class Output(BlockSchemaOutput):
        sorted_list: builtins.list[Any] = SchemaField(description="The sorted list.")

    test_input = [
        {"list": [3, 1, 2]},
        {"list": ["b", "A", "c"], "ignore_case": True, "reverse": True},
        {"list": [{"p": 5}, {"q": 1}, {"p": 2}], "key": "p"},
    ]
    test_output = [
        ("sorted_list", [1, 2, 3]),
        ("sorted_list", ["c", "b", "A"]),
        ("sorted_list", [{"p": 2}, {"p": 5}, {"q": 1}]),
    ]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        if problem := _too_long(input_data.list, "sorting"):
            yield "error", problem
            return
        args = (input_data.list, input_data.key, input_data.reverse, input_data.ignore_case)
        try:
            result = await ctx.run_blocking(sort_items, *args)
        except ValueError as exc:
            yield "error", str(exc)
            return
        yield "sorted_list", result


def _identity(value: Any) -> str:
    """Equal values give equal texts, whatever their type (dictionaries in any key order)."""
    try:
        return json.dumps(value, sort_keys=True, default=repr, separators=(",", ":"))
    except RecursionError:
        raise ValueError("An item is nested too deeply to compare.") from None


def deduplicate(items: builtins.list[Any], key: str) -> builtins.list[Any]:
    """The first item of each distinct value (or of each distinct value at ``key``)."""
    steps = parse_path(key) if key else []
    seen: set[str] = set()
    unique: builtins.list[Any] = []
    for item in items:
        value = resolve_path(item, steps) if steps else item
        identity = "<missing>" if value is MISSING else _identity(value)
        if identity not in seen:
            seen.add(identity)
            unique.append(item)
    return unique


class DeduplicateListBlock(Block):
    id = "7e3c59e9-ac6a-4946-b629-f0b19b506d21"
    description = (
        "Removes repeated items from a list, keeping the first of each; dictionaries can be "
        "told apart by one entry (e.g. 'email'), so one item per e-mail address remains."
    )
    categories = frozenset({BlockCategory.DATA})

    class Input(BlockSchemaInput):
        list: builtins.list[Any] = SchemaField(description="The list to deduplicate.")
        key: str = SchemaField(
            default="",
            advanced=False,
            description="For dictionaries: the entry (or path) that makes items the same; "
            "empty compares whole items.",
            placeholder="email",
        )

    class Output(BlockSchemaOutput):
        unique_list: builtins.list[Any] = SchemaField(description="The list without repeats.")
        removed_count: int = SchemaField(description="How many repeated items were removed.")

    test_input = [
        {"list": [1, 2, 1, "1", {"a": 1, "b": 2}, {"b": 2, "a": 1}]},
        {"list": [{"id": 1, "v": "x"}, {"id": 1, "v": "y"}, {"id": 2}], "key": "id"},
    ]
    test_output = [
        ("unique_list", [1, 2, "1", {"a": 1, "b": 2}]),
        ("removed_count", 2),
        ("unique_list", [{"id": 1, "v": "x"}, {"id": 2}]),
        ("removed_count", 1),
    ]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        if problem := _too_long(input_data.list, "deduplicating"):
            yield "error", problem
            return
        try:
            unique = await ctx.run_blocking(deduplicate, input_data.list, input_data.key)
        except ValueError as exc:
            yield "error", str(exc)
            return
        yield "unique_list", unique
        yield "removed_count", len(input_data.list) - len(unique)
