"""Serve the built front end (``blockyard/web/``) at ``/``, with a single-page-app fallback.

Only mounted when the folder holds an ``index.html``: a checkout without a front-end build
still runs the API. Paths under ``/api`` and ``/ws`` never fall back to the page, so an
unknown API route stays a JSON 404 rather than HTML.
"""

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from starlette.exceptions import HTTPException

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
_RESERVED = ("api", "ws", "docs", "openapi.json", "health")


def mount_frontend(app: FastAPI, web_dir: Path = WEB_DIR) -> bool:
    """Add the catch-all route when ``web_dir/index.html`` exists; True when mounted."""
    root = web_dir.resolve()
    index = root / "index.html"
    if not index.is_file():
        return False

    @app.get("/{path:path}", include_in_schema=False)
    async def frontend(path: str) -> FileResponse:
        first = path.split("/", 1)[0]
        if first in _RESERVED:
            raise HTTPException(404, "Not Found")  # as when no front end is mounted
        return FileResponse(_static_file(root, path) or index)

    return True


def _static_file(root: Path, path: str) -> Path | None:
    """The file under ``root`` that ``path`` names, never one outside it."""
    if not path:
        return None
    candidate = (root / path).resolve()
    if candidate.is_file() and candidate.is_relative_to(root):
        return candidate
    return None
