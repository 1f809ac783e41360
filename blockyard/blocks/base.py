"""The block protocol: what every block is, declares and does.

A block is one class: a stable UUID ``id``, nested ``Input`` and ``Output`` schemas
(Pydantic models whose fields come from :func:`SchemaField`), and an async generator
``run(input_data, ctx)`` that yields ``(pin, value)`` pairs, as many as it likes::

    class AddBlock(Block):
        id = "5a5c9c8e-..."
        description = "Adds two numbers."
        categories = frozenset({BlockCategory.LOGIC})

        class Input(BlockSchemaInput):
            a: float = SchemaField(description="First number")
            b: float = SchemaField(description="Second number")

        class Output(BlockSchemaOutput):
            result: float = SchemaField(description="a + b")

        test_input = [{"a": 1, "b": 2}]
        test_output = [("result", 3.0)]

        async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
            yield "result", input_data.a + input_data.b

A block knows nothing of graphs or the engine; what it may ask of the platform comes in
``ctx`` (see :mod:`blockyard.blocks.context`).
"""

import abc
import enum
import functools
from collections.abc import AsyncGenerator, Callable
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from blockyard.blocks.context import BlockContext
from blockyard.errors import BlockInputError

BlockOutput = AsyncGenerator[tuple[str, Any], None]
"""What ``Block.run`` returns: an async generator of ``(pin, value)``."""

ERROR_PIN = "error"


class BlockType(enum.StrEnum):
    """How the editor and the engine treat a block (serialised as AutoGPT's ``uiType``)."""

    STANDARD = "Standard"
    INPUT = "Input"
    OUTPUT = "Output"
    NOTE = "Note"
    WEBHOOK = "Webhook"
    WEBHOOK_MANUAL = "Webhook (manual)"
    AGENT = "Agent"
    AI = "AI"
    HUMAN_IN_THE_LOOP = "Human In The Loop"


class BlockCategory(enum.StrEnum):
    AI = "AI"
    SOCIAL = "SOCIAL"
    TEXT = "TEXT"
    SEARCH = "SEARCH"
    BASIC = "BASIC"
    INPUT = "INPUT"
    OUTPUT = "OUTPUT"
    LOGIC = "LOGIC"
    COMMUNICATION = "COMMUNICATION"
    DEVELOPER_TOOLS = "DEVELOPER_TOOLS"
    DATA = "DATA"
    HARDWARE = "HARDWARE"
    AGENT = "AGENT"
    CRM = "CRM"
    SAFETY = "SAFETY"
    PRODUCTIVITY = "PRODUCTIVITY"
    ISSUE_TRACKING = "ISSUE_TRACKING"
    MULTIMEDIA = "MULTIMEDIA"
    MARKETING = "MARKETING"


CATEGORY_DESCRIPTIONS: dict[BlockCategory, str] = {
    BlockCategory.AI: "Blocks that use a language or other AI model.",
    BlockCategory.SOCIAL: "Blocks for social media.",
    BlockCategory.TEXT: "Blocks that work on text.",
    BlockCategory.SEARCH: "Blocks that search the web or other sources.",
    BlockCategory.BASIC: "Basic building blocks.",
    BlockCategory.INPUT: "Blocks that take an agent's inputs.",
    BlockCategory.OUTPUT: "Blocks that give an agent's outputs.",
    BlockCategory.LOGIC: "Comparisons, branching and arithmetic.",
    BlockCategory.COMMUNICATION: "E-mail, chat and messages.",
    BlockCategory.DEVELOPER_TOOLS: "Code, HTTP and developer services.",
    BlockCategory.DATA: "Lists, dictionaries, files and formats.",
    BlockCategory.HARDWARE: "Devices and hardware.",
    BlockCategory.AGENT: "Blocks that run other agents.",
    BlockCategory.CRM: "Customer relationship tools.",
    BlockCategory.SAFETY: "Moderation and safety.",
    BlockCategory.PRODUCTIVITY: "Calendars, tasks and documents.",
    BlockCategory.ISSUE_TRACKING: "Issue trackers.",
    BlockCategory.MULTIMEDIA: "Images, audio and video.",
    BlockCategory.MARKETING: "Marketing tools.",
}


def SchemaField(
    default: Any = ...,
    *,
    description: str | None = None,
    title: str | None = None,
    placeholder: str | None = None,
    secret: bool = False,
    advanced: bool | None = None,
    hidden: bool = False,
    default_factory: Callable[[], Any] | None = None,
    json_schema_extra: dict[str, Any] | None = None,
    **constraints: Any,
) -> Any:
    """A schema field with the UI hints the editor reads from the JSON schema.

    ``advanced`` defaults to False for required fields and True for fields with defaults,
    as in AutoGPT, so the editor folds optional settings away.
    """
    required = default is ... and default_factory is None
    extra: dict[str, Any] = {
        "advanced": (not required) if advanced is None else advanced,
        "secret": secret,
    }
    if placeholder is not None:
        extra["placeholder"] = placeholder
    if hidden:
        extra["hidden"] = True
    extra.update(json_schema_extra or {})
    if default_factory is not None:
        return Field(
            default_factory=default_factory,
            description=description,
            title=title,
            json_schema_extra=extra,
            **constraints,
        )
    return Field(
        default, description=description, title=title, json_schema_extra=extra, **constraints
    )


class BlockSchema(BaseModel):
    """Base of input and output schemas; unknown keys are ignored, values are coerced."""

    model_config = ConfigDict(extra="ignore", arbitrary_types_allowed=True)

    @classmethod
    @functools.cache
    def jsonschema(cls) -> dict[str, Any]:
        return cls.model_json_schema()

    @classmethod
    def field_names(cls) -> frozenset[str]:
        return frozenset(cls.model_fields)

    @classmethod
    def required_fields(cls) -> frozenset[str]:
        return frozenset(name for name, f in cls.model_fields.items() if f.is_required())


class BlockSchemaInput(BlockSchema):
    """Base of every ``Input`` schema."""


class BlockSchemaOutput(BlockSchema):
    """Base of every ``Output`` schema: every block may fail, so every block has ``error``."""

    error: str = SchemaField(
        default="", description="What went wrong, when the block fails.", advanced=True
    )


class EmptySchema(BlockSchema):
    """For blocks without inputs or outputs."""


class Block(abc.ABC):
    """One kind of step an agent can take. Subclasses declare the class attributes below."""

    id: ClassVar[str]
    description: ClassVar[str] = ""
    categories: ClassVar[frozenset[BlockCategory]] = frozenset({BlockCategory.BASIC})
    contributors: ClassVar[tuple[str, ...]] = ()
    Input: ClassVar[type[BlockSchema]] = EmptySchema
    Output: ClassVar[type[BlockSchema]] = BlockSchemaOutput
    block_type: ClassVar[BlockType] = BlockType.STANDARD
    static_output: ClassVar[bool] = False
    """When True every link leaving this block is static (its last value is reused)."""
    cost: ClassVar[int] = 0
    """Credits charged per run; the cost table in billing may override it."""
    disabled: ClassVar[bool] = False
    test_input: ClassVar[list[dict[str, Any]]] = []
    """Example inputs. Each is run once by the registry test."""
    test_output: ClassVar[list[tuple[str, Any]]] = []
    """Expected ``(pin, value)`` pairs over all examples; ``value`` may be a predicate."""

    @classmethod
    def name(cls) -> str:
        return cls.__name__

    @abc.abstractmethod
    def run(self, input_data: Any, ctx: BlockContext) -> BlockOutput:
        """Do the work, yielding ``(pin, value)``. Report failure by yielding ``error``.

        Subclasses write it as ``async def run(...)`` with ``yield``: an async generator.
        """

    def validate_input(self, data: dict[str, Any]) -> BlockSchema:
        """Check ``data`` against ``Input``; the message names every wrong field."""
        try:
            return self.Input.model_validate(data)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc']) or 'input'}: {err['msg']}"
                for err in exc.errors()
            )
            raise BlockInputError(
                f"Invalid input for {self.name()}: {problems}", block_id=self.id
            ) from None

    @classmethod
    def info(cls) -> dict[str, Any]:
        """The block as ``GET /api/blocks`` shows it (AutoGPT's ``BlockInfo`` fields)."""
        return {
            "id": cls.id,
            "name": cls.name(),
            "description": cls.description,
            "categories": [
                {"category": c.value, "description": CATEGORY_DESCRIPTIONS[c]}
                for c in sorted(cls.categories)
            ],
            "inputSchema": cls.Input.jsonschema(),
            "outputSchema": cls.Output.jsonschema(),
            "staticOutput": cls.static_output,
            "uiType": cls.block_type.value,
            "costs": [{"cost_amount": cls.cost, "cost_type": "run"}] if cls.cost else [],
            "contributors": list(cls.contributors),
            "disabled": cls.disabled,
        }
