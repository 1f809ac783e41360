"""What a running block may know and ask of the platform, as small ports.

The engine builds one :class:`BlockContext` per node execution. Blocks never import the
engine: running a sub-agent or reading the media store goes through the Protocols here,
whose implementations are passed in by the engine (built in ``wiring``).
"""

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    from blockyard.blocks.ai.port import KnowledgeStore, LanguageModels

T = TypeVar("T")


class AgentRunner(Protocol):
    """Runs another saved agent as a child of the current execution."""

    def run_agent(
        self,
        *,
        user_id: str,
        graph_id: str,
        graph_version: int | None,
        inputs: dict[str, Any],
        parent_exec_id: str,
        idempotency_key: str,
    ) -> AsyncIterator[tuple[str, Any]]:
        """Yield the child's ``(output name, value)`` pairs as they are produced.

        Raises ``BlockExecutionError`` when the child fails; closing the iterator early
        (the parent was stopped) stops the child.
        """
        ...


class MediaStore(Protocol):
    """Files passed between blocks by reference (``media://...``), not as bytes."""

    async def put(self, user_id: str, name: str, data: bytes) -> str: ...

    async def get(self, user_id: str, ref: str) -> bytes: ...


@dataclass(frozen=True, slots=True)
class ToolInfo:
    """A node offered as a tool: a name the model may call, and its parameters' JSON Schema."""

    node_id: str
    name: str
    description: str
    parameters: dict[str, Any]
    arguments_field: str = ""
    """When set, the call's arguments go to the node as one dictionary in this field."""


@dataclass(slots=True)
class ToolResult:
    """What one tool call produced: the node's outputs by pin, or its error."""

    outputs: dict[str, list[Any]]
    error: str | None = None


class ToolRunner(Protocol):
    """The nodes linked to this node's ``tools`` pins (the Smart Decision Maker's tools).

    A call runs the tool node once, as a node execution of its own (visible in the run),
    with ``arguments`` over the node's saved inputs; its outputs come back here instead of
    travelling down its links. A block may describe itself as a tool with a static
    ``describe_as_tool(input_default) -> ToolInfo | None`` (the MCP Tool block does).
    """

    def list_tools(self) -> list[ToolInfo]: ...

    async def call_tool(self, node_id: str, arguments: dict[str, Any]) -> ToolResult: ...


def _no_stream(pin: str, value: Any) -> Awaitable[None]:
    fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    fut.set_result(None)
    return fut


@dataclass(slots=True)
class BlockContext:
    """Everything a block run gets besides its inputs."""

    user_id: str
    graph_exec_id: str = ""
    node_exec_id: str = ""
    node_id: str = ""
    graph_id: str = ""
    graph_version: int = 0
    idempotency_key: str = ""
    """Stable across retries and crash-resume of the same (execution, node, input set)."""
    credentials: Mapping[str, Any] = field(default_factory=dict)
    """Decrypted credentials by input field name; only for the owner's runs."""
    logger: logging.Logger = field(default_factory=lambda: logging.getLogger("blockyard.block"))
    cancelled: asyncio.Event = field(default_factory=asyncio.Event)
    stream: Callable[[str, Any], Awaitable[None]] = _no_stream
    """Send a partial value (a token, a progress note) to live viewers; not stored."""
    agents: AgentRunner | None = None
    media: MediaStore | None = None
    llm: "LanguageModels | None" = None
    """Language and embedding models (AI blocks); None where the server has none."""
    knowledge: "KnowledgeStore | None" = None
    """Vectors of the user's knowledge bases."""
    tools: ToolRunner | None = None
    """The tool nodes linked to this node, when it has any."""
    stats: dict[str, Any] = field(default_factory=dict)
    """Numbers a block reports about its run (tokens, model, cost); the engine stores them
    with the node execution's stats. Add to what is there: retries share one dict."""

    async def run_blocking(self, fn: Callable[..., T], *args: Any) -> T:
        """Run blocking or CPU-bound work in a thread so the event loop stays free."""
        return await asyncio.get_running_loop().run_in_executor(None, fn, *args)
