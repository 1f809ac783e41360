"""One message through the official ``anthropic`` SDK (the Messages API).

The port's OpenAI-shaped conversation is mapped to Anthropic's: system messages go to the
``system`` parameter, tool calls are ``tool_use`` blocks of the assistant, tool results
``tool_result`` blocks of a user turn, and consecutive turns of one role are merged (the
API wants them alternating). Anthropic has no JSON-schema response mode here, so a wanted
schema is stated in the system prompt and the calling block validates the answer.
"""

import json
from typing import Any

from anthropic import AsyncAnthropic

from blockyard.blocks.ai.port import (
    ChatMessage,
    ChatRequest,
    ChatResponse,
    TokenSink,
    ToolCall,
    Usage,
)

DEFAULT_MAX_TOKENS = 4096


def request_params(request: ChatRequest, max_output_tokens: int) -> dict[str, Any]:
    system = [m.content for m in request.messages if m.role == "system" and m.content]
    if request.json_schema is not None:
        system.append(
            "Answer with one JSON value that matches this JSON Schema, and nothing else:\n"
            + json.dumps(request.json_schema)
        )
    elif request.json_mode:
        system.append("Answer with one JSON object and nothing else.")
    params: dict[str, Any] = {
        "model": request.model,
        "max_tokens": request.max_tokens
        or min(max_output_tokens or DEFAULT_MAX_TOKENS, DEFAULT_MAX_TOKENS),
        "messages": _turns([m for m in request.messages if m.role != "system"]),
    }
    if system:
        params["system"] = "\n\n".join(system)
    if request.temperature is not None:
        params["temperature"] = request.temperature
    if request.tools:
        params["tools"] = [
            {"name": t.name, "description": t.description, "input_schema": t.parameters}
            for t in request.tools
        ]
    return params


def _turns(messages: list[ChatMessage]) -> list[dict[str, Any]]:
    turns: list[dict[str, Any]] = []
    for message in messages:
        role = "assistant" if message.role == "assistant" else "user"
        blocks = _blocks(message)
        if turns and turns[-1]["role"] == role:
            turns[-1]["content"].extend(blocks)
        else:
            turns.append({"role": role, "content": blocks})
    return turns


def _blocks(message: ChatMessage) -> list[dict[str, Any]]:
    if message.role == "tool":
        return [
            {"type": "tool_result", "tool_use_id": message.tool_call_id, "content": message.content}
        ]
    blocks: list[dict[str, Any]] = []
    if message.content:
        blocks.append({"type": "text", "text": message.content})
    for call in message.tool_calls:
        try:
            arguments = call.parsed_arguments()
        except ValueError:
            arguments = {}
        blocks.append({"type": "tool_use", "id": call.id, "name": call.name, "input": arguments})
    return blocks


async def chat(client: AsyncAnthropic, params: dict[str, Any]) -> ChatResponse:
    message: Any = await client.messages.create(**params)
    text = "".join(b.text for b in message.content if b.type == "text")
    calls = tuple(
        ToolCall(b.id, b.name, json.dumps(b.input)) for b in message.content if b.type == "tool_use"
    )
    usage = Usage(message.usage.input_tokens, message.usage.output_tokens)
    return ChatResponse(text, calls, usage, message.model, message.stop_reason or "")


async def stream(
    client: AsyncAnthropic, params: dict[str, Any], on_token: TokenSink
) -> ChatResponse:
    events: Any = await client.messages.create(**params, stream=True)
    text: list[str] = []
    calls: dict[int, dict[str, str]] = {}
    prompt_tokens = completion_tokens = 0
    finish, model = "", params["model"]
    async for event in events:
        if event.type == "message_start":
            model = event.message.model or model
            prompt_tokens = event.message.usage.input_tokens
        elif event.type == "content_block_start" and event.content_block.type == "tool_use":
            calls[event.index] = {
                "id": event.content_block.id,
                "name": event.content_block.name,
                "args": "",
            }
        elif event.type == "content_block_delta" and event.delta.type == "text_delta":
            text.append(event.delta.text)
            await on_token(event.delta.text)
        elif event.type == "content_block_delta" and event.delta.type == "input_json_delta":
            calls.setdefault(event.index, {"id": "", "name": "", "args": ""})["args"] += (
                event.delta.partial_json
            )
        elif event.type == "message_delta":
            completion_tokens = event.usage.output_tokens
            finish = event.delta.stop_reason or finish
    return ChatResponse(
        text="".join(text),
        tool_calls=tuple(
            ToolCall(c["id"], c["name"], c["args"] or "{}") for _, c in sorted(calls.items())
        ),
        usage=Usage(prompt_tokens, completion_tokens),
        model=model,
        finish_reason=finish,
    )
