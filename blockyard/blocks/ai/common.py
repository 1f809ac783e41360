"""What the LLM blocks share: their common inputs, prompt templates, the context-window
check, one call to the model (streamed to live viewers) and the usage it reports.

Token counts before a call are estimates (:func:`~blockyard.blocks.ai.port.estimate_tokens`,
deliberately high); the counts recorded after a call are the provider's own.
"""

import re
from collections.abc import Sequence
from typing import Any

from blockyard.blocks.ai.port import (
    ChatMessage,
    ChatRequest,
    ChatResponse,
    LanguageModels,
    ModelInfo,
    Usage,
    messages_tokens,
)
from blockyard.blocks.base import SchemaField
from blockyard.blocks.context import BlockContext
from blockyard.blocks.credentials import APIKeyCredentials, CredentialsField
from blockyard.blocks.data_dicts import MAX_DEPTH
from blockyard.blocks.data_formats import TooDeepError, load_json
from blockyard.errors import BlockExecutionError

DEFAULT_MODEL = "gpt-4o-mini"
LLM_PROVIDERS = ["openai", "anthropic", "groq", "open_router", "ollama", "openai_compatible"]
OUTPUT_RESERVE = 1024
"""Tokens kept free for the answer when a block sets no ``max_tokens``."""
BYTES_PER_TOKEN = 3
"""The estimate of :func:`estimate_tokens`, used to turn a token budget into characters."""
_BREAKS = ("\n\n", "\n", ". ", " ")
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][\w.-]*)\s*\}\}")


def model_field(description: str = "The language model to answer.") -> Any:
    return SchemaField(DEFAULT_MODEL, description=description, advanced=False)


def credentials_field() -> Any:
    return CredentialsField(
        LLM_PROVIDERS,
        "api_key",
        description="Your API key for the model's provider; empty uses the server's key, "
        "when the operator set one (then credits pay for it).",
        required=False,
    )


def max_tokens_field() -> Any:
    return SchemaField(
        None, description="The most tokens the answer may have; empty: the model's default."
    )


def ollama_host_field() -> Any:
    return SchemaField(
        "localhost:11434",
        description="Kept for AutoGPT agents; the server's BLOCKYARD_LLM_BASE_URLS decide "
        "where Ollama is.",
        advanced=True,
    )


def need_llm(ctx: BlockContext) -> LanguageModels:
    if ctx.llm is None:
        raise BlockExecutionError("This server has no language model service configured")
    return ctx.llm


def api_key(ctx: BlockContext, field: str = "credentials") -> str | None:
    """The user's own key from the block's credentials, if it has any."""
    credentials = ctx.credentials.get(field)
    if isinstance(credentials, APIKeyCredentials):
        return credentials.api_key.get_secret_value()
    return None


def check_provider(ctx: BlockContext, info: ModelInfo, field: str = "credentials") -> None:
    """Refuse a user's key for another provider than the model's (it would be sent there)."""
    credentials = ctx.credentials.get(field)
    if isinstance(credentials, APIKeyCredentials) and credentials.provider != info.provider:
        raise BlockExecutionError(
            f"The chosen credentials are for {credentials.provider}, but {info.name} is served "
            f"by {info.provider}: choose {info.provider} credentials"
        )


def fill_template(template: str, values: dict[str, Any]) -> str:
    """Put ``values`` into the ``{{name}}`` placeholders; a missing value is an error."""
    missing = sorted({m for m in _PLACEHOLDER.findall(template) if m not in values})
    if missing:
        raise BlockExecutionError(
            f"The prompt uses {', '.join('{{' + m + '}}' for m in missing)} but prompt_values "
            "has no value for it"
        )
    return _PLACEHOLDER.sub(lambda m: _text(values[m.group(1)]), template)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


def conversation(system: str, history: Sequence[dict[str, Any]], prompt: str) -> list[ChatMessage]:
    messages = [ChatMessage("system", system)] if system.strip() else []
    messages += [ChatMessage.from_dict(m) for m in history if isinstance(m, dict)]
    if prompt:
        messages.append(ChatMessage("user", prompt))
    return messages


def input_budget(info: ModelInfo, max_tokens: int | None) -> int:
    """How many prompt tokens fit beside the answer in the model's context window."""
    reserve = max_tokens or min(OUTPUT_RESERVE, info.max_output_tokens or OUTPUT_RESERVE)
    return max(0, info.context_window - reserve)


def check_fits(info: ModelInfo, messages: Sequence[ChatMessage], max_tokens: int | None) -> None:
    """Refuse a prompt the model cannot take, saying by how much."""
    needed, budget = messages_tokens(messages), input_budget(info, max_tokens)
    if needed > budget:
        raise BlockExecutionError(
            f"The prompt is about {needed} tokens but {info.name} takes at most {budget} "
            f"(a context window of {info.context_window} tokens, less room for the answer); "
            "shorten it or choose a model with a larger context window"
        )


def fit_history(
    info: ModelInfo, messages: list[ChatMessage], max_tokens: int | None
) -> list[ChatMessage]:
    """Drop the oldest turns of the conversation (never the system prompt or the last
    message) until it fits; refuse if even that is not enough."""
    kept = list(messages)
    budget = input_budget(info, max_tokens)
    while messages_tokens(kept) > budget:
        first = 1 if kept and kept[0].role == "system" else 0
        if len(kept) - first <= 1:
            break
        del kept[first]
        while len(kept) - first > 1 and kept[first].role == "tool":
            del kept[first]  # a tool result without its call would be refused
    check_fits(info, kept, max_tokens)
    return kept


async def complete(
    ctx: BlockContext, request: ChatRequest, stream_pin: str | None = None
) -> ChatResponse:
    """One call to the model, streamed on ``stream_pin`` when given; usage recorded."""
    llm = need_llm(ctx)
    info = llm.model(request.model)
    check_provider(ctx, info)

    async def on_token(token: str) -> None:
        await ctx.stream(stream_pin or "", token)

    response = await llm.chat(request, on_token if stream_pin else None)
    record_usage(ctx, info, response.usage, response.platform_key)
    return response


def record_usage(ctx: BlockContext, info: ModelInfo, usage: Usage, platform_key: bool) -> None:
    """Add one call's numbers to the node execution's stats."""
    stats = ctx.stats
    stats["model"] = info.name
    stats["provider"] = info.provider
    stats["llm_calls"] = stats.get("llm_calls", 0) + 1
    stats["prompt_tokens"] = stats.get("prompt_tokens", 0) + usage.prompt_tokens
    stats["completion_tokens"] = stats.get("completion_tokens", 0) + usage.completion_tokens
    stats["cost_usd"] = round(stats.get("cost_usd", 0.0) + info.cost(usage), 8)
    if platform_key:
        stats["platform_key"] = True


def prompt_record(messages: Sequence[ChatMessage]) -> list[dict[str, Any]]:
    """The ``prompt`` output pin: the conversation as sent, as AutoGPT shows it."""
    return [m.as_dict() for m in messages]


_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL)


def extract_json(text: str) -> Any:
    """The JSON value in a model's answer: the whole text, a fenced block, or the span from
    the first ``{`` or ``[`` to the last matching bracket. ``ValueError`` says why not."""
    candidates = [text.strip()]
    candidates += [m.strip() for m in _FENCE.findall(text)]
    for opener, closer in (("{", "}"), ("[", "]")):
        start, end = text.find(opener), text.rfind(closer)
        if 0 <= start < end:
            candidates.append(text[start : end + 1])
    too_deep = False
    for candidate in candidates:
        try:
            return load_json(candidate)
        except TooDeepError:
            too_deep = True
        except ValueError:
            continue
    if too_deep:
        raise ValueError(f"the answer's JSON is nested more than {MAX_DEPTH} levels deep")
    shown = text if len(text) <= 80 else text[:77] + "..."
    raise ValueError(f"the answer is not JSON: {shown!r}")


def split_text(text: str, chunk_tokens: int, overlap_tokens: int) -> list[str]:
    """Chunks of about ``chunk_tokens`` (estimated), cut at the best boundary near the end,
    each starting ``overlap_tokens`` before the previous one ended."""
    size = max(1, chunk_tokens * BYTES_PER_TOKEN)
    overlap = min(overlap_tokens * BYTES_PER_TOKEN, size // 2)
    chunks: list[str] = []
    start = 0
    while start < len(text):
        end = _cut(text, start, size)
        chunks.append(text[start:end])
        if end >= len(text):
            break
        start = max(end - overlap, start + 1)
    return chunks


def _cut(text: str, start: int, size: int) -> int:
    """Where a chunk starting at ``start`` should end: a boundary in its last half."""
    hard = start + size
    encoded_limit = text[start:hard]
    while len(encoded_limit.encode("utf-8")) > size and len(encoded_limit) > 1:
        encoded_limit = encoded_limit[: max(1, len(encoded_limit) * 3 // 4)]
    end = start + len(encoded_limit)
    if end >= len(text):
        return len(text)
    for mark in _BREAKS:
        found = text.rfind(mark, start + (end - start) // 2, end)
        if found != -1:
            return found + len(mark)
    return end
