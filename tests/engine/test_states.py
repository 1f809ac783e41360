"""The transition tables, enumerated: every allowed move passes, every other is refused."""

import itertools

import pytest

from blockyard.engine.states import (
    GRAPH_TRANSITIONS,
    NODE_TRANSITIONS,
    TERMINAL,
    ExecutionStatus,
    transition,
)
from blockyard.errors import InvalidTransitionError


@pytest.mark.parametrize("table", [NODE_TRANSITIONS, GRAPH_TRANSITIONS], ids=["node", "graph"])
def test_every_pair_follows_the_table(
    table: dict[ExecutionStatus, frozenset[ExecutionStatus]],
) -> None:
    assert set(table) == set(ExecutionStatus)
    for current, target in itertools.product(ExecutionStatus, repeat=2):
        if target in table[current]:
            assert transition(table, current, target) == target
        else:
            with pytest.raises(InvalidTransitionError):
                transition(table, current, target)


def test_terminal_states_go_nowhere() -> None:
    for status in TERMINAL:
        assert not NODE_TRANSITIONS[status]
        assert not GRAPH_TRANSITIONS[status]


def test_waiting_can_resume_and_be_stopped() -> None:
    assert ExecutionStatus.QUEUED in NODE_TRANSITIONS[ExecutionStatus.WAITING]
    assert ExecutionStatus.RUNNING in GRAPH_TRANSITIONS[ExecutionStatus.WAITING]
    assert ExecutionStatus.TERMINATED in GRAPH_TRANSITIONS[ExecutionStatus.WAITING]
