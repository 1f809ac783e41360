"""What of a node's inputs and outputs may be stored and shown: secrets masked.

A block marks a field ``secret`` in its schema (``SchemaField(secret=True)``): such a
value is what the block runs with, but the stored node execution, the live events and the
API only ever see :data:`MASK`. Credentials inputs keep only their reference
``{id, provider, type, title}``: the secret itself is fetched from the vault at run time
and never enters the node's inputs.

The engine keeps the real values of a queued node in memory (:func:`hide` returns them)
and hands them to the block (:func:`reveal`). A node resumed after a crash no longer has
them; it gets them back from where secrets come from, the node's saved settings or the
run's per-node overrides.
"""

import functools
from collections.abc import Mapping
from typing import Any

from blockyard.blocks.base import Block, BlockSchema
from blockyard.blocks.credentials import is_credentials_field

MASK = "********"
REFERENCE_KEYS = ("id", "provider", "type", "title")


@functools.cache
def secret_fields(schema: type[BlockSchema]) -> frozenset[str]:
    props = schema.jsonschema().get("properties") or {}
    return frozenset(name for name, prop in props.items() if prop.get("secret") is True)


@functools.cache
def _credential_fields(schema: type[BlockSchema]) -> tuple[str, ...]:
    return tuple(name for name in schema.model_fields if is_credentials_field(name))


def _present(value: Any) -> bool:
    return value not in (None, "", MASK) and not isinstance(value, bool)


def hide(inputs: dict[str, Any], block: Block) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(what may be stored, the secret values taken out of it)``."""
    secret = secret_fields(block.Input)
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


def mask_outputs(outputs: dict[str, list[Any]], block: Block) -> dict[str, list[Any]]:
    """The outputs as stored: values of pins the output schema marks secret are masked."""
    secret = secret_fields(block.Output)
    if not secret or not secret & outputs.keys():
        return outputs
    return {
        pin: [MASK] * len(values) if pin in secret else values for pin, values in outputs.items()
    }
