"""The provider layer through the real SDKs against local servers speaking their protocols."""

import json

import pytest

from blockyard.blocks.ai.port import ChatMessage, ChatRequest, ToolCall, ToolSpec
from blockyard.errors import BlockExecutionError, BlockTransientError
from blockyard.integrations.llm.service import LlmService
from tests.ai.conftest import PLATFORM_KEY, USER_KEY, make_service
from tests.fakes.anthropic_server import FakeAnthropic
from tests.fakes.openai_server import Answer, FakeOpenAI

WEATHER = ToolSpec(
    "weather",
    "The weather in a city.",
    {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
)


def ask(model: str, text: str = "Hi", **kw: object) -> ChatRequest:
    return ChatRequest(
        model,
        [ChatMessage("system", "Be brief."), ChatMessage("user", text)],
        api_key=USER_KEY,
        **kw,
    )  # type: ignore[arg-type]


async def test_openai_chat_sends_the_request_and_reads_text_and_usage(
    llm: LlmService, openai_server: FakeOpenAI
) -> None:
    openai_server.answer(Answer(text="Hello there", prompt_tokens=12, completion_tokens=3))
    response = await llm.chat(ask("gpt-4o-mini", max_tokens=99))
    assert response.text == "Hello there"
    assert (response.usage.prompt_tokens, response.usage.completion_tokens) == (12, 3)
    assert not response.platform_key
    sent = openai_server.requests[0]
    assert sent.headers["authorization"] == f"Bearer {USER_KEY}"
    assert sent.body["model"] == "gpt-4o-mini"
    assert sent.body["max_completion_tokens"] == 99
    assert sent.body["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Hi"},
    ]


async def test_openai_stream_delivers_tokens_in_order(
    llm: LlmService, openai_server: FakeOpenAI
) -> None:
    openai_server.answer(Answer(text="one two three", completion_tokens=3))
    tokens: list[str] = []

    async def sink(token: str) -> None:
        tokens.append(token)

    response = await llm.chat(ask("gpt-4o-mini"), on_token=sink)
    assert tokens == ["one ", "two ", "three"]
    assert response.text == "one two three"
    assert response.usage.completion_tokens == 3
    assert openai_server.requests[0].body["stream_options"] == {"include_usage": True}


@pytest.mark.parametrize("streamed", [False, True])
async def test_openai_tool_calls_and_tool_results(
    llm: LlmService, openai_server: FakeOpenAI, streamed: bool
) -> None:
    openai_server.answer(Answer(tool_calls=[("weather", {"city": "Oslo"})]))
    tokens: list[str] = []

    async def sink(token: str) -> None:
        tokens.append(token)

    response = await llm.chat(ask("gpt-4o-mini", tools=[WEATHER]), sink if streamed else None)
    (call,) = response.tool_calls
    assert (call.name, call.parsed_arguments()) == ("weather", {"city": "Oslo"})
    assert openai_server.requests[0].body["tools"] == [
        {
            "type": "function",
            "function": {
                "name": "weather",
                "description": WEATHER.description,
                "parameters": WEATHER.parameters,
            },
        }
    ]
    openai_server.answer(Answer(text="Sunny"))
    follow = ask("gpt-4o-mini", tools=[WEATHER])
    follow.messages += [response.message(), ChatMessage("tool", "sunny, 20C", tool_call_id=call.id)]
    assert (await llm.chat(follow)).text == "Sunny"
    messages = openai_server.requests[1].body["messages"]
    assert messages[2]["tool_calls"][0]["function"] == {
        "name": "weather",
        "arguments": '{"city": "Oslo"}',
    }
    assert messages[3] == {"role": "tool", "content": "sunny, 20C", "tool_call_id": call.id}


async def test_openai_json_schema_response_format(
    llm: LlmService, openai_server: FakeOpenAI
) -> None:
    schema = {"type": "object", "properties": {"a": {"type": "string"}}}
    openai_server.answer(Answer(text='{"a": "x"}'))
    await llm.chat(ask("gpt-4o-mini", json_schema=schema))
    assert openai_server.requests[0].body["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "response", "schema": schema},
    }


async def test_compatible_servers_get_max_tokens_and_need_no_key(openai_server: FakeOpenAI) -> None:
    service = make_service(openai_server)
    openai_server.answer(Answer(text="local"))
    request = ChatRequest("llama3.2", [ChatMessage("user", "hi")], max_tokens=10)
    assert (await service.chat(request)).text == "local"
    body = openai_server.requests[0].body
    assert body["max_tokens"] == 10 and "max_completion_tokens" not in body
    await service.close()


async def test_anthropic_chat_maps_system_tools_and_results(
    llm: LlmService, anthropic_server: FakeAnthropic
) -> None:
    anthropic_server.answer(Answer(text="Let me look.", tool_calls=[("weather", {"city": "Rome"})]))
    response = await llm.chat(ask("claude-haiku-4-5", tools=[WEATHER]))
    assert response.text == "Let me look."
    assert response.tool_calls[0].parsed_arguments() == {"city": "Rome"}
    body = anthropic_server.requests[0].body
    headers = anthropic_server.requests[0].headers
    assert USER_KEY in (headers.get("x-api-key"), headers.get("authorization", "")[7:])
    assert body["system"] == "Be brief."
    assert body["messages"] == [{"role": "user", "content": [{"type": "text", "text": "Hi"}]}]
    assert body["tools"][0]["input_schema"] == WEATHER.parameters
    assert body["max_tokens"] == 4096

    anthropic_server.answer(Answer(text="Warm."))
    follow = ask("claude-haiku-4-5", tools=[WEATHER])
    call = response.tool_calls[0]
    follow.messages += [response.message(), ChatMessage("tool", "25C", tool_call_id=call.id)]
    assert (await llm.chat(follow)).text == "Warm."
    turns = anthropic_server.requests[1].body["messages"]
    assert turns[1]["content"][1] == {
        "type": "tool_use",
        "id": call.id,
        "name": "weather",
        "input": {"city": "Rome"},
    }
    assert turns[2] == {
        "role": "user",
        "content": [{"type": "tool_result", "tool_use_id": call.id, "content": "25C"}],
    }


async def test_anthropic_stream_with_text_and_tool_use(
    llm: LlmService, anthropic_server: FakeAnthropic
) -> None:
    anthropic_server.answer(
        Answer(
            text="Checking now",
            tool_calls=[("weather", {"city": "Paris"})],
            prompt_tokens=40,
            completion_tokens=9,
        )
    )
    tokens: list[str] = []

    async def sink(token: str) -> None:
        tokens.append(token)

    response = await llm.chat(ask("claude-haiku-4-5", tools=[WEATHER]), sink)
    assert tokens == ["Checking ", "now"]
    assert response.tool_calls == (
        ToolCall(response.tool_calls[0].id, "weather", json.dumps({"city": "Paris"})),
    )
    assert (response.usage.prompt_tokens, response.usage.completion_tokens) == (40, 9)


async def test_a_refused_key_is_a_clear_error(llm: LlmService, openai_server: FakeOpenAI) -> None:
    openai_server.answer(Answer(status=401, error="Incorrect API key provided"))
    with pytest.raises(
        BlockExecutionError, match=r"refused the API key \(401\): Incorrect API key"
    ):
        await llm.chat(ask("gpt-4o-mini"))


async def test_an_unknown_model_names_the_known_ones(llm: LlmService) -> None:
    with pytest.raises(
        BlockExecutionError, match=r"Unknown model 'gpt-0'.*gpt-4o-mini.*BLOCKYARD_LLM_MODELS"
    ):
        await llm.chat(ask("gpt-0"))


async def test_rate_limits_are_retried_with_backoff(openai_server: FakeOpenAI) -> None:
    service = make_service(openai_server, max_retries=2)
    fast = {"retry-after-ms": "5"}
    openai_server.answer(
        Answer(status=429, headers=fast), Answer(status=503, headers=fast), Answer(text="ok")
    )
    assert (await service.chat(ask("gpt-4o-mini"))).text == "ok"
    assert len(openai_server.requests) == 3
    openai_server.answer(*[Answer(status=429, error="slow down", headers=fast)] * 3)
    with pytest.raises(BlockTransientError, match=r"failed after retries \(429\): slow down"):
        await service.chat(ask("gpt-4o-mini"))
    await service.close()


async def test_a_provider_that_hangs_times_out(openai_server: FakeOpenAI) -> None:
    service = make_service(openai_server, timeout=0.3)
    openai_server.answer(Answer(hang=True))
    with pytest.raises(BlockTransientError, match=r"did not answer within 0.3s"):
        await service.chat(ask("gpt-4o-mini"))
    await service.close()


async def test_the_platform_key_pays_when_the_user_has_none(openai_server: FakeOpenAI) -> None:
    service = make_service(openai_server, platform_keys={"openai": PLATFORM_KEY})
    openai_server.answer(Answer(text="paid"))
    response = await service.chat(ChatRequest("gpt-4o-mini", [ChatMessage("user", "hi")]))
    assert response.platform_key
    assert openai_server.requests[0].headers["authorization"] == f"Bearer {PLATFORM_KEY}"
    await service.close()
    without = make_service(openai_server)
    with pytest.raises(BlockExecutionError, match="No API key for openai"):
        await without.chat(ChatRequest("gpt-4o-mini", [ChatMessage("user", "hi")]))


async def test_embeddings(llm: LlmService, openai_server: FakeOpenAI) -> None:
    result = await llm.embed("text-embedding-3-small", ["red apples", "green apples"], USER_KEY)
    assert len(result.vectors) == 2 and len(result.vectors[0]) == 64
    assert result.usage.prompt_tokens == 4
    assert openai_server.requests[0].body == {
        "model": "text-embedding-3-small",
        "input": ["red apples", "green apples"],
        "encoding_format": "base64",
    } or openai_server.requests[0].body["input"] == ["red apples", "green apples"]
    with pytest.raises(BlockExecutionError, match="not an embedding model"):
        await llm.embed("gpt-4o-mini", ["x"], USER_KEY)
