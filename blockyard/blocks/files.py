"""Files between blocks: stored once in the media store, passed on as ``media://`` references.

A file pin holds text, not bytes: a ``media://<id>/<name>`` reference to the running user's
media store (``ctx.media``), a ``data:`` URI, or an ``http(s)://`` URL (fetched through the
SSRF guard). Local paths are refused: a builder must never be able to read the server's
own files. :func:`load_file` and :func:`save_file` are what other block families use too
(web downloads, e-mail attachments, multipart uploads).
"""

import base64
import binascii
import mimetypes
import urllib.parse
from dataclasses import dataclass
from typing import Any

from blockyard.blocks.base import (
    ERROR_PIN,
    Block,
    BlockCategory,
    BlockOutput,
    BlockSchema,
    BlockSchemaInput,
    BlockSchemaOutput,
    SchemaField,
)
from blockyard.blocks.context import BlockContext
from blockyard.blocks.io import AgentInputBlock
from blockyard.blocks.net import (
    RequestSpec,
    current_policy,
    describe_error,
    guarded_client,
    read_limited,
    send_request,
)
from blockyard.errors import BlockExecutionError, BlockInputError, BlockyardError

MEDIA_PREFIX = "media://"
FILE_PIN_HELP = "A file: a media:// reference from another block, a data: URI or an http(s) URL."


@dataclass(frozen=True, slots=True)
class LoadedFile:
    name: str
    mime: str
    data: bytes

    def text(self) -> str:
        """The content as text: UTF-8 (with or without BOM), else Latin-1."""
        try:
            return self.data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return self.data.decode("latin-1")

    def data_uri(self) -> str:
        return f"data:{self.mime};base64,{base64.b64encode(self.data).decode('ascii')}"


def guess_mime(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def name_for(mime: str, stem: str = "file") -> str:
    ext = mimetypes.guess_extension(mime.split(";")[0].strip()) or ".bin"
    return f"{stem}{ext}"


def parse_data_uri(uri: str) -> LoadedFile:
    """``data:[<mime>][;base64],<data>`` (RFC 2397) as a file."""
    header, comma, payload = uri[5:].partition(",")
    if not comma:
        raise BlockInputError("Invalid data URI: it has no ',' before the data")
    params = header.split(";")
    mime = params[0].strip() or "text/plain"
    if "base64" in (p.strip().lower() for p in params[1:]):
        try:
            data = base64.b64decode(payload, validate=False)
        except (binascii.Error, ValueError) as exc:
            raise BlockInputError(f"Invalid base64 in data URI: {exc}") from None
    else:
        data = urllib.parse.unquote_to_bytes(payload)
    return LoadedFile(name_for(mime), mime, data)


async def load_file(ctx: BlockContext, ref: str, *, max_bytes: int | None = None) -> LoadedFile:
    """The bytes behind a file pin value, whatever form it takes."""
    ref = ref.strip()
    if ref.startswith(MEDIA_PREFIX):
        if ctx.media is None:
            raise BlockExecutionError("This server has no media store configured")
        name = ref.rsplit("/", 1)[-1]
        return LoadedFile(name, guess_mime(name), await ctx.media.get(ctx.user_id, ref))
    if ref[:5].lower() == "data:":
        return parse_data_uri(ref)
    if ref[:7].lower() == "http://" or ref[:8].lower() == "https://":
        return await download(ref, max_bytes=max_bytes)
    raise BlockInputError(
        f"Cannot read {ref[:100]!r}: a file must be a media:// reference, a data: URI or "
        "an http(s) URL (server paths are not allowed)"
    )


async def download(url: str, *, max_bytes: int | None = None) -> LoadedFile:
    """GET ``url`` through the SSRF guard; the file's name comes from the URL or headers."""
    policy = current_policy()
    limit = max_bytes or policy.max_bytes
    async with guarded_client(policy) as client:
        response = await send_request(
            client, RequestSpec("GET", url), max_redirects=policy.max_redirects
        )
        try:
            if response.status_code >= 400:
                raise BlockExecutionError(f"Download of {url} failed: HTTP {response.status_code}")
            data = await read_limited(response, limit)
        finally:
            await response.aclose()
    mime = response.headers.get("content-type", "").split(";")[0].strip()
    name = _name_from_response(str(response.url), response.headers.get("content-disposition"))
    return LoadedFile(name or name_for(mime), mime or guess_mime(name), data)


def _name_from_response(url: str, disposition: str | None) -> str:
    if disposition and "filename=" in disposition:
        return disposition.split("filename=", 1)[1].split(";")[0].strip().strip('"')
    path = urllib.parse.urlsplit(url).path
    return urllib.parse.unquote(path.rsplit("/", 1)[-1])


async def save_file(ctx: BlockContext, name: str, data: bytes) -> str:
    """Put ``data`` in the user's media store; its ``media://`` reference."""
    if ctx.media is None:
        raise BlockExecutionError("This server has no media store configured")
    return await ctx.media.put(ctx.user_id, name, data)


def file_error(exc: Exception, ref: str = "") -> str:
    """A readable message for any failure of :func:`load_file` or :func:`save_file`."""
    if isinstance(exc, BlockyardError):
        return exc.message
    return describe_error(exc, ref if ref.startswith("http") else "")


class FileStoreBlock(Block):
    id = "cbb50872-625b-42f0-8203-a2ae78242d8a"
    description = (
        "Keeps a file (from a URL, a data: URI or another block) in your media store and "
        "passes on a reference to it, so later blocks can use the same file."
    )
    categories = frozenset({BlockCategory.BASIC, BlockCategory.MULTIMEDIA})
    static_output = True

    class Input(BlockSchemaInput):
        file_in: str = SchemaField(description=FILE_PIN_HELP, placeholder="https://...")
        base_64: bool = SchemaField(
            default=False,
            description="Give the file itself as a base64 data: URI instead of a reference "
            "(only for small files).",
        )

    class Output(BlockSchemaOutput):
        file_out: str = SchemaField(description="The stored file (media:// or data: URI).")

    test_input = [{"file_in": "data:text/plain,hello%20world", "base_64": True}]
    test_output = [("file_out", "data:text/plain;base64,aGVsbG8gd29ybGQ=")]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        try:
            loaded = await load_file(ctx, input_data.file_in)
            if input_data.base_64:
                yield "file_out", loaded.data_uri()
            elif input_data.file_in.strip().startswith(MEDIA_PREFIX):
                yield "file_out", input_data.file_in.strip()
            else:
                yield "file_out", await save_file(ctx, loaded.name, loaded.data)
        except Exception as exc:
            yield ERROR_PIN, file_error(exc, input_data.file_in)


class FileReadBlock(Block):
    id = "3735a31f-7e18-4aca-9e90-08a7120674bc"
    description = (
        "Reads a text file and gives its content, whole or in chunks: split by a delimiter "
        "(e.g. one line at a time) and/or cut to a maximum size."
    )
    categories = frozenset({BlockCategory.TEXT, BlockCategory.DATA})

    class Input(BlockSchemaInput):
        file_input: str = SchemaField(description=FILE_PIN_HELP)
        delimiter: str = SchemaField(
            default="", description="Split the content into rows at this text, e.g. '\\n'."
        )
        size_limit: int = SchemaField(
            default=0, ge=0, description="Largest chunk to give, in characters (0: no limit)."
        )
        row_limit: int = SchemaField(
            default=0, ge=0, description="Most rows to keep (0: all; needs a delimiter)."
        )
        skip_size: int = SchemaField(
            default=0, ge=0, description="Characters to skip at the start of the file."
        )
        skip_rows: int = SchemaField(
            default=0, ge=0, description="Rows to skip at the start (needs a delimiter)."
        )

    class Output(BlockSchemaOutput):
        content: str = SchemaField(description="The content, once or chunk by chunk.")

    test_input = [
        {"file_input": "data:text/plain;base64,SGVsbG8gV29ybGQ="},
        {"file_input": "data:text/plain,a%0Ab%0Ac%0Ad", "delimiter": "\n", "skip_rows": 1},
        {"file_input": "data:text/plain,abcdefg", "size_limit": 3},
    ]
    test_output = [
        ("content", "Hello World"),
        ("content", "b\nc\nd"),
        ("content", "abc"),
        ("content", "def"),
        ("content", "g"),
    ]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        try:
            text = (await load_file(ctx, input_data.file_input)).text()
        except Exception as exc:
            yield ERROR_PIN, file_error(exc, input_data.file_input)
            return
        for chunk in self.chunks(input_data, text):
            yield "content", chunk

    @staticmethod
    def chunks(input_data: Input, text: str) -> list[str]:
        text = text[input_data.skip_size :]
        sep = input_data.delimiter
        if sep:
            rows = text.split(sep)[input_data.skip_rows :]
            if input_data.row_limit:
                rows = rows[: input_data.row_limit]
            text = sep.join(rows)
        size = input_data.size_limit
        if not size:
            return [text]
        return [text[i : i + size] for i in range(0, len(text), size)] or [""]


class AgentFileInputBlock(AgentInputBlock):
    """A file the person running the agent gives (uploaded into their media store)."""

    id = "95ead23f-8283-4654-aef3-10c053b74a31"
    description = (
        "A file input of your agent: whoever runs it gives a file (a media:// reference from "
        "an upload, a data: URI or an http(s) URL), and it flows on as a file reference."
    )

    class Input(AgentInputBlock.Input):
        value: str | None = SchemaField(
            default=None,
            advanced=False,
            title="Default Value",
            description=FILE_PIN_HELP,
            json_schema_extra={"format": "file"},
        )
        base_64: bool = SchemaField(
            default=False,
            description="Give the file's content as a base64 data: URI instead of a reference.",
        )

    class Output(BlockSchema):
        result: str = SchemaField(description="The file (media:// reference or data: URI).")

    test_input = [
        {"name": "doc", "value": "data:text/plain,hi", "base_64": True},
        {"name": "doc", "value": "ftp://example.com/f.txt"},
    ]
    test_output = [
        ("result", "data:text/plain;base64,aGk="),
        ("error", lambda message: "ftp://example.com/f.txt" in message),
    ]

    async def run(self, input_data: Any, ctx: BlockContext) -> BlockOutput:
        # Any: the base class's run takes its own Input; this one is AgentFileInputBlock.Input
        ref = (input_data.value or "").strip()
        if not ref:
            return  # no file given: the blocks that need it do not run
        try:
            loaded = await load_file(ctx, ref)
            if input_data.base_64:
                yield "result", loaded.data_uri()
            elif ref.startswith(MEDIA_PREFIX):
                yield "result", ref
            else:
                yield "result", await save_file(ctx, loaded.name, loaded.data)
        except Exception as exc:
            yield ERROR_PIN, file_error(exc, ref)
