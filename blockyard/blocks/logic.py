"""Branching and iteration: compare values, route on a match, step through items."""

import enum
import json
import operator
from collections.abc import Callable, Iterator
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


class ComparisonOperator(enum.StrEnum):
    EQUAL = "=="
    NOT_EQUAL = "!="
    GREATER_THAN = ">"
    LESS_THAN = "<"
    GREATER_THAN_OR_EQUAL = ">="
    LESS_THAN_OR_EQUAL = "<="


_COMPARE: dict[ComparisonOperator, Callable[[Any, Any], Any]] = {
    ComparisonOperator.EQUAL: operator.eq,
    ComparisonOperator.NOT_EQUAL: operator.ne,
    ComparisonOperator.GREATER_THAN: operator.gt,
    ComparisonOperator.LESS_THAN: operator.lt,
    ComparisonOperator.GREATER_THAN_OR_EQUAL: operator.ge,
    ComparisonOperator.LESS_THAN_OR_EQUAL: operator.le,
}


def _number(value: Any) -> float | None:
    """The value as a number if it is one or is text that reads as one (not booleans)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def _comparable(a: Any, b: Any) -> tuple[Any, Any]:
    """Numbers and numeric texts compare as numbers ("10" > 9); anything else as it is."""
    na, nb = _number(a), _number(b)
    if na is not None and nb is not None:
        return na, nb
    return a, b


class ConditionBlock(Block):
    id = "715696a0-e1da-45c8-b209-c2fa9c3b0be6"
    description = (
        "Compares two values (equal, greater than, ...) and sends a value on 'yes_output' "
        "or 'no_output': the if/else of an agent. Numbers written as text compare as numbers."
    )
    categories = frozenset({BlockCategory.LOGIC})

    class Input(BlockSchemaInput):
        value1: Any = SchemaField(description="The first value.", placeholder="10")
        operator: ComparisonOperator = SchemaField(description="How to compare them.")
        value2: Any = SchemaField(description="The second value.", placeholder="20")
        yes_value: Any = SchemaField(
            default=None, description="Sent when the condition holds; empty sends value1."
        )
        no_value: Any = SchemaField(
            default=None, description="Sent when it does not; empty sends value2."
        )

    class Output(BlockSchemaOutput):
        result: bool = SchemaField(description="Whether the condition holds.")
        yes_output: Any = SchemaField(description="The 'yes' value, when it holds.")
        no_output: Any = SchemaField(description="The 'no' value, when it does not.")

    test_input = [
        {"value1": 10, "operator": ">", "value2": 5, "yes_value": "big", "no_value": "small"},
        {"value1": "9", "operator": ">=", "value2": "10"},
        {"value1": "apple", "operator": "==", "value2": "apple"},
    ]
    test_output = [
        ("result", True),
        ("yes_output", "big"),
        ("result", False),
        ("no_output", "10"),
        ("result", True),
        ("yes_output", "apple"),
    ]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        left, right = _comparable(input_data.value1, input_data.value2)
        try:
            result = bool(_COMPARE[input_data.operator](left, right))
        except TypeError:
            yield (
                "error",
                (
                    f"Cannot compare {type(input_data.value1).__name__} "
                    f"{input_data.value1!r} {input_data.operator.value} "
                    f"{type(input_data.value2).__name__} {input_data.value2!r}."
                ),
            )
            return
        yield "result", result
        if result:
            yes = input_data.yes_value
            yield "yes_output", input_data.value1 if yes is None else yes
        else:
            no = input_data.no_value
            yield "no_output", input_data.value2 if no is None else no


def loosely_equal(a: Any, b: Any) -> bool:
    """Equal, or equal once read alike: 10 and "10", True and "true"."""
    if a == b:
        return True
    na, nb = _number(a), _number(b)
    if na is not None and nb is not None:
        return na == nb
    for flag, text in ((a, b), (b, a)):
        if isinstance(flag, bool) and isinstance(text, str):
            return text.strip().lower() == str(flag).lower()
    return False


class IfInputMatchesBlock(Block):
    id = "6dbbc4b3-ca6c-42b6-b508-da52d23e13f2"
    description = (
        'Checks whether an input equals a given value (10 matches "10", true matches '
        "\"true\") and sends a value on 'yes_output' or 'no_output'."
    )
    categories = frozenset({BlockCategory.LOGIC})

    class Input(BlockSchemaInput):
        input: Any = SchemaField(description="The value to check.", placeholder="10")
        value: Any = SchemaField(description="The value it should match.", placeholder="10")
        yes_value: Any = SchemaField(
            default=None, description="Sent when it matches; empty sends the input."
        )
        no_value: Any = SchemaField(
            default=None, description="Sent when it does not; empty sends the input."
        )

    class Output(BlockSchemaOutput):
        result: bool = SchemaField(description="Whether the input matches.")
        yes_output: Any = SchemaField(description="The 'yes' value, when it matches.")
        no_output: Any = SchemaField(description="The 'no' value, when it does not.")

    test_input = [
        {"input": 10, "value": "10", "yes_value": "ten", "no_value": "other"},
        {"input": 10, "value": 20, "yes_value": "ten", "no_value": "other"},
        {"input": True, "value": "true"},
    ]
    test_output = [
        ("result", True),
        ("yes_output", "ten"),
        ("result", False),
        ("no_output", "other"),
        ("result", True),
        ("yes_output", True),
    ]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        matched = loosely_equal(input_data.input, input_data.value)
        yield "result", matched
        chosen = input_data.yes_value if matched else input_data.no_value
        yield (
            ("yes_output" if matched else "no_output"),
            (input_data.input if chosen is None else chosen),
        )


def _pairs(items: Any) -> Iterator[tuple[Any, Any]]:
    """(item, key) for each element: dictionary values with their keys, list items with indexes."""
    if isinstance(items, dict):
        for key, value in items.items():
            yield value, key
    else:
        for index, value in enumerate(items):
            yield value, index


def _parse_items(text: str) -> Any:
    try:
        parsed = load_json(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"items_str is not valid JSON ({exc.msg} at position {exc.pos})") from None
    except TooDeepError:
        raise ValueError(f"items_str is nested more than {MAX_DEPTH} levels deep") from None
    if not isinstance(parsed, list | dict):
        raise ValueError(f"items_str holds a {type(parsed).__name__}, not a list or an object")
    return parsed


class StepThroughItemsBlock(Block):
    id = "f66a3543-28d3-4ab5-8945-9b336371e2ce"
    description = (
        "Goes through a list or dictionary one element at a time: each element is sent on "
        "'item' (with its index or key on 'key'), so the blocks after it run once per element."
    )
    categories = frozenset({BlockCategory.LOGIC})

    class Input(BlockSchemaInput):
        items: list[Any] = SchemaField(
            default_factory=list, advanced=False, description="A list to step through."
        )
        items_object: dict[str, Any] = SchemaField(
            default_factory=dict, advanced=False, description="Or a dictionary to step through."
        )
        items_str: str = SchemaField(
            default="", advanced=False, description="Or a list or dictionary as JSON text."
        )

    class Output(BlockSchemaOutput):
        item: Any = SchemaField(description="The current element.")
        key: Any = SchemaField(description="Its index (list) or key (dictionary).")

    test_input = [
        {"items": ["a", "b"]},
        {"items_object": {"x": 1, "y": 2}},
        {"items_str": "[true]"},
    ]
    test_output = [
        ("item", "a"),
        ("key", 0),
        ("item", "b"),
        ("key", 1),
        ("item", 1),
        ("key", "x"),
        ("item", 2),
        ("key", "y"),
        ("item", True),
        ("key", 0),
    ]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        source: Any = input_data.items or input_data.items_object
        if not source and input_data.items_str.strip():
            try:
                source = _parse_items(input_data.items_str)
            except ValueError as exc:
                yield "error", f"{exc}."
                return
        for item, key in _pairs(source or []):
            yield "item", item
            yield "key", key
