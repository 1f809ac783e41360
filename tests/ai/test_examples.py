"""The example agents import, validate and run (against the local OpenAI-protocol server)."""

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

from blockyard.integrations.llm.service import LlmService
from tests.ai.conftest import PLATFORM_KEY, make_service
from tests.fakes.http_server import LocalHttpServer, Reply
from tests.fakes.openai_server import Answer, FakeOpenAI

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PAGE = b"""<html><head><title>Otters</title></head><body><nav>Menu</nav>
<main><h1>Otters</h1><p>Sea otters hold hands while they sleep.</p></main></body></html>"""


def runner() -> ModuleType:
    spec = importlib.util.spec_from_file_location("example_runner", EXAMPLES / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def test_classify_ticket(llm: LlmService, openai_server: FakeOpenAI) -> None:
    verdict = {"category": "billing", "priority": "high", "summary": "Charged twice."}
    openai_server.answer(Answer(text=json.dumps(verdict)))
    result = await runner().run_example(
        EXAMPLES / "classify_ticket.json", ["ticket=I was charged twice"], model="llama3.2", llm=llm
    )
    assert result["status"] == "COMPLETED", result["error"]
    assert result["outputs"] == {
        "category": ["billing"],
        "priority": ["high"],
        "summary": ["Charged twice."],
    }
    body = openai_server.requests[0].body
    assert body["model"] == "llama3.2"
    assert "I was charged twice" in body["messages"][-1]["content"]


async def test_summarise_web_page(
    openai_server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BLOCKYARD_OUTBOUND_ALLOW", "127.0.0.1")
    llm = make_service(openai_server, platform_keys={"openai": PLATFORM_KEY})
    openai_server.answer(Answer(text="- Otters hold hands asleep."))
    with LocalHttpServer() as site:
        site.route("/otters", Reply(200, PAGE, {"Content-Type": "text/html"}))
        result = await runner().run_example(
            EXAMPLES / "summarise_web_page.json", [f"url={site.url('/otters')}"], llm=llm
        )
    assert result["status"] == "COMPLETED", result["error"]
    assert result["outputs"] == {"summary": ["- Otters hold hands asleep."], "title": ["Otters"]}
    prompt = openai_server.requests[0].body["messages"][-1]["content"]
    assert "Sea otters hold hands" in prompt and "Menu" not in prompt
    assert openai_server.requests[0].headers["authorization"] == f"Bearer {PLATFORM_KEY}"
    await llm.close()


async def test_research_assistant(llm: LlmService, openai_server: FakeOpenAI) -> None:
    openai_server.answer(
        Answer(tool_calls=[("calculator", {"operation": "Multiply", "a": 2340, "b": 0.17})]),
        Answer(text="17% of 2,340 is 397.8."),
    )
    result = await runner().run_example(
        EXAMPLES / "research_assistant.json",
        ["question=What is 17% of 2,340?"],
        model="llama3.2",
        llm=llm,
    )
    assert result["status"] == "COMPLETED", result["error"]
    assert result["outputs"] == {"answer": ["17% of 2,340 is 397.8."]}
    tools = {t["function"]["name"] for t in openai_server.requests[0].body["tools"]}
    assert tools == {"fetchwebpage", "calculator"}
    assert json.loads(openai_server.requests[1].body["messages"][-1]["content"])[
        "result"
    ] == pytest.approx(397.8)
