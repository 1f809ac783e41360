"""File blocks pass media:// references, read data: URIs and URLs, and refuse server paths."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from blockyard.blocks.files import (
    AgentFileInputBlock,
    FileReadBlock,
    FileStoreBlock,
    load_file,
    parse_data_uri,
)
from blockyard.blocks.testing import TEST_USER_ID, make_context, run_block
from blockyard.errors import BlockInputError
from blockyard.store.media import DiskMediaStore
from tests.fakes.http_server import LocalHttpServer, Reply

OTHER_USER = "99999999-0000-4000-8000-000000000009"


@pytest.fixture
def media(tmp_path: Path) -> DiskMediaStore:
    return DiskMediaStore(tmp_path / "media")


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalHttpServer]:
    monkeypatch.setenv("BLOCKYARD_OUTBOUND_ALLOW", "127.0.0.1")
    with LocalHttpServer() as srv:
        srv.route(
            "/files/notes.txt", Reply(200, b"line 1\nline 2\n", {"Content-Type": "text/plain"})
        )
        yield srv


async def test_store_from_url_gives_a_reference_the_read_block_reads(
    server: LocalHttpServer, media: DiskMediaStore
) -> None:
    ctx = make_context(media=media)
    stored = await run_block(FileStoreBlock(), {"file_in": server.url("/files/notes.txt")}, ctx)
    ref = stored["file_out"][0]
    assert ref.startswith("media://") and ref.endswith("/notes.txt")
    read = await run_block(FileReadBlock(), {"file_input": ref, "delimiter": "\n"}, ctx)
    assert read == {"content": ["line 1\nline 2\n"]}


async def test_store_keeps_an_existing_reference(media: DiskMediaStore) -> None:
    ctx = make_context(media=media)
    ref = await media.put(TEST_USER_ID, "a.csv", b"x,y")
    assert await run_block(FileStoreBlock(), {"file_in": ref}, ctx) == {"file_out": [ref]}


async def test_store_data_uri_into_the_media_store(media: DiskMediaStore) -> None:
    ctx = make_context(media=media)
    out = await run_block(FileStoreBlock(), {"file_in": "data:image/png;base64,iVBORw0KGgo="}, ctx)
    ref = out["file_out"][0]
    assert ref.endswith(".png")
    assert await media.get(TEST_USER_ID, ref) == b"\x89PNG\r\n\x1a\n"


async def test_another_users_reference_is_not_found(media: DiskMediaStore) -> None:
    ref = await media.put(OTHER_USER, "secret.txt", b"not yours")
    out = await run_block(FileReadBlock(), {"file_input": ref}, make_context(media=media))
    assert out == {"error": [f"No such file: {ref}"]}


@pytest.mark.parametrize("path", ["/etc/shadow", "file:///etc/passwd", "../data/blockyard.db"])
async def test_server_paths_are_refused(path: str, media: DiskMediaStore) -> None:
    out = await run_block(FileReadBlock(), {"file_input": path}, make_context(media=media))
    assert "server paths are not allowed" in out["error"][0]


async def test_private_urls_are_refused_by_the_guard() -> None:
    out = await run_block(FileStoreBlock(), {"file_in": "http://10.0.0.1/x.txt"})
    assert out["error"][0].startswith("Refused to connect to 10.0.0.1: it is a private address")


async def test_missing_media_store_is_a_clear_error() -> None:
    out = await run_block(FileStoreBlock(), {"file_in": "data:,hi"})
    assert out == {"error": ["This server has no media store configured"]}


async def test_http_errors_are_reported(server: LocalHttpServer) -> None:
    out = await run_block(FileReadBlock(), {"file_input": server.url("/missing.txt")})
    assert out["error"][0].endswith("failed: HTTP 404")


def test_bad_data_uri() -> None:
    with pytest.raises(BlockInputError, match="no ','"):
        parse_data_uri("data:text/plain;base64")


async def test_read_chunks_rows_and_limits() -> None:
    ctx = make_context()
    uri = "data:text/plain,r1;r2;r3;r4;r5"
    out = await run_block(
        FileReadBlock(),
        {"file_input": uri, "delimiter": ";", "skip_rows": 1, "row_limit": 3, "size_limit": 4},
        ctx,
    )
    assert out == {"content": ["r2;r", "3;r4"]}
    latin = await load_file(ctx, "data:text/plain;base64,Y2Fm6Q==")
    assert latin.text() == "café"


async def test_agent_file_input_stores_what_it_is_given(media: DiskMediaStore) -> None:
    ctx = make_context(media=media)
    inputs = {"name": "doc", "value": "data:text/plain,hello"}
    (ref,) = (await run_block(AgentFileInputBlock(), inputs, ctx))["result"]
    assert ref.startswith("media://")
    assert await media.get(TEST_USER_ID, ref) == b"hello"
    again = await run_block(AgentFileInputBlock(), {"name": "doc", "value": ref}, ctx)
    assert again == {"result": [ref]}


async def test_agent_file_input_without_a_file_sends_nothing(media: DiskMediaStore) -> None:
    out = await run_block(AgentFileInputBlock(), {"name": "doc"}, make_context(media=media))
    assert out == {}


async def test_agent_file_input_refuses_another_users_file(media: DiskMediaStore) -> None:
    ref = await media.put(OTHER_USER, "secret.txt", b"not yours")
    inputs = {"name": "doc", "value": ref, "base_64": True}
    out = await run_block(AgentFileInputBlock(), inputs, make_context(media=media))
    assert out == {"error": [f"No such file: {ref}"]}
