"""CSV and Excel: read a table into rows (dictionaries) and write rows back as CSV text.

Read Spreadsheet keeps AutoGPT's id and pins. Its ``file_input`` is a media reference
(``media://...``) read through the platform's media store (``ctx.media``): CSV text, or an
Excel workbook (.xlsx), whose first sheet :mod:`blockyard.blocks.data_xlsx` reads with
bounds against zip bombs; legacy .xls files get a clear "save as .xlsx or CSV". Both
directions are bounded: at most :data:`MAX_ROWS` rows, so a runaway table fails with a
clear error instead of filling a worker's memory. The reading runs in a worker thread.
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
from blockyard.blocks.data_xlsx import is_workbook, read_sheet

MAX_ROWS = 1_000_000
MAX_FIELD_CHARS = 10_000_000
"""The longest single cell (the csv module's default of 131,072 is too small for text)."""


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
    rows: Iterator[list[Any]],
    *,
    has_header: bool,
    skip_columns: list[str],
    fill_missing: bool = False,
) -> list[dict[str, Any]]:
    """Rows as dictionaries keyed by the header (or by column number, from "0").

    With ``fill_missing``, a row shorter than the header gets ``""`` for the columns it lacks
    (a sheet drops the empty cells at the end of a row; CSV rows are kept as written).
    """
    header = next(rows, None) if has_header else None
    if has_header and header is None:
        return []
    skipped = set(skip_columns)
    result: list[dict[str, Any]] = []
    for row in rows:
        if not row:
            continue
        if fill_missing and header is not None and len(row) < len(header):
            row = [*row, *[""] * (len(header) - len(row))]
        names = [
            header[i] if header is not None and i < len(header) else str(i) for i in range(len(row))
        ]
        result.append({n: cell for n, cell in zip(names, row, strict=True) if n not in skipped})
    return result


class ReadSpreadsheetBlock(Block):
    id = "acf7625e-d2cb-4941-bfeb-2819fc6fc015"
    description = (
        "Reads a table into rows: CSV text, or a stored CSV or Excel (.xlsx) file (its first "
        "sheet). Each row is a dictionary keyed by the column names of the first line; "
        "Excel numbers stay numbers and dates become ISO text. Sends all rows at once, or "
        "one at a time."
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
            description="Or a stored CSV or Excel (.xlsx) file (a media reference) to read.",
        )
        delimiter: str = SchemaField(
            default=",", description="The character between cells (CSV only)."
        )
        quotechar: str = SchemaField(
            default='"', description="The character quoting cells (CSV only)."
        )
        escapechar: str = SchemaField(
            default="\\",
            description="The character escaping a delimiter; empty for none (CSV only).",
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
        row: dict[str, Any] = SchemaField(description="One row (with one-at-a-time).")
        rows: list[dict[str, Any]] = SchemaField(description="Every row, in order.")

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
            table = await self._table(input_data, ctx)
        except (ValueError, csv.Error) as exc:
            yield "error", f"Cannot read the table: {exc}"
            return
        if input_data.produce_singular_result:
            for row in table:
                yield "row", row
        else:
            yield "rows", table

    async def _table(self, input_data: Input, ctx: BlockContext) -> list[dict[str, Any]]:
        if input_data.contents is not None:
            text = input_data.contents
        else:
            data, name = await self._file(input_data, ctx)
            if is_workbook(data, name):
                return await ctx.run_blocking(self._read_workbook, input_data, data)
            text = self._decode(data)
        options = _Options(input_data.delimiter, input_data.quotechar, input_data.escapechar)
        return await ctx.run_blocking(self._read_csv, input_data, text, options)

    @staticmethod
    def _read_csv(input_data: Input, text: str, options: _Options) -> list[dict[str, Any]]:
        rows = read_rows(text, options, skip_rows=input_data.skip_rows, strip=input_data.strip)
        return table_to_dicts(
            rows, has_header=input_data.has_header, skip_columns=input_data.skip_columns
        )

    @staticmethod
    def _read_workbook(input_data: Input, data: bytes) -> list[dict[str, Any]]:
        rows = read_sheet(
            data, skip_rows=input_data.skip_rows, strip=input_data.strip, max_rows=MAX_ROWS
        )
        if input_data.has_header and rows:  # a header cell left empty is named by its column
            rows[0] = [str(cell) if cell != "" else str(i) for i, cell in enumerate(rows[0])]
        return table_to_dicts(
            iter(rows),
            has_header=input_data.has_header,
            skip_columns=input_data.skip_columns,
            fill_missing=True,
        )

    @staticmethod
    async def _file(input_data: Input, ctx: BlockContext) -> tuple[bytes, str]:
        """The stored file's bytes and its name (the last part of the reference)."""
        if not input_data.file_input:
            raise ValueError("give the CSV text in 'contents' or a file in 'file_input'")
        if ctx.media is None:
            raise ValueError("no media store is configured to read 'file_input' from")
        data = await ctx.media.get(ctx.user_id, input_data.file_input)
        return data, input_data.file_input.rstrip("/").rpartition("/")[2]

    @staticmethod
    def _decode(data: bytes) -> str:
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
