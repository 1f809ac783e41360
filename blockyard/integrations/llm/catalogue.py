"""Which providers and models exist: data, extended by the operator in settings.

A provider is a wire protocol (``openai`` or ``anthropic``) at a base URL. Every
OpenAI-compatible server (Ollama, vLLM, llama.cpp's server, Groq, OpenRouter) is the
``openai`` protocol at another URL; ``BLOCKYARD_LLM_BASE_URLS`` moves any provider, and
``BLOCKYARD_LLM_MODELS`` adds models (or replaces built-in ones of the same name, e.g. to
correct a price: the built-in prices are the providers' list prices when this was written).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

from blockyard.blocks.ai.port import ModelInfo
from blockyard.errors import BlockExecutionError, ConfigError


@dataclass(frozen=True, slots=True)
class Provider:
    name: str
    protocol: Literal["openai", "anthropic"]
    base_url: str | None = None
    """None: the SDK's default (api.openai.com, api.anthropic.com)."""
    needs_key: bool = True


PROVIDERS: dict[str, Provider] = {
    p.name: p
    for p in (
        Provider("openai", "openai"),
        Provider("anthropic", "anthropic"),
        Provider("groq", "openai", "https://api.groq.com/openai/v1"),
        Provider("open_router", "openai", "https://openrouter.ai/api/v1"),
        Provider("ollama", "openai", "http://127.0.0.1:11434/v1", needs_key=False),
        Provider("openai_compatible", "openai", "http://127.0.0.1:8080/v1", needs_key=False),
    )
}

_M = ModelInfo
BUILTIN_MODELS: tuple[ModelInfo, ...] = (
    _M("gpt-4o-mini", "openai", 128_000, 16_384, 0.15, 0.60),
    _M("gpt-4o", "openai", 128_000, 16_384, 2.50, 10.00),
    _M("gpt-4.1-mini", "openai", 1_047_576, 32_768, 0.40, 1.60),
    _M("gpt-4.1", "openai", 1_047_576, 32_768, 2.00, 8.00),
    _M("gpt-5-mini", "openai", 400_000, 128_000, 0.25, 2.00),
    _M("gpt-5", "openai", 400_000, 128_000, 1.25, 10.00),
    _M("gpt-5-nano", "openai", 400_000, 128_000, 0.05, 0.40),
    _M("claude-haiku-4-5", "anthropic", 200_000, 64_000, 1.00, 5.00),
    _M("claude-sonnet-4-6", "anthropic", 200_000, 64_000, 3.00, 15.00),
    _M("claude-opus-4-5", "anthropic", 200_000, 64_000, 5.00, 25.00),
    _M("llama-3.3-70b-versatile", "groq", 128_000, 32_768, 0.59, 0.79),
    _M("llama-3.1-8b-instant", "groq", 128_000, 8_192, 0.05, 0.08),
    _M("meta-llama/llama-3.3-70b-instruct", "open_router", 131_072, 16_384, 0.13, 0.40),
    _M("llama3.2", "ollama", 131_072, 4_096),
    _M("llama3.3", "ollama", 131_072, 4_096),
    _M("qwen2.5", "ollama", 32_768, 4_096),
    _M("text-embedding-3-small", "openai", 8_191, 0, 0.02, kind="embedding"),
    _M("text-embedding-3-large", "openai", 8_191, 0, 0.13, kind="embedding"),
    _M("nomic-embed-text", "ollama", 8_192, 0, kind="embedding"),
)


class ModelCatalogue:
    """Models by name, and the provider each belongs to."""

    def __init__(
        self,
        models: Iterable[ModelInfo] = BUILTIN_MODELS,
        providers: Mapping[str, Provider] = PROVIDERS,
    ) -> None:
        self.providers = dict(providers)
        self._models: dict[str, ModelInfo] = {}
        for info in models:
            self.add(info)

    def add(self, info: ModelInfo) -> None:
        if info.provider not in self.providers:
            raise ConfigError(
                f"Model {info.name!r} names the unknown provider {info.provider!r}; "
                f"known: {', '.join(sorted(self.providers))}"
            )
        self._models[info.name] = info

    def model(self, name: str) -> ModelInfo:
        found = self._models.get(name)
        if found is None:
            known = ", ".join(sorted(self._models))
            raise BlockExecutionError(
                f"Unknown model {name!r}. Known models: {known}. An operator can add models "
                "with BLOCKYARD_LLM_MODELS."
            )
        return found

    def models(self) -> list[ModelInfo]:
        return list(self._models.values())

    def provider(self, name: str) -> Provider:
        return self.providers[name]


def catalogue_from_settings(
    base_urls: Mapping[str, str], extra_models: Iterable[Mapping[str, Any]]
) -> ModelCatalogue:
    """The built-in catalogue with the operator's base URLs and extra models applied."""
    providers = dict(PROVIDERS)
    for name, url in base_urls.items():
        if name not in providers:
            raise ConfigError(
                f"BLOCKYARD_LLM_BASE_URLS names the unknown provider {name!r}; "
                f"known: {', '.join(sorted(providers))}"
            )
        providers[name] = replace(providers[name], base_url=url or providers[name].base_url)
    catalogue = ModelCatalogue(BUILTIN_MODELS, providers)
    for entry in extra_models:
        catalogue.add(_model_from_setting(entry))
    return catalogue


def _model_from_setting(entry: Mapping[str, Any]) -> ModelInfo:
    try:
        return ModelInfo(
            name=str(entry["name"]),
            provider=str(entry["provider"]),
            context_window=int(entry.get("context_window", 8_192)),
            max_output_tokens=int(entry.get("max_output_tokens", 4_096)),
            input_price=float(entry.get("input_price", 0.0)),
            output_price=float(entry.get("output_price", 0.0)),
            kind="embedding" if entry.get("kind") == "embedding" else "chat",
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(
            f"BLOCKYARD_LLM_MODELS: cannot read {dict(entry)!r} ({exc}); each model needs "
            "at least a name and a provider"
        ) from None
