"""A small MCP server for tests: ``add`` and ``shout`` tools.

Run as a script it serves over stdio (``python tests/fakes/mcp_server.py``); in a test,
``ThreadedServer(SERVER.streamable_http_app(), lifespan="on")`` serves it over streamable
HTTP on 127.0.0.1. Each HTTP request's ``Authorization`` header is recorded.
"""

from mcp.server.mcpserver import MCPServer

SERVER = MCPServer("blockyard-test")


@SERVER.tool(description="Adds two whole numbers.")
def add(a: int, b: int) -> int:
    return a + b


@SERVER.tool(description="Shouts the text back in capitals.")
def shout(text: str) -> str:
    return text.upper() + "!"


if __name__ == "__main__":
    SERVER.run("stdio")
