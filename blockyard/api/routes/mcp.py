"""Blockyard as an MCP server: the agents a user exposes become tools of ``/mcp``.

- ``GET /api/mcp/agents`` lists the caller's exposed agents (as the tools they become);
  ``PUT /api/mcp/agents/{graph_id}`` exposes one, ``DELETE`` hides it again.
- ``/mcp`` speaks MCP over streamable HTTP (stateless, JSON responses), authenticated by
  an API key (``X-API-Key`` or ``Authorization: Bearer byk_...``): ``tools/list`` needs the
  ``read`` scope and shows that user's exposed agents, each with the agent's input schema;
  ``tools/call`` needs ``execute`` and runs the agent's active version through the usual
  queue, waiting (at most :data:`RUN_TIMEOUT` seconds) for its outputs.

The MCP protocol itself is :mod:`blockyard.api.mcp_server`, loaded on the first ``/mcp``
request; its session manager then lives until the app stops (this router's lifespan).
"""

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, FastAPI, Response
from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from blockyard.api.auth import principal_from_api_key
from blockyard.api.deps import ContainerDep, Manager, Reader
from blockyard.engine.events import GRAPH_EVENT
from blockyard.engine.ports import user_channel
from blockyard.engine.states import TERMINAL, ExecutionStatus
from blockyard.errors import BlockyardError, NotFoundError
from blockyard.graph.io_schema import graph_input_schema
from blockyard.store.mcp_agents import McpAgentRepo
from blockyard.wiring import Container

RUN_TIMEOUT = 300.0
_NAME_CHARS = re.compile(r"[^a-zA-Z0-9_-]+")


@dataclass(frozen=True, slots=True)
class AgentTool:
    graph_id: str
    name: str
    description: str
    input_schema: dict[str, Any]


class McpAgentPublic(BaseModel):
    graph_id: str
    tool_name: str
    description: str
    input_schema: dict[str, Any]


# -- the agents a user exposes ---------------------------------------------------------------
async def exposed_tools(
    container: Container, agents: McpAgentRepo, user_id: str
) -> list[AgentTool]:
    """The user's exposed agents as tools (agents deleted since are left out)."""
    tools: list[AgentTool] = []
    taken: set[str] = set()
    for graph_id in await agents.list(user_id):
        try:
            graph = await container.repos.graphs.get(user_id, graph_id)
        except NotFoundError:
            continue
        schema = graph_input_schema(graph, container.registry)
        name = _unique(graph.name or graph_id, taken)
        description = graph.description or f"Runs the agent {graph.name or graph_id}."
        tools.append(AgentTool(graph_id, name, description, schema))
    return tools


def _unique(title: str, taken: set[str]) -> str:
    base = _NAME_CHARS.sub("_", title).strip("_").lower()[:60] or "agent"
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}_{n}"
    taken.add(name)
    return name


async def run_agent(
    container: Container, user_id: str, graph_id: str, inputs: dict[str, Any]
) -> dict[str, Any]:
    """Run the agent through the queue and wait for its end: its outputs by name."""
    subscription = await container.bus.subscribe(user_channel(user_id))
    try:
        record = await container.service.submit(user_id, graph_id, None, inputs)
        async with asyncio.timeout(RUN_TIMEOUT):
            async for message in subscription:
                if _ended(message, record.id):
                    return dict(message["data"])
    except TimeoutError:
        raise BlockyardError(
            f"The agent is still running after {RUN_TIMEOUT:g}s (execution {record.id})"
        ) from None
    finally:
        await subscription.close()
    raise BlockyardError("The event feed ended before the agent did")


def _ended(message: dict[str, Any], graph_exec_id: str) -> bool:
    data = message.get("data") or {}
    return (
        message.get("method") == GRAPH_EVENT
        and data.get("id") == graph_exec_id
        and ExecutionStatus(data["status"]) in TERMINAL
    )


class McpEndpoint:
    """The ``/mcp`` ASGI endpoint: authenticate the API key, then hand over to the SDK
    (loaded, and its session manager started, on the first request)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        app = scope["app"]
        headers = {k.decode().lower(): v.decode() for k, v in scope.get("headers", [])}
        key = (
            headers.get("x-api-key")
            or headers.get("authorization", "").removeprefix("Bearer ").strip()
        )
        try:
            principal = await principal_from_api_key(app.state.container, key)
        except BlockyardError as exc:
            unauthorised = JSONResponse({"detail": exc.message, "type": "AuthError"}, 401)
            await unauthorised(scope, receive, send)
            return
        scope.setdefault("state", {})["principal"] = principal
        runner = await _session_runner(app)
        await runner.sessions.handle_request(scope, receive, send)


async def _session_runner(app: FastAPI) -> Any:
    async with app.state.mcp_lock:
        if app.state.mcp_runner is None:
            from blockyard.api.mcp_server import SessionRunner

            runner = SessionRunner()
            await runner.start()
            app.state.mcp_runner = runner
    return app.state.mcp_runner


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    app.state.mcp_agents = McpAgentRepo(app.state.container.db)
    app.state.mcp_runner = None
    app.state.mcp_lock = asyncio.Lock()
    try:
        yield
    finally:
        if app.state.mcp_runner is not None:
            await app.state.mcp_runner.stop()


router = APIRouter(tags=["mcp"], lifespan=_lifespan)
router.routes.append(
    Route("/mcp", McpEndpoint(), methods=["GET", "POST", "DELETE"], include_in_schema=False)
)


# -- REST: choosing what is exposed ----------------------------------------------------------
def _public(tool: AgentTool) -> McpAgentPublic:
    return McpAgentPublic(
        graph_id=tool.graph_id,
        tool_name=tool.name,
        description=tool.description,
        input_schema=tool.input_schema,
    )


def _agents(request: Request) -> McpAgentRepo:
    repo: McpAgentRepo = request.app.state.mcp_agents
    return repo


@router.get("/api/mcp/agents")
async def list_exposed(
    request: Request, container: ContainerDep, user: Reader
) -> list[McpAgentPublic]:
    tools = await exposed_tools(container, _agents(request), user.user_id)
    return [_public(t) for t in tools]


@router.put("/api/mcp/agents/{graph_id}")
async def expose(
    request: Request, container: ContainerDep, user: Manager, graph_id: str
) -> McpAgentPublic:
    await container.repos.graphs.get(user.user_id, graph_id)  # 404 unless it is the caller's
    await _agents(request).expose(user.user_id, graph_id)
    tools = await exposed_tools(container, _agents(request), user.user_id)
    return _public(next(t for t in tools if t.graph_id == graph_id))


@router.delete("/api/mcp/agents/{graph_id}", status_code=204)
async def hide(request: Request, container: ContainerDep, user: Manager, graph_id: str) -> Response:
    await container.repos.graphs.get(user.user_id, graph_id)  # 404 unless it is the caller's
    await _agents(request).hide(user.user_id, graph_id)
    return Response(status_code=204)
