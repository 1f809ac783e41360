"""The LLM blocks through the real SDKs against the local servers."""

import itertools
import json

from blockyard.blocks.ai.common import split_text
from blockyard.blocks.ai.decision import SmartDecisionMakerBlock
from blockyard.blocks.ai.llm import AIConversationBlock, AIListGeneratorBlock, AITextGeneratorBlock
from blockyard.blocks.ai.structured import AIStructuredResponseGeneratorBlock
from blockyard.blocks.ai.summarizer import AITextSummarizerBlock
from blockyard.blocks.testing import run_block
from blockyard.integrations.llm.service import LlmService
from tests.ai.helpers import ANTHROPIC_CREDENTIALS, CREDENTIALS_REF, Streamed, ai_context
from tests.fakes.anthropic_server import FakeAnthropic
from tests.fakes.openai_server import Answer, FakeOpenAI

AUTOGPT_PINS = {
    AITextGeneratorBlock: (
        "1f292d4a-41a4-4977-9684-7c8d560b9f91",
        {
            "prompt",
            "model",
            "credentials",
            "sys_prompt",
            "retry",
            "prompt_values",
            "ollama_host",
            "max_tokens",
        },
        {"response", "prompt", "error"},
    ),
    AIStructuredResponseGeneratorBlock: (
        "ed55ac19-356e-4243-a6cb-bc599e9b716f",
        {
            "prompt",
            "expected_format",
            "list_result",
            "force_json_output",
            "conversation_history",
            "compress_prompt_to_fit",
        },
        {"response", "prompt", "error"},
    ),
    AITextSummarizerBlock: (
        "a0a69be1-4528-491c-a85a-a4ab6873e3f0",
        {"text", "focus", "style", "chunk_overlap"},
        {"summary", "prompt", "error"},
    ),
    AIConversationBlock: (
        "32a87eab-381e-4dd4-bdb8-4c47151be35a",
        {"prompt", "messages"},
        {"response", "prompt", "error"},
    ),
    AIListGeneratorBlock: (
        "9c0b0450-d199-458b-a731-072189dd6593",
        {"focus", "source_data", "max_retries"},
        {"generated_list", "list_item", "prompt", "error"},
    ),
    SmartDecisionMakerBlock: (
        "3b191d9f-356f-482d-8238-ba04b6d18381",
        {
            "prompt",
            "multiple_tool_calls",
            "conversation_history",
            "last_tool_output",
            "agent_mode_max_iterations",
        },
        {"tools", "finished", "conversations", "error"},
    ),
}


def test_autogpt_ids_and_pins_are_kept() -> None:
    for block, (block_id, inputs, outputs) in AUTOGPT_PINS.items():
        assert block.id == block_id
        assert inputs <= set(block.Input.model_fields), block.name()
        assert set(block.Output.model_fields) == outputs, block.name()


async def test_text_generator_fills_the_template_streams_and_records_usage(
    llm: LlmService, openai_server: FakeOpenAI
) -> None:
    openai_server.answer(Answer(text="Bonjour le monde", prompt_tokens=20, completion_tokens=4))
    streamed = Streamed()
    ctx = ai_context(llm, stream=streamed)
    outputs = await run_block(
        AITextGeneratorBlock(),
        {
            "prompt": "Translate {{ text }}",
            "prompt_values_#_text": "hello world",
            "sys_prompt": "You translate to French.",
            "credentials": CREDENTIALS_REF,
        },
        ctx,
    )
    assert outputs["response"] == ["Bonjour le monde"]
    assert outputs["prompt"][0][1] == {"role": "user", "content": "Translate hello world"}
    assert streamed.text("response") == "Bonjour le monde"
    assert ctx.stats["prompt_tokens"] == 20 and ctx.stats["completion_tokens"] == 4
    assert ctx.stats["model"] == "gpt-4o-mini" and ctx.stats["cost_usd"] > 0
    assert openai_server.requests[0].body["stream"] is True


async def test_a_missing_placeholder_value_is_named(llm: LlmService) -> None:
    outputs = await run_block(AITextGeneratorBlock(), {"prompt": "Hi {{name}}"}, ai_context(llm))
    assert outputs == {"error": ["The prompt uses {{name}} but prompt_values has no value for it"]}


async def test_a_prompt_over_the_context_window_is_refused_with_the_count(
    llm: LlmService, openai_server: FakeOpenAI
) -> None:
    outputs = await run_block(
        AITextGeneratorBlock(), {"prompt": "word " * 300, "model": "tiny"}, ai_context(llm)
    )
    (error,) = outputs["error"]
    assert error.startswith("The prompt is about 504 tokens but tiny takes at most 150")
    assert openai_server.requests == []


async def test_structured_response_retries_until_the_answer_fits(
    llm: LlmService, openai_server: FakeOpenAI
) -> None:
    openai_server.answer(
        Answer(text='{"name": "Ada"}'), Answer(text='```json\n{"name": "Ada", "age": 36}\n```')
    )
    outputs = await run_block(
        AIStructuredResponseGeneratorBlock(),
        {"prompt": "Who?", "expected_format": {"name": "the name", "age": "the age"}},
        ai_context(llm),
    )
    assert outputs["response"] == [{"name": "Ada", "age": 36}]
    retry_note = openai_server.requests[1].body["messages"][-1]["content"]
    assert "'age' is a required property" in retry_note


async def test_structured_response_that_is_never_json_fails_after_the_retries(
    llm: LlmService, openai_server: FakeOpenAI
) -> None:
    openai_server.answer(*[Answer(text="I would rather chat about it.")] * 3)
    outputs = await run_block(
        AIStructuredResponseGeneratorBlock(),
        {"prompt": "Rate it", "expected_format": {"score": "1-5"}, "retry": 3},
        ai_context(llm),
    )
    (error,) = outputs["error"]
    assert error.startswith(
        "The model gave no valid answer in 3 attempts; the last problem: the answer is not JSON"
    )
    assert len(openai_server.requests) == 3


async def test_structured_list_result_with_a_json_schema_in_strict_mode(
    llm: LlmService, openai_server: FakeOpenAI
) -> None:
    schema = {
        "type": "object",
        "properties": {"tag": {"type": "string", "enum": ["bug", "question"]}},
        "required": ["tag"],
    }
    openai_server.answer(Answer(text=json.dumps({"items": [{"tag": "bug"}, {"tag": "question"}]})))
    outputs = await run_block(
        AIStructuredResponseGeneratorBlock(),
        {
            "prompt": "Tag these",
            "json_schema": schema,
            "list_result": True,
            "force_json_output": True,
        },
        ai_context(llm),
    )
    assert outputs["response"] == [[{"tag": "bug"}, {"tag": "question"}]]
    sent = openai_server.requests[0].body["response_format"]["json_schema"]["schema"]
    assert sent["properties"]["items"]["items"] == schema


async def test_structured_history_is_trimmed_to_fit_when_allowed(
    llm: LlmService, openai_server: FakeOpenAI
) -> None:
    history = [
        {"role": "user", "content": "old " * 40},
        {"role": "assistant", "content": "older " * 80},
    ]
    openai_server.answer(Answer(text='{"a": 1}'))
    data = {
        "prompt": "Now",
        "expected_format": {"a": "a"},
        "model": "tiny",
        "conversation_history": history,
        "max_tokens": 20,
    }
    outputs = await run_block(AIStructuredResponseGeneratorBlock(), data, ai_context(llm))
    assert outputs["response"] == [{"a": 1}]
    assert [m["role"] for m in openai_server.requests[0].body["messages"]] == ["system", "user"]
    refused = await run_block(
        AIStructuredResponseGeneratorBlock(),
        {**data, "compress_prompt_to_fit": False},
        ai_context(llm),
    )
    assert refused["error"][0].startswith("The prompt is about")


async def test_summarizer_maps_chunks_and_reduces(
    llm: LlmService, openai_server: FakeOpenAI
) -> None:
    text = "\n\n".join(f"Paragraph {i} says something about topic {i}." * 3 for i in range(12))
    openai_server.answer(*[Answer(text=f"part {i}") for i in range(40)])
    streamed = Streamed()
    outputs = await run_block(
        AITextSummarizerBlock(),
        {"text": text, "model": "tiny", "max_tokens": 16, "chunk_overlap": 5},
        ai_context(llm, stream=streamed),
    )
    bodies = openai_server.bodies("/chat/completions")
    assert len(bodies) >= 3
    assert "one part of a longer text" in bodies[0]["messages"][-1]["content"]
    assert "one part of a longer text" not in bodies[-1]["messages"][-1]["content"]
    assert outputs["summary"] == [streamed.text("summary")]


def test_split_text_overlaps_and_covers_everything() -> None:
    text = " ".join(f"w{i}" for i in range(400))
    chunks = split_text(text, 50, 5)
    assert all(len(c.encode()) <= 150 for c in chunks)
    assert chunks[0].startswith("w0 ") and chunks[-1].endswith("w399")
    for a, b in itertools.pairwise(chunks):
        assert a[-10:].split()[-1] in b


async def test_conversation_sends_the_messages(
    llm: LlmService, anthropic_server: FakeAnthropic
) -> None:
    anthropic_server.answer(Answer(text="Fine, thanks."))
    messages = [
        {"role": "system", "content": "Be kind."},
        {"role": "user", "content": "How are you?"},
    ]
    outputs = await run_block(
        AIConversationBlock(),
        {"messages": messages, "model": "claude-haiku-4-5"},
        ai_context(llm, credentials={"credentials": ANTHROPIC_CREDENTIALS}),
    )
    assert outputs["response"] == ["Fine, thanks."]
    assert anthropic_server.requests[0].body["system"] == "Be kind."


async def test_list_generator_yields_the_list_then_each_item(
    llm: LlmService, openai_server: FakeOpenAI
) -> None:
    openai_server.answer(
        Answer(text="Sure! red, green"), Answer(text='{"items": ["red", "green"]}')
    )
    outputs = await run_block(AIListGeneratorBlock(), {"focus": "colours"}, ai_context(llm))
    assert outputs["generated_list"] == [["red", "green"]]
    assert outputs["list_item"] == ["red", "green"]
    assert len(openai_server.requests) == 2


async def test_credentials_of_another_provider_are_refused(
    llm: LlmService, anthropic_server: FakeAnthropic
) -> None:
    outputs = await run_block(
        AITextGeneratorBlock(), {"prompt": "Hi", "model": "claude-haiku-4-5"}, ai_context(llm)
    )
    assert outputs == {
        "error": [
            "The chosen credentials are for openai, but claude-haiku-4-5 is served by "
            "anthropic: choose anthropic credentials"
        ]
    }
    assert anthropic_server.requests == []
