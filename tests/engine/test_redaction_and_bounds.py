"""What the engine stores of a node: secret fields masked, credentials as references only,
outputs bounded with a marker (a 50 MB output included) and the run still completes."""

from typing import Any

from pydantic import SecretStr

from blockyard.blocks.base import (
    Block,
    BlockOutput,
    BlockSchemaInput,
    BlockSchemaOutput,
    SchemaField,
)
from blockyard.blocks.context import BlockContext
from blockyard.blocks.credentials import APIKeyCredentials, CredentialsField
from blockyard.blocks.registry import BlockRegistry
from blockyard.engine import bounds, redact
from blockyard.engine.executor import Engine, new_graph_exec
from blockyard.engine.memory import MemoryBus, MemoryGraphSource, MemoryRunStore, StaticCredentials
from blockyard.engine.ports import Batch, NodeExecRecord
from blockyard.engine.states import ExecutionStatus
from blockyard.graph.model import Graph, Link, Node

USER = "user-1"
SEEN: list[Any] = []


class SecretEcho(Block):
    id = "5f0b1d7e-1111-4c1a-9d1e-000000000001"

    class Input(BlockSchemaInput):
        token: str = SchemaField(description="a secret", secret=True)
        text: str = SchemaField("", description="plain")

    class Output(BlockSchemaOutput):
        length: int = SchemaField(description="len(token)")
        echoed: str = SchemaField(description="the secret again", secret=True)

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        SEEN.append(input_data.token)
        yield "length", len(input_data.token)
        yield "echoed", input_data.token


class Receiver(Block):
    id = "5f0b1d7e-1111-4c1a-9d1e-000000000002"

    class Input(BlockSchemaInput):
        value: Any = SchemaField(None, description="anything")

    class Output(BlockSchemaOutput):
        value: Any = SchemaField(None, description="the same")

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        SEEN.append(input_data.value)
        yield "value", input_data.value


class UsesKey(Block):
    id = "5f0b1d7e-1111-4c1a-9d1e-000000000003"

    class Input(BlockSchemaInput):
        credentials: dict[str, Any] = CredentialsField("openai", "api_key")

    class Output(BlockSchemaOutput):
        ok: bool = SchemaField(description="the key arrived")

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        creds = ctx.credentials["credentials"]
        yield "ok", creds.api_key.get_secret_value() == "sk-real"


class Huge(Block):
    id = "5f0b1d7e-1111-4c1a-9d1e-000000000004"

    class Output(BlockSchemaOutput):
        text: str = SchemaField(description="50 MB")
        small: int = SchemaField(description="a small value")

    async def run(self, input_data: Any, ctx: BlockContext) -> BlockOutput:
        yield "small", 7
        yield "text", "x" * (50 * 1024 * 1024)


def engine_for(*blocks: type[Block], **options: Any) -> tuple[Engine, MemoryRunStore]:
    registry = BlockRegistry()
    for block in blocks:
        registry.register(block)
    store = MemoryRunStore()
    return Engine(registry, store, MemoryGraphSource(), MemoryBus(), **options), store


async def execute(engine: Engine, graph: Graph, user: str = USER) -> Any:
    source = engine.graphs
    assert isinstance(source, MemoryGraphSource)
    source.add(graph)
    return await engine.execute(graph, user)


def graph_of(*nodes: Node, links: list[Link] | None = None) -> Graph:
    return Graph(name="g", nodes=list(nodes), links=links or [])


async def test_secret_inputs_and_outputs_are_masked_in_what_is_stored() -> None:
    SEEN.clear()
    engine, store = engine_for(SecretEcho, Receiver)
    echo = Node(id="echo", block_id=SecretEcho.id, input_default={"token": "hunter2-secret"})
    sink = Node(id="sink", block_id=Receiver.id)
    graph = graph_of(
        echo,
        sink,
        links=[Link(source_id="echo", source_name="echoed", sink_id="sink", sink_name="value")],
    )
    record = await execute(engine, graph)
    assert record.status == ExecutionStatus.COMPLETED
    assert SEEN == ["hunter2-secret", "hunter2-secret"]  # the blocks got the real value
    stored = {r.node_id: r for r in await store.list_node_execs(record.id)}
    assert stored["echo"].input_data["token"] == redact.MASK
    assert stored["echo"].output_data == {"length": [14], "echoed": [redact.MASK]}
    await engine.close()


async def test_a_resumed_node_gets_its_secret_back_from_the_saved_settings() -> None:
    SEEN.clear()
    engine, store = engine_for(SecretEcho)
    node = Node(id="echo", block_id=SecretEcho.id, input_default={"token": "from-settings"})
    graph = graph_of(node)
    graph_source = engine.graphs
    assert isinstance(graph_source, MemoryGraphSource)
    graph_source.add(graph)
    run = new_graph_exec(graph, USER, {})
    run.status = ExecutionStatus.RUNNING
    await store.create_graph_exec(run)
    crashed = NodeExecRecord(
        id="n1",
        graph_exec_id=run.id,
        node_id="echo",
        block_id=SecretEcho.id,
        status=ExecutionStatus.RUNNING,
        input_data={"token": redact.MASK, "text": ""},
        seq=1,
    )
    await store.commit(Batch(node_execs={"n1": crashed}))
    record = await engine.run(run.id)
    assert record.status == ExecutionStatus.COMPLETED and SEEN == ["from-settings"]
    await engine.close()


async def test_credentials_inputs_store_only_the_reference() -> None:
    key = APIKeyCredentials(id="c1", provider="openai", api_key=SecretStr("sk-real"))
    engine, store = engine_for(UsesKey, credentials=StaticCredentials({"c1": (USER, key)}))
    reference = {"id": "c1", "provider": "openai", "type": "api_key", "api_key": "sk-leaked"}
    graph = graph_of(Node(id="use", block_id=UsesKey.id, input_default={"credentials": reference}))
    record = await execute(engine, graph)
    [node] = await store.list_node_execs(record.id)
    assert node.output_data == {"ok": [True]}
    assert node.input_data["credentials"] == {"id": "c1", "provider": "openai", "type": "api_key"}
    assert "sk-" not in repr(node.input_data)
    other = await execute(engine, graph, "someone-else")
    [failed] = await store.list_node_execs(other.id)
    assert failed.status == ExecutionStatus.FAILED and "not found" in (failed.error or "")
    await engine.close()


async def test_a_50_mb_output_is_truncated_with_a_marker_and_the_run_completes() -> None:
    engine, store = engine_for(Huge, Receiver, max_output_bytes=1024 * 1024)
    graph = graph_of(
        Node(id="huge", block_id=Huge.id),
        Node(id="sink", block_id=Receiver.id),
        links=[Link(source_id="huge", source_name="text", sink_id="sink", sink_name="value")],
    )
    record = await execute(engine, graph)
    assert record.status == ExecutionStatus.COMPLETED
    stored = {r.node_id: r for r in await store.list_node_execs(record.id)}
    text = stored["huge"].output_data["text"][0]
    assert len(text) < 1024 * 1024 and "truncated by Blockyard" in text and text.startswith("xxx")
    assert stored["huge"].output_data["small"] == [7]
    assert stored["sink"].output_data["value"] == [text]  # what was passed on is what is stored
    await engine.close()


def test_bounds_leave_small_outputs_alone_and_cap_many_values() -> None:
    small = {"a": [1, "two", {"three": [3]}]}
    assert bounds.bounded(small, 1024) is small
    many = {"items": [f"value-{i}" for i in range(10_000)]}
    cut = bounds.bounded(many, 4096)
    assert bounds.size_of(cut, 10**9) < 4096 + 3000
    assert "more values dropped" in cut["items"][-1]
    blob = {"data": [b"\x00" * 100_000, {"nested": "y" * 100_000}]}
    cut = bounds.bounded(blob, 10_000)
    assert all("truncated by Blockyard" in str(v) for v in cut["data"])
