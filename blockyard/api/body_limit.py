"""Refuse request bodies larger than ``max_request_bytes`` with a 413 JSON error.

A pure ASGI middleware: a declared ``Content-Length`` over the limit is refused before a
byte is read; a body without one (chunked) is read up to the limit and then handed to the
app from memory. Refusing here, before FastAPI parses anything, is what turns an oversized
payload into a clear 413 instead of a half-parsed request.
"""

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_BODY = json.dumps({"detail": "Request body too large", "type": "LimitExceededError"}).encode(
    "utf-8"
)


class BodySizeLimit:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await _too_large(send)
            return
        messages = await self._read_body(receive)
        if messages is None:
            await _too_large(send)
            return
        await self.app(scope, _replay(messages, receive), send)

    async def _read_body(self, receive: Receive) -> list[Message] | None:
        """Every body message, or None once the body passes the limit."""
        messages: list[Message] = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                return messages
            size += len(message.get("body", b""))
            if size > self.max_bytes:
                return None
            if not message.get("more_body", False):
                return messages


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replay() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replay


async def _too_large(send: Send) -> None:
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(_BODY)).encode("ascii")),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": _BODY})
