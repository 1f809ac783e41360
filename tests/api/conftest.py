"""An app over a real container (SQLite in a temp dir, in-process queue and bus)."""

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from blockyard.wiring import Container
from tests.api.helpers import ApiUser, make_settings, running_container, serving, signup


@pytest.fixture
async def container(tmp_path: Path) -> AsyncIterator[Container]:
    async with running_container(make_settings(tmp_path / "data")) as built:
        yield built


@pytest.fixture
async def served(container: Container) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    async with serving(container) as pair:
        yield pair


@pytest.fixture
def app(served: tuple[FastAPI, httpx.AsyncClient]) -> FastAPI:
    return served[0]


@pytest.fixture
def client(served: tuple[FastAPI, httpx.AsyncClient]) -> httpx.AsyncClient:
    return served[1]


@pytest.fixture
async def alice(client: httpx.AsyncClient) -> ApiUser:
    return await signup(client, "alice@example.com")


@pytest.fixture
async def bob(client: httpx.AsyncClient) -> ApiUser:
    return await signup(client, "bob@example.com")
