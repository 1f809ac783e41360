"""Every block has a tested failure path: bad input ends on the node's error pin, readably.

:data:`FAILURES` lists, per block, bad inputs and a phrase the error must contain. Each runs
through the real block with the harness (``run_block``) and through the engine's own
``run_node``: an input that does not fit the block's schema is a ``BlockInputError``, which
the engine puts on the error pin as it is; anything else the block must yield on
``error`` itself. Any other exception escaping a block fails here, since the builder
would then read a Python class name instead of a reason.

The completeness test holds every registered block to one of three things: cases in
:data:`FAILURES`; a failure test next to the service it needs, named in
:data:`COVERED_ELSEWHERE` (and checked to exist, so the pointer cannot rot); or a place in
:data:`NO_FAILURE_PATH`, with the reason no input can be wrong. Exemptions stay rare.
"""

import re
from collections.abc import Callable
from typing import Any, NamedTuple

import pytest
from pydantic import SecretStr

from blockyard.blocks.agent import AgentExecutorBlock
from blockyard.blocks.ai.decision import SmartDecisionMakerBlock
from blockyard.blocks.ai.knowledge import (
    AIEmbeddingsBlock,
    KnowledgeBaseAddBlock,
    KnowledgeBaseSearchBlock,
)
from blockyard.blocks.ai.llm import AIConversationBlock, AIListGeneratorBlock, AITextGeneratorBlock
from blockyard.blocks.ai.mcp_tool import MCPToolBlock
from blockyard.blocks.ai.port import MemoryKnowledgeStore
from blockyard.blocks.ai.structured import AIStructuredResponseGeneratorBlock
from blockyard.blocks.ai.summarizer import AITextSummarizerBlock
from blockyard.blocks.base import ERROR_PIN, Block
from blockyard.blocks.basic import (
    NoteBlock,
    PrintToConsoleBlock,
    ReverseListOrderBlock,
    StoreValueBlock,
    UniversalTypeConverterBlock,
)
from blockyard.blocks.code import ExecutePythonCodeBlock
from blockyard.blocks.context import BlockContext
from blockyard.blocks.credentials import APIKeyCredentials
from blockyard.blocks.data import (
    AddToDictionaryBlock,
    AddToListBlock,
    CreateDictionaryBlock,
    CreateListBlock,
    FindInDictionaryBlock,
    FindInListBlock,
    GetListItemBlock,
)
from blockyard.blocks.data_csv import ReadSpreadsheetBlock, WriteCsvBlock
from blockyard.blocks.data_dicts import (
    DictionaryIsEmptyBlock,
    GetValueAtPathBlock,
    MergeBlock,
    RemoveFromDictionaryBlock,
    ReplaceDictionaryValueBlock,
)
from blockyard.blocks.data_formats import ParseJsonBlock, StringifyJsonBlock, XMLParserBlock
from blockyard.blocks.data_lists import (
    ConcatenateListsBlock,
    DeduplicateListBlock,
    ListIsEmptyBlock,
    RemoveFromListBlock,
    ReplaceListItemBlock,
    SliceListBlock,
    SortListBlock,
)
from blockyard.blocks.email import ReadEmailBlock, SendEmailBlock
from blockyard.blocks.files import AgentFileInputBlock, FileReadBlock, FileStoreBlock
from blockyard.blocks.io import (
    AgentDateInputBlock,
    AgentDictionaryInputBlock,
    AgentDropdownInputBlock,
    AgentInputBlock,
    AgentListInputBlock,
    AgentLongTextInputBlock,
    AgentNumberInputBlock,
    AgentOutputBlock,
    AgentShortTextInputBlock,
    AgentTableInputBlock,
    AgentTimeInputBlock,
    AgentToggleInputBlock,
)
from blockyard.blocks.logic import ConditionBlock, IfInputMatchesBlock, StepThroughItemsBlock
from blockyard.blocks.logic_flow import ErrorHandlerBlock, GateBlock, SwitchBlock
from blockyard.blocks.maths import CalculatorBlock, CountItemsBlock, RandomNumberBlock
from blockyard.blocks.registry import load_registry
from blockyard.blocks.testing import make_context, run_block
from blockyard.blocks.text import (
    CombineTextsBlock,
    ExtractTextInformationBlock,
    FillTextTemplateBlock,
    MatchTextPatternBlock,
    TextReplaceBlock,
    TextSplitBlock,
    WordCharacterCountBlock,
)
from blockyard.blocks.text_html import (
    MAX_HTML_CHARS,
    ExtractTextFromHtmlBlock,
    HtmlToMarkdownBlock,
    MarkdownToHtmlBlock,
)
from blockyard.blocks.text_tools import TextCaseBlock, TextDecoderBlock, TrimTextBlock
from blockyard.blocks.time import (
    CountdownTimerBlock,
    GetCurrentDateAndTimeBlock,
    GetCurrentDateBlock,
    GetCurrentTimeBlock,
    WaitBlock,
)
from blockyard.blocks.time_calc import AddDurationBlock, DateDifferenceBlock
from blockyard.blocks.web import (
    BLOCKED_EXAMPLE,
    DownloadFileBlock,
    FetchWebPageBlock,
    ReadRSSFeedBlock,
    SendAuthenticatedWebRequestBlock,
    SendWebRequestBlock,
)
from blockyard.engine.node import prepare_inputs, run_node
from blockyard.errors import BlockInputError
from blockyard.graph.model import NodePolicy
from tests.blocks.failure_support import ScriptedModels, missing_test

REGISTRY = load_registry(entry_point_packages=False)


def with_model(answer: str = "", **fields: Any) -> Callable[[], BlockContext]:
    """A context factory whose language model always answers ``answer``."""
    return lambda: make_context(llm=ScriptedModels(answer), **fields)


class Bad(NamedTuple):
    """One bad input, a phrase its error must contain, and the context to run it in."""

    inputs: dict[str, Any]
    says: str
    context: Callable[[], BlockContext] = make_context


TOO_MUCH_HTML = "x" * (MAX_HTML_CHARS + 1)
SERVER_PATH = "/etc/passwd"
METADATA_REFUSED = "it is a cloud metadata address"
ANTHROPIC_KEY = APIKeyCredentials(id="k", provider="anthropic", api_key=SecretStr("sk-test"))
SCOPED_TO_EXAMPLE = {"host": "api.example.com", "headers": {"X-Api-Key": "secret"}}

FAILURES: dict[type[Block], list[Bad]] = {
    # Agent inputs and outputs: a value of the wrong kind is refused by the schema.
    AgentShortTextInputBlock: [Bad({"name": "city", "value": ["Lyon"]}, "valid string")],
    AgentLongTextInputBlock: [Bad({"name": "notes", "value": {"a": 1}}, "valid string")],
    AgentNumberInputBlock: [Bad({"name": "n", "value": "many"}, "Input should be a valid number")],
    AgentToggleInputBlock: [Bad({"name": "on", "value": "maybe"}, "valid boolean")],
    AgentDropdownInputBlock: [
        Bad(
            {"name": "size", "value": "XL", "placeholder_values": ["S", "M", "L"]},
            "'XL' is not one of the options: 'S', 'M', 'L'",
        )
    ],
    AgentDateInputBlock: [Bad({"name": "day", "value": "2025-02-30"}, "valid date")],
    AgentTimeInputBlock: [Bad({"name": "at", "value": "25:61"}, "valid time")],
    AgentTableInputBlock: [Bad({"name": "people", "value": ["Ann"]}, "valid dictionary")],
    AgentListInputBlock: [Bad({"name": "topics", "value": "otters"}, "valid list")],
    AgentDictionaryInputBlock: [Bad({"name": "settings", "value": ["tone"]}, "valid dictionary")],
    AgentFileInputBlock: [Bad({"name": "doc", "value": SERVER_PATH}, "server paths are not")],
    AgentOutputBlock: [
        Bad({"name": "answer", "value": 1, "format": "{{ value }"}, "Output 'answer':")
    ],
    # Basic
    UniversalTypeConverterBlock: [
        Bad({"value": "forty-two", "type": "number"}, "'forty-two' is not a number"),
        Bad({"value": "[1, 2", "type": "list"}, "the text is not valid JSON"),
        Bad({"value": "maybe", "type": "boolean"}, "'maybe' is neither true"),
    ],
    ReverseListOrderBlock: [Bad({"input_list": "abc"}, "valid list")],
    # Text
    CombineTextsBlock: [Bad({"input": ["a", {"b": 1}]}, "input.1")],
    ExtractTextInformationBlock: [
        Bad({"text": "a1", "pattern": "(unclosed"}, "Invalid regular expression"),
        Bad({"text": "a1", "pattern": r"(\w)\d", "group": 2}, "Group 2 does not exist"),
    ],
    FillTextTemplateBlock: [
        Bad({"format": "{% if %}"}, "Template syntax error"),
        Bad({"format": "{{ ''.__class__ }}"}, "Python internals are out of reach"),
    ],
    MatchTextPatternBlock: [Bad({"text": "abc", "match": "[z-a]"}, "Invalid regular expression")],
    TextReplaceBlock: [Bad({"text": "a", "old": "", "new": "b"}, "('old') is empty")],
    TextSplitBlock: [Bad({"text": "a,b", "delimiter": ""}, "The delimiter is empty")],
    WordCharacterCountBlock: [Bad({"text": ["two", "words"]}, "valid string")],
    TextCaseBlock: [Bad({"text": "hi", "case": "shouting"}, "case: Input should be")],
    TextDecoderBlock: [Bad({"text": "\\U00110000"}, "is not a Unicode character")],
    TrimTextBlock: [Bad({"text": " hi ", "side": "middle"}, "side: Input should be")],
    MarkdownToHtmlBlock: [Bad({"markdown": TOO_MUCH_HTML}, "the limit is 10,000,000")],
    HtmlToMarkdownBlock: [Bad({"html": TOO_MUCH_HTML}, "the limit is 10,000,000")],
    ExtractTextFromHtmlBlock: [Bad({"html": TOO_MUCH_HTML}, "the limit is 10,000,000")],
    # Dictionaries and lists
    CreateDictionaryBlock: [Bad({"values": ["Alice"]}, "valid dictionary")],
    AddToDictionaryBlock: [Bad({"value": 1}, "A value was given without a key")],
    CreateListBlock: [Bad({"values": [1], "max_size": 0}, "greater than or equal to 1")],
    AddToListBlock: [Bad({"list": {"a": 1}, "entry": "x"}, "valid list")],
    FindInDictionaryBlock: [
        Bad({"input": {"a": 1}, "key": ["a"]}, "key.str: Input should be a valid string")
    ],
    FindInListBlock: [Bad({"list": "abc", "value": "a"}, "valid list")],
    GetListItemBlock: [Bad({"list": [1, 2, 3], "index": 3}, "Index 3 is out of range")],
    DictionaryIsEmptyBlock: [Bad({"dictionary": []}, "valid dictionary")],
    GetValueAtPathBlock: [Bad({"input": {}, "path": "a..b"}, "is not valid at character 2")],
    MergeBlock: [Bad({"items": [{"a": 1}, [1]]}, "only dictionaries or only lists")],
    RemoveFromDictionaryBlock: [
        Bad({"dictionary": {"a": 1}, "key": "z"}, "The key 'z' is not in the dictionary")
    ],
    ReplaceDictionaryValueBlock: [
        Bad({"dictionary": {"a": 1}, "key": "z", "value": 2}, "The key 'z' is not in")
    ],
    ConcatenateListsBlock: [Bad({"lists": [[1], "x"]}, "lists.1")],
    DeduplicateListBlock: [Bad({"list": [{"a": 1}], "key": "a..b"}, "is not valid")],
    ListIsEmptyBlock: [Bad({"list": "abc"}, "valid list")],
    RemoveFromListBlock: [
        Bad({"list": [1]}, "Give the value or the index"),
        Bad({"list": [1], "value": 2}, "The value 2 is not in the list"),
    ],
    ReplaceListItemBlock: [Bad({"list": [1], "index": 5, "value": 0}, "Index 5 is out of")],
    SliceListBlock: [Bad({"list": [1, 2], "step": 0}, "The step cannot be 0")],
    SortListBlock: [Bad({"list": [1, "a"]}, "cannot be compared")],
    # Formats
    ParseJsonBlock: [
        Bad({"text": "{'a': 1}"}, "The text is not valid JSON"),
        Bad({"text": '{"a": 1}', "json_schema": {"required": ["b"]}}, "'b' is a required"),
    ],
    StringifyJsonBlock: [
        Bad({"data": 1, "json_schema": {"type": "string"}}, "does not match the schema")
    ],
    XMLParserBlock: [Bad({"input_xml": "<a><b></a>"}, "The XML is not well formed")],
    ReadSpreadsheetBlock: [
        Bad({"contents": "a;b", "delimiter": ";;"}, "must be exactly one character"),
        Bad({}, "give the CSV text in 'contents' or a file"),
    ],
    WriteCsvBlock: [Bad({"rows": [{"a": 1}, [1]]}, "all dictionaries or all lists")],
    # Logic and flow
    ConditionBlock: [Bad({"value1": [1], "operator": ">", "value2": "a"}, "Cannot compare list")],
    StepThroughItemsBlock: [Bad({"items_str": "not json"}, "items_str is not valid JSON")],
    ErrorHandlerBlock: [Bad({"error": "  "}, "No error message arrived")],
    SwitchBlock: [Bad({"value": 1, "cases": {}}, "The switch has no cases")],
    # Maths
    CalculatorBlock: [Bad({"operation": "Divide", "a": 1, "b": 0}, "Cannot divide by zero")],
    CountItemsBlock: [Bad({"collection": 42}, "a single number, not a collection")],
    RandomNumberBlock: [Bad({"minimum": 10, "maximum": 1}, "is larger than the maximum")],
    # Time
    GetCurrentTimeBlock: [
        Bad(
            {"trigger": "go", "format_type": {"discriminator": "strftime", "timezone": "Mars/X"}},
            "unknown time zone 'Mars/X'",
        )
    ],
    GetCurrentDateBlock: [Bad({"trigger": "go", "offset": "a week"}, "not a whole number")],
    GetCurrentDateAndTimeBlock: [
        Bad(
            {"trigger": "go", "format_type": {"discriminator": "iso8601", "timezone": "Nowhere"}},
            "unknown time zone 'Nowhere'",
        )
    ],
    CountdownTimerBlock: [Bad({"seconds": "soon"}, "seconds must be a number")],
    WaitBlock: [Bad({"value": 1, "seconds": 100_000}, "longer than a day")],
    AddDurationBlock: [
        Bad({"date": "next tuesday", "amount": 1, "unit": "days"}, "is not an ISO 8601 date")
    ],
    DateDifferenceBlock: [
        Bad({"start": "2025-01-01", "end": "soon", "unit": "days"}, "is not an ISO 8601 date")
    ],
    # Agents, files, the web and e-mail: refused before any service is needed.
    AgentExecutorBlock: [
        Bad(
            {"graph_id": "g", "inputs": {}, "input_schema": {"required": ["text"]}},
            "missing required input(s): text",
        )
    ],
    FileStoreBlock: [Bad({"file_in": SERVER_PATH}, "server paths are not allowed")],
    FileReadBlock: [Bad({"file_input": SERVER_PATH}, "server paths are not allowed")],
    SendWebRequestBlock: [Bad({"url": BLOCKED_EXAMPLE, "method": "GET"}, METADATA_REFUSED)],
    SendAuthenticatedWebRequestBlock: [
        Bad(
            {"url": "https://elsewhere.example.org/", "credentials": {"id": "c"}},
            "These credentials are for api.example.com",
            lambda: make_context(credentials={"credentials": SCOPED_TO_EXAMPLE}),
        ),
        Bad({"url": "https://api.example.com/", "credentials": {"id": "c"}}, "could not be found"),
    ],
    DownloadFileBlock: [Bad({"url": BLOCKED_EXAMPLE}, METADATA_REFUSED)],
    FetchWebPageBlock: [Bad({"url": BLOCKED_EXAMPLE}, METADATA_REFUSED)],
    ReadRSSFeedBlock: [Bad({"rss_url": BLOCKED_EXAMPLE}, METADATA_REFUSED)],
    SendEmailBlock: [
        Bad(
            {"to_email": "ada at example", "subject": "Hi", "body": "Hello", "credentials": {}},
            "Invalid recipient address: 'ada at example'",
        )
    ],
    ReadEmailBlock: [Bad({"credentials": {}, "folder": 'INBOX" (x'}, "Invalid folder name")],
    # AI: bad prompts and settings are refused before a model is asked; bad answers too.
    AITextGeneratorBlock: [Bad({"prompt": "Sum up {{article}}"}, "prompt_values has no value")],
    AIConversationBlock: [Bad({"messages": []}, "The conversation is empty")],
    AIListGeneratorBlock: [
        Bad(
            {"focus": "colours", "max_retries": 1},
            "no valid list in 1 attempts: the answer is not JSON",
            with_model("Sorry, no list today."),
        )
    ],
    AIStructuredResponseGeneratorBlock: [Bad({"prompt": "Rate it"}, "Give the expected format")],
    AITextSummarizerBlock: [Bad({"text": "   "}, "There is no text to summarise")],
    SmartDecisionMakerBlock: [
        Bad({"prompt": "Weather in {{city}}?"}, "prompt_values has no value", with_model())
    ],
    AIEmbeddingsBlock: [
        Bad(
            {"texts": ["otters"]},
            "The chosen credentials are for anthropic",
            with_model(credentials={"credentials": ANTHROPIC_KEY}),
        )
    ],
    KnowledgeBaseAddBlock: [Bad({"knowledge_base": "notes"}, "Give the document")],
    KnowledgeBaseSearchBlock: [
        Bad(
            {"knowledge_base": "notes", "query": "otters"},
            "There is no knowledge base named 'notes'",
            with_model(knowledge=MemoryKnowledgeStore()),
        )
    ],
    MCPToolBlock: [
        Bad({"server_url": "https://a.example", "stdio_server": "files"}, "not both"),
    ],
}

COVERED_ELSEWHERE: dict[str, str] = {
    ExecutePythonCodeBlock.id: (
        "tests/blocks/test_code.py::test_syntax_and_runtime_errors_name_the_line"
    ),
}
"""Blocks whose failures need a service (here the code sandbox): the test that shows one."""

NO_FAILURE_PATH: dict[str, str] = {
    NoteBlock.id: "a note on the canvas: the engine never runs it",
    StoreValueBlock.id: "holds and sends on any value; every value is valid",
    PrintToConsoleBlock.id: "logs any value and passes it on; every value is valid",
    AgentInputBlock.id: "the untyped agent input: every value is valid (typed ones are above)",
    IfInputMatchesBlock.id: "compares any two values; every pair either matches or does not",
    GateBlock.id: "lets any value through on any signal; a false one routes to 'blocked'",
}
"""Blocks for which no input is wrong, each with why."""

_EXCEPTION_NAME = re.compile(r"^[A-Z]\w*(Error|Exception)\b")
CASES = [
    pytest.param(cls, bad, id=f"{cls.__name__}-{index}")
    for cls, bads in FAILURES.items()
    for index, bad in enumerate(bads)
]


async def failure_message(block: Block, bad: Bad) -> str:
    """The error the harness sees; an exception other than a schema misfit propagates."""
    try:
        outputs = await run_block(block, bad.inputs, bad.context())
    except BlockInputError as exc:
        return exc.message
    assert ERROR_PIN in outputs, f"{block.name()} accepted {bad.inputs!r}: {outputs!r}"
    return str(outputs[ERROR_PIN][0])


@pytest.mark.parametrize(("cls", "bad"), CASES)
async def test_bad_input_ends_on_the_error_pin(cls: type[Block], bad: Bad) -> None:
    block = REGISTRY.get(cls.id)
    message = await failure_message(block, bad)
    assert bad.says in message
    assert "Traceback" not in message and not _EXCEPTION_NAME.match(message), message

    outcome = await run_node(
        block, prepare_inputs({}, bad.inputs, None), bad.context(), NodePolicy()
    )
    assert outcome.error == message, "the node shows another message than the block gave"
    assert outcome.outputs[ERROR_PIN] == [message]


def test_every_block_has_a_failure_path_or_says_why_not() -> None:
    tested = {cls.id for cls in FAILURES}
    registered = {block.id for block in REGISTRY}
    missing = sorted(
        block.name()
        for block in REGISTRY
        if block.id not in tested | set(COVERED_ELSEWHERE) | set(NO_FAILURE_PATH)
    )
    assert not missing, f"blocks without a failure test or a reason: {missing}"
    listed = [tested, set(COVERED_ELSEWHERE), set(NO_FAILURE_PATH)]
    assert not set.union(*listed) - registered, "entries for blocks that are not registered"
    assert sum(len(ids) for ids in listed) == len(set.union(*listed)), "a block is listed twice"
    assert all(FAILURES.values()), "a block in FAILURES needs at least one case"
    assert all(reason.strip() for reason in NO_FAILURE_PATH.values())
    assert len(NO_FAILURE_PATH) <= len(registered) // 10, "exemptions are meant to be rare"


@pytest.mark.parametrize("where", sorted(set(COVERED_ELSEWHERE.values())))
def test_tests_covering_elsewhere_exist(where: str) -> None:
    assert missing_test(where) is None, missing_test(where)
