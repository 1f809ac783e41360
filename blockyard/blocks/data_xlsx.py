"""Excel workbooks (.xlsx): the first sheet as rows of JSON-friendly values.

Read Spreadsheet hands a stored file here when it is a workbook. The file comes from a user,
so it is bounded before openpyxl sees it: an .xlsx is a zip archive of XML, and a few
kilobytes can unpack to gigabytes (a zip bomb), so the sizes the archive declares (which
Python's zipfile enforces while unpacking) must add up to at most
:data:`MAX_UNPACKED_BYTES`. The sheet is read in openpyxl's read-only mode, a row at a time,
with cached formula results rather than formulas; its dimension tag is ignored (a lying one
would pad every row to 16,384 columns), and the rows and cells read are counted, so a sheet
that claims a million rows ends with a clear error too. XML inside the workbook is parsed
by defusedxml (openpyxl uses it when installed), so entity tricks are refused.

Legacy .xls files (and password-protected workbooks, which are stored the same way) are
OLE2 compound files that openpyxl cannot read: they get a clear "save as .xlsx or CSV".
"""

import datetime
import io
import zipfile
from collections.abc import Iterator
from typing import Any

import openpyxl
from defusedxml.common import DefusedXmlException

MAX_UNPACKED_BYTES = 200 * 1024 * 1024
"""The most a workbook may unpack to (its XML, shared strings, styles and the rest)."""

MAX_ENTRIES = 10_000
"""The most files a workbook archive may hold."""

MAX_CELLS = 10_000_000
"""The most cells read from the sheet, empty ones between filled ones included."""

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


class WorkbookError(ValueError):
    """A workbook this module will not or cannot read; the message says why."""


def is_workbook(data: bytes, name: str) -> bool:
    """Whether ``data`` is an .xlsx workbook; ``WorkbookError`` for an Excel file it cannot read.

    The content decides (a zip archive is treated as a workbook and checked when opened);
    the file name only turns a misnamed file into a clear error rather than garbled CSV.
    """
    if data.startswith(OLE2_MAGIC):
        raise WorkbookError(
            "this is a legacy Excel (.xls) or password-protected workbook, which cannot be "
            "read; save it as .xlsx (without a password) or as CSV"
        )
    if data.startswith(ZIP_MAGIC):
        return True
    if name.lower().endswith(_WORKBOOK_SUFFIXES):
        raise WorkbookError(f"the file {name!r} is named like a workbook but is not one")
    return False


def read_sheet(data: bytes, *, skip_rows: int, strip: bool, max_rows: int) -> list[list[Any]]:
    """The rows of the workbook's first sheet after ``skip_rows``, empty rows left out.

    Cells are JSON-friendly: text, numbers and booleans as they are, dates and times as ISO
    8601 text, empty cells as ``""``; empty cells at the end of a row are dropped.
    """
    _check_archive(data)
    try:
        return _read_first_sheet(data, skip_rows=skip_rows, strip=strip, max_rows=max_rows)
    except WorkbookError:
        raise
    except Exception as exc:  # any parser failure means the file is not a readable workbook
        raise WorkbookError(f"the workbook could not be read: {_reason(exc)}") from None


def _read_first_sheet(
    data: bytes, *, skip_rows: int, strip: bool, max_rows: int
) -> list[list[Any]]:
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        if not workbook.worksheets:
            raise WorkbookError("the workbook has no worksheet")
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()
        rows: list[list[Any]] = []
        for row in _bounded_rows(sheet.iter_rows(min_row=1, min_col=1, values_only=True)):
            if skip_rows:
                skip_rows -= 1
                continue
            cells = _trimmed([_json_cell(v, strip) for v in row])
            if cells:
                rows.append(cells)
            if len(rows) > max_rows:
                raise WorkbookError(f"The table has more than {max_rows:,} rows.")
        return rows
    finally:
        workbook.close()


def _reason(exc: BaseException) -> str:
    """The first line of the innermost cause: openpyxl wraps parser errors in vaguer ones."""
    for _ in range(20):  # a chain is short; the bound only guards against a cycle
        inner = exc.__cause__ or exc.__context__
        if inner is None:
            break
        exc = inner
    if isinstance(exc, DefusedXmlException):
        return "its XML declares entities or a document type, which are refused"
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def _check_archive(data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise WorkbookError("the file starts like an .xlsx workbook but is damaged") from None
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_ENTRIES:
            raise WorkbookError(f"the workbook holds more than {MAX_ENTRIES:,} files")
        unpacked = sum(entry.file_size for entry in entries)
        if unpacked > MAX_UNPACKED_BYTES:
            raise WorkbookError(
                f"the workbook unpacks to {unpacked:,} bytes, more than the "
                f"{MAX_UNPACKED_BYTES:,} allowed (is it a zip bomb?)"
            )
        if "[Content_Types].xml" not in archive.namelist():  # every Office Open XML file has it
            raise WorkbookError(
                "the file is a zip archive but not an Excel workbook; save it as .xlsx or CSV"
            )


def _bounded_rows(rows: Iterator[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    """The rows, until more than :data:`MAX_CELLS` cells have been read."""
    cells = 0
    for row in rows:
        cells += max(len(row), 1)  # an empty row counts, so millions of them end too
        if cells > MAX_CELLS:
            raise WorkbookError(f"the sheet has more than {MAX_CELLS:,} cells")
        yield row


def _trimmed(cells: list[Any]) -> list[Any]:
    end = len(cells)
    while end and cells[end - 1] == "":
        end -= 1
    return cells[:end]


def _json_cell(value: Any, strip: bool) -> Any:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip() if strip else value
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, datetime.datetime):
        # Excel has no date-only type: a date cell arrives as a datetime at midnight.
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return _duration(value)
    return str(value)


def _duration(value: datetime.timedelta) -> str:
    """Like Excel's ``[h]:mm:ss``: hours past 24 stay hours."""
    seconds = value.total_seconds()
    sign, seconds = ("-", -seconds) if seconds < 0 else ("", seconds)
    minutes, secs = divmod(seconds, 60)
    hours, minutes = divmod(int(minutes), 60)
    secs_text = f"{secs:02.0f}" if secs == int(secs) else f"{secs:09.6f}".rstrip("0")
    return f"{sign}{hours}:{minutes:02d}:{secs_text}"
