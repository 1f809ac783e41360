"""The MCP Tool block against a real MCP server, over streamable HTTP and over stdio."""

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from blockyard.blocks.ai.decision import SmartDecisionMakerBlock
from blockyard.blocks.ai.mcp_tool import MCPToolBlock
from blockyard.blocks.io import AgentInputBlock, AgentOutputBlock
from blockyard.blocks.testing import TEST_USER_ID, run_block
from blockyard.engine.memory import MemoryGraphSource
from blockyard.engine.states import ExecutionStatus
from blockyard.graph.model import Graph, Link, Node
from blockyard.integrations.llm.service import LlmService
from tests.ai.helpers import CREDENTIALS_REF, ai_engine
from tests.fakes.mcp_server import SERVER
from tests.fakes.openai_server import Answer, FakeOpenAI, ThreadedServer

SCRIPT = Path(__file__).resolve().parents[1] / "fakes" / "mcp_server.py"


@pytest.fixture(scope="module")
def mcp_url() -> Iterator[str]:
    with ThreadedServer(SERVER.streamable_http_app(), lifespan="on") as server:
        yield f"http://127.0.0.1:{server.port}/mcp"


@pytest.fixture
def loopback_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BLOCKYARD_OUTBOUND_ALLOW", "127.0.0.1")


async def test_lists_and_calls_tools_over_http(mcp_url: str, loopback_allowed: None) -> None:
    listed = await run_block(MCPToolBlock(), {"server_url": mcp_url})
    tools = {t["name"]: t for t in listed["tools"][0]}
    assert set(tools) == {"add", "shout"}
    assert tools["add"]["input_schema"]["required"] == ["a", "b"]
    called = await run_block(
        MCPToolBlock(),
        {"server_url": mcp_url, "tool_name": "add", "tool_arguments": {"a": 2, "b": 40}},
    )
    assert called["result"] == [{"result": 42}]
    assert called["content"] == [[{"type": "text", "text": "42"}]]


async def test_a_tool_error_is_the_block_error(mcp_url: str, loopback_allowed: None) -> None:
    out = await run_block(
        MCPToolBlock(), {"server_url": mcp_url, "tool_name": "add", "tool_arguments": {"a": "x"}}
    )
    assert out["error"][0].startswith("The tool 'add' failed: Error executing tool add")


async def test_the_ssrf_guard_applies_to_mcp_servers(mcp_url: str) -> None:
    out = await run_block(MCPToolBlock(), {"server_url": mcp_url})
    assert "Refused to connect to 127.0.0.1: it is a loopback address" in out["error"][0]


async def test_stdio_servers_are_the_operators_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "BLOCKYARD_MCP_STDIO_SERVERS", json.dumps({"demo": [sys.executable, str(SCRIPT)]})
    )
    called = await run_block(
        MCPToolBlock(),
        {"stdio_server": "demo", "tool_name": "shout", "tool_arguments": {"text": "hi"}},
    )
    assert called["result"] == [{"result": "HI!"}]
    unknown = await run_block(MCPToolBlock(), {"stdio_server": "rm -rf /"})
    assert unknown == {"error": ["No local MCP server is named 'rm -rf /'; configured: demo"]}


async def test_decision_maker_uses_an_mcp_tool(
    mcp_url: str, loopback_allowed: None, llm: LlmService, openai_server: FakeOpenAI
) -> None:
    listed = await run_block(MCPToolBlock(), {"server_url": mcp_url})
    add = next(t for t in listed["tools"][0] if t["name"] == "add")
    task = Node(block_id=AgentInputBlock.id, input_default={"name": "task"})
    sdm = Node(
        block_id=SmartDecisionMakerBlock.id,
        input_default={"agent_mode_max_iterations": 3, "credentials": CREDENTIALS_REF},
    )
    tool = Node(
        block_id=MCPToolBlock.id,
        input_default={
            "server_url": mcp_url,
            "tool_name": "add",
            "tool_description": add["description"],
            "tool_input_schema": add["input_schema"],
        },
    )
    out = Node(block_id=AgentOutputBlock.id, input_default={"name": "answer"})
    links = [
        Link(source_id=task.id, source_name="result", sink_id=sdm.id, sink_name="prompt"),
        Link(
            source_id=sdm.id,
            source_name=f"tools_^_{tool.id}_~_tool_arguments",
            sink_id=tool.id,
            sink_name="tool_arguments",
        ),
        Link(source_id=sdm.id, source_name="finished", sink_id=out.id, sink_name="value"),
    ]
    graph = Graph(name="MCP user", nodes=[task, sdm, tool, out], links=links)
    openai_server.answer(Answer(tool_calls=[("add", {"a": 20, "b": 22})]), Answer(text="42"))
    engine, _, _ = ai_engine(llm, MemoryGraphSource(graph))
    record = await engine.execute(graph, TEST_USER_ID, {"task": "What is 20 + 22?"})
    await engine.close()
    assert record.status == ExecutionStatus.COMPLETED, record.error
    offered = openai_server.requests[0].body["tools"][0]["function"]
    assert offered["name"] == "add" and offered["parameters"] == add["input_schema"]
    result = openai_server.requests[1].body["messages"][-1]["content"]
    assert json.loads(result) == {
        "result": {"result": 42},
        "content": [{"type": "text", "text": "42"}],
    }
