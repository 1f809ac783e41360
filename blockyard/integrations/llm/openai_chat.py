"""One chat completion or embedding through the official ``openai`` SDK.

Used for OpenAI itself and every OpenAI-compatible server. Streaming asks for the usage in
the last chunk (``stream_options.include_usage``) and puts tool calls together from their
fragments, keyed by index as the protocol sends them.
"""

from collections.abc import Sequence
from typing import Any

from openai import AsyncOpenAI

from blockyard.blocks.ai.port import (
    ChatMessage,
    ChatRequest,
    ChatResponse,
    Embeddings,
    TokenSink,
    ToolCall,
    Usage,
)


def request_params(request: ChatRequest, provider: str) -> dict[str, Any]:
    """The body of ``/chat/completions`` for ``request``."""
    params: dict[str, Any] = {
        "model": request.model,
        "messages": [_message(m) for m in request.messages],
    }
    if request.max_tokens:
        # OpenAI's own models take max_completion_tokens; compatible servers know max_tokens.
        key = "max_completion_tokens" if provider == "openai" else "max_tokens"
        params[key] = request.max_tokens
    if request.temperature is not None:
        params["temperature"] = request.temperature
    if request.tools:
        params["tools"] = [
            {
                "type": "function",
                "function": {
                    "name": t.name,
                    "description": t.description,
                    "parameters": t.parameters,
                },
            }
            for t in request.tools
        ]
    if request.json_schema is not None:
        params["response_format"] = {
            "type": "json_schema",
            "json_schema": {"name": "response", "schema": request.json_schema},
        }
    elif request.json_mode:
        params["response_format"] = {"type": "json_object"}
    return params


def _message(message: ChatMessage) -> dict[str, Any]:
    out: dict[str, Any] = {"role": message.role, "content": message.content}
    if message.tool_calls:
        out["tool_calls"] = [
            {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
            for c in message.tool_calls
        ]
        out["content"] = message.content or None
    if message.role == "tool":
        out["tool_call_id"] = message.tool_call_id
    return out


async def chat(client: AsyncOpenAI, params: dict[str, Any]) -> ChatResponse:
    completion: Any = await client.chat.completions.create(**params)
    choice = completion.choices[0] if completion.choices else None
    message = choice.message if choice is not None else None
    calls = (
        tuple(
            ToolCall(c.id, c.function.name, c.function.arguments or "{}")
            for c in (message.tool_calls or ())
            if getattr(c, "function", None) is not None
        )
        if message is not None
        else ()
    )
    usage = completion.usage
    return ChatResponse(
        text=(message.content or "") if message is not None else "",
        tool_calls=calls,
        usage=Usage(usage.prompt_tokens, usage.completion_tokens) if usage else Usage(),
        model=completion.model or params["model"],
        finish_reason=(choice.finish_reason or "") if choice is not None else "",
    )


async def stream(client: AsyncOpenAI, params: dict[str, Any], on_token: TokenSink) -> ChatResponse:
    chunks: Any = await client.chat.completions.create(
        **params, stream=True, stream_options={"include_usage": True}
    )
    text: list[str] = []
    calls: dict[int, dict[str, str]] = {}
    usage, finish, model = Usage(), "", params["model"]
    async for chunk in chunks:
        model = chunk.model or model
        if chunk.usage is not None:
            usage = Usage(chunk.usage.prompt_tokens, chunk.usage.completion_tokens)
        for choice in chunk.choices:
            finish = choice.finish_reason or finish
            delta = choice.delta
            if delta.content:
                text.append(delta.content)
                await on_token(delta.content)
            for fragment in delta.tool_calls or ():
                _add_fragment(
                    calls.setdefault(fragment.index, {"id": "", "name": "", "args": ""}), fragment
                )
    return ChatResponse(
        text="".join(text),
        tool_calls=tuple(
            ToolCall(c["id"], c["name"], c["args"] or "{}") for _, c in sorted(calls.items())
        ),
        usage=usage,
        model=model,
        finish_reason=finish,
    )


def _add_fragment(slot: dict[str, str], fragment: Any) -> None:
    if fragment.id:
        slot["id"] = fragment.id
    function = fragment.function
    if function is not None:
        slot["name"] += function.name or ""
        slot["args"] += function.arguments or ""


async def embed(client: AsyncOpenAI, model: str, texts: Sequence[str]) -> Embeddings:
    result: Any = await client.embeddings.create(model=model, input=list(texts))
    vectors = [list(item.embedding) for item in sorted(result.data, key=lambda d: d.index)]
    tokens = result.usage.prompt_tokens if result.usage else 0
    return Embeddings(vectors=vectors, usage=Usage(tokens, 0), model=model)
