"""Shared fixtures: real PostgreSQL and Redis when present (required under CI=true)."""

import os
import socket
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest

PG_HOST, PG_PORT = "127.0.0.1", 5432
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
IN_CI = os.environ.get("CI", "").lower() == "true"


def _port_open(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def require_service(name: str, host: str, port: int) -> None:
    """Skip with a clear reason when a server is absent; under CI=true, fail instead."""
    if _port_open(host, port):
        return
    message = f"{name} is not reachable at {host}:{port}"
    if IN_CI:
        pytest.fail(f"{message}; CI=true requires it")
    pytest.skip(message)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """An admin URL for the local PostgreSQL server (trust auth, user postgres)."""
    require_service("PostgreSQL", PG_HOST, PG_PORT)
    yield f"postgresql+asyncpg://postgres@{PG_HOST}:{PG_PORT}/postgres"


@pytest.fixture
async def postgres_url(postgres_server: str) -> AsyncIterator[str]:
    """A fresh, empty database for one test, dropped afterwards."""
    import asyncpg

    name = f"blockyard_test_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user="postgres", database="postgres")
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    yield f"postgresql+asyncpg://postgres@{PG_HOST}:{PG_PORT}/{name}"
    conn = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user="postgres", database="postgres")
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.fixture
def sqlite_url(tmp_path: "os.PathLike[str]") -> str:
    return f"sqlite+aiosqlite:///{os.fspath(tmp_path)}/blockyard.db"


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: "os.PathLike[str]") -> str:
    """Run a test once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{os.fspath(tmp_path)}/blockyard.db"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def redis_url() -> Iterator[str]:
    """The local Redis, with a per-test key prefix passed as a query parameter-free URL.

    Tests that use it should namespace their keys with ``redis_prefix``.
    """
    require_service("Redis", REDIS_HOST, REDIS_PORT)
    yield f"redis://{REDIS_HOST}:{REDIS_PORT}/0"


@pytest.fixture
def redis_prefix() -> str:
    return f"blockyard-test-{uuid.uuid4().hex[:10]}"
