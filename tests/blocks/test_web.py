"""Web blocks against a real HTTP server on 127.0.0.1 (allowed through the operator's list)."""

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest

from blockyard.blocks.testing import TEST_USER_ID, make_context, run_block
from blockyard.blocks.web import (
    DownloadFileBlock,
    FetchWebPageBlock,
    ReadRSSFeedBlock,
    SendAuthenticatedWebRequestBlock,
    SendWebRequestBlock,
)
from blockyard.store.media import DiskMediaStore
from tests.fakes.http_server import LocalHttpServer, Received, Reply

NOW = datetime.now(UTC)


def echo(req: Received) -> Reply:
    return Reply.json(
        {
            "method": req.method,
            "query": req.query,
            "content_type": req.headers.get("content-type", ""),
            "body": req.body.decode("latin-1"),
            "api_key": req.headers.get("x-api-key"),
        }
    )


def rss(*items: tuple[str, datetime]) -> bytes:
    body = "".join(
        f"<item><title>{title}</title><link>https://news.test/{i}</link>"
        f"<description>About {title}</description><author>ada@news.test</author>"
        f"<category>Tech</category><pubDate>{format_datetime(when)}</pubDate></item>"
        for i, (title, when) in enumerate(items)
    )
    head = '<?xml version="1.0"?><rss version="2.0"><channel><title>N</title>'
    return f"{head}{body}</channel></rss>".encode()


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalHttpServer]:
    monkeypatch.setenv("BLOCKYARD_OUTBOUND_ALLOW", "127.0.0.1")
    with LocalHttpServer() as srv:
        srv.route("/echo", echo)
        srv.route("/missing", Reply.json({"detail": "nope"}, status=404))
        srv.route("/boom", Reply(503, b"down for maintenance"))
        srv.route("/text", Reply(200, b"plain words", {"Content-Type": "text/plain"}))
        yield srv


async def test_get_json_with_query_status_and_headers(server: LocalHttpServer) -> None:
    out = await run_block(
        SendWebRequestBlock(),
        {"url": server.url("/echo"), "method": "GET", "query": {"q": "blocks", "n": 2}},
    )
    assert out["response"][0]["query"] == {"q": ["blocks"], "n": ["2"]}
    assert out["status"] == [200]
    assert out["headers"][0]["content-type"] == "application/json"
    assert set(out) == {"response", "status", "headers"}


async def test_post_json_body(server: LocalHttpServer) -> None:
    out = await run_block(
        SendWebRequestBlock(), {"url": server.url("/echo"), "body": {"name": "Ada", "n": [1]}}
    )
    sent = out["response"][0]
    assert (sent["method"], sent["content_type"]) == ("POST", "application/json")
    assert json.loads(sent["body"]) == {"name": "Ada", "n": [1]}


async def test_form_body_and_text_response(server: LocalHttpServer) -> None:
    out = await run_block(
        SendWebRequestBlock(),
        {"url": server.url("/echo"), "json_format": False, "body": {"a": "1", "b": [2]}},
    )
    sent = json.loads(out["response"][0])
    assert sent["content_type"] == "application/x-www-form-urlencoded"
    assert sent["body"] == "a=1&b=%5B2%5D"


async def test_multipart_upload_of_a_media_file(server: LocalHttpServer, tmp_path: Path) -> None:
    media = DiskMediaStore(tmp_path)
    ref = await media.put(TEST_USER_ID, "notes.txt", b"file content")
    out = await run_block(
        SendWebRequestBlock(),
        {"url": server.url("/echo"), "files": [ref], "files_name": "upload", "body": {"k": "v"}},
        make_context(media=media),
    )
    sent = out["response"][0]
    assert sent["content_type"].startswith("multipart/form-data; boundary=")
    assert 'name="upload"; filename="notes.txt"' in sent["body"]
    assert "file content" in sent["body"] and 'name="k"' in sent["body"]


async def test_4xx_and_5xx_have_their_own_pins(server: LocalHttpServer) -> None:
    missing = await run_block(SendWebRequestBlock(), {"url": server.url("/missing")})
    assert missing["client_error"] == [{"detail": "nope"}] and missing["status"] == [404]
    boom = await run_block(SendWebRequestBlock(), {"url": server.url("/boom")})
    assert boom["server_error"] == ["down for maintenance"] and boom["status"] == [503]


async def test_redirect_to_a_private_address_ends_on_the_error_pin(
    server: LocalHttpServer,
) -> None:
    server.route("/go", Reply(302, headers={"Location": "http://10.1.2.3/internal"}))
    out = await run_block(SendWebRequestBlock(), {"url": server.url("/go"), "method": "GET"})
    assert out == {
        "error": [
            "Refused to connect to 10.1.2.3: it is a private address. An operator can allow "
            "it with BLOCKYARD_OUTBOUND_ALLOW."
        ]
    }


async def test_loopback_is_refused_without_the_allow_list(
    server: LocalHttpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BLOCKYARD_OUTBOUND_ALLOW")
    out = await run_block(SendWebRequestBlock(), {"url": server.url("/echo")})
    assert out["error"][0].startswith("Refused to connect to 127.0.0.1: it is a loopback")
    assert server.received == []


async def test_huge_response_is_a_clear_error(
    server: LocalHttpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BLOCKYARD_OUTBOUND_MAX_BYTES", "100000")
    server.route("/huge", Reply(200, b"x" * 65536, chunks=50))
    out = await run_block(SendWebRequestBlock(), {"url": server.url("/huge"), "method": "GET"})
    assert out == {
        "error": [
            "The response is larger than the limit of 100,000 bytes (BLOCKYARD_OUTBOUND_MAX_BYTES)"
        ]
    }


async def test_unreachable_server_is_a_clear_error(server: LocalHttpServer) -> None:
    out = await run_block(SendWebRequestBlock(), {"url": "http://127.0.0.1:9/x"})
    assert out["error"][0].startswith("Could not connect to http://127.0.0.1:9/x")


async def test_host_scoped_credentials_go_only_to_their_host(server: LocalHttpServer) -> None:
    creds = {"host": "127.0.0.1", "headers": {"X-Api-Key": "s3cret"}}
    ctx = make_context(credentials={"credentials": creds})
    inputs = {"url": server.url("/echo"), "credentials": {"id": "c1", "provider": "http"}}
    out = await run_block(SendAuthenticatedWebRequestBlock(), inputs, ctx)
    assert out["response"][0]["api_key"] == "s3cret"
    elsewhere = {**inputs, "url": server.url("/echo", host="localhost")}
    refused = await run_block(SendAuthenticatedWebRequestBlock(), elsewhere, ctx)
    assert refused == {
        "error": [f"These credentials are for 127.0.0.1, not for {elsewhere['url']}"]
    }


async def test_plain_request_block_takes_optional_credentials(server: LocalHttpServer) -> None:
    class Secret:
        def get_secret_value(self) -> str:
            return "from-vault"

    class Creds:
        host = "127.0.0.1"
        headers = {"X-Api-Key": Secret()}

    ctx = make_context(credentials={"credentials": Creds()})
    inputs = {"url": server.url("/echo"), "credentials": {"id": "c1"}}
    out = await run_block(SendWebRequestBlock(), inputs, ctx)
    assert out["response"][0]["api_key"] == "from-vault"
    bad = make_context(credentials={"credentials": {"X-Api-Key": "no host"}})
    out = await run_block(SendWebRequestBlock(), inputs, bad)
    assert out == {"error": ["These credentials are not host-scoped headers (host and headers)"]}


async def test_rss_entries_with_time_and_since_filters(server: LocalHttpServer) -> None:
    feed = rss(("old", NOW - timedelta(days=3)), ("new", NOW - timedelta(hours=1)))
    server.route("/feed.xml", Reply(200, feed, {"Content-Type": "application/rss+xml"}))
    out = await run_block(ReadRSSFeedBlock(), {"rss_url": server.url("/feed.xml")})
    (entry,) = out["entry"]
    assert entry["title"] == "new" and entry["categories"] == ["Tech"]
    assert entry["link"] == "https://news.test/1" and entry["description"] == "About new"
    assert out["entries"] == [[entry]]
    since = (NOW - timedelta(days=5)).isoformat()
    both = await run_block(
        ReadRSSFeedBlock(), {"rss_url": server.url("/feed.xml"), "time_period": 0, "since": since}
    )
    assert [e["title"] for e in both["entry"]] == ["old", "new"]


async def test_rss_polls_until_cancelled(server: LocalHttpServer) -> None:
    polls: list[int] = []

    def feed(req: Received) -> Reply:
        polls.append(1)
        items = [("first", NOW)] + ([("second", NOW)] if len(polls) > 1 else [])
        return Reply(200, rss(*items))

    server.route("/feed.xml", feed)
    ctx = make_context()
    inputs = {"rss_url": server.url("/feed.xml"), "run_continuously": True, "polling_rate": 1}
    seen: list[str] = []
    block = ReadRSSFeedBlock()
    async for pin, value in block.run(block.validate_input(inputs), ctx):  # type: ignore[arg-type]
        if pin == "entry":
            seen.append(value["title"])
        if len(seen) == 2:
            ctx.cancelled.set()
    assert seen == ["first", "second"]


async def test_rss_not_a_feed(server: LocalHttpServer) -> None:
    out = await run_block(ReadRSSFeedBlock(), {"rss_url": server.url("/text")})
    assert out["error"][0].startswith("Not a readable RSS or Atom feed")


async def test_download_to_the_media_store(server: LocalHttpServer, tmp_path: Path) -> None:
    server.route("/r/report.csv", Reply(200, b"a,b\n1,2\n", {"Content-Type": "text/csv"}))
    media = DiskMediaStore(tmp_path)
    out = await run_block(
        DownloadFileBlock(), {"url": server.url("/r/report.csv")}, make_context(media=media)
    )
    assert out["content_type"] == ["text/csv"] and out["size"] == [8]
    assert out["file"][0].endswith("/report.csv")
    assert await media.get(TEST_USER_ID, out["file"][0]) == b"a,b\n1,2\n"


PAGE = b"""<html><head><title>Blockyard news</title><style>p{}</style></head><body>
<nav><a href="/">Home</a></nav><article><h1>Release</h1><p>Now with <b>web</b> blocks.</p>
<ul><li>one</li><li>two</li></ul></article><footer>(c)</footer><script>x()</script></body></html>"""


async def test_fetch_page_as_markdown_and_text(server: LocalHttpServer) -> None:
    server.route("/page", Reply(200, PAGE, {"Content-Type": "text/html; charset=utf-8"}))
    out = await run_block(FetchWebPageBlock(), {"url": server.url("/page")})
    assert out == {
        "markdown": ["# Release\n\nNow with **web** blocks.\n\n- one\n- two"],
        "text": ["Release\nNow with web blocks.\none\ntwo"],
        "title": ["Blockyard news"],
    }
    whole = await run_block(
        FetchWebPageBlock(), {"url": server.url("/page"), "main_content_only": False}
    )
    assert "Home" not in whole["text"][0] and "(c)" not in whole["text"][0]


async def test_fetch_plain_text_page(server: LocalHttpServer) -> None:
    out: dict[str, Any] = await run_block(FetchWebPageBlock(), {"url": server.url("/text")})
    assert out == {"markdown": ["plain words"], "text": ["plain words"], "title": [""]}
