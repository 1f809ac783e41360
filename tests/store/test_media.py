"""The media store contract, on disk and on a real S3-compatible server (moto, on loopback)."""

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from blockyard.errors import BlockInputError, LimitExceededError, NotFoundError
from blockyard.settings import Settings
from blockyard.store.media import (
    DiskMediaStore,
    S3MediaStore,
    media_store_from_settings,
    parse_ref,
    safe_name,
)

ALICE = "6c1a1f52-9f0e-4d55-8c1e-3b5c7a0e1a01"
BOB = "0d3c2b1a-1111-4222-8333-944455556666"
BUCKET = "blockyard-media-test"


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def s3_settings(endpoint: str, **extra: object) -> Settings:
    return Settings(
        media_s3_bucket=BUCKET,
        media_s3_endpoint_url=endpoint,
        media_s3_access_key_id="test",
        media_s3_secret_access_key="test",
        **extra,  # type: ignore[arg-type]
    )


@pytest.fixture(params=["disk", "s3"])
async def store(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[DiskMediaStore | S3MediaStore]:
    if request.param == "disk":
        yield media_store_from_settings(Settings(data_dir=tmp_path, media_max_bytes=1000))
        return
    endpoint: str = request.getfixturevalue("s3_endpoint")
    s3 = media_store_from_settings(s3_settings(endpoint, media_max_bytes=1000))
    assert isinstance(s3, S3MediaStore)
    s3.client.create_bucket(Bucket=BUCKET)
    yield s3


async def test_put_then_get(store: DiskMediaStore | S3MediaStore) -> None:
    ref = await store.put(ALICE, "report.pdf", b"%PDF-1.7 hello")
    assert ref.startswith("media://") and ref.endswith("/report.pdf")
    assert await store.get(ALICE, ref) == b"%PDF-1.7 hello"


async def test_files_are_per_user(store: DiskMediaStore | S3MediaStore) -> None:
    ref = await store.put(ALICE, "secret.txt", b"alice only")
    with pytest.raises(NotFoundError, match="No such file"):
        await store.get(BOB, ref)


async def test_delete(store: DiskMediaStore | S3MediaStore) -> None:
    ref = await store.put(ALICE, "a.txt", b"x")
    await store.delete(ALICE, ref)
    with pytest.raises(NotFoundError):
        await store.get(ALICE, ref)


async def test_size_limit(store: DiskMediaStore | S3MediaStore) -> None:
    with pytest.raises(LimitExceededError, match="at most 1,000"):
        await store.put(ALICE, "big.bin", b"x" * 1001)


@pytest.mark.parametrize(
    "ref",
    [
        "media://../../etc/passwd",
        "media://0123456789abcdef0123456789abcdef/../../x",
        "media://0123456789abcdef0123456789abcdef/.hidden",
        "/etc/passwd",
        "file:///etc/passwd",
        "media://0123456789abcdef0123456789abcdef/a\x00b",
    ],
)
async def test_references_cannot_escape(store: DiskMediaStore | S3MediaStore, ref: str) -> None:
    with pytest.raises(BlockInputError, match="Not a media reference"):
        await store.get(ALICE, ref)


@pytest.mark.parametrize("user", ["../other", "", "a/b", "x" * 65])
async def test_user_ids_are_checked(store: DiskMediaStore | S3MediaStore, user: str) -> None:
    with pytest.raises(BlockInputError, match="Invalid user id"):
        await store.put(user, "a.txt", b"x")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\photo.png", "photo.png"),
        (".env", "env"),
        ("my report (final).pdf", "my_report_final_.pdf"),
        ("", "file"),
        ("..", "file"),
        ("a" * 300 + ".txt", "a" * 116 + ".txt"),
    ],
)
def test_safe_names(name: str, expected: str) -> None:
    assert safe_name(name) == expected
    assert parse_ref(f"media://{'0' * 32}/{safe_name(name)}").name == expected


async def test_disk_layout_is_private(tmp_path: Path) -> None:
    store = DiskMediaStore(tmp_path / "data" / "media")
    ref = await store.put(ALICE, "../../x.txt", b"data")
    ref_parts = parse_ref(ref)
    path = tmp_path / "data" / "media" / ALICE / ref_parts.object_id / "x.txt"
    assert path.read_bytes() == b"data"
    assert (path.parent.parent.stat().st_mode & 0o777) == 0o700
    assert sorted(p.name for p in path.parent.iterdir()) == ["x.txt"]


def test_settings_pick_the_backend(tmp_path: Path) -> None:
    disk = media_store_from_settings(Settings(data_dir=tmp_path))
    assert isinstance(disk, DiskMediaStore) and disk.root == (tmp_path / "media").resolve()
    other = media_store_from_settings(Settings(data_dir=tmp_path, media_dir=tmp_path / "m"))
    assert isinstance(other, DiskMediaStore) and other.root == (tmp_path / "m").resolve()
    s3 = media_store_from_settings(s3_settings("http://127.0.0.1:9"))
    assert isinstance(s3, S3MediaStore) and s3.bucket == BUCKET
