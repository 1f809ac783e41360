"""The FastAPI application: routes, WebSocket, error handlers, body limit, front end.

``create_app(settings)`` builds its :class:`~blockyard.wiring.Container` in the lifespan
(so importing or creating the app does no I/O, and ``blockyard openapi`` needs no
database), starts the engine workers and closes everything on shutdown.
``create_app(container)`` serves an already built container and leaves starting and
closing it to the caller.
"""

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

import blockyard
from blockyard.api import errors
from blockyard.api.body_limit import BodySizeLimit
from blockyard.api.frontend import WEB_DIR, mount_frontend
from blockyard.api.routes import (
    admin,
    api_keys,
    auth,
    blocks,
    credits,
    executions,
    graphs,
    integrations,
    mcp,
    schedules,
)
from blockyard.api.schemas import HealthPublic
from blockyard.api.text_guard import TextGuard
from blockyard.api.ws import router as ws_router
from blockyard.api.ws_hub import EventHub
from blockyard.settings import Settings
from blockyard.wiring import Container, build

log = logging.getLogger(__name__)


def _lifespan(
    source: Settings | Container,
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = isinstance(source, Settings)
        container = await build(source) if isinstance(source, Settings) else source
        hub = EventHub(container.bus)
        app.state.container, app.state.hub = container, hub
        try:
            if owned:
                await container.start()
            yield
        finally:
            await hub.close()
            if owned:
                await container.close()

    return lifespan


def create_app(source: Settings | Container | None = None, *, web_dir: Path = WEB_DIR) -> FastAPI:
    """The whole HTTP and WebSocket API; the front end too when ``web_dir`` holds a build."""
    source = source if source is not None else Settings()
    settings = source if isinstance(source, Settings) else source.settings
    app = FastAPI(
        title="Blockyard",
        version=blockyard.__version__,
        description="Build, run and share AI agents as graphs of blocks.",
        lifespan=_lifespan(source),
    )
    app.add_middleware(TextGuard)  # inside the size limit: it reads bodies
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_request_bytes)
    errors.install(app)

    @app.get("/health", tags=["health"])
    async def health() -> HealthPublic:
        return HealthPublic()

    routers = (auth, api_keys, blocks, graphs, executions, schedules, integrations, credits, admin)
    for module in (*routers, mcp):
        app.include_router(module.router)
    app.include_router(ws_router)
    mount_frontend(app, web_dir)
    return app
