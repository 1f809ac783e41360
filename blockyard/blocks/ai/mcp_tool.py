"""MCP Tool: list and call the tools of a Model Context Protocol server (the ``mcp`` package).

Two transports: **streamable HTTP** to a server URL, connecting only where the SSRF guard
allows, and **stdio** to a local process, which must be one the operator configured by
name in ``BLOCKYARD_MCP_STDIO_SERVERS`` (a block never chooses the command); see
:mod:`blockyard.blocks.ai.mcp_client`, imported on first use (the SDK is large). With no
``tool_name`` the block lists the server's tools; with one it calls it.

Linked to a Smart Decision Maker's tool pin (on ``tool_arguments``), the node is offered to
the model as the MCP tool itself: its name, description and input schema, as saved on the
node when the tool was chosen (:meth:`MCPToolBlock.describe_as_tool`).
"""

from typing import Any

from blockyard.blocks.ai.common import api_key
from blockyard.blocks.base import (
    ERROR_PIN,
    Block,
    BlockCategory,
    BlockOutput,
    BlockSchemaInput,
    BlockSchemaOutput,
    SchemaField,
)
from blockyard.blocks.context import BlockContext, ToolInfo
from blockyard.blocks.credentials import CredentialsField, CredentialsMeta
from blockyard.blocks.net import OutboundBlockedError


class MCPToolBlock(Block):
    id = "d599d857-573f-4ef5-9d7a-89fae38ef418"
    description = (
        "Lists or calls the tools of an MCP (Model Context Protocol) server, over HTTP or "
        "a local server process the operator configured."
    )
    categories = frozenset({BlockCategory.AI, BlockCategory.DEVELOPER_TOOLS})

    class Input(BlockSchemaInput):
        server_url: str = SchemaField("", description="The server's streamable HTTP endpoint.")
        stdio_server: str = SchemaField(
            "", description="Or the name of a local server the operator configured."
        )
        credentials: CredentialsMeta | None = CredentialsField(
            "mcp", "api_key", description="A token sent as Bearer to the server.", required=False
        )
        tool_name: str = SchemaField("", description="The tool to call; empty lists the tools.")
        tool_arguments: dict[str, Any] = SchemaField(
            default_factory=dict, description="The tool's arguments."
        )
        tool_description: str = SchemaField("", hidden=True, description="The tool's purpose.")
        tool_input_schema: dict[str, Any] = SchemaField(
            default_factory=dict, hidden=True, description="The tool's input schema."
        )

    class Output(BlockSchemaOutput):
        tools: list[dict[str, Any]] = SchemaField(
            description="The server's tools: {name, description, input_schema}."
        )
        result: Any = SchemaField(description="The tool's structured result, or its text.")
        content: list[Any] = SchemaField(description="Everything the tool returned.")

    test_input = [{"server_url": "https://a.example", "stdio_server": "files"}]
    test_output = [("error", "Give either server_url or stdio_server, not both")]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        try:
            from blockyard.blocks.ai.mcp_client import connect  # the SDK loads on first use

            token = api_key(ctx)
            async with connect(input_data.server_url, input_data.stdio_server, token) as client:
                if not input_data.tool_name:
                    listed = await client.list_tools()
                    yield "tools", [_tool_dict(t) for t in listed.tools]
                    return
                result = await client.call_tool(input_data.tool_name, input_data.tool_arguments)
        except (ValueError, OSError, OutboundBlockedError) as exc:
            yield ERROR_PIN, str(exc)
            return
        except Exception as exc:  # the SDK raises its own and anyio's errors
            yield ERROR_PIN, f"The MCP server failed: {_describe(exc)}"
            return
        content = [c.model_dump(mode="json", exclude_none=True) for c in result.content]
        text = "\n".join(c.get("text", "") for c in content if c.get("type") == "text")
        if result.is_error:
            yield ERROR_PIN, f"The tool {input_data.tool_name!r} failed: {text}"
            return
        yield "result", result.structured_content if result.structured_content is not None else text
        yield "content", content

    @staticmethod
    def describe_as_tool(defaults: dict[str, Any]) -> ToolInfo | None:
        """How a Smart Decision Maker offers this node: as the MCP tool it calls, whose
        arguments travel as one dictionary in ``tool_arguments``."""
        name = defaults.get("tool_name")
        if not name:
            return None
        schema = defaults.get("tool_input_schema") or {"type": "object", "properties": {}}
        description = str(defaults.get("tool_description") or f"The MCP tool {name}.")
        return ToolInfo("", str(name), description, schema, arguments_field="tool_arguments")


def _tool_dict(tool: Any) -> dict[str, Any]:
    return {
        "name": tool.name,
        "description": tool.description or "",
        "input_schema": tool.input_schema,
    }


def _describe(exc: BaseException) -> str:
    """The first real cause inside the exception groups anyio wraps errors in."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    message = getattr(exc, "message", None) or str(exc)
    if isinstance(exc, OutboundBlockedError):
        return message
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__
