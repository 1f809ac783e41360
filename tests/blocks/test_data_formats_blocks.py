"""JSON, XML and CSV blocks: round trips, schema checks, and hostile input."""

from typing import Any

import pytest

from blockyard.blocks import data_csv, data_formats
from blockyard.blocks.data_csv import ReadSpreadsheetBlock, WriteCsvBlock
from blockyard.blocks.data_formats import ParseJsonBlock, StringifyJsonBlock, XMLParserBlock
from blockyard.blocks.testing import make_context, run_block

PERSON_SCHEMA = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "pattern": "^[A-Z]"},
        "email": {"type": "string", "format": "email"},
        "tags": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["name"],
}


async def parse(text: str, schema: dict[str, Any] | None = None) -> dict[str, list[Any]]:
    return await run_block(ParseJsonBlock(), {"text": text, "json_schema": schema})


async def test_json_round_trip() -> None:
    data = {"name": "Åsa", "n": [1, 2.5, None, True], "nested": {"a": {}}}
    text = (await run_block(StringifyJsonBlock(), {"data": data}))["text"][0]
    assert await parse(text) == {"data": [data]}


async def test_invalid_json_says_where() -> None:
    assert await parse('{"a": 1,\n "b": }') == {
        "error": ["The text is not valid JSON: Expecting value (line 2, column 7)."]
    }


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
async def test_json_refuses_non_standard_numbers(constant: str) -> None:
    outputs = await parse(f"[{constant}]")
    assert outputs == {"error": [f"The text is not valid JSON: {constant} is not a JSON value."]}


@pytest.mark.parametrize("depth", [101, 100_000])
async def test_deeply_nested_json_is_refused(depth: int) -> None:
    outputs = await parse("[" * depth + "]" * depth)
    assert outputs == {"error": ["The data is nested more than 100 levels deep."]}


async def test_nesting_at_the_limit_is_fine() -> None:
    outputs = await parse("[" * 100 + "]" * 100)
    assert list(outputs) == ["data"]


async def test_schema_problems_are_listed_with_their_place() -> None:
    outputs = await parse('{"name": "ann", "email": "nope", "tags": [1]}', PERSON_SCHEMA)
    assert outputs == {
        "error": [
            "The data does not match the schema: email: 'nope' is not a 'email'; "
            "name: 'ann' does not match '^[A-Z]'; tags[0]: 1 is not of type 'string'."
        ]
    }


async def test_a_valid_document_passes_the_schema() -> None:
    outputs = await parse('{"name": "Ann", "email": "ann@example.com"}', PERSON_SCHEMA)
    assert outputs == {"data": [{"name": "Ann", "email": "ann@example.com"}]}


async def test_an_invalid_schema_is_reported_as_such() -> None:
    outputs = await parse("1", {"type": "integr"})
    assert list(outputs) == ["error"]
    assert outputs["error"][0].startswith("The schema itself is not valid")


async def test_schema_references_are_never_fetched() -> None:
    outputs = await parse("1", {"$ref": "http://127.0.0.1:9/schema.json"})
    assert outputs == {
        "error": ["The schema refers to 'http://127.0.0.1:9/schema.json', which is not inside it."]
    }


async def test_a_self_referencing_schema_ends() -> None:
    schema = {"$defs": {"a": {"$ref": "#/$defs/a"}}, "$ref": "#/$defs/a"}
    outputs = await parse("1", schema)
    assert outputs == {"error": ["The schema refers to itself without end."]}


async def test_a_catastrophic_schema_pattern_times_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(data_formats, "PATTERN_TIMEOUT_SECONDS", 0.05)
    text = '"' + "x" * 5000 + '"'
    outputs = await parse(text, {"pattern": "(x+x+)+y"})
    assert list(outputs) == ["error"]
    assert "backtracks catastrophically" in outputs["error"][0]


async def test_stringify_refuses_nan_and_checks_the_schema() -> None:
    outputs = await run_block(StringifyJsonBlock(), {"data": [float("nan")]})
    assert list(outputs) == ["error"]
    outputs = await run_block(StringifyJsonBlock(), {"data": {}, "json_schema": PERSON_SCHEMA})
    assert outputs == {
        "error": ["The data does not match the schema: the value: 'name' is a required property."]
    }


async def test_xml_with_entities_is_refused() -> None:
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><lolz>&lol2;</lolz>'
    )
    outputs = await run_block(XMLParserBlock(), {"input_xml": bomb})
    assert list(outputs) == ["error"]
    assert "DTD or entities" in outputs["error"][0]


async def test_xml_external_entity_is_refused() -> None:
    xxe = '<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>'
    outputs = await run_block(XMLParserBlock(), {"input_xml": xxe})
    assert list(outputs) == ["error"]


async def test_malformed_xml_is_reported() -> None:
    outputs = await run_block(XMLParserBlock(), {"input_xml": "<a><b></a>"})
    assert outputs == {"error": ["The XML is not well formed: mismatched tag (line 1)."]}


async def test_xml_repeated_top_level_tags_give_a_list() -> None:
    outputs = await run_block(XMLParserBlock(), {"input_xml": "<a>1</a><a>2</a>"})
    assert outputs == {"parsed_xml": [[{"a": "1"}, {"a": "2"}]]}


async def test_xml_keeps_cdata_and_strips_namespaces() -> None:
    xml = '<x:a xmlns:x="urn:x"><![CDATA[1 < 2 & 3]]></x:a>'
    outputs = await run_block(XMLParserBlock(), {"input_xml": xml})
    assert outputs == {"parsed_xml": [{"a": "1 < 2 & 3"}]}


async def test_deep_xml_is_refused() -> None:
    xml = "<a>" * 150 + "</a>" * 150
    outputs = await run_block(XMLParserBlock(), {"input_xml": xml})
    assert outputs == {"error": ["The XML is nested more than 100 levels deep."]}


async def test_csv_round_trip_with_quotes_and_new_lines() -> None:
    rows = [{"name": 'Ann "A"', "note": "two\nlines"}, {"name": "Bo", "note": "x, y"}]
    text = (await run_block(WriteCsvBlock(), {"rows": rows}))["csv"][0]
    outputs = await run_block(ReadSpreadsheetBlock(), {"contents": text, "strip": False})
    assert outputs == {"rows": [rows]}


async def test_csv_mixed_rows_are_an_error() -> None:
    outputs = await run_block(WriteCsvBlock(), {"rows": [{"a": 1}, [1]]})
    assert outputs == {
        "error": [
            "Cannot write the CSV: rows must be all dictionaries or all lists, "
            "not a mix of ['dict', 'list']."
        ]
    }


async def test_csv_delimiter_must_be_one_character() -> None:
    outputs = await run_block(ReadSpreadsheetBlock(), {"contents": "a", "delimiter": "::"})
    assert outputs == {
        "error": ["Cannot read the table: The delimiter must be exactly one character, not '::'."]
    }


async def test_csv_needs_contents_or_a_file() -> None:
    outputs = await run_block(ReadSpreadsheetBlock(), {})
    assert outputs == {
        "error": [
            "Cannot read the table: give the CSV text in 'contents' or a file in 'file_input'"
        ]
    }


async def test_csv_row_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(data_csv, "MAX_ROWS", 2)
    outputs = await run_block(ReadSpreadsheetBlock(), {"contents": "h\n1\n2\n3\n4"})
    assert outputs == {"error": ["Cannot read the table: The table has more than 2 rows."]}


class DictMediaStore:
    """The MediaStore port over a dictionary: files by reference, per user."""

    def __init__(self) -> None:
        self.files: dict[tuple[str, str], bytes] = {}

    async def put(self, user_id: str, name: str, data: bytes) -> str:
        ref = f"media://{name}"
        self.files[(user_id, ref)] = data
        return ref

    async def get(self, user_id: str, ref: str) -> bytes:
        return self.files[(user_id, ref)]


async def test_csv_from_a_stored_file() -> None:
    media = DictMediaStore()
    ctx = make_context(media=media)
    ref = await media.put(ctx.user_id, "t.csv", "\ufeffa,b\n1,2\n".encode())
    outputs = await run_block(ReadSpreadsheetBlock(), {"file_input": ref}, ctx)
    assert outputs == {"rows": [[{"a": "1", "b": "2"}]]}


async def test_csv_refuses_an_excel_file() -> None:
    media = DictMediaStore()
    ctx = make_context(media=media)
    ref = await media.put(ctx.user_id, "t.xlsx", b"PK\x03\x04rest-of-zip")
    outputs = await run_block(ReadSpreadsheetBlock(), {"file_input": ref}, ctx)
    assert outputs == {
        "error": ["Cannot read the table: this looks like an Excel file; save it as CSV first"]
    }
