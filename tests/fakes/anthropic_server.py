"""A local server speaking Anthropic's Messages API, for driving the real ``anthropic`` SDK.

``POST /v1/messages`` answers from the same script as :mod:`tests.fakes.openai_server`
(text, ``tool_use`` blocks, errors, hangs), as one JSON message or, when the request
streams, as the SSE events of the protocol (``message_start``, content blocks with text and
``input_json_delta`` fragments, ``message_delta`` with the usage, ``message_stop``).
"""

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tests.fakes.openai_server import Answer, ScriptedServer, pieces, sse


class FakeAnthropic(ScriptedServer):
    def __init__(self) -> None:
        super().__init__([Route("/v1/messages", self._messages, methods=["POST"])])

    def __enter__(self) -> "FakeAnthropic":
        super().__enter__()
        return self

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def _messages(self, request: Request) -> Response:
        body = await self.record(request)
        answer, failure = await self.scripted(_error)
        if answer is None:
            assert failure is not None
            return failure
        model = body.get("model", "")
        if body.get("stream"):
            return StreamingResponse(self._events(answer, model), media_type="text/event-stream")
        return JSONResponse(self._message(answer, model, self._content(answer)))

    def _content(self, answer: Answer) -> list[dict[str, Any]]:
        content: list[dict[str, Any]] = []
        if answer.text:
            content.append({"type": "text", "text": answer.text})
        for name, args in answer.tool_calls:
            arguments = json.loads(args) if isinstance(args, str) else args
            content.append(
                {"type": "tool_use", "id": self.next_id("toolu"), "name": name, "input": arguments}
            )
        return content

    def _message(self, answer: Answer, model: str, content: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "id": self.next_id("msg"),
            "type": "message",
            "role": "assistant",
            "model": model,
            "content": content,
            "stop_reason": "tool_use" if answer.tool_calls else "end_turn",
            "stop_sequence": None,
            "usage": {
                "input_tokens": answer.prompt_tokens,
                "output_tokens": answer.completion_tokens,
            },
        }

    async def _events(self, answer: Answer, model: str) -> AsyncIterator[bytes]:
        start = self._message(answer, model, [])
        start["stop_reason"] = None
        start["usage"] = {"input_tokens": answer.prompt_tokens, "output_tokens": 0}
        yield sse("message_start", {"type": "message_start", "message": start})
        for index, block in enumerate(self._content(answer)):
            for event, data in _block_events(index, block):
                yield sse(event, data)
                await asyncio.sleep(0)
        delta = {
            "stop_reason": "tool_use" if answer.tool_calls else "end_turn",
            "stop_sequence": None,
        }
        usage = {"output_tokens": answer.completion_tokens}
        yield sse("message_delta", {"type": "message_delta", "delta": delta, "usage": usage})
        yield sse("message_stop", {"type": "message_stop"})


def _block_events(index: int, block: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    events: list[tuple[str, dict[str, Any]]] = []
    if block["type"] == "text":
        empty = {"type": "text", "text": ""}
        events.append(
            (
                "content_block_start",
                {"type": "content_block_start", "index": index, "content_block": empty},
            )
        )
        for piece in pieces(block["text"]):
            delta = {"type": "text_delta", "text": piece}
            events.append(
                (
                    "content_block_delta",
                    {"type": "content_block_delta", "index": index, "delta": delta},
                )
            )
    else:
        head = {**block, "input": {}}
        events.append(
            (
                "content_block_start",
                {"type": "content_block_start", "index": index, "content_block": head},
            )
        )
        text = json.dumps(block["input"])
        half = len(text) // 2
        for part in (text[:half], text[half:]):
            delta = {"type": "input_json_delta", "partial_json": part}
            events.append(
                (
                    "content_block_delta",
                    {"type": "content_block_delta", "index": index, "delta": delta},
                )
            )
    events.append(("content_block_stop", {"type": "content_block_stop", "index": index}))
    return events


def _error(answer: Answer) -> dict[str, Any]:
    kind = {401: "authentication_error", 404: "not_found_error", 429: "rate_limit_error"}
    return {
        "type": "error",
        "error": {"type": kind.get(answer.status, "api_error"), "message": answer.error},
    }
