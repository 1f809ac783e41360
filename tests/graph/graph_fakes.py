"""Test-only blocks with AutoGPT's ids and pin names, and small graph factories.

They let the graph tests run without the real block families; tests that need the real
blocks build a registry from ``blockyard.blocks`` instead (see ``builtin_registry``).
"""

import importlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from blockyard.blocks.base import (
    Block,
    BlockOutput,
    BlockSchema,
    BlockSchemaInput,
    BlockSchemaOutput,
    BlockType,
    SchemaField,
)
from blockyard.blocks.context import BlockContext
from blockyard.blocks.registry import BUILTIN_MODULES, BlockRegistry, blocks_in_module
from blockyard.graph import Graph, Link, Node

FIXTURES = Path(__file__).parent / "fixtures"

CALCULATOR = "b1ab9b19-67a6-406d-abf5-2dba76d00c79"
AGENT_INPUT = "c0a8e994-ebf1-4a9c-a4d8-89d09c86741b"
SHORT_TEXT_INPUT = "7fcd3bcb-8e1b-4e69-903d-32d3d4a92158"
NUMBER_INPUT = "96dae2bb-97a2-41c2-bd2f-13a3b5a8ea98"
DROPDOWN_INPUT = "655d6fdf-a334-421c-b733-520549c07cd1"
AGENT_OUTPUT = "363ae599-353e-4804-937e-b2ee3cef3da4"
TEXT_GENERATOR = "1f292d4a-41a4-4977-9684-7c8d560b9f91"
STORE_VALUE = "1ff065e9-88e8-4358-9d82-8dc91f622ba9"
FIND_IN_DICT = "0e50422c-6dee-4145-83d6-3a5a392f65de"
AGENT_EXECUTOR = "e189baac-8c20-45a1-94a7-55177ea42565"
COMBINE_TEXTS = "e30a4d42-7b7d-4e6a-b36e-1f9b8e3b7d85"
TEXT_SPLIT = "d5ea33c8-a575-477a-b42f-2fe3be5055ec"
FILL_TEMPLATE = "db7d8f02-2f44-4c55-ab7a-eae0941f0c30"
VAULT = "5d2e7a31-0d9b-4c44-9f5e-0a4fb1d9e001"  # test-only: a schema-secret field


class _Base(Block):
    """Never run by these tests: only the schemas matter for graphs."""

    async def run(self, input_data: Any, ctx: BlockContext) -> BlockOutput:
        raise AssertionError("graph tests do not run blocks")
        yield "error", ""  # pragma: no cover - makes this an async generator


class FakeCalculator(_Base):
    id = CALCULATOR

    class Input(BlockSchemaInput):
        operation: Literal["Add", "Subtract", "Multiply", "Divide", "Power"] = SchemaField()
        a: float = SchemaField()
        b: float = SchemaField()
        round_result: bool = SchemaField(default=False)

    class Output(BlockSchemaOutput):
        result: float = SchemaField()


class FakeAgentInput(_Base):
    id = AGENT_INPUT
    block_type = BlockType.INPUT
    static_output = True

    class Input(BlockSchemaInput):
        name: str = SchemaField()
        value: Any = SchemaField(default=None)
        title: str | None = SchemaField(default=None)
        description: str | None = SchemaField(default=None)
        placeholder_values: list[Any] = SchemaField(default_factory=list)
        advanced: bool = SchemaField(default=False)
        secret: bool = SchemaField(default=False)

    class Output(BlockSchema):
        result: Any = SchemaField()


class FakeShortTextInput(FakeAgentInput):
    id = SHORT_TEXT_INPUT

    class Input(FakeAgentInput.Input):
        value: str | None = SchemaField(default=None)

    class Output(BlockSchema):
        result: str = SchemaField()


class FakeNumberInput(FakeAgentInput):
    id = NUMBER_INPUT

    class Input(FakeAgentInput.Input):
        value: int | None = SchemaField(default=None)

    class Output(BlockSchema):
        result: int = SchemaField()


class FakeDropdownInput(FakeAgentInput):
    id = DROPDOWN_INPUT

    class Input(FakeAgentInput.Input):
        value: str | None = SchemaField(default=None)


class FakeAgentOutput(_Base):
    id = AGENT_OUTPUT
    block_type = BlockType.OUTPUT
    static_output = True

    class Input(BlockSchemaInput):
        value: Any = SchemaField(default=None)
        name: str = SchemaField()
        title: str | None = SchemaField(default=None)
        description: str | None = SchemaField(default=None)
        format: str = SchemaField(default="")

    class Output(BlockSchema):
        output: Any = SchemaField()
        name: Any = SchemaField()


class FakeTextGenerator(_Base):
    id = TEXT_GENERATOR

    class Input(BlockSchemaInput):
        prompt: str = SchemaField()
        model: str = SchemaField(default="gpt-4o")
        credentials: dict[str, Any] = SchemaField()
        sys_prompt: str = SchemaField(default="")
        retry: int = SchemaField(default=3)
        prompt_values: dict[str, str] = SchemaField(default_factory=dict)
        max_tokens: int | None = SchemaField(default=None)

    class Output(BlockSchemaOutput):
        response: str = SchemaField()
        prompt: list[Any] = SchemaField()


class FakeStoreValue(_Base):
    id = STORE_VALUE
    static_output = True

    class Input(BlockSchemaInput):
        input: Any = SchemaField()
        data: Any = SchemaField(default=None)

    class Output(BlockSchemaOutput):
        output: Any = SchemaField()


class FakeFindInDictionary(_Base):
    id = FIND_IN_DICT

    class Input(BlockSchemaInput):
        input: Any = SchemaField()
        key: str | int = SchemaField()

    class Output(BlockSchemaOutput):
        output: Any = SchemaField()
        missing: Any = SchemaField()


class FakeCombineTexts(_Base):
    id = COMBINE_TEXTS

    class Input(BlockSchemaInput):
        input: list[str] = SchemaField()
        delimiter: str = SchemaField(default="")

    class Output(BlockSchemaOutput):
        output: str = SchemaField()


class FakeTextSplit(_Base):
    id = TEXT_SPLIT

    class Input(BlockSchemaInput):
        text: str = SchemaField()
        delimiter: str = SchemaField()

    class Output(BlockSchemaOutput):
        texts: list[str] = SchemaField()


class FakeFillTemplate(_Base):
    id = FILL_TEMPLATE

    class Input(BlockSchemaInput):
        values: dict[str, Any] = SchemaField()
        format: str = SchemaField()

    class Output(BlockSchemaOutput):
        output: str = SchemaField()
        parts: dict[str, int] = SchemaField()


class FakeAgentExecutor(_Base):
    id = AGENT_EXECUTOR
    block_type = BlockType.AGENT

    class Input(BlockSchemaInput):
        user_id: str = SchemaField()
        graph_id: str = SchemaField()
        graph_version: int = SchemaField()
        inputs: dict[str, Any] = SchemaField(default_factory=dict)
        input_schema: dict[str, Any] = SchemaField(default_factory=dict)
        output_schema: dict[str, Any] = SchemaField(default_factory=dict)

    class Output(BlockSchema):
        pass


class FakeVault(_Base):
    id = VAULT

    class Input(BlockSchemaInput):
        passphrase_text: str = SchemaField(default="", secret=True)
        label: str = SchemaField(default="")

    class Output(BlockSchemaOutput):
        ok: bool = SchemaField()


FAKE_BLOCKS: tuple[type[Block], ...] = (
    FakeCalculator,
    FakeAgentInput,
    FakeShortTextInput,
    FakeNumberInput,
    FakeDropdownInput,
    FakeAgentOutput,
    FakeTextGenerator,
    FakeStoreValue,
    FakeFindInDictionary,
    FakeCombineTexts,
    FakeTextSplit,
    FakeFillTemplate,
    FakeAgentExecutor,
    FakeVault,
)


def fake_registry() -> BlockRegistry:
    return BlockRegistry(FAKE_BLOCKS)


def builtin_registry() -> BlockRegistry:
    """The real built-in blocks; the families not written yet are left out."""
    registry = BlockRegistry()
    for name in BUILTIN_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        for cls in blocks_in_module(module):
            registry.register(cls)
    return registry


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def fixture_data(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(fixture_text(name))
    return data


def node(block_id: str, node_id: str, **input_default: Any) -> Node:
    return Node(id=node_id, block_id=block_id, input_default=input_default)


def link(source: str, source_name: str, sink: str, sink_name: str, **kw: Any) -> Link:
    return Link(source_id=source, source_name=source_name, sink_id=sink, sink_name=sink_name, **kw)


def graph(nodes: list[Node], links: Sequence[Link] = (), **kw: Any) -> Graph:
    return Graph(nodes=nodes, links=list(links), **kw)


def calculator_chain(length: int) -> Graph:
    """``length`` Calculator nodes, each one's result feeding the next one's ``a``."""
    nodes = [node(CALCULATOR, "n0", operation="Add", a=1, b=1)]
    nodes += [node(CALCULATOR, f"n{i}", operation="Add", b=1) for i in range(1, length)]
    links = [link(f"n{i - 1}", "result", f"n{i}", "a") for i in range(1, length)]
    return graph(nodes, links, name="chain")
