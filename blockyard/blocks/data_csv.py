"""CSV: read a table into rows (dictionaries) and write rows back as CSV text.

Read Spreadsheet keeps AutoGPT's id and pins. Its ``file_input`` is a media reference
(``media://...``) read through the platform's media store (``ctx.media``); Excel files
are not read (save them as CSV first). Both directions are bounded: at most
:data:`MAX_ROWS` rows, so a runaway table fails with a clear error instead of filling a
worker's memory.
"""

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from blockyard.blocks.base import (
    Block,
    BlockCategory,
    BlockOutput,
    BlockSchemaInput,
    BlockSchemaOutput,
    SchemaField,
)
from blockyard.blocks.context import BlockContext

MAX_ROWS = 1_000_000
MAX_FIELD_CHARS = 10_000_000
"""The longest single cell (the csv module's default of 131,072 is too small for text)."""
_ZIP_MAGIC = b"PK\x03\x04"


def _one_char(name: str, value: str, *, optional: bool = False) -> str | None:
    if optional and value == "":
        return None
    if len(value) != 1:
        raise ValueError(f"The {name} must be exactly one character, not {value!r}.")
    return value


class _Options:
    """The reader settings of one run, checked once."""

    def __init__(self, delimiter: str, quotechar: str, escapechar: str) -> None:
        self.delimiter = _one_char("delimiter", delimiter)
        self.quotechar = _one_char("quote character", quotechar)
        self.escapechar = _one_char("escape character", escapechar, optional=True)


def read_rows(text: str, options: _Options, *, skip_rows: int, strip: bool) -> Iterator[list[str]]:
    """The CSV rows of ``text`` after ``skip_rows`` leading rows, cells stripped if asked."""
    csv.field_size_limit(MAX_FIELD_CHARS)
    reader = csv.reader(
        io.StringIO(text),
        delimiter=options.delimiter or ",",
        quotechar=options.quotechar,
        escapechar=options.escapechar,
    )
    for number, row in enumerate(reader):
        if number < skip_rows:
            continue
        if number - skip_rows >= MAX_ROWS + 1:
            raise ValueError(f"The table has more than {MAX_ROWS:,} rows.")
        yield [cell.strip() for cell in row] if strip else row


def table_to_dicts(
    rows: Iterator[list[str]], *, has_header: bool, skip_columns: list[str]
) -> list[dict[str, str]]:
    """Rows as dictionaries keyed by the header (or by column number, from "0")."""
    header = next(rows, None) if has_header else None
    if has_header and header is None:
        return []
    skipped = set(skip_columns)
    result: list[dict[str, str]] = []
    for row in rows:
        if not row:
            continue
        names = [
            header[i] if header is not None and i < len(header) else str(i) for i in range(len(row))
        ]
        result.append({n: cell for n, cell in zip(names, row, strict=True) if n not in skipped})
    return result


class ReadSpreadsheetBlock(Block):
    id = "acf7625e-d2cb-4941-bfeb-2819fc6fc015"
    description = (
        "Reads a CSV table (text, or a stored file) into rows: each row a dictionary keyed "
        "by the column names of the first line. Sends all rows at once, or one at a time."
    )
    categories = frozenset({BlockCategory.DATA, BlockCategory.TEXT})

    class Input(BlockSchemaInput):
        contents: str | None = SchemaField(
            default=None,
            advanced=False,
            description="The CSV text to read.",
            placeholder="a, b, c\n1,2,3\n4,5,6",
        )
        file_input: str | None = SchemaField(
            default=None,
            advanced=False,
            description="Or a stored CSV file (a media reference) to read.",
        )
        delimiter: str = SchemaField(default=",", description="The character between cells.")
        quotechar: str = SchemaField(default='"', description="The character quoting cells.")
        escapechar: str = SchemaField(
            default="\\", description="The character escaping a delimiter; empty for none."
        )
        has_header: bool = SchemaField(
            default=True, description="The first row holds the column names."
        )
        skip_rows: int = SchemaField(default=0, ge=0, description="Rows to skip at the start.")
        strip: bool = SchemaField(default=True, description="Remove spaces around each cell.")
        skip_columns: list[str] = SchemaField(
            default_factory=list, description="Columns to leave out, by name."
        )
        produce_singular_result: bool = SchemaField(
            default=False,
            description="Send each row on 'row' (the next blocks run once per row) instead "
            "of all rows at once on 'rows'.",
        )

    class Output(BlockSchemaOutput):
        row: dict[str, str] = SchemaField(description="One row (with one-at-a-time).")
        rows: list[dict[str, str]] = SchemaField(description="Every row, in order.")

    test_input = [
        {"contents": "a, b, c\n1,2,3\n4,5,6"},
        {"contents": "x;y\n1;2", "delimiter": ";", "has_header": False, "skip_rows": 1},
        {"contents": "n,skip\n1,x\n2,y", "skip_columns": ["skip"], "produce_singular_result": True},
    ]
    test_output = [
        ("rows", [{"a": "1", "b": "2", "c": "3"}, {"a": "4", "b": "5", "c": "6"}]),
        ("rows", [{"0": "1", "1": "2"}]),
        ("row", {"n": "1"}),
        ("row", {"n": "2"}),
    ]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        try:
            text = await self._text(input_data, ctx)
            options = _Options(input_data.delimiter, input_data.quotechar, input_data.escapechar)
            table = await ctx.run_blocking(self._read, input_data, text, options)
        except (ValueError, csv.Error) as exc:
            yield "error", f"Cannot read the table: {exc}"
            return
        if input_data.produce_singular_result:
            for row in table:
                yield "row", row
        else:
            yield "rows", table

    @staticmethod
    def _read(input_data: Input, text: str, options: _Options) -> list[dict[str, str]]:
        rows = read_rows(text, options, skip_rows=input_data.skip_rows, strip=input_data.strip)
        return table_to_dicts(
            rows, has_header=input_data.has_header, skip_columns=input_data.skip_columns
        )

    @staticmethod
    async def _text(input_data: Input, ctx: BlockContext) -> str:
        if input_data.contents is not None:
            return input_data.contents
        if not input_data.file_input:
            raise ValueError("give the CSV text in 'contents' or a file in 'file_input'")
        if ctx.media is None:
            raise ValueError("no media store is configured to read 'file_input' from")
        data = await ctx.media.get(ctx.user_id, input_data.file_input)
        if data.startswith(_ZIP_MAGIC):
            raise ValueError("this looks like an Excel file; save it as CSV first")
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValueError("the file is not UTF-8 text") from None


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):
        return json.dumps(value)
    return json.dumps(value, ensure_ascii=False, default=str)


def _columns(rows: list[Any], chosen: list[str]) -> list[str]:
    if chosen:
        return chosen
    seen: dict[str, None] = {}
    for row in rows:
        seen.update(dict.fromkeys(str(k) for k in row))
    return list(seen)


def write_csv(rows: list[Any], columns: list[str], delimiter: str, header: bool) -> str:
    """Dictionaries (or lists) as CSV text; containers in cells are written as JSON."""
    if len(rows) > MAX_ROWS:
        raise ValueError(f"There are {len(rows):,} rows; the limit is {MAX_ROWS:,}.")
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    if rows and all(isinstance(r, dict) for r in rows):
        names = _columns(rows, columns)
        if header:
            writer.writerow(names)
        writer.writerows([_cell(row.get(name)) for name in names] for row in rows)
    elif all(isinstance(r, list | tuple) for r in rows):
        if header and columns:
            writer.writerow(columns)
        writer.writerows([_cell(cell) for cell in row] for row in rows)
    else:
        kinds = sorted({type(r).__name__ for r in rows})
        raise ValueError(f"rows must be all dictionaries or all lists, not a mix of {kinds}")
    return buffer.getvalue()


class WriteCsvBlock(Block):
    id = "1be154f0-8261-4438-bb36-63fa866c9bb2"
    description = (
        "Writes rows as CSV text, e.g. for a spreadsheet or an e-mail attachment: "
        "dictionaries become rows under a header of their keys; lists become plain rows."
    )
    categories = frozenset({BlockCategory.DATA, BlockCategory.TEXT})

    class Input(BlockSchemaInput):
        rows: list[Any] = SchemaField(
            description="The rows: dictionaries (column name to value) or lists of cells.",
            placeholder='[{"name": "Ann", "age": 3}]',
        )
        columns: list[str] = SchemaField(
            default_factory=list,
            description="Which columns, in which order; empty: every key, in order of first "
            "appearance (for lists: the header line, if any).",
        )
        delimiter: str = SchemaField(default=",", description="The character between cells.")
        include_header: bool = SchemaField(
            default=True, description="Start with a line of column names."
        )

    class Output(BlockSchemaOutput):
        csv: str = SchemaField(description="The CSV text.")

    test_input = [
        {"rows": [{"name": "Ann", "age": 3}, {"name": "Bo, Jr.", "tags": ["x"]}]},
        {"rows": [[1, "a"], [2, None]], "delimiter": ";", "columns": ["n", "v"]},
    ]
    test_output = [
        ("csv", 'name,age,tags\nAnn,3,\n"Bo, Jr.",,"[""x""]"\n'),
        ("csv", "n;v\n1;a\n2;\n"),
    ]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        try:
            delimiter = _one_char("delimiter", input_data.delimiter) or ","
            text = await ctx.run_blocking(
                write_csv,
                input_data.rows,
                input_data.columns,
                delimiter,
                input_data.include_header,
            )
        except ValueError as exc:
            yield "error", f"Cannot write the CSV: {exc}."
            return
        yield "csv", text
