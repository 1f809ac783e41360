"""Mirroring the block registry into the blocks table."""

from sqlalchemy import select

from blockyard.blocks.base import (
    Block,
    BlockOutput,
    BlockSchemaInput,
    BlockSchemaOutput,
    SchemaField,
)
from blockyard.blocks.context import BlockContext
from blockyard.blocks.registry import BlockRegistry
from blockyard.store.blocks import BlockRepo
from blockyard.store.db import Database
from blockyard.store.tables import BlockRow


class EchoBlock(Block):
    id = "0b1f4c1e-4f39-4a36-9f0e-2b6a4d7e5a11"

    class Input(BlockSchemaInput):
        text: str = SchemaField(description="Text to echo, ünïcode welcome")

    class Output(BlockSchemaOutput):
        text: str = SchemaField(description="The same text")

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        yield "text", input_data.text


class ShoutBlock(EchoBlock):
    id = "6c0f9a3d-2f1c-4a8e-8a55-3e1f0b9d2c22"


async def _rows(db: Database) -> dict[str, BlockRow]:
    async with db.sessions() as session:
        return {row.id: row for row in await session.scalars(select(BlockRow))}


async def test_sync_upserts_every_block(db: Database) -> None:
    repo = BlockRepo(db)
    assert await repo.sync(BlockRegistry([EchoBlock])) == 1
    assert await repo.sync(BlockRegistry([EchoBlock, ShoutBlock])) == 2
    rows = await _rows(db)
    assert set(rows) == {EchoBlock.id, ShoutBlock.id}
    echo = rows[EchoBlock.id]
    assert echo.name == "EchoBlock"
    assert echo.input_schema == EchoBlock.Input.jsonschema()
    assert echo.output_schema == EchoBlock.Output.jsonschema()
    assert rows[ShoutBlock.id].name == "ShoutBlock"


async def test_sync_keeps_blocks_that_are_gone_and_refreshes_the_rest(db: Database) -> None:
    repo = BlockRepo(db)
    await repo.sync(BlockRegistry([EchoBlock, ShoutBlock]))
    before = (await _rows(db))[EchoBlock.id].updated_at
    assert await repo.sync(BlockRegistry([EchoBlock])) == 1
    rows = await _rows(db)
    assert set(rows) == {EchoBlock.id, ShoutBlock.id}
    assert rows[EchoBlock.id].updated_at >= before
    assert await repo.sync(BlockRegistry()) == 0
