"""The block catalogue, and running one block on its own (no graph, no stored run)."""

from typing import Any

from fastapi import APIRouter, Body

from blockyard.api.deps import ContainerDep, Executor, Reader
from blockyard.engine.single import run_single_block

router = APIRouter(prefix="/api/blocks", tags=["blocks"])


@router.get("")
async def list_blocks(container: ContainerDep, user: Reader) -> list[dict[str, Any]]:
    """Every block with its input and output JSON schemas (AutoGPT's ``BlockInfo``)."""
    return [block.info() for block in container.registry]


@router.post("/{block_id}/execute")
async def execute_block(
    container: ContainerDep,
    user: Executor,
    block_id: str,
    inputs: dict[str, Any] = Body(default_factory=dict),
) -> dict[str, list[Any]]:
    return await run_single_block(
        container.registry,
        block_id,
        inputs,
        user.user_id,
        agents=container.engine.agents,
        credentials=container.integrations.vault,
    )
