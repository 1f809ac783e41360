"""The MCP protocol side of ``/mcp``: tools/list and tools/call over the user's exposed agents.

Kept apart from :mod:`blockyard.api.routes.mcp` because the MCP SDK takes a noticeable
time to import: this module loads on the first ``/mcp`` request, not at start-up.
"""

import asyncio
import json
from typing import Any

import mcp_types as types
from mcp.server.lowlevel import Server
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from starlette.requests import Request

from blockyard.api.auth import Principal
from blockyard.api.auth import Scope as KeyScope
from blockyard.api.routes.mcp import exposed_tools, run_agent
from blockyard.engine.states import ExecutionStatus
from blockyard.errors import BlockyardError
from blockyard.store.mcp_agents import McpAgentRepo
from blockyard.wiring import Container


def _caller(ctx: Any) -> tuple[Container, McpAgentRepo, Principal]:
    request: Request = ctx.request
    state = request.app.state
    return state.container, state.mcp_agents, request.state.principal


async def _list_tools(
    ctx: Any, params: types.PaginatedRequestParams | None
) -> types.ListToolsResult:
    container, agents, principal = _caller(ctx)
    principal.require(KeyScope.READ)
    tools = await exposed_tools(container, agents, principal.user_id)
    return types.ListToolsResult(
        tools=[
            types.Tool(name=t.name, description=t.description, input_schema=t.input_schema)
            for t in tools
        ]
    )


async def _call_tool(ctx: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
    container, agents, principal = _caller(ctx)
    try:
        principal.require(KeyScope.EXECUTE)
        tools = {t.name: t for t in await exposed_tools(container, agents, principal.user_id)}
        tool = tools.get(params.name)
        if tool is None:
            return _error(f"No exposed agent is called {params.name!r}")
        ended = await run_agent(
            container, principal.user_id, tool.graph_id, dict(params.arguments or {})
        )
    except BlockyardError as exc:
        return _error(exc.message)
    outputs = ended.get("outputs") or {}
    if ended["status"] != ExecutionStatus.COMPLETED:
        return _error(f"The agent ended {ended['status']}: {ended.get('error') or ''}")
    text = json.dumps(outputs, default=str, ensure_ascii=False)
    return types.CallToolResult(
        content=[types.TextContent(type="text", text=text)],
        structured_content={"outputs": outputs, "execution_id": ended["id"]},
    )


def _error(message: str) -> types.CallToolResult:
    return types.CallToolResult(
        content=[types.TextContent(type="text", text=message)], is_error=True
    )


MCP_SERVER: Server[Any] = Server("blockyard", on_list_tools=_list_tools, on_call_tool=_call_tool)


class SessionRunner:
    """The SDK's session manager, run in a task of its own until :meth:`stop` (its task
    group must be entered and left by one task)."""

    def __init__(self) -> None:
        self.sessions = StreamableHTTPSessionManager(
            app=MCP_SERVER, stateless=True, json_response=True
        )
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        started = asyncio.Event()

        async def keep() -> None:
            async with self.sessions.run():
                started.set()
                await self._stop.wait()

        self._task = asyncio.get_running_loop().create_task(keep(), name="mcp-sessions")
        ready = asyncio.ensure_future(started.wait())
        await asyncio.wait({self._task, ready}, return_when=asyncio.FIRST_COMPLETED)
        if self._task.done():
            ready.cancel()
            self._task.result()  # it failed to start: raise why

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            await self._task
