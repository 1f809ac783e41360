"""Small blocks for engine tests: each does one observable thing."""

import asyncio
from collections import Counter
from typing import Any

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
from blockyard.blocks.registry import BlockRegistry
from blockyard.errors import BlockTransientError

CALLS: Counter[str] = Counter()
"""Runs per node execution id (``ctx.node_exec_id``), to prove nothing ran twice."""
SLEEP_SCALE = [1.0]
"""Multiplies every SleepBlock's sleep: a test sets 0 to make a resumed run quick."""


class InputBlock(Block):
    id = "00000000-0000-4000-8000-000000000001"
    block_type = BlockType.INPUT
    static_output = True

    class Input(BlockSchemaInput):
        name: str = SchemaField(description="input name")
        value: Any = SchemaField(None, description="value")

    class Output(BlockSchema):
        result: Any = SchemaField(None, description="the value")

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        yield "result", input_data.value


class OutputBlock(Block):
    id = "00000000-0000-4000-8000-000000000002"
    block_type = BlockType.OUTPUT
    static_output = True

    class Input(BlockSchemaInput):
        name: str = SchemaField(description="output name")
        value: Any = SchemaField(None, description="value")

    class Output(BlockSchema):
        output: Any = SchemaField(None, description="the value")

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        yield "output", input_data.value


class AddBlock(Block):
    id = "00000000-0000-4000-8000-000000000003"

    class Input(BlockSchemaInput):
        a: float = SchemaField(description="a")
        b: float = SchemaField(0, description="b")

    class Output(BlockSchemaOutput):
        sum: float = SchemaField(description="a + b")

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        CALLS[ctx.node_exec_id] += 1
        yield "sum", input_data.a + input_data.b


class PairBlock(Block):
    id = "00000000-0000-4000-8000-000000000004"

    class Input(BlockSchemaInput):
        a: Any = SchemaField(None, description="a")
        b: Any = SchemaField(None, description="b")

    class Output(BlockSchemaOutput):
        pair: list[Any] = SchemaField(description="[a, b]")

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        yield "pair", [input_data.a, input_data.b]


class EachBlock(Block):
    """Yields every item of ``items`` on ``item``, in order."""

    id = "00000000-0000-4000-8000-000000000005"

    class Input(BlockSchemaInput):
        items: list[Any] = SchemaField(description="items")

    class Output(BlockSchemaOutput):
        item: Any = SchemaField(description="one item")

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        for item in input_data.items:
            yield "item", item


class FailBlock(Block):
    id = "00000000-0000-4000-8000-000000000006"

    class Input(BlockSchemaInput):
        message: str = SchemaField("it broke", description="message")
        trigger: Any = SchemaField(None, description="anything")
        raise_it: bool = SchemaField(False, description="raise instead of yielding")

    class Output(BlockSchemaOutput):
        never: Any = SchemaField(None, description="never sent")

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        if input_data.raise_it:
            raise RuntimeError(input_data.message)
        yield "error", input_data.message


class FlakyBlock(Block):
    """Fails with a transient error ``failures`` times per node execution, then succeeds."""

    id = "00000000-0000-4000-8000-000000000007"

    class Input(BlockSchemaInput):
        failures: int = SchemaField(1, description="how many times to fail")
        value: Any = SchemaField(None, description="passed through")

    class Output(BlockSchemaOutput):
        out: Any = SchemaField(description="value")

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        CALLS[ctx.idempotency_key] += 1
        if CALLS[ctx.idempotency_key] <= input_data.failures:
            raise BlockTransientError("try again")
        yield "out", input_data.value


class SleepBlock(Block):
    id = "00000000-0000-4000-8000-000000000008"

    class Input(BlockSchemaInput):
        seconds: float = SchemaField(0.05, description="how long")
        value: Any = SchemaField(None, description="passed through")

    class Output(BlockSchemaOutput):
        out: Any = SchemaField(description="value")

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        CALLS[ctx.node_exec_id] += 1
        await asyncio.sleep(input_data.seconds * SLEEP_SCALE[0])
        yield "out", input_data.value


class SubAgentBlock(Block):
    id = "00000000-0000-4000-8000-000000000009"
    block_type = BlockType.AGENT

    class Input(BlockSchemaInput):
        graph_id: str = SchemaField(description="agent")
        graph_version: int | None = SchemaField(None, description="version")
        inputs: dict[str, Any] = SchemaField(default_factory=dict, description="inputs")

    class Output(BlockSchemaOutput):
        pass

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        assert ctx.agents is not None
        async for name, value in ctx.agents.run_agent(
            user_id=ctx.user_id,
            graph_id=input_data.graph_id,
            graph_version=input_data.graph_version,
            inputs=input_data.inputs,
            parent_exec_id=ctx.graph_exec_id,
            idempotency_key=ctx.idempotency_key,
        ):
            yield name, value


class DictBlock(Block):
    id = "00000000-0000-4000-8000-00000000000a"

    class Input(BlockSchemaInput):
        values: dict[str, Any] = SchemaField(default_factory=dict, description="entries")

    class Output(BlockSchemaOutput):
        dictionary: dict[str, Any] = SchemaField(description="the dictionary")

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        yield "dictionary", input_data.values


class PoliteWaitBlock(Block):
    """Waits for the run to be stopped and then returns normally, as blocks that watch
    ``ctx.cancelled`` do (and as ``asyncio.wait_for`` may, swallowing the cancel)."""

    id = "00000000-0000-4000-8000-00000000000b"

    class Input(BlockSchemaInput):
        value: Any = SchemaField(None, description="never sent")

    class Output(BlockSchemaOutput):
        out: Any = SchemaField(description="value")

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        await asyncio.wait_for(ctx.cancelled.wait(), timeout=30)
        if False:  # an async generator that yields nothing
            yield "out", input_data.value


ALL = [
    InputBlock,
    OutputBlock,
    AddBlock,
    PairBlock,
    EachBlock,
    FailBlock,
    FlakyBlock,
    SleepBlock,
    SubAgentBlock,
    DictBlock,
    PoliteWaitBlock,
]


def test_registry() -> BlockRegistry:
    return BlockRegistry(ALL)


test_registry.__test__ = False  # type: ignore[attr-defined]
