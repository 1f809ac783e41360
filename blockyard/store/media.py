"""The media store: files that blocks pass to each other by reference, not as bytes.

A reference is ``media://<32 hex object id>/<file name>``. It names a file of one user: the
store keeps it under that user's own prefix (``<media dir>/<user_id>/<object id>/<name>``
on disk, ``<prefix><user_id>/<object id>/<name>`` in S3), so a reference copied into
another user's agent finds nothing there. Names are cleaned to a safe alphabet before use
and references are parsed strictly, so no reference or file name can walk out of the
user's folder (``..``, absolute paths, NUL bytes).

Two implementations of :class:`blockyard.blocks.context.MediaStore`: :class:`DiskMediaStore`
(the default, under the data folder) and :class:`S3MediaStore` (any S3-compatible service,
when ``BLOCKYARD_MEDIA_S3_BUCKET`` is set). ``wiring`` builds one with
:func:`media_store_from_settings`.
"""

import asyncio
import contextlib
import os
import re
import tempfile
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from blockyard.errors import BlockInputError, LimitExceededError, NotFoundError
from blockyard.settings import Settings

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

REF_PREFIX = "media://"
_REF = re.compile(r"media://([0-9a-f]{32})/([A-Za-z0-9][A-Za-z0-9._-]{0,119})")
_USER = re.compile(r"[A-Za-z0-9_-]{1,64}")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
MAX_NAME = 120


class MediaRef(NamedTuple):
    object_id: str
    name: str

    def __str__(self) -> str:
        return f"{REF_PREFIX}{self.object_id}/{self.name}"


def safe_name(name: str) -> str:
    """A file name of letters, digits, ``._-`` only, no path, at most 120 characters."""
    base = re.split(r"[\\/]", name.replace("\x00", ""))[-1]
    cleaned = _UNSAFE.sub("_", base).lstrip("._-")
    if len(cleaned) > MAX_NAME:
        stem, dot, ext = cleaned.rpartition(".")
        keep = ext[:16] if dot and stem else ""
        cleaned = cleaned[: MAX_NAME - len(keep) - 1] + "." + keep if keep else cleaned[:MAX_NAME]
    return cleaned or "file"


def parse_ref(ref: str) -> MediaRef:
    """The parts of a ``media://`` reference; ``BlockInputError`` for anything else."""
    match = _REF.fullmatch(ref.strip())
    if match is None:
        raise BlockInputError(f"Not a media reference: {ref[:200]!r}")
    return MediaRef(match.group(1), match.group(2))


def _check_user(user_id: str) -> str:
    if not _USER.fullmatch(user_id):
        raise BlockInputError(f"Invalid user id for the media store: {user_id[:80]!r}")
    return user_id


def _too_large(size: int, limit: int) -> LimitExceededError:
    return LimitExceededError(
        f"The file is {size:,} bytes; the media store accepts at most {limit:,} "
        "(BLOCKYARD_MEDIA_MAX_BYTES)"
    )


class DiskMediaStore:
    """Files on disk, one folder per user (mode 0700), written atomically."""

    def __init__(self, root: Path, *, max_bytes: int = 100 * 1024 * 1024) -> None:
        self.root = root.resolve()
        self.max_bytes = max_bytes

    async def put(self, user_id: str, name: str, data: bytes) -> str:
        if len(data) > self.max_bytes:
            raise _too_large(len(data), self.max_bytes)
        ref = MediaRef(uuid.uuid4().hex, safe_name(name))
        await asyncio.to_thread(self._write, self._path(user_id, ref), data)
        return str(ref)

    async def get(self, user_id: str, ref: str) -> bytes:
        path = self._path(user_id, parse_ref(ref))
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError:
            raise NotFoundError(f"No such file: {ref}", ref=ref) from None

    async def delete(self, user_id: str, ref: str) -> None:
        path = self._path(user_id, parse_ref(ref))
        await asyncio.to_thread(_remove_file_and_folder, path)

    def _path(self, user_id: str, ref: MediaRef) -> Path:
        user_dir = self.root / _check_user(user_id)
        path = user_dir / ref.object_id / ref.name
        if not path.resolve().is_relative_to(user_dir.resolve()):
            raise BlockInputError(f"Not a media reference: {ref}")
        return path

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        media_root, user_dir, object_dir = path.parents[2], path.parents[1], path.parent
        media_root.mkdir(mode=0o700, parents=True, exist_ok=True)
        for folder in (user_dir, object_dir):
            folder.mkdir(mode=0o700, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".part-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def _remove_file_and_folder(path: Path) -> None:
    path.unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        path.parent.rmdir()


class S3MediaStore:
    """Files as objects in an S3-compatible bucket (boto3, called in a thread)."""

    def __init__(
        self,
        client: "S3Client",
        bucket: str,
        *,
        prefix: str = "media/",
        max_bytes: int = 100 * 1024 * 1024,
    ) -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix
        self.max_bytes = max_bytes

    def _key(self, user_id: str, ref: MediaRef) -> str:
        return f"{self.prefix}{_check_user(user_id)}/{ref.object_id}/{ref.name}"

    async def put(self, user_id: str, name: str, data: bytes) -> str:
        if len(data) > self.max_bytes:
            raise _too_large(len(data), self.max_bytes)
        ref = MediaRef(uuid.uuid4().hex, safe_name(name))
        key = self._key(user_id, ref)
        await asyncio.to_thread(self.client.put_object, Bucket=self.bucket, Key=key, Body=data)
        return str(ref)

    async def get(self, user_id: str, ref: str) -> bytes:
        key = self._key(user_id, parse_ref(ref))
        return await asyncio.to_thread(self._read, key, ref)

    async def delete(self, user_id: str, ref: str) -> None:
        key = self._key(user_id, parse_ref(ref))
        await asyncio.to_thread(self.client.delete_object, Bucket=self.bucket, Key=key)

    def _read(self, key: str, ref: str) -> bytes:
        try:
            obj = self.client.get_object(Bucket=self.bucket, Key=key)
        except self.client.exceptions.NoSuchKey:
            raise NotFoundError(f"No such file: {ref}", ref=ref) from None
        if obj["ContentLength"] > self.max_bytes:
            obj["Body"].close()
            raise _too_large(obj["ContentLength"], self.max_bytes)
        data: bytes = obj["Body"].read()
        return data


def s3_client_from_settings(settings: Settings) -> "S3Client":
    import boto3  # type: ignore[import-untyped]
    from botocore.config import Config  # type: ignore[import-untyped]

    options: dict[str, Any] = {
        "region_name": settings.media_s3_region,
        "config": Config(signature_version="s3v4", retries={"max_attempts": 3}),
    }
    if settings.media_s3_endpoint_url:
        options["endpoint_url"] = settings.media_s3_endpoint_url
    if settings.media_s3_access_key_id:
        options["aws_access_key_id"] = settings.media_s3_access_key_id
        options["aws_secret_access_key"] = settings.media_s3_secret_access_key
    return cast("S3Client", boto3.client("s3", **options))


def media_store_from_settings(settings: Settings) -> DiskMediaStore | S3MediaStore:
    """S3 when ``BLOCKYARD_MEDIA_S3_BUCKET`` is set, else the disk under the data folder."""
    if settings.media_s3_bucket:
        return S3MediaStore(
            s3_client_from_settings(settings),
            settings.media_s3_bucket,
            prefix=settings.media_s3_prefix,
            max_bytes=settings.media_max_bytes,
        )
    root = settings.media_dir or settings.data_dir / "media"
    return DiskMediaStore(root, max_bytes=settings.media_max_bytes)
