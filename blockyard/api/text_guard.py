"""Refuse text no database can store (NUL characters and unpaired UTF-16 surrogates) and
JSON nested deeper than any agent or input needs.

PostgreSQL cannot store NUL in text at all and rejects it with an error deep in the
driver; SQLite stores it and hands it back. Lone surrogates (``"\\ud800"`` in JSON) are
not Unicode and cannot be encoded as UTF-8. Rather than let either reach a query (a 500 on
one database, a silent difference on the other), this middleware answers 422 when the
path, the query string or a JSON body contains one. (Values inside JSON columns are
handled by the store's codec; names, titles and ids are plain text columns.)

JSON nested more than ``MAX_JSON_DEPTH`` levels is refused the same way: Python's parser
takes it, but every later step that walks the value recursively (validation, the store's
codec, blocks) would fail on it with a RecursionError (a 500) instead of a clear answer.
"""

import json
import re
from urllib.parse import unquote

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_BAD_ESCAPE = re.compile(
    rb"(?<!\\)(?:\\\\)*\\u0000"
    rb"|(?<!\\)(?:\\\\)*\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"
    rb"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})(?<!\\)\\u[dD][c-fC-F][0-9a-fA-F]{2}"
)
_BODY = json.dumps(
    {
        "detail": "Text may not contain NUL characters or unpaired surrogates",
        "type": "RequestValidationError",
        "errors": [],
    }
).encode("utf-8")


MAX_JSON_DEPTH = 100
"""Deepest nesting of arrays and objects a JSON body may have (blocks allow the same)."""
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')
_BRACKETS = bytes.maketrans(b"[{]}", b"\x01\x01\x02\x02")
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[{]}")
_DEPTH_BODY = json.dumps(
    {
        "detail": f"The JSON is nested more than {MAX_JSON_DEPTH} levels deep",
        "type": "RequestValidationError",
        "errors": [],
    }
).encode("utf-8")


def too_deep(data: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when JSON text ``data`` nests arrays and objects more than ``limit`` deep."""
    if data.count(b"[") + data.count(b"{") <= limit:
        return False
    brackets = _STRING.sub(b"", data).translate(None, _NOT_BRACKETS)
    depth = 0
    for byte in brackets.translate(_BRACKETS):
        depth += 1 if byte == 1 else -1
        if depth > limit:
            return True
    return False


def bad_text(data: bytes) -> bool:
    """True when JSON text ``data`` holds a NUL or a lone surrogate (raw or escaped)."""
    return b"\x00" in data or _BAD_ESCAPE.search(data) is not None


def _bad_url(scope: Scope) -> bool:
    raw = scope.get("raw_path") or scope.get("path", "").encode("utf-8", "surrogatepass")
    query = scope.get("query_string", b"")
    return any(
        "\x00" in unquote(part.decode("latin-1")) or b"\x00" in part for part in (raw, query)
    )


class TextGuard:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if _bad_url(scope):
            await _refuse(send)
            return
        if not _is_json(scope):
            await self.app(scope, receive, send)
            return
        messages: list[Message] = []
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request" or not message.get("more_body", False):
                break
        body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.request")
        if bad_text(body):
            await _refuse(send)
            return
        if too_deep(body):
            await _refuse(send, _DEPTH_BODY)
            return
        await self.app(scope, _replay(messages, receive), send)


def _is_json(scope: Scope) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            return b"json" in value.lower()
    return False


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replay() -> Message:
        return pending.pop(0) if pending else await receive()

    return replay


async def _refuse(send: Send, body: bytes = _BODY) -> None:
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode("ascii")),
    ]
    await send({"type": "http.response.start", "status": 422, "headers": headers})
    await send({"type": "http.response.body", "body": body})
