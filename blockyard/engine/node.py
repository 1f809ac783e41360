"""Running one node execution: validate its inputs, run the block under the node's policy.

The outcome is data: outputs by pin, and an error message when the node failed. A block's
failure never escapes as an exception; only cancellation (a stop) does.
"""

import asyncio
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from blockyard.blocks.base import ERROR_PIN, Block
from blockyard.blocks.context import BlockContext
from blockyard.blocks.pins import is_dynamic, merge_dynamic
from blockyard.errors import BlockInputError, BlockTransientError
from blockyard.graph.model import NodePolicy


@dataclass(slots=True)
class NodeOutcome:
    outputs: dict[str, list[Any]] = field(default_factory=dict)
    error: str | None = None
    attempts: int = 1
    walltime: float = 0.0
    stats: dict[str, Any] = field(default_factory=dict)
    """What the block reported in ``ctx.stats`` (token usage...), over every attempt."""


def prepare_inputs(
    defaults: Mapping[str, Any],
    received: Mapping[str, Any],
    mask: Mapping[str, Any] | None,
    *,
    agent_inputs: bool = False,
    fields: Iterable[str] = (),
) -> dict[str, Any]:
    """The inputs a node runs with: defaults, then linked values, then the run's overrides.

    Dynamic pins (``values_#_a``) are merged into their base field; the flattened keys are
    dropped so that what is stored is what the block saw. For an Agent Executor node, pins
    that are not its own fields are the sub-agent's inputs and move into ``inputs``.
    """
    data = {**defaults, **received}
    if mask:
        data.update(mask)
    if any(is_dynamic(k) for k in data):
        data = {k: v for k, v in merge_dynamic(data).items() if not is_dynamic(k)}
    if agent_inputs:
        own = set(fields)
        extra = {k: v for k, v in data.items() if k not in own}
        if extra:
            data = {k: v for k, v in data.items() if k in own}
            data["inputs"] = {**(data.get("inputs") or {}), **extra}
    return data


async def run_node(
    block: Block, inputs: dict[str, Any], ctx: BlockContext, policy: NodePolicy
) -> NodeOutcome:
    """Run ``block`` on ``inputs``, retrying and timing out as ``policy`` says."""
    started = time.perf_counter()
    try:
        model = block.validate_input(inputs)
    except BlockInputError as exc:
        return NodeOutcome(
            outputs={ERROR_PIN: [str(exc)]}, error=str(exc), walltime=time.perf_counter() - started
        )
    attempt = 0
    delay = policy.backoff_seconds
    while True:
        attempt += 1
        outcome = await _attempt(block, model, ctx, policy.timeout_seconds)
        if outcome.error is None or attempt >= policy.max_attempts or not _retries(policy, outcome):
            outcome.attempts = attempt
            outcome.walltime = time.perf_counter() - started
            outcome.stats = dict(ctx.stats)
            if outcome.error is not None:
                outcome.outputs.setdefault(ERROR_PIN, [outcome.error])
            return outcome
        ctx.logger.info(
            "Attempt %d of %s failed: %s; retrying", attempt, block.name(), outcome.error
        )
        await asyncio.sleep(delay)
        delay *= policy.backoff_factor


@dataclass(slots=True)
class _Attempt(NodeOutcome):
    kind: str = ""
    """Why it failed: 'error' (yielded or raised), 'transient', 'timeout' or an exception name."""


async def _attempt(block: Block, model: Any, ctx: BlockContext, limit: float | None) -> _Attempt:
    outcome = _Attempt()
    try:
        if limit is None:
            await _collect(block, model, ctx, outcome)
        else:
            async with asyncio.timeout(limit):
                await _collect(block, model, ctx, outcome)
    except TimeoutError:
        outcome.error = f"{block.name()} timed out after {limit:g}s"
        outcome.kind = "timeout"
    except BlockTransientError as exc:
        outcome.error, outcome.kind = str(exc), "transient"
    except Exception as exc:  # a block's bug is that node's failure, not the engine's
        outcome.error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        outcome.kind = type(exc).__name__
    return outcome


async def _collect(block: Block, model: Any, ctx: BlockContext, outcome: _Attempt) -> None:
    outputs = outcome.outputs
    gen = block.run(model, ctx)
    try:
        async for pin, value in gen:
            if pin == ERROR_PIN:
                outcome.error = str(value) or f"{block.name()} failed"
                outcome.kind = "error"
                outputs.setdefault(pin, []).append(outcome.error)
                return
            bucket = outputs.get(pin)
            if bucket is None:
                outputs[pin] = [value]
            else:
                bucket.append(value)
    finally:
        await gen.aclose()


def _retries(policy: NodePolicy, outcome: NodeOutcome) -> bool:
    kind = outcome.kind if isinstance(outcome, _Attempt) else "error"
    return "error" in policy.retry_on or kind in policy.retry_on
