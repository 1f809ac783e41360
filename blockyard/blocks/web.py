"""Web blocks: HTTP requests, RSS/Atom feeds, downloads and web pages as text or Markdown.

Every request goes through the SSRF guard (:mod:`blockyard.blocks.net`): internal
addresses are refused unless the operator allows them, redirects are followed by hand and
checked at each hop, and bodies are capped (``BLOCKYARD_OUTBOUND_MAX_BYTES``). Credentials
are host-scoped headers (AutoGPT's ``HostScopedCredentials``): the engine resolves the
``credentials`` input into ``ctx.credentials["credentials"]`` and its headers are sent only
to the host they name, never to a redirect target elsewhere.
"""

import asyncio
import enum
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import httpx

from blockyard.blocks.base import (
    ERROR_PIN,
    Block,
    BlockCategory,
    BlockOutput,
    BlockSchemaInput,
    BlockSchemaOutput,
    SchemaField,
)
from blockyard.blocks.context import BlockContext
from blockyard.blocks.data_dicts import MAX_DEPTH
from blockyard.blocks.data_formats import TooDeepError, load_json
from blockyard.blocks.files import download, file_error, load_file, save_file
from blockyard.blocks.net import (
    HostHeaders,
    RequestSpec,
    current_policy,
    guarded_client,
    read_limited,
    send_request,
)
from blockyard.blocks.web_content import feed_cutoff, html_to_page, is_after, parse_feed
from blockyard.errors import BlockInputError

BLOCKED_EXAMPLE = "http://169.254.169.254/latest/meta-data/"
BLOCKED_MESSAGE = (
    "Refused to connect to 169.254.169.254: it is a cloud metadata address. An operator "
    "can allow it with BLOCKYARD_OUTBOUND_ALLOW."
)
MAX_TIMEOUT = 300.0


class HttpMethod(enum.StrEnum):
    GET = "GET"
    POST = "POST"
    PUT = "PUT"
    DELETE = "DELETE"
    PATCH = "PATCH"
    OPTIONS = "OPTIONS"
    HEAD = "HEAD"


def credentials_field(required: bool) -> Any:
    """A reference to host-scoped credentials (the vault holds the secret headers)."""
    return SchemaField(
        ... if required else None,
        description="Headers kept in your credentials, sent only to the host they belong to.",
        json_schema_extra={
            "credentials_provider": ["http"],
            "credentials_types": ["host_scoped"],
            "discriminator": "url",
        },
    )


def scoped_headers(credential: Any) -> HostHeaders:
    """Resolved host-scoped credentials (a mapping or an object) as :class:`HostHeaders`."""

    def part(name: str) -> Any:
        if isinstance(credential, Mapping):
            return credential.get(name)
        return getattr(credential, name, None)

    host, headers = part("host"), part("headers")
    if not isinstance(host, str) or not host or not isinstance(headers, Mapping):
        raise BlockInputError("These credentials are not host-scoped headers (host and headers)")
    return HostHeaders(host, {str(k): _reveal(v) for k, v in headers.items()})


def _reveal(value: Any) -> str:
    reveal = getattr(value, "get_secret_value", None)
    return str(reveal() if callable(reveal) else value)


class _RequestInput(BlockSchemaInput):
    url: str = SchemaField(
        description="The URL to send the request to.", placeholder="https://api.example.com"
    )
    method: HttpMethod = SchemaField(default=HttpMethod.POST, description="The HTTP method.")
    headers: dict[str, str] = SchemaField(
        default_factory=dict, description="Headers to send with the request."
    )
    query: dict[str, Any] = SchemaField(
        default_factory=dict, description="Query parameters added to the URL."
    )
    json_format: bool = SchemaField(
        default=True,
        title="JSON format",
        description="Send the body as JSON and read a JSON response; off sends a form or text.",
    )
    body: Any = SchemaField(default=None, description="The body: JSON data, form fields or text.")
    files_name: str = SchemaField(
        default="file", description="The form field name of the uploaded files."
    )
    files: list[str] = SchemaField(
        default_factory=list,
        description="Files to upload (multipart); the body's fields are sent with them.",
    )
    timeout: float = SchemaField(
        default=30.0, gt=0, le=MAX_TIMEOUT, description="Seconds to wait for the server."
    )


class _RequestOutput(BlockSchemaOutput):
    response: Any = SchemaField(description="The response body on a 2xx status.")
    client_error: Any = SchemaField(description="The response body on a 4xx status.")
    server_error: Any = SchemaField(description="The response body on a 5xx status.")
    status: int = SchemaField(description="The HTTP status code.")
    headers: dict[str, str] = SchemaField(description="The response headers.")


async def _request_spec(
    data: _RequestInput, ctx: BlockContext, scoped: HostHeaders | None
) -> RequestSpec:
    spec = RequestSpec(data.method.value, data.url, dict(data.headers), data.query or None)
    spec.scoped = scoped
    body = data.body
    if data.files:
        spec.files = [await _upload(ctx, data.files_name, ref) for ref in data.files]
        spec.data = body if isinstance(body, Mapping) else None
    elif body is None:
        pass
    elif data.json_format:
        if isinstance(body, str):
            try:
                spec.json = json.loads(body)
            except (ValueError, RecursionError):  # not JSON we can read: sent as written
                spec.content = body
        else:
            spec.json = body
    elif isinstance(body, Mapping):
        spec.data = {k: v if isinstance(v, str) else json.dumps(v) for k, v in body.items()}
    else:
        spec.content = body if isinstance(body, str) else json.dumps(body)
    return spec


async def _upload(ctx: BlockContext, field: str, ref: str) -> tuple[str, tuple[str, bytes, str]]:
    loaded = await load_file(ctx, ref)
    return field, (loaded.name, loaded.data, loaded.mime)


def _decode(response: httpx.Response, raw: bytes, as_json: bool) -> Any:
    """The body as JSON data when asked and it is JSON, else as text; ``TooDeepError`` for
    JSON nested too deeply to pass on (a hostile server's ``[[[[...``)."""
    text = raw.decode(response.encoding or "utf-8", errors="replace")
    if as_json and text.strip():
        try:
            return load_json(text)
        except TooDeepError:
            raise
        except ValueError:
            return text
    return text


async def send_web_request(
    data: _RequestInput, ctx: BlockContext, scoped: HostHeaders | None
) -> BlockOutput:
    """The shared body of both request blocks: one request, its outcome on the pins."""
    policy = current_policy(timeout=data.timeout)
    try:
        spec = await _request_spec(data, ctx, scoped)
        async with guarded_client(policy) as client:
            response = await send_request(client, spec, max_redirects=policy.max_redirects)
            try:
                raw = await read_limited(response, policy.max_bytes)
            finally:
                await response.aclose()
    except Exception as exc:
        yield ERROR_PIN, file_error(exc, data.url)
        return
    pin = {2: "response", 4: "client_error", 5: "server_error"}.get(response.status_code // 100)
    if pin is None:
        yield ERROR_PIN, f"Unexpected status code {response.status_code} from {data.url}"
        return
    try:
        body = _decode(response, raw, data.json_format)
    except TooDeepError:
        yield (
            ERROR_PIN,
            f"The response from {data.url} is JSON nested more than {MAX_DEPTH} levels deep; "
            "turn off 'JSON format' to receive it as text",
        )
        return
    yield pin, body
    yield "status", response.status_code
    yield "headers", dict(response.headers)


class SendWebRequestBlock(Block):
    id = "6595ae1f-b924-42cb-9a41-551a0611c4b4"
    description = (
        "Sends an HTTP request (GET, POST, ...) with headers, query parameters and a JSON, "
        "form or file body; the answer comes out on response (2xx), client_error (4xx) or "
        "server_error (5xx)."
    )
    categories = frozenset({BlockCategory.OUTPUT, BlockCategory.DEVELOPER_TOOLS})

    class Input(_RequestInput):
        credentials: dict[str, Any] | None = credentials_field(required=False)

    Output = _RequestOutput
    test_input = [{"url": BLOCKED_EXAMPLE, "method": "GET"}]
    test_output = [("error", BLOCKED_MESSAGE)]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        scoped = None
        if input_data.credentials:
            resolved = ctx.credentials.get("credentials")
            if resolved is None:
                yield ERROR_PIN, "The credentials of this request could not be found"
                return
            try:
                scoped = scoped_headers(resolved)
            except BlockInputError as exc:
                yield ERROR_PIN, exc.message
                return
        async for pin, value in send_web_request(input_data, ctx, scoped):
            yield pin, value


class SendAuthenticatedWebRequestBlock(Block):
    id = "fff86bcd-e001-4bad-a7f6-2eae4720c8dc"
    description = (
        "Sends an HTTP request with headers from your saved host-scoped credentials (an API "
        "key, a token); they are sent only to the host they were saved for."
    )
    categories = frozenset({BlockCategory.OUTPUT, BlockCategory.DEVELOPER_TOOLS})

    class Input(_RequestInput):
        credentials: dict[str, Any] = credentials_field(required=True)

    Output = _RequestOutput
    test_input = [{"url": BLOCKED_EXAMPLE, "credentials": {"id": "x", "provider": "http"}}]
    test_output = [("error", "The credentials of this request could not be found")]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        resolved = ctx.credentials.get("credentials")
        if resolved is None:
            yield ERROR_PIN, "The credentials of this request could not be found"
            return
        try:
            scoped = scoped_headers(resolved)
        except BlockInputError as exc:
            yield ERROR_PIN, exc.message
            return
        if not scoped.applies_to(httpx.URL(input_data.url)):
            yield ERROR_PIN, f"These credentials are for {scoped.host}, not for {input_data.url}"
            return
        async for pin, value in send_web_request(input_data, ctx, scoped):
            yield pin, value


class DownloadFileBlock(Block):
    id = "4d6f1b8e-2a57-4c3e-9f0b-7e8a1c2d3b45"
    description = (
        "Downloads a file from a URL into your media store and passes on a reference to it "
        "(for Read File, e-mail attachments, uploads)."
    )
    categories = frozenset({BlockCategory.DATA, BlockCategory.MULTIMEDIA})

    class Input(BlockSchemaInput):
        url: str = SchemaField(
            description="The file's URL.", placeholder="https://example.com/report.pdf"
        )
        file_name: str = SchemaField(
            default="", description="Name to store it under; empty keeps the server's name."
        )

    class Output(BlockSchemaOutput):
        file: str = SchemaField(description="The stored file (a media:// reference).")
        content_type: str = SchemaField(description="The file's MIME type.")
        size: int = SchemaField(description="The file's size in bytes.")

    test_input = [{"url": BLOCKED_EXAMPLE}]
    test_output = [("error", BLOCKED_MESSAGE)]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        try:
            loaded = await download(input_data.url)
            ref = await save_file(ctx, input_data.file_name or loaded.name, loaded.data)
        except Exception as exc:
            yield ERROR_PIN, file_error(exc, input_data.url)
            return
        yield "file", ref
        yield "content_type", loaded.mime
        yield "size", len(loaded.data)


class FetchWebPageBlock(Block):
    id = "9a3c5e7f-1b2d-4e6f-8a0c-2d4f6b8a0c1e"
    description = (
        "Fetches a web page and gives its main content as Markdown and as plain text, with "
        "its title (scripts, navigation and page furniture removed)."
    )
    categories = frozenset({BlockCategory.SEARCH, BlockCategory.TEXT})

    class Input(BlockSchemaInput):
        url: str = SchemaField(description="The page's URL.", placeholder="https://example.com")
        main_content_only: bool = SchemaField(
            default=True,
            description="Keep only the page's main part (article, main) when it has one.",
        )

    class Output(BlockSchemaOutput):
        markdown: str = SchemaField(description="The page as Markdown.")
        text: str = SchemaField(description="The page as plain text.")
        title: str = SchemaField(description="The page's title.")

    test_input = [{"url": BLOCKED_EXAMPLE}]
    test_output = [("error", BLOCKED_MESSAGE)]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        try:
            loaded = await download(input_data.url)
        except Exception as exc:
            yield ERROR_PIN, file_error(exc, input_data.url)
            return
        if "html" not in loaded.mime and loaded.data.lstrip()[:1] != b"<":
            text = loaded.text()
            yield "markdown", text
            yield "text", text
            yield "title", ""
            return
        try:
            page = await ctx.run_blocking(html_to_page, loaded.text(), input_data.main_content_only)
        except BlockInputError as exc:
            yield ERROR_PIN, f"Cannot read the page at {input_data.url}: {exc.message}"
            return
        yield "markdown", page.markdown
        yield "text", page.text
        yield "title", page.title


class ReadRSSFeedBlock(Block):
    id = "5ebe6768-8e5d-41e3-9134-1c7bd89a8d52"
    description = (
        "Reads an RSS or Atom feed and gives its recent entries, one at a time and as a "
        "list; it can keep polling the feed and give each new entry as it appears."
    )
    categories = frozenset({BlockCategory.INPUT})

    class Input(BlockSchemaInput):
        rss_url: str = SchemaField(
            description="The feed's URL (RSS or Atom).", placeholder="https://example.com/rss"
        )
        time_period: int = SchemaField(
            default=1440,
            ge=0,
            description="Only entries from the last this many minutes (0: no time limit).",
        )
        since: datetime | None = SchemaField(
            default=None, description="Only entries published after this date and time."
        )
        polling_rate: int = SchemaField(
            default=300, ge=1, description="Seconds between two reads when running continuously."
        )
        run_continuously: bool = SchemaField(
            default=False,
            description="Keep reading the feed until the run is stopped, giving new entries.",
        )

    class Output(BlockSchemaOutput):
        entry: dict[str, Any] = SchemaField(
            description="One entry: title, link, description, pub_date, author, categories."
        )
        entries: list[dict[str, Any]] = SchemaField(description="All matching entries.")

    test_input = [{"rss_url": BLOCKED_EXAMPLE}]
    test_output = [("error", BLOCKED_MESSAGE)]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        seen: set[str] = set()
        while True:
            try:
                loaded = await download(input_data.rss_url)
                found = await ctx.run_blocking(parse_feed, loaded.data)
            except Exception as exc:
                yield ERROR_PIN, file_error(exc, input_data.rss_url)
                return
            cutoff = feed_cutoff(input_data.time_period, input_data.since)
            fresh = [e for e in found if is_after(e, cutoff) and e["link"] + e["title"] not in seen]
            seen.update(e["link"] + e["title"] for e in fresh)
            for entry in fresh:
                yield "entry", entry
            if fresh or not input_data.run_continuously:
                yield "entries", fresh
            if not input_data.run_continuously or await _stopped(ctx, input_data.polling_rate):
                return


async def _stopped(ctx: BlockContext, seconds: float) -> bool:
    """Wait ``seconds`` between polls; True as soon as the run is cancelled."""
    try:
        await asyncio.wait_for(ctx.cancelled.wait(), seconds)
    except TimeoutError:
        return False
    return True
