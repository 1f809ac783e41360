"""The cost table: a block's own cost, the operator's prices, and AI blocks billed by model
only when the platform's key pays."""

from typing import ClassVar

from blockyard.blocks.ai.common import DEFAULT_MODEL
from blockyard.blocks.ai.llm import AITextGeneratorBlock
from blockyard.blocks.registry import BlockRegistry
from blockyard.engine.costs import CostTable, model_costs_from_prices
from tests.engine import blocks_for_tests as tb


class PricedBlock(tb.AddBlock):
    id = "00000000-0000-4000-8000-0000000000c5"
    cost: ClassVar[int] = 5


def registry() -> BlockRegistry:
    return BlockRegistry([tb.AddBlock, PricedBlock, AITextGeneratorBlock])


LLM = AITextGeneratorBlock.id
MINE = {"id": "cred-1", "provider": "openai", "type": "api_key"}


def test_a_block_costs_its_own_price_unless_the_operator_sets_one() -> None:
    table = CostTable(registry(), block_costs={tb.AddBlock.id: 2})
    assert table.cost_of(PricedBlock.id, {}) == 5
    assert table.cost_of(tb.AddBlock.id, {"a": 1}) == 2
    assert CostTable(registry(), block_costs={PricedBlock.id: 0}).cost_of(PricedBlock.id, {}) == 0
    assert table.cost_of("no-such-block", {}) == 0


def test_an_ai_block_costs_its_model_only_when_the_platform_key_pays() -> None:
    table = CostTable(registry(), model_costs={"gpt-4o": 3, DEFAULT_MODEL: 1})
    assert table.cost_of(LLM, {"model": "gpt-4o"}) == 3
    assert table.cost_of(LLM, {}) == 1  # the block's default model
    assert table.cost_of(LLM, {"model": "gpt-4o", "credentials": None}) == 3
    assert table.cost_of(LLM, {"model": "gpt-4o", "credentials": MINE}) == 0
    assert table.cost_of(LLM, {"model": "unpriced"}) == 0
    overridden = CostTable(registry(), {LLM: 7}, {"gpt-4o": 3})
    assert overridden.cost_of(LLM, {"model": "gpt-4o"}) == 7


def test_default_model_prices_are_list_prices_of_a_thousand_tokens_each_way() -> None:
    costs = model_costs_from_prices(
        {"gpt-4o": (2.50, 10.00), "mini": (0.15, 0.60), "free": (0.0, 0.0), "one": (4.0, 6.0)}
    )
    # 1,000 tokens in and out: 1.25 cents, 0.075 cents, nothing, exactly 1 cent.
    assert costs == {"gpt-4o": 2, "mini": 1, "free": 0, "one": 1}
