"""Key rotation: a new current key, every credential re-sealed with it.

``blockyard keys rotate`` calls :func:`rotate`. The order makes every step safe to
interrupt: the old key is first added to the retired keys (so rows sealed with it stay
readable), then the new key becomes current (the key file is replaced atomically), then
the rows are re-sealed one by one with a compare-and-set (a token refreshed meanwhile is
not overwritten). Running it again finishes what an interrupted run left. Runs' sealed
secret inputs are re-sealed the same way (:mod:`.run_inputs`). Retired keys are dropped
only with ``drop_retired`` and only when no credential and no run input uses them any more.
"""

import base64
from dataclasses import dataclass, field
from pathlib import Path

from blockyard.integrations.credentials import CredentialsVault
from blockyard.integrations.crypto import (
    KeyRing,
    SecretUnreadableError,
    key_id,
    new_key_text,
    parse_key,
    read_retired,
    write_retired,
    write_secret_file,
)
from blockyard.integrations.run_inputs import RunInputsReport, reseal_run_inputs
from blockyard.store.credentials import CredentialRepo
from blockyard.store.executions import SealedInputsRepo
from blockyard.store.leases import LeaseRepo

BATCH = 200


@dataclass(slots=True)
class RotationReport:
    key_id: str
    key_text: str | None
    """The new key, when it must be copied into ``BLOCKYARD_ENCRYPTION_KEY`` by hand."""
    resealed: int = 0
    unreadable: list[str] = field(default_factory=list)
    rows_by_key: dict[str, int] = field(default_factory=dict)
    retired_kept: list[str] = field(default_factory=list)
    retired_dropped: list[str] = field(default_factory=list)
    run_inputs: RunInputsReport = field(default_factory=RunInputsReport)


async def rotate(
    repo: CredentialRepo,
    leases: LeaseRepo,
    data_dir: Path,
    current_text: str,
    *,
    key_file: Path | None,
    new_text: str | None = None,
    drop_retired: bool = False,
    runs: SealedInputsRepo | None = None,
) -> RotationReport:
    """Make a new key current and re-seal every row (see the module docstring).

    ``key_file`` is the generated key file when the current key lives there; with the key
    in ``BLOCKYARD_ENCRYPTION_KEY`` it is None, and the report carries the new key for the
    operator to set. With ``runs`` (the CLI always passes it), runs' sealed secret inputs
    are re-sealed too and ``drop_retired`` keeps the keys they use; without it, only the
    credentials count.
    """
    current = parse_key(current_text)
    text = new_text.strip() if new_text else new_key_text()
    new = parse_key(text)
    retired = [k for k in read_retired(data_dir) if k != new]
    if current != new and current not in retired:
        retired.append(current)
    write_retired(data_dir, retired)
    if key_file is not None:
        write_secret_file(key_file, base64.urlsafe_b64encode(new).decode("ascii") + "\n")
    ring = KeyRing(new, retired)
    vault = CredentialsVault(repo, ring, leases)
    report = RotationReport(key_id=key_id(new), key_text=None if key_file else text)
    await _reseal_all(vault, report)
    report.rows_by_key = await repo.count_by_key()
    if runs is not None:
        report.run_inputs = await reseal_run_inputs(runs, ring)
    _settle_retired(data_dir, retired, report, drop_retired)
    return report


async def _reseal_all(vault: CredentialsVault, report: RotationReport) -> None:
    """Re-seal rows in batches until none is left on another key, or no progress is made."""
    skip: set[str] = set()
    while True:
        batch = [
            c
            for c in await vault.repo.sealed_with_other_keys(report.key_id, BATCH + len(skip))
            if c.id not in skip
        ]
        if not batch:
            return
        before = (report.resealed, len(skip))
        for cred in batch:
            try:
                plain = vault.open(cred)
            except SecretUnreadableError:
                report.unreadable.append(cred.id)
                skip.add(cred.id)
                continue
            resealed = vault.seal(cred, plain)
            if await vault.repo.reseal(cred.id, cred.sealed, resealed.sealed):
                report.resealed += 1
        if (report.resealed, len(skip)) == before:
            return  # only rows changing under us: a later run re-seals them


def _settle_retired(
    data_dir: Path, retired: list[bytes], report: RotationReport, drop: bool
) -> None:
    used = report.rows_by_key.keys() | report.run_inputs.tokens_by_key.keys()
    kept = [k for k in retired if not drop or key_id(k) in used]
    report.retired_kept = [key_id(k) for k in kept]
    report.retired_dropped = [key_id(k) for k in retired if k not in kept]
    if drop:
        write_retired(data_dir, kept)
