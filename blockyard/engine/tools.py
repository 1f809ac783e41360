"""Tool nodes: what a Smart Decision Maker may call, built from the plan's links.

A node whose ``tools_^_{node_id}_~_{field}`` output pins are linked to other nodes offers
those nodes as tools (AutoGPT's format): each linked node is one tool, its linked fields
the tool's parameters (their JSON Schema taken from the block's input schema, or for an
Agent Executor node from the sub-agent's input schema). ``call_tool`` runs the node through
:meth:`GraphRun.run_tool`: a node execution of its own, stored and shown in the run, whose
outputs come back to the caller instead of travelling down the node's links.
"""

import re
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from blockyard.blocks.base import BlockType
from blockyard.blocks.context import ToolInfo, ToolResult
from blockyard.engine.plan import NodePlan
from blockyard.graph.pin_types import TOOL_SEP

if TYPE_CHECKING:
    from blockyard.engine.run import GraphRun

TOOLS_PIN = "tools"
TOOL_CALL_OF = "tool_call_of"
"""Key in a tool call's node execution stats: the node execution that called it."""
_UI_KEYS = ("advanced", "secret", "hidden", "placeholder")
_NAME_CHARS = re.compile(r"[^a-zA-Z0-9_-]+")


class NodeTools:
    """The :class:`~blockyard.blocks.context.ToolRunner` of one node execution."""

    def __init__(self, run: "GraphRun", tools: list[ToolInfo], caller: str) -> None:
        self._run = run
        self._tools = tools
        self._caller = caller

    def list_tools(self) -> list[ToolInfo]:
        return list(self._tools)

    async def call_tool(self, node_id: str, arguments: dict[str, Any]) -> ToolResult:
        tool = next((t for t in self._tools if t.node_id == node_id), None)
        if tool is None:
            return ToolResult({}, f"Node {node_id} is not one of this node's tools")
        if tool.arguments_field:
            arguments = {tool.arguments_field: arguments}
        outcome = await self._run.run_tool(node_id, arguments, self._caller)
        return ToolResult(outcome.outputs, outcome.error)


def node_tools(run: "GraphRun", plan: NodePlan, caller: str) -> NodeTools | None:
    """The tools of ``plan``'s node, or None when no tool pin of it is linked."""
    fields = tool_fields(plan)
    if not fields:
        return None
    tools: list[ToolInfo] = []
    taken: set[str] = set()
    for node_id, names in fields.items():
        target = run.plan.nodes.get(node_id)
        if target is not None:
            tools.append(tool_info(target, names, taken))
    return NodeTools(run, tools, caller)


def tool_fields(plan: NodePlan) -> dict[str, list[str]]:
    """Tool node id -> the fields linked from this node's tool pins, in link order."""
    found: dict[str, list[str]] = {}
    prefix = TOOLS_PIN + TOOL_SEP
    for pin, routes in plan.routes.items():
        if not pin.startswith(prefix):
            continue
        for route in routes:
            names = found.setdefault(route.sink_id, [])
            if route.sink_name not in names:
                names.append(route.sink_name)
    return found


def tool_info(plan: NodePlan, fields: list[str], taken: set[str]) -> ToolInfo:
    """Describe one tool node to the model: a unique name, its purpose, its parameters."""
    defaults = plan.node.input_default
    describe = getattr(plan.block, "describe_as_tool", None)
    custom = describe(defaults) if callable(describe) else None
    if isinstance(custom, ToolInfo):
        return replace(custom, node_id=plan.id, name=_unique_name(custom.name, taken))
    if plan.block_type == BlockType.AGENT:
        schema = defaults.get("input_schema") or {}
        title = str(defaults.get("agent_name") or "agent")
        description = str(schema.get("description") or f"Runs the agent {title!r}.")
    else:
        schema = plan.block.Input.jsonschema()
        title = plan.block.name().removesuffix("Block")
        description = plan.block.description
    return ToolInfo(
        node_id=plan.id,
        name=_unique_name(title, taken),
        description=description,
        parameters=_parameters(schema, fields),
    )


def _parameters(schema: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    properties = schema.get("properties") or {}
    params: dict[str, Any] = {
        "type": "object",
        "properties": {
            name: {k: v for k, v in (properties.get(name) or {}).items() if k not in _UI_KEYS}
            for name in fields
        },
        "required": [name for name in schema.get("required") or () if name in fields],
    }
    if schema.get("$defs"):
        params["$defs"] = schema["$defs"]
    return params


def _unique_name(title: str, taken: set[str]) -> str:
    base = _NAME_CHARS.sub("_", title).strip("_").lower()[:60] or "tool"
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}_{n}"
    taken.add(name)
    return name
