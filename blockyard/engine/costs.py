"""What one run of a block costs, in credits: the cost table behind ``Billing.cost_of``.

A node's cost is known before it runs, from its block and its inputs:

- the operator's price for the block id, when the settings give one (it replaces the rest);
- otherwise the block's own ``cost`` (credits per run, 0 for most blocks), plus, for a
  block that takes a language ``model`` and ``credentials``, the model's price per run
  when the node names no credentials of the user's: the operator's platform key pays
  the provider then, and credits pay the operator (AutoGPT charges its LLM blocks the
  same way, only when its own key is used).

Credits are whole numbers; AutoGPT counts one credit as one US cent.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from blockyard.blocks.base import Block
from blockyard.blocks.credentials import is_credentials_field
from blockyard.blocks.registry import BlockRegistry

MODEL_FIELD = "model"


@dataclass(frozen=True, slots=True)
class _Price:
    base: int
    default_model: str | None
    """The block's default ``model`` when it is billed by model (None: it is not)."""
    credential_fields: tuple[str, ...]


class CostTable:
    """``cost_of(block_id, inputs)`` from the registry and the operator's prices."""

    def __init__(
        self,
        registry: BlockRegistry,
        block_costs: Mapping[str, int] | None = None,
        model_costs: Mapping[str, int] | None = None,
    ) -> None:
        self._registry = registry
        self._block_costs = dict(block_costs or {})
        self._model_costs = dict(model_costs or {})
        self._prices: dict[str, _Price] = {}

    def cost_of(self, block_id: str, inputs: dict[str, Any]) -> int:
        fixed = self._block_costs.get(block_id)
        if fixed is not None:
            return fixed
        price = self._prices.get(block_id) or self._price(block_id)
        if price.default_model is None or _names_credentials(inputs, price.credential_fields):
            return price.base
        model = inputs.get(MODEL_FIELD) or price.default_model
        return price.base + self._model_costs.get(str(model), 0)

    def _price(self, block_id: str) -> _Price:
        block = self._registry.find(block_id)
        price = _price_of(block) if block is not None else _Price(0, None, ())
        self._prices[block_id] = price
        return price


def _price_of(block: Block) -> _Price:
    fields = block.Input.model_fields
    credential_fields = tuple(name for name in fields if is_credentials_field(name))
    model = fields.get(MODEL_FIELD)
    default = model.default if model is not None else None
    billed = credential_fields and isinstance(default, str) and default
    return _Price(int(block.cost), default if billed else None, credential_fields)


def _names_credentials(inputs: dict[str, Any], fields: tuple[str, ...]) -> bool:
    """True when the node picked saved credentials of the user's (their key pays)."""
    for name in fields:
        ref = inputs.get(name)
        if isinstance(ref, dict) and ref.get("id"):
            return True
    return False


def model_costs_from_prices(
    prices: Mapping[str, tuple[float, float]], tokens: int = 1000
) -> dict[str, int]:
    """A default price per run for each model, in credits (cents): what ``tokens`` prompt
    tokens and as many answer tokens cost at the model's list prices (dollars per million
    tokens), rounded up to a whole credit; a free model costs nothing."""
    costs: dict[str, int] = {}
    for name, (input_price, output_price) in prices.items():
        cents = (input_price + output_price) * tokens / 1_000_000 * 100
        costs[name] = math.ceil(round(cents, 6))
    return costs
