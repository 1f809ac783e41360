"""Dynamic pins: addressing parts of a value in a pin name (AutoGPT's format).

``name_#_key`` is a dictionary entry, ``name_$_index`` a list item and ``name_@_attr`` an
object attribute; they chain (``values_#_a_$_0``). On the sink side the pieces that arrive
separately are merged into ``name`` before the block runs; on the source side a link whose
``source_name`` reaches into an output selects that sub-value.
"""

import re
from typing import Any

DICT_SEP = "_#_"
LIST_SEP = "_$_"
ATTR_SEP = "_@_"
_SPLIT = re.compile(r"(_#_|_\$_|_@_)")
_MISSING = object()


def base_name(pin: str) -> str:
    """The schema field a (possibly dynamic) pin name belongs to."""
    return _SPLIT.split(pin, maxsplit=1)[0]


def is_dynamic(pin: str) -> bool:
    return DICT_SEP in pin or LIST_SEP in pin or ATTR_SEP in pin


def _steps(pin: str) -> tuple[str, list[tuple[str, str]]]:
    parts = _SPLIT.split(pin)
    return parts[0], list(zip(parts[1::2], parts[2::2], strict=True))


def _child(container: Any, sep: str, key: str) -> Any:
    if sep == DICT_SEP:
        return container.get(key, _MISSING) if isinstance(container, dict) else _MISSING
    if sep == LIST_SEP:
        if not isinstance(container, list | tuple) or not key.lstrip("-").isdigit():
            return _MISSING
        idx = int(key)
        return container[idx] if -len(container) <= idx < len(container) else _MISSING
    if isinstance(container, dict):
        return container.get(key, _MISSING)
    return getattr(container, key, _MISSING)


def select(output_name: str, value: Any, selector: str) -> tuple[bool, Any]:
    """Source side: does ``selector`` (a link's ``source_name``) take this output, and what?

    Returns ``(False, None)`` when the link does not carry this output or the path misses.
    """
    if selector == output_name:
        return True, value
    if not selector.startswith(output_name) or not is_dynamic(selector):
        return False, None
    root, steps = _steps(selector)
    if root != output_name:
        return False, None
    for sep, key in steps:
        value = _child(value, sep, key)
        if value is _MISSING:
            return False, None
    return True, value


def _empty_for(sep: str) -> Any:
    return [] if sep == LIST_SEP else {}


def _put(container: Any, sep: str, key: str, value: Any) -> Any:
    """Set ``key`` in ``container`` (made anew if it is the wrong kind) and return it."""
    if sep == LIST_SEP:
        if not isinstance(container, list):
            container = []
        idx = int(key) if key.isdigit() else len(container)
        while len(container) <= idx:
            container.append(None)
        container[idx] = value
        return container
    if not isinstance(container, dict):
        container = {}
    container[key] = value
    return container


def _get_existing(container: Any, sep: str, key: str) -> Any:
    found = _child(container, sep, key)
    return None if found is _MISSING else found


def _assign(root: Any, steps: list[tuple[str, str]], value: Any) -> Any:
    sep, key = steps[0]
    if len(steps) == 1:
        return _put(root, sep, key, value)
    inner = _get_existing(root, sep, key) if isinstance(root, dict | list) else None
    nxt = steps[1][0]
    if inner is None:
        inner = _empty_for(nxt)
    return _put(root, sep, key, _assign(inner, steps[1:], value))


def merge_dynamic(data: dict[str, Any]) -> dict[str, Any]:
    """Sink side: fold every ``base_#_key``-style entry into ``base``; others pass through.

    Entries are applied in sorted order so ``items_$_2`` lands after ``items_$_10`` only
    by index, never by arrival. Plain values of ``base`` form the starting container.
    """
    dynamic = sorted((k for k in data if is_dynamic(k)), key=_sort_key)
    if not dynamic:
        return data
    merged = {k: v for k, v in data.items() if not is_dynamic(k)}
    for pin in dynamic:
        root, steps = _steps(pin)
        start = merged.get(root)
        start = _copy_container(start, steps[0][0])
        merged[root] = _assign(start, steps, data[pin])
    return merged


def _copy_container(value: Any, sep: str) -> Any:
    if isinstance(value, dict) and sep != LIST_SEP:
        return dict(value)
    if isinstance(value, list) and sep == LIST_SEP:
        return list(value)
    return _empty_for(sep)


def _sort_key(pin: str) -> tuple[Any, ...]:
    root, steps = _steps(pin)
    return (root, *[(sep, int(k) if k.isdigit() else 0, k) for sep, k in steps])
