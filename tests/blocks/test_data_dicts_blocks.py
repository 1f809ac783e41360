"""Dictionary blocks: removal, replacement, paths and merging, with their failures."""

import pytest

from blockyard.blocks import data_dicts
from blockyard.blocks.data_dicts import (
    DictionaryIsEmptyBlock,
    GetValueAtPathBlock,
    MergeBlock,
    RemoveFromDictionaryBlock,
    ReplaceDictionaryValueBlock,
    parse_path,
)
from blockyard.blocks.testing import run_block
from blockyard.errors import BlockInputError


async def test_remove_missing_key_names_the_keys_there_are() -> None:
    outputs = await run_block(RemoveFromDictionaryBlock(), {"dictionary": {"a": 1}, "key": "b"})
    assert outputs == {"error": ["The key 'b' is not in the dictionary (its keys: 'a')."]}


async def test_remove_leaves_its_input_unchanged() -> None:
    original = {"a": 1, "b": 2}
    await run_block(RemoveFromDictionaryBlock(), {"dictionary": original, "key": "a"})
    assert original == {"a": 1, "b": 2}


async def test_replace_needs_an_existing_key() -> None:
    outputs = await run_block(
        ReplaceDictionaryValueBlock(), {"dictionary": {}, "key": "x", "value": 1}
    )
    assert outputs == {"error": ["The key 'x' is not in the dictionary (its keys: none)."]}


async def test_is_empty_rejects_a_list() -> None:
    with pytest.raises(BlockInputError, match="dictionary"):
        await run_block(DictionaryIsEmptyBlock(), {"dictionary": [1]})


@pytest.mark.parametrize(
    ("path", "steps"),
    [
        ("a.b", ["a", "b"]),
        ("a[0].b", ["a", 0, "b"]),
        ("a[-1]", ["a", -1]),
        ("['x.y'][\"z\"]", ["x.y", "z"]),
        ("first name.0", ["first name", "0"]),
    ],
)
def test_paths(path: str, steps: list[str | int]) -> None:
    assert parse_path(path) == steps


@pytest.mark.parametrize("path", ["a..b", "a.", "a[", "a[x]", "", "a.[0"])
async def test_bad_paths_are_errors(path: str) -> None:
    outputs = await run_block(GetValueAtPathBlock(), {"input": {"a": 1}, "path": path})
    assert list(outputs) == ["error"]
    assert "path" in outputs["error"][0]


async def test_path_into_json_text_is_missing_not_parsed() -> None:
    outputs = await run_block(GetValueAtPathBlock(), {"input": [1, 2], "path": "[5]"})
    assert outputs == {"missing": [[1, 2]]}


async def test_merge_mixed_kinds_is_an_error() -> None:
    outputs = await run_block(MergeBlock(), {"items": [{"a": 1}, [1]]})
    assert outputs == {"error": ["Merge takes only dictionaries or only lists; item 1 is a list."]}


async def test_merge_nothing_is_an_error() -> None:
    outputs = await run_block(MergeBlock(), {"items": []})
    assert list(outputs) == ["error"]


async def test_merge_does_not_change_its_inputs() -> None:
    first = {"n": {"x": 1}}
    await run_block(MergeBlock(), {"items": [first, {"n": {"y": 2}}]})
    assert first == {"n": {"x": 1}}


async def test_merge_refuses_a_gigantic_result(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(data_dicts, "MAX_ITEMS", 10)
    outputs = await run_block(MergeBlock(), {"items": [list(range(6)), list(range(6))]})
    assert outputs == {
        "error": ["The merged result would hold more than 10 items; merge fewer or smaller values."]
    }


async def test_deep_merge_refuses_runaway_nesting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(data_dicts, "MAX_DEPTH", 3)
    deep: dict[str, object] = {"a": {"b": {"c": {"d": {}}}}}
    outputs = await run_block(MergeBlock(), {"items": [deep, deep]})
    assert outputs == {"error": ["The dictionaries are nested more than 3 levels deep."]}
