"""Refuse text no database can store: NUL characters and unpaired UTF-16 surrogates.

PostgreSQL cannot store NUL in text at all and rejects it with an error deep in the
driver; SQLite stores it and hands it back. Lone surrogates (``"\\ud800"`` in JSON) are
not Unicode and cannot be encoded as UTF-8. Rather than let either reach a query (a 500 on
one database, a silent difference on the other), this middleware answers 422 when the
path, the query string or a JSON body contains one. (Values inside JSON columns are
handled by the store's codec; names, titles and ids are plain text columns.)
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


async def _refuse(send: Send) -> None:
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(_BODY)).encode("ascii")),
    ]
    await send({"type": "http.response.start", "status": 422, "headers": headers})
    await send({"type": "http.response.body", "body": _BODY})
