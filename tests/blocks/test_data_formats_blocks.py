"""JSON, XML and CSV blocks: round trips, schema checks, and hostile input."""

import datetime as dt
import io
import struct
import zipfile
from typing import Any

import openpyxl
import pytest

from blockyard.blocks import data_csv, data_formats, data_xlsx
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


def zip_of(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


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


async def read_stored(name: str, data: bytes, **options: Any) -> dict[str, list[Any]]:
    """Read Spreadsheet on ``data`` stored under ``name``, through a media reference."""
    media = DictMediaStore()
    ctx = make_context(media=media)
    ref = await media.put(ctx.user_id, name, data)
    return await run_block(ReadSpreadsheetBlock(), {"file_input": ref, **options}, ctx)


def xlsx(rows: list[list[Any]], *, more_sheets: int = 0) -> bytes:
    """A real .xlsx workbook whose first sheet holds ``rows``."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    for number in range(more_sheets):
        workbook.create_sheet(f"other{number}").append(["not", "read"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


async def test_excel_first_sheet_becomes_json_friendly_rows() -> None:
    data = xlsx(
        [
            ["name", "born", "seen", "score", "ratio", "ok", None, "note"],
            ["  Ann ", dt.date(1990, 5, 17), dt.datetime(2024, 1, 2, 13, 45), 42, 0.5, True],
            ["Bo", None, None, -3, 1e-9, False, "x", "two\nlines"],
            [None, None, None, None, None, None, None, None],
            ["Cy", dt.time(7, 30), dt.timedelta(hours=26, minutes=30), 7, 2.25, None],
        ],
        more_sheets=1,
    )
    outputs = await read_stored("people.xlsx", data)
    assert outputs == {
        "rows": [
            [
                {
                    "name": "Ann",
                    "born": "1990-05-17",
                    "seen": "2024-01-02T13:45:00",
                    "score": 42,
                    "ratio": 0.5,
                    "ok": True,
                    "6": "",
                    "note": "",
                },
                {
                    "name": "Bo",
                    "born": "",
                    "seen": "",
                    "score": -3,
                    "ratio": 1e-9,
                    "ok": False,
                    "6": "x",
                    "note": "two\nlines",
                },
                {
                    "name": "Cy",
                    "born": "07:30:00",
                    "seen": "26:30:00",
                    "score": 7,
                    "ratio": 2.25,
                    "ok": "",
                    "6": "",
                    "note": "",
                },
            ]
        ]
    }


async def test_excel_takes_the_csv_options() -> None:
    data = xlsx([["title row"], ["a", "b", "c"], [" 1 ", 2, 3], ["4", 5, 6]])
    outputs = await read_stored(
        "t.xlsx",
        data,
        skip_rows=1,
        strip=False,
        skip_columns=["b"],
        produce_singular_result=True,
    )
    assert outputs == {"row": [{"a": " 1 ", "c": 3}, {"a": "4", "c": 6}]}
    outputs = await read_stored("t.xlsx", data, has_header=False, skip_rows=2)
    assert outputs == {"rows": [[{"0": "1", "1": 2, "2": 3}, {"0": "4", "1": 5, "2": 6}]]}


async def test_excel_row_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(data_csv, "MAX_ROWS", 2)
    outputs = await read_stored("t.xlsx", xlsx([["h"], [1], [2], [3], [4]]))
    assert outputs == {"error": ["Cannot read the table: The table has more than 2 rows."]}


async def test_excel_sheet_claiming_many_rows_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(data_xlsx, "MAX_CELLS", 1000)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet["A1"] = "h"
    sheet["C1048576"] = "far away"  # every row between is read as empty
    buffer = io.BytesIO()
    workbook.save(buffer)
    outputs = await read_stored("t.xlsx", buffer.getvalue())
    assert outputs == {"error": ["Cannot read the table: the sheet has more than 1,000 cells"]}


async def test_legacy_xls_is_refused_with_advice() -> None:
    outputs = await read_stored("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512))
    assert outputs == {
        "error": [
            "Cannot read the table: this is a legacy Excel (.xls) or password-protected "
            "workbook, which cannot be read; save it as .xlsx (without a password) or as CSV"
        ]
    }


async def test_zip_bomb_workbook_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(data_xlsx, "MAX_UNPACKED_BYTES", 1024 * 1024)
    buffer = io.BytesIO(xlsx([["a"], [1]]))
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/zeros.bin", bytes(2 * 1024 * 1024))
    data = buffer.getvalue()
    assert len(data) < 64 * 1024  # small on disk, large unpacked: the shape of a zip bomb
    outputs = await read_stored("bomb.xlsx", data)
    assert len(outputs["error"]) == 1
    assert outputs["error"][0].startswith("Cannot read the table: the workbook unpacks to 2,")
    assert outputs["error"][0].endswith("more than the 1,048,576 allowed (is it a zip bomb?)")


async def test_workbook_understating_its_size_is_not_unpacked_past_it() -> None:
    data = bytearray(xlsx([["a"], ["x" * 5000]]))
    name = b"xl/worksheets/sheet1.xml"
    header = data.rfind(name) - 46  # the entry's record in the central directory, at the end
    assert data[header : header + 4] == b"PK\x01\x02"
    data[header + 24 : header + 28] = struct.pack("<I", 10)  # claims 10 bytes unpacked
    outputs = await read_stored("t.xlsx", bytes(data))
    assert outputs["error"][0].startswith("Cannot read the table: the workbook could not be read")


def with_sheet_xml(data: bytes, sheet_xml: bytes) -> bytes:
    """The workbook ``data`` with its first sheet's XML replaced."""
    with zipfile.ZipFile(io.BytesIO(data)) as original:
        files = {info.filename: original.read(info) for info in original.infolist()}
    files["xl/worksheets/sheet1.xml"] = sheet_xml
    return zip_of(files)


async def test_a_damaged_sheet_is_reported() -> None:
    data = xlsx([["a"], [1]])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml")
    broken = sheet_xml.replace(b"</sheetData>", b"<row r='3'><c r='A3'><v>1</v></row>")
    outputs = await read_stored("t.xlsx", with_sheet_xml(data, broken))
    assert len(outputs["error"]) == 1
    assert outputs["error"][0].startswith(
        "Cannot read the table: the workbook could not be read: mismatched tag: line 1"
    )


async def test_a_sheet_understating_its_dimension_is_read_whole() -> None:
    data = xlsx([["a", "b"], [1, 2], [3, 4]])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml")
    assert b'<dimension ref="A1:B3" />' in sheet_xml
    lying = sheet_xml.replace(b'<dimension ref="A1:B3" />', b'<dimension ref="A1:A1" />')
    outputs = await read_stored("t.xlsx", with_sheet_xml(data, lying))
    assert outputs == {"rows": [[{"a": 1, "b": 2}, {"a": 3, "b": 4}]]}


async def test_entities_in_a_sheet_are_refused() -> None:
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&b;</t></is></c></row>'
        b"</sheetData></worksheet>"
    )
    outputs = await read_stored("t.xlsx", with_sheet_xml(xlsx([["a"]]), laughs))
    assert outputs == {
        "error": [
            "Cannot read the table: the workbook could not be read: its XML declares entities "
            "or a document type, which are refused"
        ]
    }


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "t.xlsx",
            b"PK\x03\x04rest-of-zip",
            "the file starts like an .xlsx workbook but is damaged",
        ),
        ("t.xlsx", b"a,b\n1,2\n", "the file 't.xlsx' is named like a workbook but is not one"),
        (
            "t.zip",
            zip_of({"readme.txt": b"hello"}),
            "the file is a zip archive but not an Excel workbook; save it as .xlsx or CSV",
        ),
    ],
)
async def test_files_that_are_not_workbooks_are_refused(
    name: str, data: bytes, message: str
) -> None:
    assert await read_stored(name, data) == {"error": [f"Cannot read the table: {message}"]}
