"""Run another agent as one step of this one.

The child runs through ``ctx.agents`` (the engine's :class:`AgentRunner`) as the current
user, whatever ``user_id`` the saved node holds, so a shared agent file cannot run
someone else's agents. Every ``(output name, value)`` the child produces is sent on an
output pin of the same name; the child's inputs arrive as pins ``inputs_#_<name>``,
merged into ``inputs`` before the block runs.
"""

from typing import Any

from blockyard.blocks.base import (
    ERROR_PIN,
    Block,
    BlockCategory,
    BlockOutput,
    BlockSchemaInput,
    BlockSchemaOutput,
    BlockType,
    SchemaField,
)
from blockyard.blocks.context import BlockContext
from blockyard.errors import BlockyardError


class AgentExecutorBlock(Block):
    id = "e189baac-8c20-45a1-94a7-55177ea42565"
    description = (
        "Runs one of your other agents inside this one: its inputs become this block's "
        "inputs and each of its outputs comes out on a pin of the same name."
    )
    categories = frozenset({BlockCategory.AGENT})
    block_type = BlockType.AGENT

    class Input(BlockSchemaInput):
        user_id: str = SchemaField(
            default="",
            hidden=True,
            description="The owner when the node was saved; runs always use the current user.",
        )
        graph_id: str = SchemaField(description="The agent to run.")
        graph_version: int | None = SchemaField(
            default=None, ge=1, description="Which version to run; empty runs the active one."
        )
        agent_name: str | None = SchemaField(
            default=None, description="The agent's name, shown in the builder."
        )
        inputs: dict[str, Any] = SchemaField(
            default_factory=dict, description="The agent's inputs by name."
        )
        input_schema: dict[str, Any] = SchemaField(
            default_factory=dict, hidden=True, description="The agent's input schema."
        )
        output_schema: dict[str, Any] = SchemaField(
            default_factory=dict, hidden=True, description="The agent's output schema."
        )

    class Output(BlockSchemaOutput):
        """Only ``error`` is fixed; the other pins are the child agent's output names."""

    test_input = [
        {
            "graph_id": "5e0b7d2a-6c1f-4b8e-9a3d-2f4c6e8a0b1d",
            "graph_version": 1,
            "agent_name": "Summariser",
            "inputs": {"length": 3},
            "input_schema": {"required": ["text"]},
        }
    ]
    test_output = [("error", "Agent 'Summariser': missing required input(s): text.")]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        label = input_data.agent_name or input_data.graph_id
        if problem := self._missing_inputs(input_data):
            yield ERROR_PIN, f"Agent {label!r}: {problem}"
            return
        if ctx.agents is None:
            yield ERROR_PIN, f"Agent {label!r} cannot run here: no agent runner was given."
            return
        children = ctx.agents.run_agent(
            user_id=ctx.user_id,
            graph_id=input_data.graph_id,
            graph_version=input_data.graph_version,
            inputs=dict(input_data.inputs),
            parent_exec_id=ctx.graph_exec_id,
            idempotency_key=ctx.idempotency_key,
        )
        try:
            async for name, value in children:
                yield name, value
        except BlockyardError as exc:
            yield ERROR_PIN, f"Agent {label!r} failed: {exc.message}"
        finally:
            close = getattr(children, "aclose", None)
            if close is not None:
                await close()

    @staticmethod
    def _missing_inputs(input_data: Input) -> str:
        required = input_data.input_schema.get("required", [])
        missing = [name for name in required if name not in input_data.inputs]
        return f"missing required input(s): {', '.join(missing)}." if missing else ""
