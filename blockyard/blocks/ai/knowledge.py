"""Knowledge: embeddings, and knowledge bases to add documents to and search.

A knowledge base is a named collection of one user's document chunks with their vectors.
Adding a document (text, Markdown or a PDF, read with ``pypdf``) splits it into chunks of
about ``chunk_size`` tokens, embeds them through ``ctx.llm`` and stores them in
``ctx.knowledge``; a base keeps the embedding model it was built with, and searching embeds
the query with that same model and returns the most similar chunks (cosine similarity),
at most ``top_k`` and none under ``min_score``.
"""

import io
from typing import Any

from blockyard.blocks.ai.common import (
    api_key,
    check_provider,
    credentials_field,
    need_llm,
    record_usage,
    split_text,
)
from blockyard.blocks.ai.port import KnowledgeChunk, KnowledgeStore, estimate_tokens
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
from blockyard.blocks.files import FILE_PIN_HELP, file_error, load_file
from blockyard.errors import BlockExecutionError, BlockyardError

DEFAULT_EMBEDDING_MODEL = "text-embedding-3-small"
EMBED_BATCH = 64
"""Texts per embedding request."""
NO_SERVICE = "This server has no language model service configured"


def _embedding_model_field() -> Any:
    return SchemaField(DEFAULT_EMBEDDING_MODEL, description="The embedding model.", advanced=False)


async def embed_all(ctx: BlockContext, model: str, texts: list[str]) -> list[list[float]]:
    """Vectors for ``texts`` in order, in batches; usage recorded in the node's stats."""
    llm = need_llm(ctx)
    info = llm.model(model)
    check_provider(ctx, info)
    vectors: list[list[float]] = []
    for start in range(0, len(texts), EMBED_BATCH):
        result = await llm.embed(model, texts[start : start + EMBED_BATCH], api_key(ctx))
        if len(result.vectors) != len(texts[start : start + EMBED_BATCH]):
            raise BlockExecutionError(f"{model} returned {len(result.vectors)} vectors")
        record_usage(ctx, info, result.usage, result.platform_key)
        vectors += result.vectors
    return vectors


def need_store(ctx: BlockContext) -> KnowledgeStore:
    if ctx.knowledge is None:
        raise BlockExecutionError("This server has no knowledge store configured")
    return ctx.knowledge


class AIEmbeddingsBlock(Block):
    id = "6203c967-6afd-4010-a535-bcf579f9cc50"
    description = "Turns texts into vectors (embeddings) that place similar meanings close."
    categories = frozenset({BlockCategory.AI})
    block_type = BlockType.AI

    class Input(BlockSchemaInput):
        texts: list[str] = SchemaField(description="The texts to embed.")
        model: str = _embedding_model_field()
        credentials: CredentialsMeta | None = credentials_field()

    class Output(BlockSchemaOutput):
        embeddings: list[list[float]] = SchemaField(description="One vector per text, in order.")

    test_input = [{"texts": ["hello"]}]
    test_output = [("error", NO_SERVICE)]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        try:
            vectors = await embed_all(ctx, input_data.model, list(input_data.texts))
        except BlockExecutionError as exc:
            yield ERROR_PIN, exc.message
            return
        yield "embeddings", vectors


class KnowledgeBaseAddBlock(Block):
    id = "4f14fd61-e250-4b33-a897-5b520863c5e1"
    description = (
        "Adds a document (text, Markdown or a PDF file) to one of your knowledge bases: "
        "split into chunks, embedded and stored for search."
    )
    categories = frozenset({BlockCategory.AI, BlockCategory.DATA})
    block_type = BlockType.AI

    class Input(BlockSchemaInput):
        knowledge_base: str = SchemaField(description="The knowledge base's name.")
        content: str = SchemaField("", description="The document as text or Markdown.")
        file: str = SchemaField("", description=f"Or a file (PDF or text). {FILE_PIN_HELP}")
        document: str = SchemaField(
            "", description="The document's title, kept with each chunk (default: file name)."
        )
        metadata: dict[str, Any] = SchemaField(
            default_factory=dict, description="Extra facts kept with each chunk."
        )
        chunk_size: int = SchemaField(300, ge=20, le=8000, description="Tokens per chunk.")
        chunk_overlap: int = SchemaField(40, ge=0, description="Tokens repeated between chunks.")
        model: str = _embedding_model_field()
        credentials: CredentialsMeta | None = credentials_field()

    class Output(BlockSchemaOutput):
        chunks_added: int = SchemaField(description="How many chunks were stored.")
        document: str = SchemaField(description="The document's title.")

    test_input = [{"knowledge_base": "notes"}]
    test_output = [("error", "Give the document: content or a file")]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        try:
            title, text = await self._document(input_data, ctx)
            store = need_store(ctx)
            known = await store.base_model(ctx.user_id, input_data.knowledge_base)
            if known is not None and known != input_data.model:
                raise BlockExecutionError(
                    f"Knowledge base {input_data.knowledge_base!r} was built with {known!r}; "
                    "add to it with the same model"
                )
            pieces = split_text(text, input_data.chunk_size, input_data.chunk_overlap)
            vectors = await embed_all(ctx, input_data.model, pieces)
            chunks = [
                KnowledgeChunk(title, piece, vector, {**input_data.metadata, "chunk": i})
                for i, (piece, vector) in enumerate(zip(pieces, vectors, strict=True))
            ]
            added = await store.add(
                ctx.user_id, input_data.knowledge_base, input_data.model, chunks
            )
        except BlockExecutionError as exc:
            yield ERROR_PIN, exc.message
            return
        yield "chunks_added", added
        yield "document", title

    async def _document(self, data: Input, ctx: BlockContext) -> tuple[str, str]:
        if data.content.strip():
            return data.document or "text", data.content
        if not data.file:
            raise BlockExecutionError("Give the document: content or a file")
        try:
            loaded = await load_file(ctx, data.file)
        except (BlockyardError, OSError) as exc:
            raise BlockExecutionError(file_error(exc, data.file)) from None
        is_pdf = loaded.mime == "application/pdf" or loaded.data[:5] == b"%PDF-"
        text = await ctx.run_blocking(pdf_text, loaded.data) if is_pdf else loaded.text()
        if not text.strip():
            raise BlockExecutionError(f"{loaded.name} has no text to add")
        return data.document or loaded.name, text


def pdf_text(data: bytes) -> str:
    """The text of every page of a PDF, pages separated by blank lines."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        return "\n\n".join((page.extract_text() or "").strip() for page in reader.pages)
    except (PdfReadError, ValueError) as exc:
        raise BlockExecutionError(f"Cannot read the PDF: {exc}") from None


class KnowledgeBaseSearchBlock(Block):
    id = "49ad6916-6aa6-4cf7-bae5-ee9f99e000f8"
    description = (
        "Finds the passages of a knowledge base closest in meaning to a query: the top k, "
        "none under the score threshold."
    )
    categories = frozenset({BlockCategory.AI, BlockCategory.SEARCH})
    block_type = BlockType.AI

    class Input(BlockSchemaInput):
        knowledge_base: str = SchemaField(description="The knowledge base's name.")
        query: str = SchemaField(description="What to look for.")
        top_k: int = SchemaField(5, ge=1, le=100, description="The most passages to return.")
        min_score: float = SchemaField(
            0.0, ge=-1.0, le=1.0, description="The least cosine similarity a passage needs."
        )
        credentials: CredentialsMeta | None = credentials_field()

    class Output(BlockSchemaOutput):
        results: list[dict[str, Any]] = SchemaField(
            description="The passages, best first: {text, score, document, metadata}."
        )
        result: dict[str, Any] = SchemaField(description="Each passage, one at a time.")
        context: str = SchemaField(description="The passages' texts joined, for a prompt.")

    test_input = [{"knowledge_base": "notes", "query": "otters"}]
    test_output = [("error", "This server has no knowledge store configured")]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        try:
            found = await self._search(input_data, ctx)
        except BlockExecutionError as exc:
            yield ERROR_PIN, exc.message
            return
        results = [
            {"text": h.text, "score": h.score, "document": h.document, "metadata": h.metadata}
            for h in found
        ]
        yield "results", results
        for item in results:
            yield "result", item
        yield "context", "\n\n".join(h.text for h in found)

    async def _search(self, data: Input, ctx: BlockContext) -> list[Any]:
        store = need_store(ctx)
        model = await store.base_model(ctx.user_id, data.knowledge_base)
        if model is None:
            raise BlockExecutionError(f"There is no knowledge base named {data.knowledge_base!r}")
        if not data.query.strip() or estimate_tokens(data.query) > 8000:
            raise BlockExecutionError("The query must be between 1 and about 8000 tokens")
        (vector,) = await embed_all(ctx, model, [data.query])
        return await store.search(
            ctx.user_id, data.knowledge_base, vector, data.top_k, data.min_score
        )
