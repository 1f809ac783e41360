"""A run's secret inputs: sealed in the store, opened only where an Agent Input takes them.

A run's ``inputs`` are stored with the run and shown wherever runs are listed, so a value
typed into an Agent Input marked ``secret`` (a password, a token) must not sit there in
clear. When a run is created each such input is replaced by a marker
``{"$secret": "<token>"}``. The token is opaque to the engine: the :class:`SecretBox` port
makes and opens it (``integrations`` wires in AES-256-GCM with the credentials' key ring),
bound to the run, its owner and the input's name, so a token copied into another run or
another input does not open.

The engine opens a token only where the Agent Input node takes its value: when the run
starts, when the node is resumed after a crash and when a re-run routes the node's value
again. What is stored and published of that node is masked (:mod:`.redact`), and a run's
inputs are shown with :func:`masked`. Blocks downstream get the real value; what they do
with it (a template that prints it, an output that shows it) is the agent builder's choice.

An engine without a box (``blockyard run``'s in-memory twin, which keeps nothing) leaves
the inputs as they are.
"""

import json
from collections.abc import Mapping
from typing import Any, Protocol

from blockyard.blocks.base import BlockType
from blockyard.blocks.registry import BlockRegistry
from blockyard.engine.ports import GraphExecRecord
from blockyard.engine.redact import MASK
from blockyard.errors import BlockInputError, ExecutionError
from blockyard.graph.model import BaseGraph, Node

SEALED = "$secret"
"""The one key of a sealed input's marker object."""


class SecretBox(Protocol):
    """Seals and opens small secrets; ``context`` must be the same to open as to seal."""

    def seal(self, plaintext: bytes, context: bytes) -> str: ...

    def open(self, token: str, context: bytes) -> bytes:
        """The plaintext; a ``BlockyardError`` when the token does not open here."""
        ...


def is_sealed(value: Any) -> bool:
    return type(value) is dict and len(value) == 1 and isinstance(value.get(SEALED), str)


def masked(inputs: dict[str, Any]) -> dict[str, Any]:
    """A run's inputs as they may be shown: every sealed one is the mask."""
    if not any(is_sealed(value) for value in inputs.values()):
        return inputs
    return {name: MASK if is_sealed(value) else value for name, value in inputs.items()}


def refuse_markers(inputs: Mapping[str, Any]) -> None:
    """Only the server makes markers: one given by a caller would pass for a sealed value."""
    for name, value in inputs.items():
        if is_sealed(value):
            raise BlockInputError(
                f"Input {name!r}: an object whose only key is {SEALED!r} is reserved"
            )


def secret_input_name(node: Node, registry: BlockRegistry) -> str | None:
    """The input name of an Agent Input node marked secret (None for any other node)."""
    if node.input_default.get("secret") is not True:
        return None
    name = node.input_default.get("name")
    block = registry.find(node.block_id)
    if block is None or block.block_type is not BlockType.INPUT or not isinstance(name, str):
        return None
    return name


def secret_input_names(graph: BaseGraph, registry: BlockRegistry) -> set[str]:
    """Names of the graph's inputs that some Agent Input marked secret takes."""
    names = (secret_input_name(node, registry) for node in graph.nodes)
    return {name for name in names if name is not None}


def context_of(graph_exec_id: str, user_id: str, name: str) -> bytes:
    """What a token is bound to: it opens only for this run, owner and input name."""
    return "\x00".join(("run-input", graph_exec_id, user_id, name)).encode("utf-8")


def _context(record: GraphExecRecord, name: str) -> bytes:
    return context_of(record.id, record.user_id, name)


def _seal_value(record: GraphExecRecord, name: str, plaintext: bytes, box: SecretBox) -> Any:
    return {SEALED: box.seal(plaintext, _context(record, name))}


def seal(
    record: GraphExecRecord, graph: BaseGraph, registry: BlockRegistry, box: SecretBox | None
) -> None:
    """Replace the new run's secret inputs by sealed markers (before it is stored)."""
    if box is None or not record.inputs:
        return
    names = secret_input_names(graph, registry) & record.inputs.keys()
    if not names:
        return
    inputs = dict(record.inputs)
    for name in names:
        plaintext = json.dumps(inputs[name], default=str).encode("utf-8")
        inputs[name] = _seal_value(record, name, plaintext, box)
    record.inputs = inputs


def _require(box: SecretBox | None, name: str) -> SecretBox:
    if box is None:
        raise ExecutionError(f"The secret input {name!r} is sealed and this engine has no key")
    return box


def opened(record: GraphExecRecord, name: str, box: SecretBox | None) -> Any:
    """The run's input ``name`` as given: a sealed one is opened."""
    value = record.inputs[name]
    if not is_sealed(value):
        return value
    return json.loads(_require(box, name).open(value[SEALED], _context(record, name)))


def reseal_for_rerun(
    source: GraphExecRecord, record: GraphExecRecord, box: SecretBox | None
) -> None:
    """A re-run takes the source run's inputs: each sealed one is sealed again for it."""
    if not any(is_sealed(value) for value in source.inputs.values()):
        return
    inputs = dict(source.inputs)
    for name, value in source.inputs.items():
        if is_sealed(value):
            sealer = _require(box, name)
            plaintext = sealer.open(value[SEALED], _context(source, name))
            inputs[name] = _seal_value(record, name, plaintext, sealer)
    record.inputs = inputs


def take_secret_edit(
    record: GraphExecRecord,
    graph: BaseGraph,
    registry: BlockRegistry,
    node_id: str,
    edits: dict[str, Any],
    box: SecretBox | None,
) -> dict[str, Any]:
    """A re-run's edits, a new value for a secret Agent Input moved into the run's (sealed)
    inputs: edits are stored in clear. The edit keeps the mask, which makes the node take
    its value from the run's inputs (as a resumed one does)."""
    node = graph.node(node_id)
    name = secret_input_name(node, registry) if node is not None else None
    if box is None or name is None or "value" not in edits:
        return edits
    refuse_markers({name: edits["value"]})
    plaintext = json.dumps(edits["value"], default=str).encode("utf-8")
    record.inputs = {**record.inputs, name: _seal_value(record, name, plaintext, box)}
    return {**edits, "value": MASK}
