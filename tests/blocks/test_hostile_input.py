"""Hostile input ends cleanly: a clear error on the node (or a bounded result), never a
``RecursionError``, a crash or a worker stuck for good.

The cases are the issue's: JSON nested a hundred thousand levels deep, lists of millions
of items, XML entity bombs, a CSV with one gigantic cell, plus the same tricks arriving
from a web server or a language model. Catastrophic regular expressions, templates that
reach for Python internals, redirects to private addresses and huge responses have their
tests beside the blocks concerned: :data:`COVERED_ELSEWHERE` names them, checked to exist.
"""

import json
from collections.abc import Iterator
from typing import Any

import pytest

from blockyard.blocks.ai.decision import SmartDecisionMakerBlock
from blockyard.blocks.ai.port import ToolCall
from blockyard.blocks.ai.structured import AIStructuredResponseGeneratorBlock
from blockyard.blocks.base import Block
from blockyard.blocks.basic import ReverseListOrderBlock, UniversalTypeConverterBlock
from blockyard.blocks.context import ToolInfo, ToolResult
from blockyard.blocks.data import FindInDictionaryBlock
from blockyard.blocks.data_csv import MAX_FIELD_CHARS, ReadSpreadsheetBlock
from blockyard.blocks.data_dicts import MAX_DEPTH, MAX_ITEMS
from blockyard.blocks.data_formats import (
    ParseJsonBlock,
    StringifyJsonBlock,
    TooDeepError,
    XMLParserBlock,
    load_json,
)
from blockyard.blocks.data_lists import DeduplicateListBlock, SliceListBlock, SortListBlock
from blockyard.blocks.logic import StepThroughItemsBlock
from blockyard.blocks.maths import CountItemsBlock
from blockyard.blocks.testing import make_context, run_block
from blockyard.blocks.text_html import ExtractTextFromHtmlBlock, HtmlToMarkdownBlock
from blockyard.blocks.web import FetchWebPageBlock, ReadRSSFeedBlock, SendWebRequestBlock
from tests.blocks.failure_support import ScriptedModels, missing_test
from tests.fakes.http_server import LocalHttpServer, Reply

LEVELS = 100_000
DEEP_ARRAY = "[" * LEVELS
DEEP_OBJECT = '{"a": ' * LEVELS
TOO_DEEP = f"nested more than {MAX_DEPTH} levels deep"
HUGE = 2_000_000

COVERED_ELSEWHERE = {
    "a regular expression that backtracks catastrophically": (
        "tests/blocks/test_text_blocks.py::test_catastrophic_pattern_times_out_with_a_clear_error"
    ),
    "the same in Match Text Pattern": (
        "tests/blocks/test_text_blocks.py::test_catastrophic_pattern_in_match_block_times_out"
    ),
    "a template reaching for Python internals": (
        "tests/blocks/test_template_limits.py::test_python_internals_are_refused_with_a_clear_error"
    ),
    "a template that never ends": (
        "tests/blocks/test_template_limits.py::test_endless_work_stops_at_the_deadline"
    ),
    "a redirect to a private address": (
        "tests/blocks/test_web.py::test_redirect_to_a_private_address_ends_on_the_error_pin"
    ),
    "a huge HTTP response": "tests/blocks/test_web.py::test_huge_response_is_a_clear_error",
    "a name that resolves to a private address": (
        "tests/blocks/test_net.py::test_name_resolving_to_a_private_address_is_refused"
    ),
    "code that tries to leave the sandbox": "tests/blocks/test_code.py::test_no_server_files",
    "an Excel zip bomb": (
        "tests/blocks/test_data_formats_blocks.py::test_zip_bomb_workbook_is_refused"
    ),
}


def nested_list(levels: int) -> list[Any]:
    """A list inside a list ``levels`` deep, built without recursion."""
    value: list[Any] = []
    for _ in range(levels - 1):
        value = [value]
    return value


def billion_laughs(root: str, inner: str = "&lol9;") -> str:
    """The classic entity bomb: nine levels of ten references, a billion 'lol's."""
    entities = "".join(
        f' <!ENTITY lol{n} "{("&lol" + str(n - 1) + ";") * 10}">\n' for n in range(2, 10)
    )
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE {root} [\n <!ENTITY lol1 "lol">\n{entities}]>\n' + inner
    )


async def error_of(block: Block, inputs: dict[str, Any], **context: Any) -> str:
    """The one thing the block yields: an error (anything else fails the test)."""
    outputs = await run_block(block, inputs, make_context(**context))
    assert list(outputs) == ["error"], outputs
    return str(outputs["error"][0])


@pytest.mark.parametrize("where", sorted(set(COVERED_ELSEWHERE.values())))
def test_hostile_cases_tested_elsewhere_exist(where: str) -> None:
    assert missing_test(where) is None, missing_test(where)


# Deeply nested JSON


def test_the_json_reader_bounds_depth_without_recursion_errors() -> None:
    at_limit = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert load_json(at_limit) == nested_list(MAX_DEPTH)
    for text in ("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), DEEP_ARRAY, DEEP_OBJECT):
        with pytest.raises(TooDeepError, match=TOO_DEEP):
            load_json(text)
    with pytest.raises(json.JSONDecodeError):
        load_json("[1, 2")


@pytest.mark.parametrize(
    ("block", "inputs"),
    [
        pytest.param(ParseJsonBlock(), {"text": DEEP_ARRAY}, id="parse-array"),
        pytest.param(ParseJsonBlock(), {"text": DEEP_OBJECT}, id="parse-object"),
        pytest.param(
            UniversalTypeConverterBlock(), {"value": DEEP_ARRAY, "type": "list"}, id="to-list"
        ),
        pytest.param(
            UniversalTypeConverterBlock(),
            {"value": DEEP_OBJECT, "type": "dictionary"},
            id="to-dictionary",
        ),
        pytest.param(StepThroughItemsBlock(), {"items_str": DEEP_ARRAY}, id="step-array"),
        pytest.param(StepThroughItemsBlock(), {"items_str": DEEP_OBJECT}, id="step-object"),
        pytest.param(FindInDictionaryBlock(), {"input": DEEP_ARRAY, "key": 0}, id="find-array"),
        pytest.param(FindInDictionaryBlock(), {"input": DEEP_OBJECT, "key": "a"}, id="find-object"),
    ],
)
async def test_deeply_nested_json_text_is_a_clear_error(
    block: Block, inputs: dict[str, Any]
) -> None:
    assert TOO_DEEP in await error_of(block, inputs)


async def test_deeply_nested_data_cannot_be_written_as_json() -> None:
    message = await error_of(StringifyJsonBlock(), {"data": nested_list(LEVELS)})
    assert TOO_DEEP in message


async def test_deeply_nested_xml_is_a_clear_error() -> None:
    message = await error_of(XMLParserBlock(), {"input_xml": "<a>" * LEVELS + "</a>" * LEVELS})
    assert message == f"The XML is nested more than {MAX_DEPTH} levels deep."


# Huge lists: sorting and deduplicating are bounded; counting and slicing just work.


@pytest.fixture(scope="module")
def huge_list() -> list[int]:
    return list(range(HUGE, 0, -1))


@pytest.mark.parametrize(
    ("block", "doing"), [(SortListBlock(), "sorting"), (DeduplicateListBlock(), "deduplicating")]
)
async def test_sorting_or_deduplicating_millions_is_refused_up_front(
    block: Block, doing: str, huge_list: list[int]
) -> None:
    message = await error_of(block, {"list": huge_list})
    assert message == f"The list has {HUGE:,} items; {doing} is limited to {MAX_ITEMS:,}."


async def test_counting_slicing_and_reversing_millions_complete(huge_list: list[int]) -> None:
    assert await run_block(CountItemsBlock(), {"collection": huge_list}) == {"count": [HUGE]}
    sliced = await run_block(SliceListBlock(), {"list": huge_list, "start": -3})
    assert sliced == {"sliced_list": [[3, 2, 1]]}
    reversed_list = await run_block(ReverseListOrderBlock(), {"input_list": huge_list})
    assert reversed_list["reversed_list"][0][:2] == [1, 2]


# Entity bombs and gigantic cells


@pytest.mark.parametrize(
    "xml",
    [
        billion_laughs("lolz", "<lolz>&lol9;</lolz>"),
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>',
        '<!DOCTYPE r [<!ENTITY % p SYSTEM "http://169.254.169.254/">%p;]><r/>',
    ],
    ids=["billion-laughs", "external-file", "parameter-entity"],
)
async def test_xml_entity_tricks_are_refused(xml: str) -> None:
    message = await error_of(XMLParserBlock(), {"input_xml": xml})
    assert message.startswith("The XML declares a DTD or entities")


async def test_an_undeclared_entity_is_not_well_formed_xml() -> None:
    message = await error_of(XMLParserBlock(), {"input_xml": "<r>&lol9;</r>"})
    assert message.startswith("The XML is not well formed: undefined entity")


async def test_a_gigantic_csv_cell_is_a_clear_error() -> None:
    contents = 'name,notes\nAnn,"' + "x" * (MAX_FIELD_CHARS + 1) + '"\n'
    message = await error_of(ReadSpreadsheetBlock(), {"contents": contents})
    assert message == f"Cannot read the table: field larger than field limit ({MAX_FIELD_CHARS})"


async def test_a_large_csv_cell_within_the_limit_is_read_whole() -> None:
    cell = "x" * (MAX_FIELD_CHARS // 2)
    outputs = await run_block(ReadSpreadsheetBlock(), {"contents": f'notes\n"{cell}"\n'})
    assert outputs == {"rows": [[{"notes": cell}]]}


# HTML that would make a renderer's work explode


@pytest.mark.parametrize("block", [HtmlToMarkdownBlock(), ExtractTextFromHtmlBlock()])
async def test_nested_tables_render_each_level_once(block: Block) -> None:
    """Forty tables inside each other: each table renders its own rows, not its nested
    tables' rows again (2^40 cells before the fix; the test would time out)."""
    html = "<table><tr><td>" * 40 + "otters" + "</td></tr></table>" * 40
    outputs = await run_block(block, {"html": html, "main_content_only": False})
    text = outputs["markdown" if "markdown" in outputs else "text"][0]
    assert text.count("otters") == 1


# The same tricks from a web server


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalHttpServer]:
    monkeypatch.setenv("BLOCKYARD_OUTBOUND_ALLOW", "127.0.0.1")
    with LocalHttpServer() as srv:
        yield srv


async def test_a_deeply_nested_json_response_is_a_clear_error(server: LocalHttpServer) -> None:
    server.route("/deep", Reply(200, DEEP_ARRAY.encode(), {"Content-Type": "application/json"}))
    url = server.url("/deep")
    message = await error_of(SendWebRequestBlock(), {"url": url, "method": "GET"})
    assert message == (
        f"The response from {url} is JSON nested more than {MAX_DEPTH} levels deep; turn off "
        "'JSON format' to receive it as text"
    )
    as_text = await run_block(
        SendWebRequestBlock(), {"url": url, "method": "GET", "json_format": False}
    )
    assert as_text["response"] == [DEEP_ARRAY]


async def test_a_deeply_nested_json_request_body_is_sent_as_written(
    server: LocalHttpServer,
) -> None:
    server.route("/echo", Reply(200, b"{}", {"Content-Type": "application/json"}))
    outputs = await run_block(
        SendWebRequestBlock(), {"url": server.url("/echo"), "body": DEEP_ARRAY}
    )
    assert outputs["status"] == [200]
    assert server.received[0].body == DEEP_ARRAY.encode()


async def test_a_deeply_nested_page_is_a_clear_error(server: LocalHttpServer) -> None:
    page = b"<html><body>" + b"<div>" * 5_000 + b"otters"
    server.route("/page", Reply(200, page, {"Content-Type": "text/html"}))
    url = server.url("/page")
    message = await error_of(FetchWebPageBlock(), {"url": url})
    assert message.startswith(f"Cannot read the page at {url}: its elements are nested too")


async def test_an_entity_bomb_in_a_feed_is_not_expanded(server: LocalHttpServer) -> None:
    feed = billion_laughs(
        "rss",
        '<rss version="2.0"><channel><title>N</title><item><title>&lol9;</title>'
        "<link>https://news.test/1</link></item></channel></rss>",
    )
    server.route("/feed", Reply(200, feed.encode(), {"Content-Type": "application/rss+xml"}))
    outputs = await run_block(
        ReadRSSFeedBlock(), {"rss_url": server.url("/feed"), "time_period": 0}
    )
    entries = outputs.get("entries", [[]])[0]
    assert "error" in outputs or all(len(entry["title"]) < 100 for entry in entries), outputs


# The same tricks from a language model


async def test_a_deeply_nested_model_answer_is_a_clear_error() -> None:
    inputs = {"prompt": "Rate it", "expected_format": {"score": "1 to 5"}, "retry": 1}
    message = await error_of(
        AIStructuredResponseGeneratorBlock(), inputs, llm=ScriptedModels(DEEP_ARRAY)
    )
    assert message == (
        "The model gave no valid answer in 1 attempts; the last problem: the answer's JSON "
        f"is nested more than {MAX_DEPTH} levels deep"
    )


class OneTool:
    """A tool runner offering one tool that must never be called."""

    def list_tools(self) -> list[ToolInfo]:
        return [ToolInfo("node-1", "lookup", "Looks things up.", {"type": "object"})]

    async def call_tool(self, node_id: str, arguments: dict[str, Any]) -> ToolResult:
        raise AssertionError("a call with unreadable arguments must not run")


async def test_deeply_nested_tool_arguments_go_back_to_the_model_as_a_problem() -> None:
    model = ScriptedModels(tool_calls=(ToolCall("call-1", "lookup", DEEP_ARRAY),))
    inputs = {"prompt": "Look it up", "retry": 1}
    message = await error_of(SmartDecisionMakerBlock(), inputs, llm=model, tools=OneTool())
    assert message == "The model made no valid tool call in 1 attempts"
