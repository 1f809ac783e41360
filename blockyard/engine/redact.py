"""What of a node's inputs and outputs may be stored and shown: secrets masked.

A block marks a field ``secret`` in its schema (``SchemaField(secret=True)``): such a
value is what the block runs with, but the stored node execution, the live events and the
API only ever see :data:`MASK`. Credentials inputs keep only their reference
``{id, provider, type, title}``: the secret itself is fetched from the vault at run time
and never enters the node's inputs.

An Agent Input node marked ``secret`` (its ``secret`` input is true) is treated the same
way: its ``value`` is a secret field and its outputs are secret pins. Its value comes from
the run's inputs, where it is sealed (:mod:`.secret_inputs`).

The engine keeps the real values of a queued node in memory (:func:`hide` returns them)
and hands them to the block (:func:`reveal`). A node resumed after a crash no longer has
them; it gets them back from where secrets come from, the node's saved settings, the
run's per-node overrides or, for an Agent Input, the run's inputs.
"""

import functools
from collections.abc import Mapping
from typing import Any

from blockyard.blocks.base import ERROR_PIN, Block, BlockSchema, BlockType
from blockyard.blocks.credentials import is_credentials_field

MASK = "********"
REFERENCE_KEYS = ("id", "provider", "type", "title")
_INPUT_VALUE = frozenset({"value"})


@functools.cache
def secret_fields(schema: type[BlockSchema]) -> frozenset[str]:
    props = schema.jsonschema().get("properties") or {}
    return frozenset(name for name, prop in props.items() if prop.get("secret") is True)


@functools.cache
def _credential_fields(schema: type[BlockSchema]) -> tuple[str, ...]:
    return tuple(name for name in schema.model_fields if is_credentials_field(name))


def is_secret_input(block: Block, inputs: Mapping[str, Any]) -> bool:
    """An Agent Input node marked secret: the value it passes on is the secret."""
    return block.block_type is BlockType.INPUT and inputs.get("secret") is True


def _present(value: Any) -> bool:
    return value not in (None, "", MASK) and not isinstance(value, bool)


def hide(inputs: dict[str, Any], block: Block) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(what may be stored, the secret values taken out of it)``."""
    secret = secret_fields(block.Input)
    if is_secret_input(block, inputs):
        secret = secret | _INPUT_VALUE
    references = _credential_fields(block.Input)
    if not secret and not references:
        return inputs, {}
    stored, hidden = dict(inputs), {}
    for name in secret:
        if _present(stored.get(name)):
            hidden[name], stored[name] = stored[name], MASK
    for name in references:
        ref = stored.get(name)
        if isinstance(ref, Mapping):
            stored[name] = {key: ref[key] for key in REFERENCE_KEYS if key in ref}
    return stored, hidden


def reveal(
    stored: dict[str, Any],
    hidden: Mapping[str, Any] | None,
    defaults: Mapping[str, Any],
    overrides: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """The inputs the block runs with: the stored ones with their secrets put back."""
    if hidden:
        stored = {**stored, **hidden}
    if MASK not in stored.values():
        return stored
    restored = dict(stored)
    for name, value in stored.items():
        if value == MASK:
            source = overrides if overrides and name in overrides else defaults
            restored[name] = source.get(name)
    return restored


def mask_outputs(
    outputs: dict[str, list[Any]], block: Block, inputs: Mapping[str, Any] | None = None
) -> dict[str, list[Any]]:
    """The outputs as stored: values of pins the output schema marks secret are masked, and
    every output but ``error`` of a secret Agent Input (``inputs`` are the node's)."""
    secret = secret_fields(block.Output)
    if inputs is not None and is_secret_input(block, inputs):
        secret = frozenset(outputs) - {ERROR_PIN}
    if not secret or not secret & outputs.keys():
        return outputs
    return {
        pin: [MASK] * len(values) if pin in secret else values for pin, values in outputs.items()
    }


def masks_secret_input(
    block: Block, inputs: Mapping[str, Any], outputs: dict[str, list[Any]]
) -> bool:
    """True for a secret Agent Input whose stored outputs are masked: routing them again
    needs the real ones (see ``GraphRun.unmasked_outputs``)."""
    return is_secret_input(block, inputs) and any(
        MASK in values for pin, values in outputs.items() if pin != ERROR_PIN
    )
