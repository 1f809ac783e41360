"""Input collection: per-pin queues of values and when a node becomes ready.

Each value sent down a link is consumed once, in order. A value arriving on a pin fills the
oldest input set of that node still missing that pin, or starts a new set. A set is
complete when every linked pin has a value (static pins fill from the last static value).
A static value also fills every waiting set that lacks it, and stays for later sets.
``input_default`` alone never triggers anything.
"""

from collections.abc import Callable
from typing import Any

from blockyard.engine.ports import NodeExecRecord
from blockyard.engine.states import ExecutionStatus

NewRecord = Callable[[str], NodeExecRecord]
"""Makes a fresh INCOMPLETE record for a node id (the caller owns ids and sequence)."""


class NodeInbox:
    """The waiting input sets of one node, oldest first, and its static values."""

    __slots__ = ("linked", "pending", "static")

    def __init__(self, linked: frozenset[str]) -> None:
        self.linked = linked
        self.pending: list[NodeExecRecord] = []
        self.static: dict[str, Any] = {}

    def is_complete(self, record: NodeExecRecord) -> bool:
        data = record.input_data
        for pin in self.linked:
            if pin not in data:
                if pin not in self.static:
                    return False
                data[pin] = self.static[pin]
        return True


class InputBook:
    """Every node's inbox for one graph execution."""

    def __init__(self, linked_pins: dict[str, frozenset[str]], new_record: NewRecord) -> None:
        self._linked = linked_pins
        self._new_record = new_record
        self._inboxes: dict[str, NodeInbox] = {}
        self.touched: list[NodeExecRecord] = []
        """Records whose collected inputs changed since the caller last cleared this list."""

    def inbox(self, node_id: str) -> NodeInbox:
        box = self._inboxes.get(node_id)
        if box is None:
            box = self._inboxes[node_id] = NodeInbox(self._linked.get(node_id, frozenset()))
        return box

    def deliver(self, node_id: str, pin: str, value: Any, is_static: bool) -> list[NodeExecRecord]:
        """Put one value on ``node_id.pin``; return the input sets it completed, in order."""
        box = self.inbox(node_id)
        if is_static:
            return self._deliver_static(box, node_id, pin, value)
        for record in box.pending:
            if pin not in record.input_data:
                record.input_data[pin] = value
                self.touched.append(record)
                return self._take_if_complete(box, record)
        record = self._new_record(node_id)
        record.input_data[pin] = value
        box.pending.append(record)
        self.touched.append(record)
        return self._take_if_complete(box, record)

    def _deliver_static(
        self, box: NodeInbox, node_id: str, pin: str, value: Any
    ) -> list[NodeExecRecord]:
        box.static[pin] = value
        waiting = [r for r in box.pending if pin not in r.input_data]
        if not waiting:
            record = self._new_record(node_id)
            box.pending.append(record)
            waiting = [record]
        for record in waiting:
            record.input_data[pin] = value
        self.touched.extend(waiting)
        done = [r for r in waiting if box.is_complete(r)]
        if done:
            taken = set(map(id, done))
            box.pending = [r for r in box.pending if id(r) not in taken]
        return done

    @staticmethod
    def _take_if_complete(box: NodeInbox, record: NodeExecRecord) -> list[NodeExecRecord]:
        if not box.is_complete(record):
            return []
        box.pending.remove(record)
        return [record]

    def remember_static(self, node_id: str, pin: str, value: Any) -> None:
        """Restore a static value after a crash without creating input sets."""
        self.inbox(node_id).static[pin] = value

    def restore_pending(self, record: NodeExecRecord) -> None:
        """Put back an INCOMPLETE record loaded from the store (in ``seq`` order)."""
        self.inbox(record.node_id).pending.append(record)

    def pending_records(self) -> list[NodeExecRecord]:
        return [r for box in self._inboxes.values() for r in box.pending]

    @staticmethod
    def is_waiting(record: NodeExecRecord) -> bool:
        return record.status == ExecutionStatus.INCOMPLETE
