"""AI Text Summarizer: any length of text, summarised by map-reduce.

The text is cut into chunks that fit the model's context window (on paragraph, line,
sentence or word boundaries, each chunk overlapping the previous by ``chunk_overlap``
tokens), each chunk is summarised, and the summaries are combined; when the combined
summaries are still too long for one call, they are summarised again, the same way. Only
the final combination is streamed to live viewers.
"""

import asyncio
import enum
from typing import Any

from blockyard.blocks.ai.common import (
    api_key,
    complete,
    conversation,
    credentials_field,
    input_budget,
    model_field,
    need_llm,
    ollama_host_field,
    prompt_record,
    split_text,
)
from blockyard.blocks.ai.port import (
    ChatMessage,
    ChatRequest,
    ModelInfo,
    estimate_tokens,
    messages_tokens,
)
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

MAP_CONCURRENCY = 4


class SummaryStyle(enum.StrEnum):
    CONCISE = "concise"
    DETAILED = "detailed"
    BULLET_POINTS = "bullet points"
    NUMBERED_LIST = "numbered list"


class AITextSummarizerBlock(Block):
    id = "a0a69be1-4528-491c-a85a-a4ab6873e3f0"
    description = (
        "Summarises text of any length with a language model: long texts are split into "
        "chunks that fit the model, summarised, and the summaries combined."
    )
    categories = frozenset({BlockCategory.AI, BlockCategory.TEXT})
    block_type = BlockType.AI

    class Input(BlockSchemaInput):
        text: str = SchemaField(description="The text to summarise.")
        model: str = model_field()
        focus: str = SchemaField(
            "general information", description="What the summary should be about."
        )
        style: SummaryStyle = SchemaField(SummaryStyle.CONCISE, description="How to write it.")
        credentials: CredentialsMeta | None = credentials_field()
        max_tokens: int = SchemaField(
            4096, ge=16, description="The most tokens each summary may have."
        )
        chunk_overlap: int = SchemaField(
            100, ge=0, description="Tokens each chunk repeats from the previous one."
        )
        ollama_host: str = ollama_host_field()

    class Output(BlockSchemaOutput):
        summary: str = SchemaField(description="The summary.")
        prompt: list[Any] = SchemaField(description="The messages of the final call.")

    test_input = [{"text": "A long story."}]
    test_output = [("error", "This server has no language model service configured")]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        if not input_data.text.strip():
            yield ERROR_PIN, "There is no text to summarise"
            return
        try:
            summary, messages = await Summariser(input_data, ctx).summarise(input_data.text)
        except BlockExecutionError as exc:
            yield ERROR_PIN, exc.message
            return
        yield "summary", summary
        yield "prompt", prompt_record(messages)


class Summariser:
    def __init__(self, data: AITextSummarizerBlock.Input, ctx: BlockContext) -> None:
        self.data, self.ctx = data, ctx
        self._gate = asyncio.Semaphore(MAP_CONCURRENCY)
        self.info: ModelInfo = need_llm(ctx).model(data.model)
        self.max_tokens = min(data.max_tokens, self.info.max_output_tokens or data.max_tokens)
        overhead = messages_tokens(self._messages("", final=False))
        self.chunk_tokens = input_budget(self.info, self.max_tokens) - overhead
        if self.chunk_tokens < 2 * max(data.chunk_overlap, 1):
            raise BlockExecutionError(
                f"{self.info.name}'s context window ({self.info.context_window} tokens) leaves "
                f"no room for text beside answers of {self.max_tokens} tokens; lower max_tokens"
            )

    async def summarise(self, text: str) -> tuple[str, list[ChatMessage]]:
        """Map the chunks to summaries until everything fits one call, then reduce."""
        for _ in range(8):
            if estimate_tokens(text) <= self.chunk_tokens:
                return await self._call(text, final=True)
            chunks = split_text(text, self.chunk_tokens, self.data.chunk_overlap)
            parts = await asyncio.gather(*(self._part(c) for c in chunks))
            text = "\n\n".join(parts)
        raise BlockExecutionError("The summaries did not get shorter; lower max_tokens")

    async def _part(self, chunk: str) -> str:
        async with self._gate:
            return (await self._call(chunk, final=False))[0]

    async def _call(self, text: str, *, final: bool) -> tuple[str, list[ChatMessage]]:
        messages = self._messages(text, final=final)
        request = ChatRequest(self.data.model, messages, self.max_tokens, api_key=api_key(self.ctx))
        response = await complete(self.ctx, request, "summary" if final else None)
        return response.text, messages

    def _messages(self, text: str, *, final: bool) -> list[ChatMessage]:
        task = (
            f"Summarise the following text in a {self.data.style.value} style, focusing on "
            f"{self.data.focus}. Answer with the summary only."
        )
        if not final:
            task = "This is one part of a longer text. " + task
        return conversation("You write faithful summaries.", [], f"{task}\n\nText:\n{text}")
