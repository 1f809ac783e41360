"""List blocks: removal, replacement, joining, slicing, sorting, deduplication."""

from typing import Any

import pytest

from blockyard.blocks import data_lists
from blockyard.blocks.data_lists import (
    ConcatenateListsBlock,
    DeduplicateListBlock,
    ListIsEmptyBlock,
    RemoveFromListBlock,
    ReplaceListItemBlock,
    SliceListBlock,
    SortListBlock,
)
from blockyard.blocks.testing import run_block
from blockyard.errors import BlockInputError


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ({"list": [1], "index": 3}, "Index 3 is out of range for a list of 1 item(s)."),
        ({"list": [1], "value": 2}, "The value 2 is not in the list."),
        ({"list": [1]}, "Give the value or the index of the item to remove."),
    ],
)
async def test_remove_failures(inputs: dict[str, Any], message: str) -> None:
    assert await run_block(RemoveFromListBlock(), inputs) == {"error": [message]}


async def test_replace_out_of_range() -> None:
    outputs = await run_block(ReplaceListItemBlock(), {"list": [], "index": 0, "value": 1})
    assert outputs == {"error": ["Index 0 is out of range for a list of 0 item(s)."]}


async def test_replace_leaves_its_input_unchanged() -> None:
    original = [1, 2]
    await run_block(ReplaceListItemBlock(), {"list": original, "index": 0, "value": 9})
    assert original == [1, 2]


async def test_list_is_empty_rejects_a_number() -> None:
    with pytest.raises(BlockInputError, match="list"):
        await run_block(ListIsEmptyBlock(), {"list": 5})


async def test_concatenate_rejects_a_non_list_item() -> None:
    with pytest.raises(BlockInputError, match=r"lists\.1"):
        await run_block(ConcatenateListsBlock(), {"lists": [[1], 2]})


async def test_concatenate_refuses_a_huge_result(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(data_lists, "MAX_ITEMS", 3)
    outputs = await run_block(ConcatenateListsBlock(), {"lists": [[1, 2], [3, 4]]})
    assert outputs == {"error": ["The joined list would hold 4 items; the limit is 3."]}


async def test_slice_step_zero_is_an_error() -> None:
    outputs = await run_block(SliceListBlock(), {"list": [1, 2], "step": 0})
    assert outputs == {"error": ["The step cannot be 0; use 1 to take every item."]}


async def test_slice_backwards() -> None:
    outputs = await run_block(SliceListBlock(), {"list": [1, 2, 3], "step": -1})
    assert outputs == {"sliced_list": [[3, 2, 1]]}


async def test_sort_mixed_kinds_is_a_clear_error() -> None:
    outputs = await run_block(SortListBlock(), {"list": [3, "a", 1]})
    assert outputs == {
        "error": [
            "The values cannot be compared with each other (int, str); sort by a key that "
            "holds one kind of value, or convert them first."
        ]
    }


async def test_sort_by_path_reversed_keeps_missing_last() -> None:
    items = [{"u": {"age": 3}}, {"u": {}}, {"u": {"age": 9}}, {"u": {"age": None}}]
    outputs = await run_block(SortListBlock(), {"list": items, "key": "u.age", "reverse": True})
    assert outputs == {
        "sorted_list": [[{"u": {"age": 9}}, {"u": {"age": 3}}, {"u": {}}, {"u": {"age": None}}]]
    }


async def test_sort_with_a_bad_key_path() -> None:
    outputs = await run_block(SortListBlock(), {"list": [{"a": 1}], "key": "a..b"})
    assert list(outputs) == ["error"]


async def test_sort_a_large_list() -> None:
    items = list(range(200_000, 0, -1))
    outputs = await run_block(SortListBlock(), {"list": items})
    assert outputs["sorted_list"][0][:3] == [1, 2, 3]


async def test_deduplicate_tells_types_apart_and_ignores_key_order() -> None:
    outputs = await run_block(DeduplicateListBlock(), {"list": [1, 1.0, True, "1", None, None]})
    assert outputs == {"unique_list": [[1, 1.0, True, "1", None]], "removed_count": [1]}


async def test_deduplicate_refuses_items_nested_too_deeply() -> None:
    deep: Any = []
    for _ in range(5000):
        deep = [deep]
    outputs = await run_block(DeduplicateListBlock(), {"list": [deep]})
    assert outputs == {"error": ["An item is nested too deeply to compare."]}
