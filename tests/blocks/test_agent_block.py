"""The Agent Executor block, against a small fake AgentRunner."""

from collections.abc import AsyncIterator
from typing import Any

from blockyard.blocks.agent import AgentExecutorBlock
from blockyard.blocks.base import Block
from blockyard.blocks.testing import TEST_USER_ID, make_context, prepare_input, run_block
from blockyard.errors import BlockExecutionError, NotFoundError

GRAPH_ID = "7a1d2c3b-4e5f-4a6b-8c7d-9e0f1a2b3c4d"


class FakeAgentRunner:
    """Records each call and plays back the outputs (and failure) it was given."""

    def __init__(self, outputs: list[tuple[str, Any]], failure: Exception | None = None) -> None:
        self.outputs = outputs
        self.failure = failure
        self.calls: list[dict[str, Any]] = []
        self.closed = False

    def run_agent(self, **call: Any) -> AsyncIterator[tuple[str, Any]]:
        self.calls.append(call)
        return self._play()

    async def _play(self) -> AsyncIterator[tuple[str, Any]]:
        try:
            for pair in self.outputs:
                yield pair
            if self.failure is not None:
                raise self.failure
        finally:
            self.closed = True


async def test_child_outputs_are_yielded_in_order() -> None:
    runner = FakeAgentRunner([("summary", "short"), ("words", 2), ("summary", "shorter")])
    outputs = await run_block(
        AgentExecutorBlock(),
        {
            "graph_id": GRAPH_ID,
            "graph_version": 3,
            "user_id": "someone-else",
            "inputs_#_text": "hi",
        },
        make_context(agents=runner, graph_exec_id="parent-exec", idempotency_key="key-1"),
    )
    assert outputs == {"summary": ["short", "shorter"], "words": [2]}
    assert runner.calls == [
        {
            "user_id": TEST_USER_ID,
            "graph_id": GRAPH_ID,
            "graph_version": 3,
            "inputs": {"text": "hi"},
            "parent_exec_id": "parent-exec",
            "idempotency_key": "key-1",
        }
    ]
    assert runner.closed


async def test_child_failure_is_yielded_as_error() -> None:
    runner = FakeAgentRunner([("partial", 1)], BlockExecutionError("node 'LLM' failed"))
    outputs = await run_block(
        AgentExecutorBlock(),
        {"graph_id": GRAPH_ID, "agent_name": "Writer"},
        make_context(agents=runner),
    )
    assert outputs == {"partial": [1], "error": ["Agent 'Writer' failed: node 'LLM' failed"]}


async def test_unknown_agent_is_yielded_as_error() -> None:
    runner = FakeAgentRunner([], NotFoundError(f"Graph {GRAPH_ID} not found"))
    outputs = await run_block(
        AgentExecutorBlock(), {"graph_id": GRAPH_ID}, make_context(agents=runner)
    )
    assert outputs == {"error": [f"Agent '{GRAPH_ID}' failed: Graph {GRAPH_ID} not found"]}


async def test_without_a_runner_the_block_says_so() -> None:
    outputs = await run_block(AgentExecutorBlock(), {"graph_id": GRAPH_ID})
    assert outputs == {"error": [f"Agent '{GRAPH_ID}' cannot run here: no agent runner was given."]}


async def test_stopping_the_parent_closes_the_child() -> None:
    runner = FakeAgentRunner([("a", 1), ("b", 2)])
    block: Block = AgentExecutorBlock()
    stream = block.run(prepare_input(block, {"graph_id": GRAPH_ID}), make_context(agents=runner))
    assert await anext(stream) == ("a", 1)
    await stream.aclose()
    assert runner.closed
