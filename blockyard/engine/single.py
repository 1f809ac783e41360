"""Run one block on its own, outside any graph (the editor's "run this node" and the
``POST /api/blocks/{id}/execute`` route), with the same input handling and policy as the
engine gives a node."""

import uuid
from typing import Any

from blockyard.blocks.base import Block, BlockType
from blockyard.blocks.context import AgentRunner, BlockContext
from blockyard.blocks.credentials import is_credentials_field
from blockyard.blocks.registry import BlockRegistry
from blockyard.engine.node import prepare_inputs, run_node
from blockyard.engine.plan import DEFAULT_POLICY
from blockyard.engine.ports import CredentialResolver
from blockyard.errors import BlockInputError
from blockyard.graph.model import NodePolicy


async def run_single_block(
    registry: BlockRegistry,
    block_id: str,
    inputs: dict[str, Any],
    user_id: str,
    *,
    policy: NodePolicy | None = None,
    agents: AgentRunner | None = None,
    credentials: CredentialResolver | None = None,
) -> dict[str, list[Any]]:
    """Every output the block yields, by pin; a failure is on ``error``.

    Raises ``NotFoundError`` for an unknown block and ``BlockInputError`` for inputs that
    do not fit its schema (the caller answers 4xx rather than reporting a failed run).
    """
    block = registry.get(block_id)
    if block.block_type == BlockType.NOTE:
        raise BlockInputError("A note is not something that runs", block_id=block_id)
    data = prepare_inputs({}, inputs, None)
    block.validate_input(data)
    run_id = str(uuid.uuid4())
    ctx = BlockContext(
        user_id=user_id,
        node_exec_id=run_id,
        idempotency_key=run_id,
        agents=agents,
        credentials=await _credentials(block, data, user_id, credentials),
    )
    outcome = await run_node(block, data, ctx, policy or DEFAULT_POLICY)
    return outcome.outputs


async def _credentials(
    block: Block, data: dict[str, Any], user_id: str, resolver: CredentialResolver | None
) -> dict[str, Any]:
    """The caller's saved credentials the inputs refer to (another user's: NotFoundError)."""
    found: dict[str, Any] = {}
    if resolver is None:
        return found
    for name in block.Input.model_fields:
        ref = data.get(name)
        if is_credentials_field(name) and isinstance(ref, dict) and ref.get("id"):
            found[name] = await resolver.resolve(user_id, ref)
    return found
