"""A node's outputs, bounded: what one node execution yields is kept to a size.

Outputs are stored with the node execution, sent live to every viewer (through Redis in
scale-out, whose subscribers are cut off past a buffer limit) and passed on to the next
nodes. A block that yields 50 MB must not take any of those down, so past
``max_bytes`` (over all of a node's output values) a value is cut: a string keeps its
start followed by a marker saying how much was dropped; anything else becomes a marker
with the start of its text form. Large data belongs in the media store, passed by
reference. The size is an estimate that stops counting at the limit, so bounding costs
almost nothing for the usual small outputs.
"""

from typing import Any

PREVIEW_CHARS = 2_000
MARKER = "\n…[truncated by Blockyard: the output was about {size:,} bytes; limit {limit:,}]"
DROPPED = "…[truncated by Blockyard: {count:,} more values dropped; limit {limit:,} bytes]"


def size_of(value: Any, budget: int) -> int:
    """The JSON size of ``value``, roughly; counting stops once it passes ``budget``."""
    if isinstance(value, str | bytes | bytearray):
        return len(value) + 2
    if isinstance(value, dict):
        total = 2
        for key, item in value.items():
            total += len(str(key)) + 4 + size_of(item, budget - total)
            if total > budget:
                return total
        return total
    if isinstance(value, list | tuple | set | frozenset):
        total = 2
        for item in value:
            total += size_of(item, budget - total) + 1
            if total > budget:
                return total
        return total
    if value is None or isinstance(value, bool | int | float):
        return 8
    return len(str(value)) + 2


def _cut(value: Any, keep: int, size: int, limit: int) -> str:
    text = value if isinstance(value, str) else _text(value)
    marker = MARKER.format(size=size, limit=limit)
    return text[: max(keep, 0)] + marker


def _text(value: Any) -> str:
    if isinstance(value, bytes | bytearray):
        return bytes(value[:PREVIEW_CHARS]).decode("utf-8", errors="replace")
    text = repr(value) if not isinstance(value, dict | list) else str(value)
    return text[:PREVIEW_CHARS]


def bounded(outputs: dict[str, list[Any]], max_bytes: int) -> dict[str, list[Any]]:
    """``outputs`` unchanged when within ``max_bytes``; otherwise a copy with big values cut
    and, once the budget is spent, the remaining values of a pin replaced by one marker."""
    if size_of(outputs, max_bytes) <= max_bytes:
        return outputs
    left = max_bytes
    result: dict[str, list[Any]] = {}
    for pin, values in outputs.items():
        kept: list[Any] = []
        for index, value in enumerate(values):
            if left <= 0:
                kept.append(DROPPED.format(count=len(values) - index, limit=max_bytes))
                break
            size = size_of(value, left)
            if size <= left:
                kept.append(value)
                left -= size
                continue
            keep = max(min(left, max_bytes // 2), PREVIEW_CHARS)
            kept.append(_cut(value, keep, size, max_bytes))
            left -= keep + len(MARKER) + 32
        result[pin] = kept
    return result
