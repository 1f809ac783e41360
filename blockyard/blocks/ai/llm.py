"""Text from a language model: AI Text Generator, AI Conversation and AI List Generator.

The block ids and pin names are AutoGPT's, so exported agents that use them run here. The
answer is streamed on its output pin while it is written (``node_execution_stream`` events)
and stored once, whole, when the block ends.
"""

import json
from typing import Any

from blockyard.blocks.ai.common import (
    api_key,
    check_fits,
    complete,
    conversation,
    credentials_field,
    extract_json,
    fill_template,
    max_tokens_field,
    model_field,
    need_llm,
    ollama_host_field,
    prompt_record,
)
from blockyard.blocks.ai.port import ChatMessage, ChatRequest
from blockyard.blocks.base import (
    ERROR_PIN,
    Block,
    BlockCategory,
    BlockOutput,
    BlockSchemaInput,
    BlockSchemaOutput,
    BlockType,
    SchemaField,
)
from blockyard.blocks.context import BlockContext
from blockyard.blocks.credentials import CredentialsMeta
from blockyard.errors import BlockExecutionError

NO_SERVICE = "This server has no language model service configured"


class AITextGeneratorBlock(Block):
    id = "1f292d4a-41a4-4977-9684-7c8d560b9f91"
    description = (
        "Asks a language model for text: a prompt with {{placeholders}} filled from "
        "prompt_values, an optional system prompt; the answer streams as it is written."
    )
    categories = frozenset({BlockCategory.AI})
    block_type = BlockType.AI

    class Input(BlockSchemaInput):
        prompt: str = SchemaField(description="What to ask; {{name}} takes prompt_values[name].")
        model: str = model_field()
        credentials: CredentialsMeta | None = credentials_field()
        sys_prompt: str = SchemaField("", description="Instructions the model follows.")
        retry: int = SchemaField(3, ge=1, le=10, description="Attempts while the answer is empty.")
        prompt_values: dict[str, Any] = SchemaField(
            default_factory=dict, description="Values for the prompt's placeholders."
        )
        ollama_host: str = ollama_host_field()
        max_tokens: int | None = max_tokens_field()

    class Output(BlockSchemaOutput):
        response: str = SchemaField(description="The model's answer.")
        prompt: list[Any] = SchemaField(description="The messages sent to the model.")

    test_input = [{"prompt": "Say hello"}]
    test_output = [("error", NO_SERVICE)]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        try:
            messages = conversation(
                fill_template(input_data.sys_prompt, input_data.prompt_values),
                [],
                fill_template(input_data.prompt, input_data.prompt_values),
            )
            check_fits(need_llm(ctx).model(input_data.model), messages, input_data.max_tokens)
            request = ChatRequest(
                input_data.model, messages, input_data.max_tokens, api_key=api_key(ctx)
            )
            text = ""
            for _ in range(input_data.retry):
                text = (await complete(ctx, request, "response")).text
                if text.strip():
                    break
        except BlockExecutionError as exc:
            yield ERROR_PIN, exc.message
            return
        if not text.strip():
            yield ERROR_PIN, f"The model gave an empty answer {input_data.retry} times"
            return
        yield "response", text
        yield "prompt", prompt_record(messages)


class AIConversationBlock(Block):
    id = "32a87eab-381e-4dd4-bdb8-4c47151be35a"
    description = (
        "Continues a conversation: a list of messages ({role, content}) in, the model's "
        "next reply out."
    )
    categories = frozenset({BlockCategory.AI})
    block_type = BlockType.AI

    class Input(BlockSchemaInput):
        prompt: str = SchemaField("", description="A last user message to add, if any.")
        messages: list[Any] = SchemaField(
            description="The conversation so far: [{role: system|user|assistant, content}]."
        )
        model: str = model_field()
        credentials: CredentialsMeta | None = credentials_field()
        max_tokens: int | None = max_tokens_field()
        ollama_host: str = ollama_host_field()

    class Output(BlockSchemaOutput):
        response: str = SchemaField(description="The model's reply.")
        prompt: list[Any] = SchemaField(description="The messages sent to the model.")

    test_input = [{"messages": [{"role": "user", "content": "Hi"}]}]
    test_output = [("error", NO_SERVICE)]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        messages = conversation("", input_data.messages, input_data.prompt)
        if not messages:
            yield ERROR_PIN, "The conversation is empty: give messages or a prompt"
            return
        try:
            check_fits(need_llm(ctx).model(input_data.model), messages, input_data.max_tokens)
            request = ChatRequest(
                input_data.model, messages, input_data.max_tokens, api_key=api_key(ctx)
            )
            response = await complete(ctx, request, "response")
        except BlockExecutionError as exc:
            yield ERROR_PIN, exc.message
            return
        yield "response", response.text
        yield "prompt", prompt_record(messages)


LIST_INSTRUCTIONS = (
    "You make lists. Answer with one JSON object of the form "
    '{"items": ["first item", "second item", ...]} and nothing else; each item is a string.'
)


class AIListGeneratorBlock(Block):
    id = "9c0b0450-d199-458b-a731-072189dd6593"
    description = (
        "Makes a list with a language model, about a focus and optionally from source "
        "data; the whole list comes out, then each item."
    )
    categories = frozenset({BlockCategory.AI, BlockCategory.TEXT})
    block_type = BlockType.AI

    class Input(BlockSchemaInput):
        focus: str | None = SchemaField(None, description="What the list should be about.")
        source_data: str | None = SchemaField(
            None, description="Text to take the items from, if any."
        )
        model: str = model_field()
        credentials: CredentialsMeta | None = credentials_field()
        max_retries: int = SchemaField(
            3, ge=1, le=10, description="Attempts while the answer is no list."
        )
        force_json_output: bool = SchemaField(
            False, description="Use the provider's JSON mode (where it has one)."
        )
        max_tokens: int | None = max_tokens_field()
        ollama_host: str = ollama_host_field()

    class Output(BlockSchemaOutput):
        generated_list: list[str] = SchemaField(description="The whole list.")
        list_item: str = SchemaField(description="Each item, one at a time.")
        prompt: list[Any] = SchemaField(description="The messages sent to the model.")

    test_input = [{"focus": "Three colours"}]
    test_output = [("error", NO_SERVICE)]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        try:
            items, messages = await self._generate(input_data, ctx)
        except BlockExecutionError as exc:
            yield ERROR_PIN, exc.message
            return
        yield "generated_list", items
        for item in items:
            yield "list_item", item
        yield "prompt", prompt_record(messages)

    async def _generate(
        self, data: Input, ctx: BlockContext
    ) -> tuple[list[str], list[ChatMessage]]:
        task = f"Make a list about: {data.focus or 'the source data'}."
        if data.source_data:
            task += f"\n\nTake the items from this source data:\n{data.source_data}"
        messages = conversation(LIST_INSTRUCTIONS, [], task)
        check_fits(need_llm(ctx).model(data.model), messages, data.max_tokens)
        problem = ""
        for _ in range(data.max_retries):
            request = ChatRequest(
                data.model,
                messages,
                data.max_tokens,
                json_mode=data.force_json_output,
                api_key=api_key(ctx),
            )
            response = await complete(ctx, request)
            items, problem = parse_list(response.text)
            if items is not None:
                return items, messages
            messages = [
                *messages,
                response.message(),
                ChatMessage("user", f"That was not right: {problem}. {LIST_INSTRUCTIONS}"),
            ]
        raise BlockExecutionError(
            f"The model gave no valid list in {data.max_retries} attempts: {problem}"
        )


def parse_list(text: str) -> tuple[list[str] | None, str]:
    """The items of ``{"items": [...]}`` (or of a bare JSON list), or why there are none."""
    try:
        value = extract_json(text)
    except ValueError as exc:
        return None, str(exc)
    if isinstance(value, dict):
        value = value.get("items")
    if not isinstance(value, list):
        return None, 'the answer has no "items" list'
    return [v if isinstance(v, str) else json.dumps(v) for v in value], ""
