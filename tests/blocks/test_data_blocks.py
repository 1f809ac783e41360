"""Dictionary and list blocks: lookups, chunks and their failures."""

from types import SimpleNamespace

import pytest

from blockyard.blocks.data import (
    AddToDictionaryBlock,
    AddToListBlock,
    CreateListBlock,
    FindInDictionaryBlock,
    GetListItemBlock,
)
from blockyard.blocks.testing import run_block
from blockyard.errors import BlockInputError


async def test_get_list_item_out_of_range() -> None:
    outputs = await run_block(GetListItemBlock(), {"list": [1, 2], "index": 5})
    assert outputs == {"error": ["Index 5 is out of range for a list of 2 item(s)."]}


async def test_value_without_key_is_an_error() -> None:
    outputs = await run_block(AddToDictionaryBlock(), {"value": 1})
    assert outputs == {"error": ["A value was given without a key to store it under."]}


async def test_find_in_object_attributes_but_not_private_ones() -> None:
    obj = SimpleNamespace(colour="red", _secret="x")
    assert await run_block(FindInDictionaryBlock(), {"input": obj, "key": "colour"}) == {
        "output": ["red"]
    }
    assert await run_block(FindInDictionaryBlock(), {"input": obj, "key": "_secret"}) == {
        "missing": [obj]
    }


async def test_find_in_dictionary_with_integer_key_on_json_keys() -> None:
    outputs = await run_block(FindInDictionaryBlock(), {"input": {"1": "one"}, "key": 1})
    assert outputs == {"output": ["one"]}


async def test_create_list_in_token_sized_parts() -> None:
    outputs = await run_block(
        CreateListBlock(), {"values": ["aaaa", "bbbb", "c" * 40, "d"], "max_tokens": 4}
    )
    assert outputs == {"list": [["aaaa", "bbbb"], ["c" * 40], ["d"]]}


async def test_create_list_rejects_a_zero_size() -> None:
    with pytest.raises(BlockInputError, match="max_size"):
        await run_block(CreateListBlock(), {"values": [1], "max_size": 0})


async def test_add_to_list_leaves_its_input_unchanged() -> None:
    original = [1, 2]
    outputs = await run_block(AddToListBlock(), {"list": original, "entry": 3})
    assert outputs == {"updated_list": [[1, 2, 3]]}
    assert original == [1, 2]
