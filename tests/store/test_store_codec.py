"""The JSON codec every JSON column goes through."""

import datetime
import uuid
from typing import Any

import pytest
from pydantic import BaseModel

from blockyard.store import codec

ROUND_TRIPS: list[Any] = [
    {"text": "héllo wörld ✓ 日本語 עברית 🚀👩‍👩‍👧", "empty": "", "ws": " \t\n"},
    {"nested": {"deep": [1, [2, [3, {"x": None}]]], "flags": [True, False]}},
    [0, -1, 2**63 - 1, -(2**63), 2**64 - 1, 0.1, -2.5, 1e-7, 3.141592653589793],
    "a \\u0000 that is text, not a NUL",
    {"quote": 'he said "hi"', "backslash": "C:\\path\\", "ctl": "\x01\x1f"},
    [],
    {},
    None,
]


@pytest.mark.parametrize("value", ROUND_TRIPS)
def test_json_values_round_trip(value: Any) -> None:
    assert codec.loads(codec.dumps(value)) == value


class Point(BaseModel):
    x: int
    when: datetime.date


def test_values_that_are_not_json_become_json() -> None:
    value = {
        "model": Point(x=1, when=datetime.date(2024, 5, 6)),
        "set": {3},
        "uuid": uuid.UUID(int=1),
        "int_keys": {1: "one"},
        "other": complex(1, 2),
    }
    assert codec.loads(codec.dumps(value)) == {
        "model": {"x": 1, "when": "2024-05-06"},
        "set": [3],
        "uuid": "00000000-0000-0000-0000-000000000001",
        "int_keys": {"1": "one"},
        "other": "(1+2j)",
    }


def test_what_postgresql_cannot_hold_is_made_safe() -> None:
    value = {
        "nul": "a\x00b",
        "escaped": "\\\x00",
        "big": 2**70,
        "nan": float("nan"),
        "surrogate": "x\ud800y",
    }
    assert codec.loads(codec.dumps(value)) == {
        "nul": "ab",
        "escaped": "\\",
        "big": str(2**70),
        "nan": None,
        "surrogate": "x\ufffdy",
    }


def test_engine_serializer_passes_encoded_text_through() -> None:
    encoded = codec.dumps({"a": [1]})
    assert codec.engine_serializer(encoded) is encoded
    assert codec.engine_serializer("plain") == '"plain"'
    assert codec.engine_serializer({"b": 2}) == '{"b":2}'
