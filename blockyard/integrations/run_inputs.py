"""Sealing runs' secret inputs with the credentials' key ring, and re-sealing them on rotation.

:class:`RunInputBox` is the engine's :class:`~blockyard.engine.secret_inputs.SecretBox`:
AES-256-GCM under the current key, a fresh nonce each time, the context (run, owner,
input name) as associated data. Its token is ``<key id>:<nonce>:<ciphertext>`` (base64
has no ``:``), so a token names the key that opens it, like a credential row does.

``blockyard keys rotate`` calls :func:`reseal_run_inputs` after the credentials: every run
whose inputs hold a token of another key gets them sealed again with the new one, and the
count of tokens per key keeps ``--drop-retired`` from forgetting a key a run still needs
(a run may be resumed or re-run long after it was made).
"""

from dataclasses import dataclass, field
from typing import Any

from blockyard.engine.secret_inputs import SEALED, context_of, is_sealed
from blockyard.integrations.crypto import KeyRing, SecretUnreadableError
from blockyard.store.credentials import Sealed
from blockyard.store.executions import SealedInputsRepo

BATCH = 200


def encode(sealed: Sealed) -> str:
    return f"{sealed.key_id}:{sealed.nonce}:{sealed.secret}"


def decode(token: str) -> Sealed:
    parts = token.split(":")
    if len(parts) != 3:
        raise SecretUnreadableError("A sealed run input is not in the expected format")
    return Sealed(*parts)


class RunInputBox:
    def __init__(self, keys: KeyRing) -> None:
        self.keys = keys

    def seal(self, plaintext: bytes, context: bytes) -> str:
        return encode(self.keys.seal(plaintext, context))

    def open(self, token: str, context: bytes) -> bytes:
        return self.keys.open(decode(token), context)


@dataclass(slots=True)
class RunInputsReport:
    resealed: int = 0
    """Runs whose inputs were sealed again with the current key."""
    unreadable: list[str] = field(default_factory=list)
    """Runs with a token that does not open (unknown key, tampered)."""
    tokens_by_key: dict[str, int] = field(default_factory=dict)
    """Sealed inputs per key id, after re-sealing."""


async def reseal_run_inputs(repo: SealedInputsRepo, keys: KeyRing) -> RunInputsReport:
    """Seal every run's secret inputs with ``keys``' current key (see the module docstring).

    Safe to interrupt and run again: a run is rewritten only once all its tokens opened.
    """
    report = RunInputsReport()
    after = ""
    while page := await repo.page(after, BATCH):
        for graph_exec_id, user_id, inputs in page:
            after = graph_exec_id
            try:
                fresh = _resealed(keys, graph_exec_id, user_id, inputs)
            except SecretUnreadableError:
                report.unreadable.append(graph_exec_id)
                fresh = inputs
            if fresh is not inputs:
                await repo.replace(graph_exec_id, fresh)
                report.resealed += 1
            for value in fresh.values():
                if is_sealed(value):
                    key = value[SEALED].split(":", 1)[0]
                    report.tokens_by_key[key] = report.tokens_by_key.get(key, 0) + 1
    return report


def _resealed(
    keys: KeyRing, graph_exec_id: str, user_id: str, inputs: dict[str, Any]
) -> dict[str, Any]:
    """``inputs`` with every token of another key sealed again (``inputs`` itself if none)."""
    fresh: dict[str, Any] | None = None
    for name, value in inputs.items():
        if not is_sealed(value):
            continue
        sealed = decode(value[SEALED])
        if sealed.key_id == keys.current_id:
            continue
        bound = context_of(graph_exec_id, user_id, name)
        fresh = fresh if fresh is not None else dict(inputs)
        fresh[name] = {SEALED: encode(keys.seal(keys.open(sealed, bound), bound))}
    return fresh if fresh is not None else inputs
