"""Knowledge bases: the store contract on memory, SQLite and PostgreSQL, and the blocks."""

import base64
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import insert

from blockyard.blocks.ai.knowledge import (
    AIEmbeddingsBlock,
    KnowledgeBaseAddBlock,
    KnowledgeBaseSearchBlock,
)
from blockyard.blocks.ai.port import KnowledgeChunk, KnowledgeStore, MemoryKnowledgeStore
from blockyard.blocks.testing import run_block
from blockyard.errors import BlockExecutionError
from blockyard.integrations.llm.service import LlmService
from blockyard.store.db import open_database
from blockyard.store.knowledge import SqlKnowledgeStore
from blockyard.store.tables import UserRow
from tests.ai.helpers import ai_context
from tests.fakes.openai_server import FakeOpenAI, bag_of_words

FACTS = [
    "Otters hold hands while they sleep so they do not drift apart.",
    "The Eiffel Tower grows taller in summer because iron expands.",
    "Honey found in ancient tombs is still edible.",
]


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest) -> str:
    """Empty for the in-memory twin, else a fresh SQLite or PostgreSQL database."""
    if request.param == "memory":
        return ""
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


@pytest.fixture
async def store(store_url: str) -> AsyncIterator[KnowledgeStore]:
    if not store_url:
        yield MemoryKnowledgeStore()
        return
    db = await open_database(store_url)
    async with db.engine.begin() as conn:  # the accounts the tests use (chunks need a user)
        users = [{"id": u, "email": f"{u}@example.com"} for u in ("u1", "u2")]
        defaults = {"name": "", "password_hash": "x", "is_admin": False, "created_at": 0.0}
        await conn.execute(insert(UserRow), [{**u, **defaults} for u in users])
    yield SqlKnowledgeStore(db)
    await db.close()


def chunk(text: str, document: str = "facts") -> KnowledgeChunk:
    return KnowledgeChunk(document, text, bag_of_words(text), {"length": len(text)})


async def test_store_ranks_by_similarity_with_top_k_and_threshold(store: KnowledgeStore) -> None:
    assert await store.base_model("u1", "trivia") is None
    assert await store.add("u1", "trivia", "m", [chunk(t) for t in FACTS]) == 3
    assert await store.base_model("u1", "trivia") == "m"
    hits = await store.search("u1", "trivia", bag_of_words("why do otters hold hands"), 2, 0.0)
    assert hits[0].text == FACTS[0]
    assert len(hits) == 2 and hits[0].score > hits[1].score
    assert hits[0].metadata == {"length": len(FACTS[0])} and hits[0].document == "facts"
    strict = await store.search("u1", "trivia", bag_of_words("otters hold hands"), 5, 0.3)
    assert [h.text for h in strict] == [FACTS[0]]


async def test_store_keeps_users_and_models_apart(store: KnowledgeStore) -> None:
    await store.add("u1", "trivia", "m", [chunk(FACTS[0])])
    assert await store.search("u2", "trivia", bag_of_words("otters"), 5, -1.0) == []
    assert await store.base_model("u2", "trivia") is None
    with pytest.raises(
        BlockExecutionError, match="built with the embedding model 'm', not 'other'"
    ):
        await store.add("u1", "trivia", "other", [chunk(FACTS[1])])


async def test_postgres_uses_pgvector_exactly_when_the_extension_is_there(
    postgres_url: str,
) -> None:
    import asyncpg

    db = await open_database(postgres_url)
    store = SqlKnowledgeStore(db)
    await store.ensure_schema()
    conn = await asyncpg.connect(postgres_url.replace("postgresql+asyncpg", "postgresql"))
    try:
        available = await conn.fetchval(
            "SELECT count(*) FROM pg_available_extensions WHERE name = 'vector'"
        )
    finally:
        await conn.close()
    assert store.uses_pgvector is bool(available)
    await db.close()


def pdf_with_text(line: str) -> bytes:
    """A one-page PDF whose page shows ``line`` (offsets computed, so readers need no repair)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({line}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


async def test_blocks_add_text_and_a_pdf_then_search(
    llm: LlmService, openai_server: FakeOpenAI
) -> None:
    ctx_store = MemoryKnowledgeStore()
    ctx = ai_context(llm, knowledge=ctx_store)
    added = await run_block(
        KnowledgeBaseAddBlock(),
        {
            "knowledge_base": "trivia",
            "content": "\n\n".join(FACTS[1:]),
            "document": "facts",
            "chunk_size": 20,
            "chunk_overlap": 0,
        },
        ctx,
    )
    assert added == {"chunks_added": [2], "document": ["facts"]}
    pdf = "data:application/pdf;base64," + base64.b64encode(pdf_with_text(FACTS[0])).decode()
    from_pdf = await run_block(
        KnowledgeBaseAddBlock(), {"knowledge_base": "trivia", "file": pdf}, ctx
    )
    assert from_pdf["chunks_added"] == [1]
    found = await run_block(
        KnowledgeBaseSearchBlock(),
        {"knowledge_base": "trivia", "query": "otters sleep holding hands", "top_k": 1},
        ctx,
    )
    (best,) = found["results"][0]
    assert "Otters hold hands" in best["text"] and best["document"] == from_pdf["document"][0]
    assert found["context"] == [best["text"]]
    assert ctx.stats["prompt_tokens"] > 0 and ctx.stats["model"] == "text-embedding-3-small"
    missing = await run_block(
        KnowledgeBaseSearchBlock(), {"knowledge_base": "nope", "query": "x"}, ctx
    )
    assert missing == {"error": ["There is no knowledge base named 'nope'"]}
    other_model = await run_block(
        KnowledgeBaseAddBlock(),
        {"knowledge_base": "trivia", "content": "x", "model": "nomic-embed-text"},
        ctx,
    )
    assert "was built with 'text-embedding-3-small'" in other_model["error"][0]


async def test_embeddings_block(llm: LlmService, openai_server: FakeOpenAI) -> None:
    outputs = await run_block(AIEmbeddingsBlock(), {"texts": ["a b", "c"]}, ai_context(llm))
    assert outputs["embeddings"] == [[bag_of_words("a b"), bag_of_words("c")]]
