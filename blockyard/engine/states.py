"""Execution statuses and the moves between them, as data with a single writer.

``NODE_TRANSITIONS`` and ``GRAPH_TRANSITIONS`` list, for each status, where it may go;
:func:`transition` is the only way the engine changes a status and refuses anything else.
WAITING is a node (or a whole run) parked on an outside event (human input, a webhook
reply) without holding a worker; the run resumes when the event arrives.
"""

import enum

from blockyard.errors import InvalidTransitionError


class ExecutionStatus(enum.StrEnum):
    INCOMPLETE = "INCOMPLETE"
    """A node execution still collecting its inputs."""
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    WAITING = "WAITING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    TERMINATED = "TERMINATED"


S = ExecutionStatus

TERMINAL: frozenset[ExecutionStatus] = frozenset({S.COMPLETED, S.FAILED, S.TERMINATED})

NODE_TRANSITIONS: dict[ExecutionStatus, frozenset[ExecutionStatus]] = {
    S.INCOMPLETE: frozenset({S.QUEUED, S.TERMINATED, S.FAILED}),
    S.QUEUED: frozenset({S.RUNNING, S.TERMINATED, S.FAILED}),
    # RUNNING -> QUEUED: a retry after a failed attempt, or a resume after a crash.
    S.RUNNING: frozenset({S.COMPLETED, S.FAILED, S.TERMINATED, S.WAITING, S.QUEUED}),
    S.WAITING: frozenset({S.QUEUED, S.RUNNING, S.TERMINATED, S.FAILED}),
    S.COMPLETED: frozenset(),
    S.FAILED: frozenset(),
    S.TERMINATED: frozenset(),
}

GRAPH_TRANSITIONS: dict[ExecutionStatus, frozenset[ExecutionStatus]] = {
    S.INCOMPLETE: frozenset({S.QUEUED, S.TERMINATED, S.FAILED}),
    S.QUEUED: frozenset({S.RUNNING, S.TERMINATED, S.FAILED}),
    S.RUNNING: frozenset({S.COMPLETED, S.FAILED, S.TERMINATED, S.WAITING}),
    S.WAITING: frozenset({S.RUNNING, S.TERMINATED, S.FAILED}),
    S.COMPLETED: frozenset(),
    S.FAILED: frozenset(),
    S.TERMINATED: frozenset(),
}


def can_transition(
    table: dict[ExecutionStatus, frozenset[ExecutionStatus]],
    current: ExecutionStatus,
    target: ExecutionStatus,
) -> bool:
    return target in table[current]


def transition(
    table: dict[ExecutionStatus, frozenset[ExecutionStatus]],
    current: ExecutionStatus,
    target: ExecutionStatus,
    *,
    what: str = "execution",
) -> ExecutionStatus:
    """Return ``target`` if the table allows ``current -> target``; raise otherwise."""
    if target not in table[current]:
        raise InvalidTransitionError(f"{what} cannot go from {current} to {target}")
    return target
