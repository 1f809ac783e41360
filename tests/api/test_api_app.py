"""The application shell: health, limits, error shapes, OpenAPI, front end, secrets."""

import stat
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
from fastapi import FastAPI

from blockyard.api.app import create_app
from blockyard.wiring import ENCRYPTION_KEY_FILE, JWT_SECRET_FILE, Container
from tests.api.helpers import ApiUser, make_settings


async def test_health(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_oversized_bodies_are_413(client: httpx.AsyncClient, alice: ApiUser) -> None:
    big = {"graph": {"name": "x" * (300 * 1024)}}
    response = await client.post("/api/graphs", json=big, headers=alice.headers)
    assert response.status_code == 413
    assert response.json() == {"detail": "Request body too large", "type": "LimitExceededError"}

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(40):
            yield b"x" * 10_000

    streamed = await client.post(
        "/api/graphs",
        content=chunks(),
        headers={**alice.headers, "content-type": "application/json"},
    )
    assert streamed.status_code == 413


async def test_malformed_json_is_422_not_500(client: httpx.AsyncClient, alice: ApiUser) -> None:
    response = await client.post(
        "/api/graphs",
        content=b'{"graph": {"nodes": [',
        headers={**alice.headers, "content-type": "application/json"},
    )
    assert response.status_code == 422
    body = response.json()
    assert body["type"] == "RequestValidationError"
    assert isinstance(body["detail"], str) and body["errors"]


async def test_unknown_routes_are_json_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/nothing-here")
    assert response.status_code == 404
    assert response.json()["type"] == "HTTPError"


async def test_unexpected_errors_are_a_generic_500(container: Container, tmp_path: Path) -> None:
    app = create_app(container, web_dir=tmp_path / "no-front-end")

    @app.get("/api/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals: /etc/passwd")

    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            response = await client.get("/api/boom")
    assert response.status_code == 500
    assert response.json() == {"detail": "Internal server error", "type": "InternalError"}
    assert "passwd" not in response.text


async def test_openapi_and_docs(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    for path in ("/api/graphs", "/api/graphs/{graph_id}/execute/{graph_version}", "/health"):
        assert path in spec["paths"]
    docs = await client.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()


async def test_front_end_is_served_with_spa_fallback(container: Container, tmp_path: Path) -> None:
    web = tmp_path / "web"
    (web / "assets").mkdir(parents=True)
    (web / "index.html").write_text("<html>app</html>")
    (web / "assets" / "app.js").write_text("console.log(1)")
    (tmp_path / "outside.txt").write_text("private")
    app = create_app(container, web_dir=web)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            assert (await client.get("/")).text == "<html>app</html>"
            assert (await client.get("/graphs/123/edit")).text == "<html>app</html>"
            assert (await client.get("/assets/app.js")).text == "console.log(1)"
            assert "private" not in (await client.get("/../outside.txt")).text
            api = await client.get("/api/unknown")
            assert api.status_code == 404 and api.json()["type"] == "HTTPError"
            assert (await client.get("/health")).json() == {"status": "ok"}


def test_no_front_end_without_a_build(container: Container, tmp_path: Path) -> None:
    app = create_app(container, web_dir=tmp_path / "missing")
    assert not any(getattr(r, "path", "") == "/{path:path}" for r in app.routes)


async def test_create_app_from_settings_generates_private_secrets(tmp_path: Path) -> None:
    data = tmp_path / "fresh"
    app: FastAPI = create_app(make_settings(data, workers=0))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            assert (await client.get("/health")).status_code == 200
        first = app.state.container.secrets
    for name in (JWT_SECRET_FILE, ENCRYPTION_KEY_FILE):
        mode = stat.S_IMODE((data / name).stat().st_mode)
        assert mode == 0o600, (name, oct(mode))
    again = create_app(make_settings(data, workers=0))
    async with again.router.lifespan_context(again):
        assert again.state.container.secrets == first
