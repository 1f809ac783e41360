"""The Smart Decision Maker run by the real engine, its tools real nodes of the graph."""

import json
from typing import Any

from blockyard.blocks.agent import AgentExecutorBlock
from blockyard.blocks.ai.decision import SmartDecisionMakerBlock
from blockyard.blocks.ai.llm import AITextGeneratorBlock
from blockyard.blocks.io import AgentInputBlock, AgentOutputBlock
from blockyard.blocks.maths import CalculatorBlock
from blockyard.blocks.testing import TEST_USER_ID
from blockyard.blocks.text import FillTextTemplateBlock
from blockyard.engine.memory import MemoryGraphSource
from blockyard.engine.states import ExecutionStatus
from blockyard.graph.model import Graph, Link, Node
from blockyard.integrations.llm.service import LlmService
from tests.ai.conftest import make_service
from tests.ai.helpers import CREDENTIALS_REF, ai_engine
from tests.fakes.openai_server import Answer, FakeOpenAI

ECHO_SCHEMA = {
    "type": "object",
    "description": "Shouts the text back.",
    "properties": {"text": {"type": "string", "description": "What to shout."}},
    "required": ["text"],
}


def link(source: str, pin: str, sink: str, sink_pin: str) -> Link:
    return Link(source_id=source, source_name=pin, sink_id=sink, sink_name=sink_pin)


def echo_agent() -> Graph:
    """A sub-agent: text in, 'ECHO: <text>' out."""
    take = Node(block_id=AgentInputBlock.id, input_default={"name": "text"})
    fill = Node(
        block_id=FillTextTemplateBlock.id, input_default={"format": "ECHO: {{ t | upper }}"}
    )
    give = Node(block_id=AgentOutputBlock.id, input_default={"name": "shout"})
    return Graph(
        name="Echo",
        nodes=[take, fill, give],
        links=[
            link(take.id, "result", fill.id, "values_#_t"),
            link(fill.id, "output", give.id, "value"),
        ],
    )


def assistant(child: Graph, iterations: int = 5) -> tuple[Graph, dict[str, str]]:
    """Task in -> decision maker with a calculator and the echo agent as tools -> answer out."""
    task = Node(block_id=AgentInputBlock.id, input_default={"name": "task"})
    sdm = Node(
        block_id=SmartDecisionMakerBlock.id,
        input_default={"agent_mode_max_iterations": iterations, "credentials": CREDENTIALS_REF},
    )
    calc = Node(block_id=CalculatorBlock.id, input_default={"round_result": False})
    agent = Node(
        block_id=AgentExecutorBlock.id,
        input_default={
            "graph_id": child.id,
            "graph_version": child.version,
            "agent_name": "Echo",
            "input_schema": ECHO_SCHEMA,
        },
    )
    answer = Node(block_id=AgentOutputBlock.id, input_default={"name": "answer"})
    links = [
        link(task.id, "result", sdm.id, "prompt"),
        link(sdm.id, "finished", answer.id, "value"),
        *(link(sdm.id, f"tools_^_{calc.id}_~_{f}", calc.id, f) for f in ("operation", "a", "b")),
        link(sdm.id, f"tools_^_{agent.id}_~_text", agent.id, "text"),
    ]
    graph = Graph(name="Assistant", nodes=[task, sdm, calc, agent, answer], links=links)
    return graph, {"sdm": sdm.id, "calc": calc.id, "agent": agent.id}


async def run(llm: LlmService, graph: Graph, child: Graph, task: str) -> tuple[Any, Any, Any]:
    engine, store, bus = ai_engine(llm, MemoryGraphSource(graph, child))
    record = await engine.execute(graph, TEST_USER_ID, {"task": task})
    await engine.close()
    return record, await store.list_node_execs(record.id), bus


async def test_decision_maker_calls_a_block_and_an_agent_then_answers(
    llm: LlmService, openai_server: FakeOpenAI
) -> None:
    child = echo_agent()
    graph, ids = assistant(child)
    openai_server.answer(
        Answer(tool_calls=[("calculator", {"operation": "Add", "a": 2, "b": 3})]),
        Answer(tool_calls=[("echo", {"text": "five"})]),
        Answer(text="2 + 3 = 5, and the echo said ECHO: FIVE."),
    )
    record, nodes, bus = await run(llm, graph, child, "Add 2 and 3, then shout the result.")
    assert record.status == ExecutionStatus.COMPLETED, record.error

    first = openai_server.requests[0].body
    assert first["messages"][-1] == {
        "role": "user",
        "content": "Add 2 and 3, then shout the result.",
    }
    tools = {t["function"]["name"]: t["function"] for t in first["tools"]}
    assert set(tools) == {"calculator", "echo"}
    assert set(tools["calculator"]["parameters"]["properties"]) == {"operation", "a", "b"}
    assert tools["calculator"]["parameters"]["required"] == ["operation", "a", "b"]
    assert tools["echo"]["description"] == "Shouts the text back."

    calc_result = openai_server.requests[1].body["messages"][-1]
    assert calc_result["role"] == "tool" and json.loads(calc_result["content"]) == {"result": 5.0}
    echo_result = openai_server.requests[2].body["messages"][-1]
    assert json.loads(echo_result["content"]) == {"shout": "ECHO: FIVE"}

    by_node = {n.node_id: n for n in nodes}
    assert by_node[ids["calc"]].status == ExecutionStatus.COMPLETED
    assert by_node[ids["calc"]].stats["tool_call_of"] == by_node[ids["sdm"]].id
    assert by_node[ids["agent"]].output_data == {"shout": ["ECHO: FIVE"]}
    sdm = by_node[ids["sdm"]]
    assert sdm.output_data["finished"] == ["2 + 3 = 5, and the echo said ECHO: FIVE."]
    assert sdm.stats["llm_calls"] == 3 and sdm.stats["prompt_tokens"] == 33
    steps = [
        e["value"] for e in bus.methods("node_execution_stream") if e["pin"] == "conversations"
    ]
    assert [s.get("tool") for s in steps] == ["calculator", "echo", None]
    shown = {e["node_id"] for e in bus.methods("node_execution_event")}
    assert {ids["calc"], ids["agent"]} <= shown


async def test_arguments_that_fail_the_schema_go_back_to_the_model(
    llm: LlmService, openai_server: FakeOpenAI
) -> None:
    child = echo_agent()
    graph, ids = assistant(child)
    openai_server.answer(
        Answer(tool_calls=[("calculator", {"operation": "Add", "a": "two"})]),
        Answer(tool_calls=[("nope", "{}")]),
        Answer(text="I could not compute it."),
    )
    record, nodes, _ = await run(llm, graph, child, "Add two and three")
    assert record.status == ExecutionStatus.COMPLETED, record.error
    error = openai_server.requests[1].body["messages"][-1]["content"]
    assert error.startswith("Error: the arguments do not fit the tool's parameters:")
    assert "'b' is a required property" in error and "a: 'two' is not of type 'number'" in error
    unknown = openai_server.requests[2].body["messages"][-1]["content"]
    assert unknown == "Error: there is no tool named 'nope'; the tools are: calculator, echo"
    assert ids["calc"] not in {n.node_id for n in nodes}


async def test_the_step_limit_ends_the_loop_with_an_error(
    llm: LlmService, openai_server: FakeOpenAI
) -> None:
    child = echo_agent()
    graph, _ = assistant(child, iterations=2)
    openai_server.answer(*[Answer(tool_calls=[("echo", {"text": "again"})])] * 2)
    record, _, _ = await run(llm, graph, child, "Loop")
    assert record.status == ExecutionStatus.FAILED
    assert "No answer after 2 steps" in (record.error or "")


async def test_traditional_mode_sends_the_call_out_on_the_tool_pins(
    llm: LlmService, openai_server: FakeOpenAI
) -> None:
    child = echo_agent()
    graph, ids = assistant(child, iterations=0)
    openai_server.answer(
        Answer(tool_calls=[("calculator", {"operation": "Multiply", "a": 6, "b": 7})])
    )
    record, nodes, _ = await run(llm, graph, child, "Six times seven")
    assert record.status == ExecutionStatus.COMPLETED, record.error
    calc = next(n for n in nodes if n.node_id == ids["calc"])
    assert calc.output_data == {"result": [42.0]}
    assert "tool_call_of" not in calc.stats


async def test_a_provider_that_hangs_fails_the_node_not_the_worker(
    openai_server: FakeOpenAI,
) -> None:
    slow = make_service(openai_server, timeout=0.3)
    task = Node(block_id=AgentInputBlock.id, input_default={"name": "task"})
    gen = Node(block_id=AITextGeneratorBlock.id, input_default={"credentials": CREDENTIALS_REF})
    graph = Graph(name="Slow", nodes=[task, gen], links=[link(task.id, "result", gen.id, "prompt")])
    openai_server.answer(Answer(hang=True))
    engine, store, bus = ai_engine(slow, MemoryGraphSource(graph))
    record = await engine.execute(graph, TEST_USER_ID, {"task": "hello"})
    assert record.status == ExecutionStatus.FAILED
    assert "did not answer within 0.3s" in (record.error or "")
    openai_server.answer(Answer(text="fast now"))
    again = await engine.execute(graph, TEST_USER_ID, {"task": "hello"})
    assert again.status == ExecutionStatus.COMPLETED
    node = next(n for n in await store.list_node_execs(again.id) if n.node_id == gen.id)
    assert node.output_data["response"] == ["fast now"]
    tokens = [e["value"] for e in bus.methods("node_execution_stream") if e["node_id"] == gen.id]
    assert tokens == ["fast ", "now"]  # live to viewers as they came, stored once whole
    assert node.stats["completion_tokens"] == 7
    await engine.close()
    await slow.close()


async def test_after_a_crash_the_decision_maker_runs_again_and_its_open_tool_call_ends(
    llm: LlmService, openai_server: FakeOpenAI
) -> None:
    from blockyard.engine.executor import new_graph_exec
    from blockyard.engine.ports import Batch, NodeExecRecord

    child = echo_agent()
    graph, ids = assistant(child)
    engine, store, _ = ai_engine(llm, MemoryGraphSource(graph, child))
    record = new_graph_exec(graph, TEST_USER_ID, {"task": "Add 1 and 1"})
    record.status = ExecutionStatus.RUNNING
    await store.create_graph_exec(record)
    task_id = next(n.id for n in graph.nodes if n.input_default.get("name") == "task")
    S = ExecutionStatus

    def node(node_id: str, seq: int, status: ExecutionStatus, **extra: Any) -> NodeExecRecord:
        block_id = next(n.block_id for n in graph.nodes if n.id == node_id)
        return NodeExecRecord(f"ne-{seq}", record.id, node_id, block_id, status, seq=seq, **extra)

    done = node(
        task_id,
        1,
        S.COMPLETED,
        input_data={"value": "Add 1 and 1"},
        output_data={"result": ["Add 1 and 1"]},
        end_seq=1,
    )
    running = node(
        ids["sdm"],
        2,
        S.RUNNING,
        input_data={
            "prompt": "Add 1 and 1",
            "agent_mode_max_iterations": 5,
            "credentials": CREDENTIALS_REF,
        },
    )
    open_call = node(
        ids["calc"],
        3,
        S.RUNNING,
        input_data={"operation": "Add", "a": 1, "b": 1},
        stats={"tool_call_of": "ne-2"},
    )
    await store.commit(Batch(node_execs={r.id: r for r in (done, running, open_call)}))

    openai_server.answer(
        Answer(tool_calls=[("calculator", {"operation": "Add", "a": 1, "b": 1})]), Answer(text="2")
    )
    ended = await engine.run(record.id)
    await engine.close()
    assert ended.status == ExecutionStatus.COMPLETED, ended.error
    nodes = {n.id: n for n in await store.list_node_execs(record.id)}
    assert nodes["ne-3"].status == ExecutionStatus.TERMINATED
    assert nodes["ne-2"].output_data["finished"] == ["2"]
    calc_runs = [
        n
        for n in nodes.values()
        if n.node_id == ids["calc"] and n.status == ExecutionStatus.COMPLETED
    ]
    assert len(calc_runs) == 1 and calc_runs[0].stats["tool_call_of"] == "ne-2"
