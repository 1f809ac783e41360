"""JSON for the database: one encoder for every JSON column, on both dialects.

Blocks yield whatever Python values they like; the store must write all of them and read
back the same on SQLite and PostgreSQL. The rules, identical on both databases:

- JSON-native values round-trip exactly (dict key order aside: JSONB sorts keys).
- Pydantic models become their JSON-mode dict, sets become lists, anything else its ``str``.
- Integers beyond 64 bits are stored as their decimal string (orjson, which reads every
  column back, would otherwise turn them into floats). NaN and infinities become null.
- NUL characters are removed from strings: PostgreSQL's JSONB cannot hold them, and a
  commit that fails on one block's output would stall the whole engine. Lone surrogates
  (not valid UTF-8) become U+FFFD for the same reason; a value that still cannot be
  encoded is stored as its ``str``.

Hot paths encode early (:func:`dumps`) so that the engine may keep mutating its records
while the write is in flight; :class:`Encoded` marks such text so that SQLAlchemy's JSON
type passes it through instead of encoding it a second time.
"""

import re
from typing import Any

import orjson
from pydantic import BaseModel

_OPTIONS = orjson.OPT_NON_STR_KEYS
_NUL_OR_ESCAPED_BACKSLASH = re.compile(r"\\\\|\\u0000")
_SURROGATE = re.compile("[\ud800-\udfff]")
_INT64_MIN, _UINT64_MAX = -(2**63), 2**64 - 1


class Encoded(str):
    """JSON text that is already encoded; :func:`engine_serializer` passes it through."""

    __slots__ = ()


def _default(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, set | frozenset):
        return list(value)
    return str(value)


def _strip_nul(text: str) -> str:
    # Keep escaped backslashes (``\\``) intact so that a literal ``\u0000`` written by a
    # user (serialised as ``\\u0000``) survives; drop only real NUL escapes.
    return _NUL_OR_ESCAPED_BACKSLASH.sub(lambda m: m[0] if m[0] == "\\\\" else "", text)


def _fix_str(text: str) -> str:
    return _SURROGATE.sub("\ufffd", text)


def _key(key: Any) -> Any:
    if isinstance(key, str):
        return _fix_str(key)
    if isinstance(key, bool | float) or key is None:
        return key
    if isinstance(key, int) and _INT64_MIN <= key <= _UINT64_MAX:
        return key
    return str(key)


def _jsonable(value: Any) -> Any:
    """A copy orjson can encode: the slow path for big integers and lone surrogates."""
    if isinstance(value, bool | float) or value is None:
        return value
    if isinstance(value, int):
        return value if _INT64_MIN <= value <= _UINT64_MAX else str(value)
    if isinstance(value, str):
        return _fix_str(value)
    if isinstance(value, dict):
        return {_key(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(item) for item in value]
    if isinstance(value, BaseModel):
        return _jsonable(value.model_dump(mode="json"))
    return value


def dumps(value: Any) -> Encoded:
    """Encode ``value`` as JSON text following the module's rules."""
    try:
        raw = orjson.dumps(value, default=_default, option=_OPTIONS)
    except orjson.JSONEncodeError:
        try:
            raw = orjson.dumps(_jsonable(value), default=_default, option=_OPTIONS)
        except orjson.JSONEncodeError:
            raw = orjson.dumps(_fix_str(str(value)))
    text = raw.decode()
    if "\\u0000" in text:
        text = _strip_nul(text)
    return Encoded(text)


def loads(text: str | bytes) -> Any:
    if isinstance(text, Encoded):
        text = str.__str__(text)  # orjson accepts exact str only
    return orjson.loads(text)


def engine_serializer(value: Any) -> str:
    """``json_serializer`` for SQLAlchemy engines: pre-encoded text goes through as is."""
    if isinstance(value, Encoded):
        return value
    return dumps(value)
