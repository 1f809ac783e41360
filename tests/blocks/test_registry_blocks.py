"""Every built-in block runs its own examples, describes itself, and keeps AutoGPT's ids."""

import importlib
import json
import uuid
from typing import Any

import pytest

from blockyard.blocks.base import Block, BlockType
from blockyard.blocks.registry import BUILTIN_MODULES, blocks_in_module, load_registry
from blockyard.blocks.testing import check_examples

# Families split into sibling modules; loaded here even before registry.py lists them, so
# their blocks are tested either way (loading a module twice registers nothing new).
SIBLING_MODULES = (
    "blockyard.blocks.text_tools",
    "blockyard.blocks.text_html",
    "blockyard.blocks.data_dicts",
    "blockyard.blocks.data_lists",
    "blockyard.blocks.data_formats",
    "blockyard.blocks.data_csv",
    "blockyard.blocks.logic_flow",
    "blockyard.blocks.time_calc",
)
ALL_MODULES = (*BUILTIN_MODULES, *(m for m in SIBLING_MODULES if m not in BUILTIN_MODULES))
REGISTRY = load_registry(ALL_MODULES, entry_point_packages=False)
BLOCKS = sorted(REGISTRY, key=lambda b: b.name())

# AutoGPT's block ids and pin names (compat notes 3.5): an exported agent depends on them.
INPUT_PINS = {"name", "value", "title", "description", "placeholder_values", "advanced", "secret"}
AUTOGPT_BLOCKS: dict[str, tuple[str, set[str], set[str]]] = {
    "AgentInputBlock": ("c0a8e994-ebf1-4a9c-a4d8-89d09c86741b", INPUT_PINS, {"result"}),
    "AgentShortTextInputBlock": ("7fcd3bcb-8e1b-4e69-903d-32d3d4a92158", INPUT_PINS, {"result"}),
    "AgentLongTextInputBlock": ("90a56ffb-7024-4b2b-ab50-e26c5e5ab8ba", INPUT_PINS, {"result"}),
    "AgentNumberInputBlock": ("96dae2bb-97a2-41c2-bd2f-13a3b5a8ea98", INPUT_PINS, {"result"}),
    "AgentDateInputBlock": ("7e198b09-4994-47db-8b4d-952d98241817", INPUT_PINS, {"result"}),
    "AgentTimeInputBlock": ("2a1c757e-86cf-4c7e-aacf-060dc382e434", INPUT_PINS, {"result"}),
    "AgentDropdownInputBlock": ("655d6fdf-a334-421c-b733-520549c07cd1", INPUT_PINS, {"result"}),
    "AgentToggleInputBlock": ("cbf36ab5-df4a-43b6-8a7f-f7ed8652116e", INPUT_PINS, {"result"}),
    "AgentTableInputBlock": (
        "5603b273-f41e-4020-af7d-fbc9c6a8d928",
        INPUT_PINS | {"column_headers"},
        {"result"},
    ),
    "AgentOutputBlock": (
        "363ae599-353e-4804-937e-b2ee3cef3da4",
        {"value", "name", "title", "description", "format", "escape_html", "advanced", "secret"},
        {"output", "name"},
    ),
    "StoreValueBlock": ("1ff065e9-88e8-4358-9d82-8dc91f622ba9", {"input", "data"}, {"output"}),
    "NoteBlock": ("cc10ff7b-7753-4ff2-9af6-9399b1a7eddc", {"text"}, {"output"}),
    "PrintToConsoleBlock": (
        "f3b1c1b2-4c4f-4f0d-8d2f-4c4f0d8d2f4c",
        {"text"},
        {"output", "status"},
    ),
    "UniversalTypeConverterBlock": (
        "95d1b990-ce13-4d88-9737-ba5c2070c97b",
        {"value", "type"},
        {"value"},
    ),
    "ReverseListOrderBlock": (
        "422cb708-3109-4277-bfe3-bc2ae5812777",
        {"input_list"},
        {"reversed_list"},
    ),
    "MatchTextPatternBlock": (
        "3060088f-6ed9-4928-9ba7-9c92823a7ccd",
        {"text", "match", "data", "case_sensitive", "dot_all"},
        {"positive", "negative"},
    ),
    "ExtractTextInformationBlock": (
        "3146e4fe-2cdd-4f29-bd12-0c9d5bb4deb0",
        {"text", "pattern", "group", "case_sensitive", "dot_all", "find_all"},
        {"positive", "negative", "matched_results", "matched_count"},
    ),
    "FillTextTemplateBlock": (
        "db7d8f02-2f44-4c55-ab7a-eae0941f0c30",
        {"values", "format", "escape_html"},
        {"output"},
    ),
    "CombineTextsBlock": (
        "e30a4d42-7b7d-4e6a-b36e-1f9b8e3b7d85",
        {"input", "delimiter"},
        {"output"},
    ),
    "TextSplitBlock": (
        "d5ea33c8-a575-477a-b42f-2fe3be5055ec",
        {"text", "delimiter", "strip"},
        {"texts"},
    ),
    "TextReplaceBlock": (
        "7e7c87ab-3469-4bcc-9abe-67705091b713",
        {"text", "old", "new"},
        {"output"},
    ),
    "WordCharacterCountBlock": (
        "ab2a782d-22cf-4587-8a70-55b59b3f9f90",
        {"text"},
        {"word_count", "character_count"},
    ),
    "CalculatorBlock": (
        "b1ab9b19-67a6-406d-abf5-2dba76d00c79",
        {"operation", "a", "b", "round_result"},
        {"result"},
    ),
    "CountItemsBlock": ("3c9c2f42-b0c3-435f-ba35-05f7a25c772a", {"collection"}, {"count"}),
    "ConditionBlock": (
        "715696a0-e1da-45c8-b209-c2fa9c3b0be6",
        {"value1", "operator", "value2", "yes_value", "no_value"},
        {"result", "yes_output", "no_output"},
    ),
    "IfInputMatchesBlock": (
        "6dbbc4b3-ca6c-42b6-b508-da52d23e13f2",
        {"input", "value", "yes_value", "no_value"},
        {"result", "yes_output", "no_output"},
    ),
    "StepThroughItemsBlock": (
        "f66a3543-28d3-4ab5-8945-9b336371e2ce",
        {"items", "items_object", "items_str"},
        {"item", "key"},
    ),
    "CreateDictionaryBlock": ("b924ddf4-de4f-4b56-9a85-358930dcbc91", {"values"}, {"dictionary"}),
    "AddToDictionaryBlock": (
        "31d1064e-7446-4693-a7d4-65e5ca1180d1",
        {"dictionary", "key", "value", "entries"},
        {"updated_dictionary"},
    ),
    "FindInDictionaryBlock": (
        "0e50422c-6dee-4145-83d6-3a5a392f65de",
        {"input", "key"},
        {"output", "missing"},
    ),
    "CreateListBlock": (
        "a912d5c7-6e00-4542-b2a9-8034136930e4",
        {"values", "max_size", "max_tokens"},
        {"list"},
    ),
    "AddToListBlock": (
        "aeb08fc1-2fc1-4141-bc8e-f758f183a822",
        {"list", "entry", "entries", "position"},
        {"updated_list"},
    ),
    "FindInListBlock": (
        "5e2c6d0a-1e37-489f-b1d0-8e1812b23333",
        {"list", "value"},
        {"index", "found", "not_found_value"},
    ),
    "GetListItemBlock": ("262ca24c-1025-43cf-a578-534e23234e97", {"list", "index"}, {"item"}),
    "RemoveFromDictionaryBlock": (
        "46afe2ea-c613-43f8-95ff-6692c3ef6876",
        {"dictionary", "key", "return_value"},
        {"updated_dictionary", "removed_value"},
    ),
    "ReplaceDictionaryValueBlock": (
        "27e31876-18b6-44f3-ab97-f6226d8b3889",
        {"dictionary", "key", "value"},
        {"updated_dictionary", "old_value"},
    ),
    "DictionaryIsEmptyBlock": (
        "a3cf3f64-6bb9-4cc6-9900-608a0b3359b0",
        {"dictionary"},
        {"is_empty"},
    ),
    "RemoveFromListBlock": (
        "d93c5a93-ac7e-41c1-ae5c-ef67e6e9b826",
        {"list", "value", "index", "return_item"},
        {"updated_list", "removed_item"},
    ),
    "ReplaceListItemBlock": (
        "fbf62922-bea1-4a3d-8bac-23587f810b38",
        {"list", "index", "value"},
        {"updated_list", "old_item"},
    ),
    "ListIsEmptyBlock": ("896ed73b-27d0-41be-813c-c1c1dc856c03", {"list"}, {"is_empty"}),
    "ConcatenateListsBlock": (
        "3cf9298b-5817-4141-9d80-7c2cc5199c8e",
        {"lists"},
        {"concatenated_list"},
    ),
    "TextDecoderBlock": ("2570e8fe-8447-43ed-84c7-70d657923231", {"text"}, {"decoded_text"}),
    "XMLParserBlock": ("286380af-9529-4b55-8be0-1d7c854abdb5", {"input_xml"}, {"parsed_xml"}),
    "ReadSpreadsheetBlock": (
        "acf7625e-d2cb-4941-bfeb-2819fc6fc015",
        {"contents", "file_input", "delimiter", "quotechar", "escapechar", "has_header"}
        | {"skip_rows", "strip", "skip_columns", "produce_singular_result"},
        {"row", "rows"},
    ),
    "GetCurrentTimeBlock": (
        "a892b8d9-3e4e-4e9c-9c1e-75f8efcf1bfa",
        {"trigger", "format_type"},
        {"time"},
    ),
    "GetCurrentDateBlock": (
        "b29c1b50-5d0e-4d9f-8f9d-1b0e6fcbf0b1",
        {"trigger", "offset", "format_type"},
        {"date"},
    ),
    "GetCurrentDateAndTimeBlock": (
        "716a67b3-6760-42e7-86dc-18645c6e00fc",
        {"trigger", "format_type"},
        {"date_time"},
    ),
    "CountdownTimerBlock": (
        "d67a9c52-5e4e-11e2-bcfd-0800200c9a71",
        {"input_message", "seconds", "minutes", "hours", "days", "repeat"},
        {"output_message"},
    ),
    "AgentExecutorBlock": (
        "e189baac-8c20-45a1-94a7-55177ea42565",
        {"user_id", "graph_id", "graph_version", "agent_name", "inputs"}
        | {"input_schema", "output_schema"},
        set(),
    ),
}


@pytest.mark.parametrize("block", BLOCKS, ids=lambda b: b.name())
async def test_block_examples(block: Block) -> None:
    assert block.test_input, f"{block.name()} has no example input"
    assert block.test_output, f"{block.name()} has no expected output"
    problems = await check_examples(block)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("block", BLOCKS, ids=lambda b: b.name())
def test_block_describes_itself(block: Block) -> None:
    info = json.loads(json.dumps(block.info()))
    assert info["id"] == block.id
    assert len(block.description) > 20
    for name, prop in info["inputSchema"]["properties"].items():
        assert prop.get("description"), f"{block.name()}.{name} has no description"
    for name, prop in info["outputSchema"]["properties"].items():
        assert prop.get("description"), f"{block.name()} output {name} has no description"


def test_block_ids_are_unique_uuids() -> None:
    classes = [
        cls for name in ALL_MODULES for cls in blocks_in_module(importlib.import_module(name))
    ]
    ids = [cls.id for cls in classes]
    assert len(ids) == len(set(ids)) == len(REGISTRY)
    for block_id in ids:
        assert str(uuid.UUID(block_id)) == block_id


def test_every_builtin_module_holds_blocks() -> None:
    for name in ALL_MODULES:
        assert blocks_in_module(importlib.import_module(name)), f"{name} has no blocks"


@pytest.mark.parametrize("name", sorted(AUTOGPT_BLOCKS))
def test_autogpt_ids_and_pins(name: str) -> None:
    block_id, inputs, outputs = AUTOGPT_BLOCKS[name]
    block = REGISTRY.get(block_id)
    assert block.name() == name
    assert inputs <= block.Input.field_names()
    interface = block.block_type in (BlockType.INPUT, BlockType.OUTPUT)
    expected_outputs = outputs if interface else outputs | {"error"}
    assert block.Output.field_names() == expected_outputs


def test_interface_blocks_have_their_types() -> None:
    kinds: dict[str, Any] = {b.name(): (b.block_type, b.static_output) for b in BLOCKS}
    assert kinds["AgentInputBlock"] == (BlockType.INPUT, True)
    assert kinds["AgentDropdownInputBlock"] == (BlockType.INPUT, True)
    assert kinds["AgentOutputBlock"] == (BlockType.OUTPUT, True)
    assert kinds["StoreValueBlock"] == (BlockType.STANDARD, True)
    assert kinds["NoteBlock"] == (BlockType.NOTE, False)
    assert kinds["AgentExecutorBlock"] == (BlockType.AGENT, False)
