"""The MCP SDK's client under Blockyard's rules: guarded HTTP, operator-chosen processes.

For streamable HTTP the SDK's ``httpx2`` client gets a connection pool whose network
backend is the SSRF guard of :mod:`blockyard.blocks.net` for ``httpcore2``: every TCP
connection (each redirect hop included) goes to an address the policy has just checked.
For stdio, the command comes from the operator's ``BLOCKYARD_MCP_STDIO_SERVERS`` by name.
"""

import contextlib
from collections.abc import AsyncIterator, Iterable
from typing import Any

import httpcore2
import httpx2
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

from blockyard.blocks.net import OutboundBlockedError, OutboundPolicy, current_policy
from blockyard.settings import Settings

MCP_TIMEOUT = 120.0
"""Seconds an MCP server may take to answer one request."""


@contextlib.asynccontextmanager
async def connect(server_url: str, stdio_server: str, token: str | None) -> AsyncIterator[Client]:
    """A connected client: to ``server_url`` over HTTP, or to the named local server."""
    if bool(server_url) == bool(stdio_server):
        raise ValueError(
            "Give either server_url or stdio_server, not both"
            if server_url
            else "Give the server: server_url or stdio_server"
        )
    if stdio_server:
        async with Client(stdio_parameters(stdio_server), read_timeout_seconds=MCP_TIMEOUT) as c:
            yield c
        return
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with guarded_http_client(current_policy(), headers) as http:
        transport = streamable_http_client(server_url, http_client=http)
        async with Client(transport, read_timeout_seconds=MCP_TIMEOUT) as client:
            yield client


def stdio_parameters(name: str) -> StdioServerParameters:
    servers = Settings().mcp_stdio_servers
    command = servers.get(name)
    if not command:
        known = ", ".join(sorted(servers)) or "none"
        raise ValueError(f"No local MCP server is named {name!r}; configured: {known}")
    return StdioServerParameters(command=command[0], args=list(command[1:]))


class GuardedBackend(httpcore2.AsyncNetworkBackend):
    """The SSRF guard for ``httpcore2`` (the MCP SDK's HTTP stack): every TCP connection
    goes to an address the policy has just checked."""

    def __init__(self, policy: OutboundPolicy) -> None:
        self.policy = policy
        self._inner = httpcore2.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore2's interface)
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore2.AsyncNetworkStream:
        failure: Exception = httpcore2.ConnectError(f"Host {host!r} has no address")
        for address in await self.policy.resolve_checked(host, port):
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except (httpcore2.ConnectError, httpcore2.ConnectTimeout) as exc:
                failure = exc
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore2's interface)
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore2.AsyncNetworkStream:
        raise OutboundBlockedError("Blocks may not connect to Unix sockets")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def guarded_http_client(policy: OutboundPolicy, headers: dict[str, str]) -> httpx2.AsyncClient:
    transport = httpx2.AsyncHTTPTransport(trust_env=False)
    transport._pool = httpcore2.AsyncConnectionPool(  # the guard sits under httpx2's own
        ssl_context=httpx2.create_ssl_context(trust_env=False),
        network_backend=GuardedBackend(policy),
    )
    timeout = httpx2.Timeout(30.0, read=MCP_TIMEOUT)
    return httpx2.AsyncClient(transport=transport, headers=headers, timeout=timeout)
