"""AI Structured Response Generator: JSON from a language model, checked against a schema.

The expected format is either AutoGPT's ``expected_format`` (field name -> description; an
object with those fields, each required) or a full JSON Schema. The answer is parsed and
validated; when it fails, the model is told what was wrong and asked again, at most
``retry`` times, and then the block fails with the last problem. With ``list_result`` the
answer is a list of such objects.
"""

import json
from typing import Any

import jsonschema

from blockyard.blocks.ai.common import (
    api_key,
    check_fits,
    complete,
    conversation,
    credentials_field,
    extract_json,
    fill_template,
    fit_history,
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

LIST_KEY = "items"
"""Providers' JSON modes want an object at the top: a list answer travels under this key."""


class AIStructuredResponseGeneratorBlock(Block):
    id = "ed55ac19-356e-4243-a6cb-bc599e9b716f"
    description = (
        "Asks a language model for JSON in a given format (fields or a JSON Schema), checks "
        "the answer and asks again when it does not match."
    )
    categories = frozenset({BlockCategory.AI})
    block_type = BlockType.AI

    class Input(BlockSchemaInput):
        prompt: str = SchemaField(description="What to ask; {{name}} takes prompt_values[name].")
        expected_format: dict[str, str] = SchemaField(
            default_factory=dict,
            description="The fields of the answer: name -> what it holds.",
        )
        json_schema: dict[str, Any] = SchemaField(
            default_factory=dict,
            description="A JSON Schema for the answer (instead of expected_format).",
            advanced=True,
        )
        list_result: bool = SchemaField(False, description="Answer with a list of such objects.")
        model: str = model_field()
        force_json_output: bool = SchemaField(
            False, description="Use the provider's structured-output mode (where it has one)."
        )
        credentials: CredentialsMeta | None = credentials_field()
        sys_prompt: str = SchemaField("", description="Instructions the model follows.")
        conversation_history: list[Any] = SchemaField(
            default_factory=list, description="Earlier messages: [{role, content}]."
        )
        retry: int = SchemaField(3, ge=1, le=10, description="Attempts until the answer fits.")
        prompt_values: dict[str, Any] = SchemaField(
            default_factory=dict, description="Values for the prompt's placeholders."
        )
        max_tokens: int | None = max_tokens_field()
        compress_prompt_to_fit: bool = SchemaField(
            True, description="Drop the oldest history when the prompt is too long."
        )
        ollama_host: str = ollama_host_field()

    class Output(BlockSchemaOutput):
        response: Any = SchemaField(description="The answer: an object, or a list of objects.")
        prompt: list[Any] = SchemaField(description="The messages sent to the model.")

    test_input = [{"prompt": "Rate this", "expected_format": {"score": "1 to 5"}}]
    test_output = [("error", "This server has no language model service configured")]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        try:
            schema = answer_schema(input_data)
            messages = self._messages(input_data, schema)
            info = need_llm(ctx).model(input_data.model)
            if input_data.compress_prompt_to_fit:
                messages = fit_history(info, messages, input_data.max_tokens)
            else:
                check_fits(info, messages, input_data.max_tokens)
            answer, messages = await self._ask(input_data, ctx, messages, schema)
        except BlockExecutionError as exc:
            yield ERROR_PIN, exc.message
            return
        yield "response", answer[LIST_KEY] if input_data.list_result else answer
        yield "prompt", prompt_record(messages)

    def _messages(self, data: Input, schema: dict[str, Any]) -> list[ChatMessage]:
        system = fill_template(data.sys_prompt, data.prompt_values)
        rules = format_instructions(schema)
        return conversation(
            f"{system}\n\n{rules}" if system.strip() else rules,
            data.conversation_history,
            fill_template(data.prompt, data.prompt_values),
        )

    async def _ask(
        self, data: Input, ctx: BlockContext, messages: list[ChatMessage], schema: dict[str, Any]
    ) -> tuple[Any, list[ChatMessage]]:
        problem = ""
        for _ in range(data.retry):
            request = ChatRequest(
                data.model,
                messages,
                data.max_tokens,
                json_schema=schema if data.force_json_output else None,
                api_key=api_key(ctx),
            )
            response = await complete(ctx, request)
            answer, problem = check_answer(response.text, schema)
            if not problem:
                return answer, messages
            retry_note = f"Your answer does not fit: {problem}. Answer again with the JSON only."
            messages = [*messages, response.message(), ChatMessage("user", retry_note)]
        raise BlockExecutionError(
            f"The model gave no valid answer in {data.retry} attempts; the last problem: {problem}"
        )


def answer_schema(data: AIStructuredResponseGeneratorBlock.Input) -> dict[str, Any]:
    """The JSON Schema the answer must match (an object; lists travel under ``items``)."""
    if data.json_schema:
        try:
            jsonschema.Draft202012Validator.check_schema(data.json_schema)
        except jsonschema.SchemaError as exc:
            raise BlockExecutionError(
                f"json_schema is not a valid JSON Schema: {exc.message}"
            ) from None
        item = data.json_schema
    elif data.expected_format:
        item = {
            "type": "object",
            "properties": {k: {"description": v} for k, v in data.expected_format.items()},
            "required": list(data.expected_format),
        }
    else:
        raise BlockExecutionError("Give the expected format: expected_format or json_schema")
    if not data.list_result:
        return item
    return {
        "type": "object",
        "properties": {LIST_KEY: {"type": "array", "items": item}},
        "required": [LIST_KEY],
    }


def format_instructions(schema: dict[str, Any]) -> str:
    return (
        "Answer with one JSON value that matches this JSON Schema, and nothing else "
        f"(no prose, no code fences):\n{json.dumps(schema, indent=1)}"
    )


def check_answer(text: str, schema: dict[str, Any]) -> tuple[Any, str]:
    """The parsed answer and an empty problem, or None and what is wrong with it."""
    try:
        value = extract_json(text)
    except ValueError as exc:
        return None, str(exc)
    errors = sorted(
        jsonschema.Draft202012Validator(schema).iter_errors(value), key=lambda e: list(e.path)
    )
    if errors:
        first = errors[0]
        where = "/".join(str(p) for p in first.absolute_path) or "the answer"
        return None, f"at {where}: {first.message}"
    return value, ""
