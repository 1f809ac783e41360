"""Fixtures for the AI tests: local OpenAI and Anthropic servers and a service pointed at them."""

from collections.abc import AsyncIterator, Iterator

import pytest

from blockyard.integrations.llm.catalogue import catalogue_from_settings
from blockyard.integrations.llm.service import LlmService
from tests.fakes.anthropic_server import FakeAnthropic
from tests.fakes.openai_server import FakeOpenAI

USER_KEY = "sk-user-key"
PLATFORM_KEY = "sk-platform-key"


@pytest.fixture(scope="session")
def _openai_once() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


@pytest.fixture(scope="session")
def _anthropic_once() -> Iterator[FakeAnthropic]:
    with FakeAnthropic() as server:
        yield server


@pytest.fixture
def openai_server(_openai_once: FakeOpenAI) -> FakeOpenAI:
    """The session's OpenAI fake, its script and record of requests emptied for this test."""
    _openai_once.reset()
    return _openai_once


@pytest.fixture
def anthropic_server(_anthropic_once: FakeAnthropic) -> FakeAnthropic:
    _anthropic_once.reset()
    return _anthropic_once


def make_service(
    openai_server: FakeOpenAI,
    anthropic_server: FakeAnthropic | None = None,
    *,
    timeout: float = 5.0,
    max_retries: int = 0,
    platform_keys: dict[str, str] | None = None,
) -> LlmService:
    urls = {"openai": openai_server.base_url, "ollama": openai_server.base_url}
    if anthropic_server is not None:
        urls["anthropic"] = anthropic_server.base_url
    extra = [{"name": "tiny", "provider": "openai", "context_window": 200, "max_output_tokens": 50}]
    return LlmService(
        catalogue_from_settings(urls, extra),
        platform_keys=platform_keys,
        timeout=timeout,
        max_retries=max_retries,
    )


@pytest.fixture
async def llm(
    openai_server: FakeOpenAI, anthropic_server: FakeAnthropic
) -> AsyncIterator[LlmService]:
    service = make_service(openai_server, anthropic_server)
    yield service
    await service.close()
