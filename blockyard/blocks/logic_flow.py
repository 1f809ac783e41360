"""Flow control: route a value down one of many branches, hold it until a signal, and
catch a failed node's error so the agent can go on.

These blocks lean on the engine's readiness rule (``docs/engine.md``): a node runs once
every linked input pin has a value. Gate needs no timer or state of its own: it runs when
both its value and its signal have arrived. Switch sends its value inside a dictionary
keyed by the case that matched; a link from ``branches_#_<case>`` carries only that case,
because the engine sends nothing down a link whose path the value lacks.
"""

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
from blockyard.blocks.logic import loosely_equal


class SwitchBlock(Block):
    id = "1a8b274a-278f-4c1b-8f69-c65507836075"
    description = (
        "Routes a value down one of many branches: the first case whose value matches "
        '(10 matches "10") sends it on branches_#_<case>; if none matches, it goes to '
        "'default'. Like several If Input Matches blocks in one."
    )
    categories = frozenset({BlockCategory.LOGIC})

    class Input(BlockSchemaInput):
        value: Any = SchemaField(description="The value to route on.", placeholder="refund")
        cases: dict[str, Any] = SchemaField(
            description="The branches: a name for each, and the value that selects it "
            "(pins cases_#_<name>).",
            placeholder='{"refund": "refund", "question": "question"}',
        )
        data: Any = SchemaField(
            default=None,
            advanced=False,
            description="What to send down the chosen branch; empty sends the value itself.",
        )

    class Output(BlockSchemaOutput):
        branches: dict[str, Any] = SchemaField(
            description="The data, under the name of the case that matched; link each "
            "branch from branches_#_<case>."
        )
        matched_case: str = SchemaField(description="The name of the case that matched.")
        default: Any = SchemaField(description="The data, when no case matched.")

    test_input = [
        {"value": "b", "cases": {"first": "a", "second": "b"}, "data": "payload"},
        {"value": 2, "cases_#_one": "1", "cases_#_two": "2"},
        {"value": "z", "cases": {"first": "a"}},
    ]
    test_output = [
        ("branches", {"second": "payload"}),
        ("matched_case", "second"),
        ("branches", {"two": 2}),
        ("matched_case", "two"),
        ("default", "z"),
    ]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        if not input_data.cases:
            yield "error", "The switch has no cases; add one per branch (cases_#_<name>)."
            return
        data = input_data.value if input_data.data is None else input_data.data
        for name, expected in input_data.cases.items():
            if loosely_equal(input_data.value, expected):
                yield "branches", {name: data}
                yield "matched_case", name
                return
        yield "default", data


_FALSE_WORDS = frozenset({"", "0", "false", "no", "off", "none", "null"})


def _is_truthy(signal: Any) -> bool:
    if isinstance(signal, str):
        return signal.strip().lower() not in _FALSE_WORDS
    return bool(signal)


class GateBlock(Block):
    id = "be74c2f2-56d2-4980-8fa9-c1b979fc9528"
    description = (
        "Holds a value until a signal arrives, then lets it through: the value waits on "
        "'value' and each signal releases it (link 'value' as static to release the same "
        "value on every signal). Can also block it when the signal is false."
    )
    categories = frozenset({BlockCategory.LOGIC})

    class Input(BlockSchemaInput):
        value: Any = SchemaField(description="The value to let through.")
        signal: Any = SchemaField(description="Lets the value through when it arrives.")
        only_when_true: bool = SchemaField(
            default=False,
            description="Let it through only when the signal is true (a false, 0, empty or "
            "'no' signal sends it to 'blocked' instead).",
        )

    class Output(BlockSchemaOutput):
        output: Any = SchemaField(description="The value, let through.")
        blocked: Any = SchemaField(description="The value, when a false signal held it back.")

    test_input = [
        {"value": "report", "signal": "go"},
        {"value": "report", "signal": "false", "only_when_true": True},
        {"value": 1, "signal": 0},
    ]
    test_output = [("output", "report"), ("blocked", "report"), ("output", 1)]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        if input_data.only_when_true and not _is_truthy(input_data.signal):
            yield "blocked", input_data.value
        else:
            yield "output", input_data.value


_TRACEBACK_FRAME = re.compile(r"^\s*(Traceback \(most recent call last\):|File \".*\", line \d+)")
_EXCEPTION_PREFIX = re.compile(r"^(?:[A-Za-z_][\w.]*(?:Error|Exception)):\s+")


def clean_error(error: Any, max_length: int) -> str:
    """A one-paragraph message: no traceback, no exception class name, at most ``max_length``."""
    text = error if isinstance(error, str) else str(error)
    lines = [line for line in text.strip().splitlines() if line.strip()]
    if any(_TRACEBACK_FRAME.match(line) for line in lines):
        lines = lines[-1:]  # of a traceback, the last line says what went wrong
    message = " ".join(" ".join(lines).split())
    message = _EXCEPTION_PREFIX.sub("", message)
    if len(message) > max_length:
        message = message[: max_length - 1].rstrip() + "…"
    return message


class ErrorHandlerBlock(Block):
    id = "aa05c099-ba90-4fee-93e0-5ea0451fb838"
    description = (
        "Catches another block's failure so the agent goes on: link that block's 'error' "
        "pin here. Sends a short, clean message (for a person or an AI) and, if you give "
        "one, a fallback value to continue with."
    )
    categories = frozenset({BlockCategory.LOGIC})

    class Input(BlockSchemaInput):
        error: Any = SchemaField(description="The error, linked from a block's 'error' pin.")
        fallback: Any = SchemaField(
            default=None,
            advanced=False,
            description="A value to continue with in place of the failed block's result.",
        )
        max_length: int = SchemaField(
            default=500, ge=20, description="Shorten the message to at most this many characters."
        )

    class Output(BlockSchemaOutput):
        handled: bool = SchemaField(description="True: an error arrived and was handled.")
        message: str = SchemaField(description="The error message, cleaned up.")
        output: Any = SchemaField(description="The fallback value, when one is given.")

    test_input = [
        {"error": "ValueError: Cannot divide by zero (b is 0).", "fallback": 0},
        {
            "error": 'Traceback (most recent call last):\n  File "x.py", line 1, in <module>\n'
            "KeyError: 'name'"
        },
    ]
    test_output = [
        ("handled", True),
        ("message", "Cannot divide by zero (b is 0)."),
        ("output", 0),
        ("handled", True),
        ("message", "'name'"),
    ]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        message = clean_error(input_data.error, input_data.max_length)
        if input_data.error is None or not message:
            yield "error", "No error message arrived; link this block from a block's 'error' pin."
            return
        ctx.logger.info("Handled an error in execution %s: %s", ctx.graph_exec_id, message)
        yield "handled", True
        yield "message", message
        if input_data.fallback is not None:
            yield "output", input_data.fallback
