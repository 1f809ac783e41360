"""Arithmetic on two numbers, random numbers, and counting the items of a collection."""

import enum
import math
import operator
import random
from collections.abc import Callable, Iterable
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


class Operation(enum.StrEnum):
    ADD = "Add"
    SUBTRACT = "Subtract"
    MULTIPLY = "Multiply"
    DIVIDE = "Divide"
    POWER = "Power"
    MODULO = "Modulo"


_OPERATIONS: dict[Operation, Callable[[float, float], Any]] = {
    Operation.ADD: operator.add,
    Operation.SUBTRACT: operator.sub,
    Operation.MULTIPLY: operator.mul,
    Operation.DIVIDE: operator.truediv,
    Operation.POWER: operator.pow,
    Operation.MODULO: operator.mod,
}


def _calculate(operation: Operation, a: float, b: float) -> float:
    """The result, or ``ValueError`` with a message a builder understands."""
    if b == 0 and operation in (Operation.DIVIDE, Operation.MODULO):
        verb = "divide" if operation is Operation.DIVIDE else "take the remainder of a division"
        raise ValueError(f"Cannot {verb} by zero (b is 0).")
    try:
        result = _OPERATIONS[operation](a, b)
    except OverflowError:
        raise ValueError(f"{a} {operation.value.lower()} {b} is too large to compute.") from None
    except ZeroDivisionError:
        raise ValueError(f"{a} to the power {b} is undefined (0 to a negative power).") from None
    if isinstance(result, complex):
        raise ValueError(f"{a} to the power {b} is not a real number.")
    if math.isinf(result) or math.isnan(result):
        raise ValueError(f"{a} {operation.value.lower()} {b} gives no finite number.")
    return float(result)


def _round_half_away(value: float) -> int:
    """2.5 rounds to 3 and -2.5 to -3, as people round (Python's round() gives 2)."""
    return int(math.copysign(math.floor(abs(value) + 0.5), value))


class CalculatorBlock(Block):
    id = "b1ab9b19-67a6-406d-abf5-2dba76d00c79"
    description = (
        "Adds, subtracts, multiplies, divides, raises to a power or takes the remainder "
        "(modulo) of two numbers, optionally rounding the result to a whole number."
    )
    categories = frozenset({BlockCategory.LOGIC})

    class Input(BlockSchemaInput):
        operation: Operation = SchemaField(description="What to do with the two numbers.")
        a: float = SchemaField(description="The first number (A).", placeholder="10")
        b: float = SchemaField(description="The second number (B).", placeholder="5")
        round_result: bool = SchemaField(
            default=False, description="Round the result to the nearest whole number."
        )

    class Output(BlockSchemaOutput):
        result: float = SchemaField(description="The result of A (operation) B.")

    test_input = [
        {"operation": "Add", "a": 10, "b": 5},
        {"operation": "Divide", "a": 5, "b": 2, "round_result": True},
        {"operation": "Modulo", "a": 7, "b": 3},
        {"operation": "Power", "a": 2, "b": 10},
    ]
    test_output = [("result", 15.0), ("result", 3), ("result", 1.0), ("result", 1024.0)]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        try:
            result = _calculate(input_data.operation, input_data.a, input_data.b)
        except ValueError as exc:
            yield "error", str(exc)
            return
        yield "result", _round_half_away(result) if input_data.round_result else result


class CountItemsBlock(Block):
    id = "3c9c2f42-b0c3-435f-ba35-05f7a25c772a"
    description = (
        "Counts the items of a list, the entries of a dictionary or the characters of a text."
    )
    categories = frozenset({BlockCategory.LOGIC})

    class Input(BlockSchemaInput):
        collection: Any = SchemaField(
            description="The list, dictionary or text to count.", placeholder="[1, 2, 3]"
        )

    class Output(BlockSchemaOutput):
        count: int = SchemaField(description="How many items it holds.")

    test_input = [{"collection": [1, 2, 3]}, {"collection": {"a": 1}}, {"collection": "hello"}]
    test_output = [("count", 3), ("count", 1), ("count", 5)]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        collection = input_data.collection
        if isinstance(collection, str | bytes | list | tuple | set | frozenset | dict):
            yield "count", len(collection)
        elif isinstance(collection, Iterable):
            yield "count", sum(1 for _ in collection)
        else:
            kind = {int: "number", float: "number", bool: "yes/no value"}.get(
                type(collection), type(collection).__name__
            )
            yield "error", f"This is a single {kind}, not a collection that can be counted."


class RandomNumberBlock(Block):
    id = "8c3d8a7e-329e-4065-bd3b-edb8db8b6f56"
    description = (
        "Picks a random number between a minimum and a maximum (both included), a whole "
        "number or a decimal one; with a seed, the same seed always gives the same number."
    )
    categories = frozenset({BlockCategory.LOGIC})

    class Input(BlockSchemaInput):
        minimum: float = SchemaField(default=0, advanced=False, description="The smallest value.")
        maximum: float = SchemaField(default=100, advanced=False, description="The largest value.")
        whole_number: bool = SchemaField(
            default=True, advanced=False, description="Pick a whole number (off: a decimal one)."
        )
        seed: int | None = SchemaField(
            default=None,
            description="Repeatable results: the same seed gives the same number. Not for "
            "secrets (use a password generator for those).",
        )

    class Output(BlockSchemaOutput):
        number: float = SchemaField(description="The random number.")

    test_input = [
        {"minimum": 1, "maximum": 6},
        {"minimum": 0.5, "maximum": 0.75, "whole_number": False},
        {"minimum": 5, "maximum": 5},
    ]
    test_output = [
        ("number", lambda n: isinstance(n, int) and 1 <= n <= 6),
        ("number", lambda n: isinstance(n, float) and 0.5 <= n <= 0.75),
        ("number", 5),
    ]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        low, high = input_data.minimum, input_data.maximum
        if low > high:
            yield "error", f"The minimum ({low:g}) is larger than the maximum ({high:g})."
            return
        rng = random.Random(input_data.seed) if input_data.seed is not None else random.Random()
        if not input_data.whole_number:
            yield "number", rng.uniform(low, high)
            return
        first, last = math.ceil(low), math.floor(high)
        if first > last:
            yield "error", f"There is no whole number between {low:g} and {high:g}."
            return
        yield "number", rng.randint(first, last)
