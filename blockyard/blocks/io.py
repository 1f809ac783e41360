"""An agent's inputs and outputs: the blocks that define its interface.

Before an input node runs, the engine sets its ``value`` from the run's inputs by the
node's ``name``; the graph's outputs are the values on the ``output`` pins of its output
nodes, grouped by their ``name`` input. Both kinds are static: every later run of a
successor sees their value again.

Their output schemas have no ``error`` pin (as in AutoGPT), because the graph's own
input and output schemas are derived from them; a failure is still yielded on ``error``,
which the engine treats as a failure whether a block declares it or not.
"""

import datetime
from typing import Any

from pydantic import model_validator

from blockyard.blocks.base import (
    ERROR_PIN,
    Block,
    BlockCategory,
    BlockOutput,
    BlockSchema,
    BlockSchemaInput,
    BlockType,
    SchemaField,
)
from blockyard.blocks.context import BlockContext
from blockyard.blocks.templating import render_template
from blockyard.errors import BlockExecutionError


class AgentInputBlock(Block):
    id = "c0a8e994-ebf1-4a9c-a4d8-89d09c86741b"
    description = (
        "An input of your agent: whoever runs the agent fills it in, and its value flows "
        "from here into the blocks you connect."
    )
    categories = frozenset({BlockCategory.INPUT, BlockCategory.BASIC})
    block_type = BlockType.INPUT
    static_output = True

    class Input(BlockSchemaInput):
        name: str = SchemaField(description="The input's name, used as its key in a run.")
        value: Any = SchemaField(
            default=None, advanced=False, description="The value (the default when empty)."
        )
        title: str | None = SchemaField(default=None, description="The label shown to users.")
        description: str | None = SchemaField(default=None, description="Help text shown to users.")
        placeholder_values: list[Any] = SchemaField(
            default_factory=list, description="Example values to suggest to users."
        )
        advanced: bool = SchemaField(
            default=False, description="Show it among the advanced inputs, if it is optional."
        )
        secret: bool = SchemaField(
            default=False, description="Treat the value as a secret (hidden in the interface)."
        )

    class Output(BlockSchema):
        result: Any = SchemaField(description="The value given for this input.")

    test_input = [{"name": "topic", "value": "otters"}, {"name": "count", "value": 42}]
    test_output = [("result", "otters"), ("result", 42)]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        """No value means nothing to send: the blocks that need this input do not run."""
        if input_data.value is not None:
            yield "result", self.as_output(input_data.value)

    def as_output(self, value: Any) -> Any:
        """The value as it travels on: typed variants turn it into plain JSON data."""
        return value


class AgentShortTextInputBlock(AgentInputBlock):
    id = "7fcd3bcb-8e1b-4e69-903d-32d3d4a92158"
    description = "A one-line text input of your agent."

    class Input(AgentInputBlock.Input):
        value: str | None = SchemaField(
            default=None,
            advanced=False,
            title="Default Value",
            description="Short text input.",
            json_schema_extra={"format": "short-text"},
        )

    class Output(BlockSchema):
        result: str = SchemaField(description="The text given.")

    test_input = [{"name": "city", "value": "Lyon"}]
    test_output = [("result", "Lyon")]


class AgentLongTextInputBlock(AgentInputBlock):
    id = "90a56ffb-7024-4b2b-ab50-e26c5e5ab8ba"
    description = "A multi-line text input of your agent."

    class Input(AgentInputBlock.Input):
        value: str | None = SchemaField(
            default=None,
            advanced=False,
            title="Default Value",
            description="Long text input (may span lines).",
            json_schema_extra={"format": "long-text"},
        )

    class Output(BlockSchema):
        result: str = SchemaField(description="The text given.")

    test_input = [{"name": "notes", "value": "line one\nline two"}]
    test_output = [("result", "line one\nline two")]


class AgentNumberInputBlock(AgentInputBlock):
    id = "96dae2bb-97a2-41c2-bd2f-13a3b5a8ea98"
    description = "A number input of your agent."

    class Input(AgentInputBlock.Input):
        value: int | float | None = SchemaField(
            default=None, advanced=False, title="Default Value", description="Number input."
        )

    class Output(BlockSchema):
        result: int | float = SchemaField(description="The number given.")

    test_input = [{"name": "n", "value": 42}, {"name": "x", "value": "2.5"}]
    test_output = [("result", 42), ("result", 2.5)]


class AgentToggleInputBlock(AgentInputBlock):
    id = "cbf36ab5-df4a-43b6-8a7f-f7ed8652116e"
    description = "A yes/no switch input of your agent."

    class Input(AgentInputBlock.Input):
        value: bool = SchemaField(
            default=False, advanced=False, title="Default Value", description="On or off."
        )

    class Output(BlockSchema):
        result: bool = SchemaField(description="True when switched on.")

    test_input = [{"name": "verbose", "value": True}, {"name": "dry_run"}]
    test_output = [("result", True), ("result", False)]


class AgentDropdownInputBlock(AgentInputBlock):
    id = "655d6fdf-a334-421c-b733-520549c07cd1"
    description = "An input of your agent chosen from a fixed list of options."

    class Input(AgentInputBlock.Input):
        value: str | None = SchemaField(
            default=None,
            advanced=False,
            title="Default Value",
            description="The option chosen.",
        )
        placeholder_values: list[Any] = SchemaField(
            default_factory=list,
            advanced=False,
            title="Dropdown Options",
            description="The options to choose from; empty allows any text.",
        )

        @model_validator(mode="after")
        def _value_is_an_option(self) -> "AgentDropdownInputBlock.Input":
            options = self.placeholder_values
            if self.value is not None and options and self.value not in options:
                listed = ", ".join(repr(o) for o in options)
                raise ValueError(f"{self.value!r} is not one of the options: {listed}")
            return self

    class Output(BlockSchema):
        result: str = SchemaField(description="The option chosen.")

    test_input = [{"name": "size", "value": "M", "placeholder_values": ["S", "M", "L"]}]
    test_output = [("result", "M")]


class AgentDateInputBlock(AgentInputBlock):
    id = "7e198b09-4994-47db-8b4d-952d98241817"
    description = "A date input of your agent (YYYY-MM-DD)."

    class Input(AgentInputBlock.Input):
        value: datetime.date | None = SchemaField(
            default=None, advanced=False, title="Default Value", description="A date."
        )

    class Output(BlockSchema):
        result: str = SchemaField(
            description="The date as YYYY-MM-DD.", json_schema_extra={"format": "date"}
        )

    test_input = [{"name": "day", "value": "2025-03-19"}]
    test_output = [("result", "2025-03-19")]

    def as_output(self, value: Any) -> Any:
        return value.isoformat()


class AgentTimeInputBlock(AgentInputBlock):
    id = "2a1c757e-86cf-4c7e-aacf-060dc382e434"
    description = "A time of day input of your agent (HH:MM:SS)."

    class Input(AgentInputBlock.Input):
        value: datetime.time | None = SchemaField(
            default=None, advanced=False, title="Default Value", description="A time of day."
        )

    class Output(BlockSchema):
        result: str = SchemaField(
            description="The time as HH:MM:SS.", json_schema_extra={"format": "time"}
        )

    test_input = [{"name": "at", "value": "09:30"}]
    test_output = [("result", "09:30:00")]

    def as_output(self, value: Any) -> Any:
        return value.isoformat()


class AgentTableInputBlock(AgentInputBlock):
    id = "5603b273-f41e-4020-af7d-fbc9c6a8d928"
    description = (
        "A table input of your agent: you name the columns, whoever runs the agent fills in "
        "rows; each row arrives as a dictionary keyed by column name."
    )

    class Input(AgentInputBlock.Input):
        value: list[dict[str, Any]] | None = SchemaField(
            default=None,
            advanced=False,
            title="Default Value",
            description="The rows, each a dictionary of column name to value.",
            json_schema_extra={"format": "table"},
        )
        column_headers: list[str] = SchemaField(
            default=["Column 1", "Column 2", "Column 3"],
            advanced=False,
            title="Column Headers",
            description="The names of the table's columns.",
        )

    class Output(BlockSchema):
        result: list[dict[str, Any]] = SchemaField(description="The rows given.")

    test_input = [
        {
            "name": "people",
            "value": [{"Name": "Ann", "Age": "3"}],
            "column_headers": ["Name", "Age"],
        }
    ]
    test_output = [("result", [{"Name": "Ann", "Age": "3"}])]


class AgentListInputBlock(AgentInputBlock):
    id = "28582bc0-a035-4046-879a-f8bebae5ca0f"
    description = "A list input of your agent: several values (texts, numbers ...) in order."

    class Input(AgentInputBlock.Input):
        value: list[Any] | None = SchemaField(
            default=None,
            advanced=False,
            title="Default Value",
            description="The items of the list.",
        )

    class Output(BlockSchema):
        result: list[Any] = SchemaField(description="The list given.")

    test_input = [{"name": "topics", "value": ["otters", "beavers"]}]
    test_output = [("result", ["otters", "beavers"])]


class AgentDictionaryInputBlock(AgentInputBlock):
    id = "6d63ba92-d4bd-4fbf-8be6-df70b0123781"
    description = "A dictionary input of your agent: named values, such as settings or a record."

    class Input(AgentInputBlock.Input):
        value: dict[str, Any] | None = SchemaField(
            default=None,
            advanced=False,
            title="Default Value",
            description="The entries: a name for each value.",
        )

    class Output(BlockSchema):
        result: dict[str, Any] = SchemaField(description="The dictionary given.")

    test_input = [{"name": "settings", "value": {"tone": "friendly", "length": 3}}]
    test_output = [("result", {"tone": "friendly", "length": 3})]


class AgentOutputBlock(Block):
    id = "363ae599-353e-4804-937e-b2ee3cef3da4"
    description = (
        "An output of your agent: the value connected here is shown as a result of each "
        "run under this name, optionally formatted with a Jinja2 template."
    )
    categories = frozenset({BlockCategory.OUTPUT, BlockCategory.BASIC})
    block_type = BlockType.OUTPUT
    static_output = True

    class Input(BlockSchemaInput):
        value: Any = SchemaField(
            default=None, advanced=False, description="The value to record as an output."
        )
        name: str = SchemaField(description="The output's name, its key in a run's results.")
        title: str | None = SchemaField(default=None, description="The label shown to users.")
        description: str | None = SchemaField(default=None, description="Help text shown to users.")
        format: str = SchemaField(
            default="",
            description="A Jinja2 template for the value, e.g. 'Total: {{ value }}' (the "
            "output's name works too). Empty keeps the value as it is.",
        )
        escape_html: bool = SchemaField(
            default=False, description="Escape HTML special characters inserted by the format."
        )
        advanced: bool = SchemaField(default=False, description="Show it among advanced outputs.")
        secret: bool = SchemaField(default=False, description="Treat the value as a secret.")

    class Output(BlockSchema):
        output: Any = SchemaField(description="The recorded (and formatted) value.")
        name: Any = SchemaField(description="The output's name.")

    test_input = [
        {"name": "answer", "value": 42},
        {"name": "greeting", "value": "World", "format": "Hello, {{ value }}!"},
        {"name": "total", "value": 3, "format": "{{ total }} items"},
    ]
    test_output = [
        ("output", 42),
        ("name", "answer"),
        ("output", "Hello, World!"),
        ("name", "greeting"),
        ("output", "3 items"),
        ("name", "total"),
    ]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        value = input_data.value
        if input_data.format:
            names = {input_data.name: value, "value": value}
            try:
                value = await render_template(
                    ctx, input_data.format, names, escape_html=input_data.escape_html
                )
            except BlockExecutionError as exc:
                yield ERROR_PIN, f"Output {input_data.name!r}: {exc.message}"
                return
        yield "output", value
        yield "name", input_data.name
