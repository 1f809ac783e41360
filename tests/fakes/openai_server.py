"""A local server speaking OpenAI's HTTP protocol, for driving the real ``openai`` SDK.

    with FakeOpenAI() as server:
        server.answer(Answer(text="Hello"), Answer(tool_calls=[("search", {"q": "x"})]))
        ...  # point the SDK (or LlmService) at server.base_url
        assert server.requests[0].body["model"] == "gpt-4o-mini"

It serves ``POST /v1/chat/completions`` (plain JSON, or SSE chunks when the request
streams, with tool calls in fragments and the usage in the last chunk) and
``POST /v1/embeddings`` (deterministic bag-of-words vectors, so that similar texts score
high). Each chat request takes the next scripted :class:`Answer`; an answer may instead be
an HTTP error (with ``Retry-After``) or a hang, which lasts until the server stops.
Every request is recorded with its headers and JSON body. It runs in a thread with
uvicorn on 127.0.0.1 (port chosen by the system).
"""

import asyncio
import itertools
import json
import math
import socket
import threading
import zlib
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

EMBEDDING_SIZE = 64


@dataclass
class Answer:
    text: str = ""
    tool_calls: list[tuple[str, dict[str, Any] | str]] = field(default_factory=list)
    """``(function name, arguments)``; a string is sent as the raw arguments text."""
    status: int = 200
    error: str = "scripted failure"
    headers: dict[str, str] = field(default_factory=dict)
    hang: bool = False
    prompt_tokens: int = 11
    completion_tokens: int = 7


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


class ThreadedServer:
    """Runs a Starlette app with uvicorn in a thread; ``stopping`` ends hanging handlers."""

    def __init__(self, app: Starlette, *, lifespan: str = "off") -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self.port = self._sock.getsockname()[1]
        config = uvicorn.Config(app, log_level="warning", lifespan=lifespan, ws="none", http="h11")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True
        )
        self.stopping = threading.Event()

    def __enter__(self) -> "ThreadedServer":
        self._thread.start()
        for _ in range(500):
            if self._server.started:
                break
            self._thread.join(0.01)
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stopping.set()
        self._server.should_exit = True
        self._thread.join(10)
        self._sock.close()

    async def hang(self) -> None:
        while not self.stopping.is_set():
            await asyncio.sleep(0.02)


def sse(event: str | None, data: Any) -> bytes:
    head = f"event: {event}\n" if event else ""
    payload = data if isinstance(data, str) else json.dumps(data)
    return f"{head}data: {payload}\n\n".encode()


def bag_of_words(text: str) -> list[float]:
    """A unit vector counting words into buckets: texts sharing words point alike."""
    vector = [0.0] * EMBEDDING_SIZE
    for word in text.lower().split():
        word = word.strip(".,;:!?\"'()")
        if word:
            vector[zlib.crc32(word.encode()) % EMBEDDING_SIZE] += 1.0
    norm = math.sqrt(sum(x * x for x in vector)) or 1.0
    return [x / norm for x in vector]


def pieces(text: str) -> list[str]:
    """Split text into word-sized fragments that join back to it exactly."""
    out, current = [], ""
    for ch in text:
        current += ch
        if ch == " ":
            out.append(current)
            current = ""
    return [*out, current] if current else out


class ScriptedServer(ThreadedServer):
    """Shared by the OpenAI and Anthropic fakes: the script and the record of requests."""

    def __init__(self, routes: list[Route]) -> None:
        super().__init__(Starlette(routes=routes))
        self.script: deque[Answer] = deque()
        self.requests: list[Received] = []
        self._ids = itertools.count(1)

    def reset(self) -> None:
        self.script.clear()
        self.requests.clear()

    def answer(self, *answers: Answer) -> None:
        self.script.extend(answers)

    def bodies(self, path_end: str = "") -> list[dict[str, Any]]:
        return [r.body for r in self.requests if r.path.endswith(path_end)]

    async def record(self, request: Request) -> dict[str, Any]:
        body = await request.json()
        self.requests.append(Received(request.url.path, dict(request.headers), body))
        return body

    def next_id(self, prefix: str) -> str:
        return f"{prefix}_{next(self._ids)}"

    async def scripted(
        self, error_body: Callable[[Answer], dict[str, Any]]
    ) -> tuple[Answer | None, Response | None]:
        """The next answer, or the response that replaces it (error, hang, empty script)."""
        if not self.script:
            return None, JSONResponse(error_body(Answer(error="the test scripted no answer")), 400)
        answer = self.script.popleft()
        if answer.hang:
            await self.hang()
            return None, JSONResponse(error_body(Answer(error="server stopped")), 503)
        if answer.status != 200:
            return None, JSONResponse(error_body(answer), answer.status, headers=answer.headers)
        return answer, None


class FakeOpenAI(ScriptedServer):
    def __init__(self) -> None:
        super().__init__(
            [
                Route("/v1/chat/completions", self._chat, methods=["POST"]),
                Route("/v1/embeddings", self._embeddings, methods=["POST"]),
            ]
        )

    def __enter__(self) -> "FakeOpenAI":
        super().__enter__()
        return self

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    async def _chat(self, request: Request) -> Response:
        body = await self.record(request)
        answer, failure = await self.scripted(_openai_error)
        if answer is None:
            assert failure is not None
            return failure
        model = body.get("model", "")
        if body.get("stream"):
            usage = (body.get("stream_options") or {}).get("include_usage", False)
            return StreamingResponse(
                self._chunks(answer, model, usage), media_type="text/event-stream"
            )
        return JSONResponse(self._completion(answer, model))

    def _calls(self, answer: Answer) -> list[dict[str, Any]]:
        return [
            {
                "id": self.next_id("call"),
                "type": "function",
                "function": {
                    "name": name,
                    "arguments": args if isinstance(args, str) else json.dumps(args),
                },
            }
            for name, args in answer.tool_calls
        ]

    def _completion(self, answer: Answer, model: str) -> dict[str, Any]:
        calls = self._calls(answer)
        message: dict[str, Any] = {"role": "assistant", "content": answer.text or None}
        if calls:
            message["tool_calls"] = calls
        return {
            "id": self.next_id("chatcmpl"),
            "object": "chat.completion",
            "created": 1,
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": message,
                    "finish_reason": "tool_calls" if calls else "stop",
                }
            ],
            "usage": _usage(answer),
        }

    async def _chunks(self, answer: Answer, model: str, usage: bool) -> AsyncIterator[bytes]:
        base = {"id": self.next_id("chatcmpl"), "object": "chat.completion.chunk", "created": 1}
        base["model"] = model

        def chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
            choice = {"index": 0, "delta": delta, "finish_reason": finish}
            return sse(None, {**base, "choices": [choice]})

        yield chunk({"role": "assistant", "content": ""})
        for piece in pieces(answer.text):
            yield chunk({"content": piece})
            await asyncio.sleep(0)
        for index, call in enumerate(self._calls(answer)):
            fn = call["function"]
            head = {"index": index, "id": call["id"], "type": "function"}
            yield chunk(
                {"tool_calls": [{**head, "function": {"name": fn["name"], "arguments": ""}}]}
            )
            half = len(fn["arguments"]) // 2
            for part in (fn["arguments"][:half], fn["arguments"][half:]):
                yield chunk({"tool_calls": [{"index": index, "function": {"arguments": part}}]})
        yield chunk({}, "tool_calls" if answer.tool_calls else "stop")
        if usage:
            yield sse(None, {**base, "choices": [], "usage": _usage(answer)})
        yield sse(None, "[DONE]")

    async def _embeddings(self, request: Request) -> Response:
        body = await self.record(request)
        texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
        data = [
            {"object": "embedding", "index": i, "embedding": bag_of_words(t)}
            for i, t in enumerate(texts)
        ]
        tokens = sum(len(t.split()) for t in texts)
        return JSONResponse(
            {
                "object": "list",
                "data": data,
                "model": body["model"],
                "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
            }
        )


def _usage(answer: Answer) -> dict[str, int]:
    return {
        "prompt_tokens": answer.prompt_tokens,
        "completion_tokens": answer.completion_tokens,
        "total_tokens": answer.prompt_tokens + answer.completion_tokens,
    }


def _openai_error(answer: Answer) -> dict[str, Any]:
    return {"error": {"message": answer.error, "type": "scripted", "code": None}}
