""":class:`LlmService`: the ``LanguageModels`` port over the provider SDKs.

For each request it looks the model up in the catalogue, picks the key (the user's own,
from the block's credentials, or else the operator's platform key for that provider, in
which case the response says so and credits pay for it), and calls the provider's
protocol. Retries with backoff on 429 and 5xx, and the timeout, are the SDKs' own (they
honour ``Retry-After``); whatever outlives them becomes a Blockyard error a block can
report: a refused key or an unknown model is a ``BlockExecutionError``, a rate limit, a
server error or a timeout a ``BlockTransientError`` (a node's retry policy may try again).
"""

from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from blockyard.blocks.ai.port import (
    ChatRequest,
    ChatResponse,
    Embeddings,
    ModelInfo,
    TokenSink,
)
from blockyard.errors import BlockExecutionError, BlockTransientError
from blockyard.integrations.llm.catalogue import ModelCatalogue, Provider, catalogue_from_settings
from blockyard.settings import Settings

NO_KEY = "not-needed"
"""What the SDKs get as a key for servers that take none (they insist on one)."""
_CLIENT_CACHE_SIZE = 64

if TYPE_CHECKING:
    # The SDKs take seconds to import: they load on the first request, not at start-up.
    import anthropic
    import openai

    Client = openai.AsyncOpenAI | anthropic.AsyncAnthropic


class LlmService:
    """Chat and embeddings for every provider in the catalogue."""

    def __init__(
        self,
        catalogue: ModelCatalogue,
        *,
        platform_keys: Mapping[str, str] | None = None,
        timeout: float = 60.0,
        max_retries: int = 3,
    ) -> None:
        self.catalogue = catalogue
        self._platform_keys = dict(platform_keys or {})
        self._timeout = timeout
        self._max_retries = max_retries
        self._clients: OrderedDict[tuple[str, str], Client] = OrderedDict()

    # -- the port ----------------------------------------------------------------------------
    def model(self, name: str) -> ModelInfo:
        return self.catalogue.model(name)

    def models(self) -> list[ModelInfo]:
        return self.catalogue.models()

    async def chat(self, request: ChatRequest, on_token: TokenSink | None = None) -> ChatResponse:
        info = self.model(request.model)
        if info.kind != "chat":
            raise BlockExecutionError(f"{info.name} is an embedding model, not a chat model")
        provider = self.catalogue.provider(info.provider)
        key, platform = self._key(provider, request.api_key)
        client = self._client(provider, key)
        try:
            response = await self._send(client, provider, info, request, on_token)
        except Exception as exc:
            raise _translate(exc, provider, info.name, self._timeout) from exc
        return _with_platform(response, platform)

    async def embed(
        self, model: str, texts: Sequence[str], api_key: str | None = None
    ) -> Embeddings:
        info = self.model(model)
        provider = self.catalogue.provider(info.provider)
        if info.kind != "embedding" or provider.protocol != "openai":
            raise BlockExecutionError(f"{info.name} is not an embedding model")
        import openai

        from blockyard.integrations.llm import openai_chat

        key, platform = self._key(provider, api_key)
        client = self._client(provider, key)
        assert isinstance(client, openai.AsyncOpenAI)
        try:
            result = await openai_chat.embed(client, info.name, texts)
        except Exception as exc:
            raise _translate(exc, provider, info.name, self._timeout) from exc
        return Embeddings(result.vectors, result.usage, result.model, platform)

    async def close(self) -> None:
        for client in self._clients.values():
            await client.close()
        self._clients.clear()

    # -- helpers -----------------------------------------------------------------------------
    async def _send(
        self,
        client: "Client",
        provider: Provider,
        info: ModelInfo,
        request: ChatRequest,
        on_token: TokenSink | None,
    ) -> ChatResponse:
        import anthropic

        from blockyard.integrations.llm import anthropic_chat, openai_chat

        if isinstance(client, anthropic.AsyncAnthropic):
            params = anthropic_chat.request_params(request, info.max_output_tokens)
            if on_token is None:
                return await anthropic_chat.chat(client, params)
            return await anthropic_chat.stream(client, params, on_token)
        params = openai_chat.request_params(request, provider.name)
        if on_token is None:
            return await openai_chat.chat(client, params)
        return await openai_chat.stream(client, params, on_token)

    def _key(self, provider: Provider, user_key: str | None) -> tuple[str, bool]:
        """The key to send and whether it is the operator's (then credits pay)."""
        if user_key:
            return user_key, False
        platform = self._platform_keys.get(provider.name)
        if platform:
            return platform, True
        if not provider.needs_key:
            return NO_KEY, False
        raise BlockExecutionError(
            f"No API key for {provider.name}: choose credentials of yours on the block, "
            "or ask the operator to configure a platform key (BLOCKYARD_LLM_PLATFORM_KEYS)"
        )

    def _client(self, provider: Provider, key: str) -> "Client":
        """One SDK client per (provider, key), kept for its connection pool."""
        cache_key = (provider.name, key)
        client = self._clients.get(cache_key)
        if client is not None:
            self._clients.move_to_end(cache_key)
            return client
        client = self._new_client(provider, key)
        self._clients[cache_key] = client
        if len(self._clients) > _CLIENT_CACHE_SIZE:
            _, old = self._clients.popitem(last=False)
            del old  # closed by garbage collection; it may still serve a request in flight
        return client

    def _new_client(self, provider: Provider, key: str) -> "Client":
        import anthropic
        import openai

        common: dict[str, Any] = {
            "api_key": key,
            "timeout": self._timeout,
            "max_retries": self._max_retries,
        }
        if provider.base_url:
            common["base_url"] = provider.base_url
        if provider.protocol == "anthropic":
            return anthropic.AsyncAnthropic(**common)
        return openai.AsyncOpenAI(**common)


def _with_platform(response: ChatResponse, platform: bool) -> ChatResponse:
    if not platform:
        return response
    return ChatResponse(
        response.text,
        response.tool_calls,
        response.usage,
        response.model,
        response.finish_reason,
        platform_key=True,
    )


def _translate(exc: Exception, provider: Provider, model: str, timeout: float) -> Exception:
    """An SDK failure as a Blockyard error with a message a user can act on."""
    import anthropic
    import openai

    where = f"{provider.name} ({model})"
    if isinstance(exc, openai.APITimeoutError | anthropic.APITimeoutError):
        return BlockTransientError(f"{where} did not answer within {timeout:g}s")
    if isinstance(exc, openai.APIConnectionError | anthropic.APIConnectionError):
        return BlockTransientError(f"Cannot reach {where}: {exc}")
    status = getattr(exc, "status_code", None)
    if not isinstance(status, int):
        return exc
    detail = _detail(exc)
    if status in (401, 403):
        return BlockExecutionError(f"{where} refused the API key ({status}): {detail}")
    if status == 404:
        return BlockExecutionError(f"{where}: the provider does not know this model ({detail})")
    if status == 429 or status >= 500:
        return BlockTransientError(f"{where} failed after retries ({status}): {detail}")
    return BlockExecutionError(f"{where} rejected the request ({status}): {detail}")


def _detail(exc: Exception) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        error = body.get("error", body)
        if isinstance(error, dict) and error.get("message"):
            return str(error["message"])
    return getattr(exc, "message", None) or str(exc)


def build_llm_service(settings: Settings) -> LlmService:
    """The service configured by ``BLOCKYARD_LLM_*`` settings."""
    catalogue = catalogue_from_settings(settings.llm_base_urls, settings.llm_models)
    return LlmService(
        catalogue,
        platform_keys=settings.llm_platform_keys,
        timeout=settings.llm_timeout_seconds,
        max_retries=settings.llm_max_retries,
    )
