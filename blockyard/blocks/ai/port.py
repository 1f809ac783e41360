"""The ports AI blocks use: language models (``ctx.llm``) and a vector store (``ctx.knowledge``).

Plain records travel through them, never a provider SDK's types, so a block is the same
whichever provider answers:

- :class:`LanguageModels`: the model catalogue, ``chat`` (optionally streaming tokens to a
  callback) and ``embed``. Implemented by ``blockyard.integrations.llm.LlmService``.
- :class:`KnowledgeStore`: chunks with their vectors per user and knowledge base, searched
  by cosine similarity. Implemented by ``blockyard.store.knowledge.SqlKnowledgeStore``;
  :class:`MemoryKnowledgeStore` is its in-memory twin.

Errors follow :mod:`blockyard.errors`: an unknown model or a refused key is a
``BlockExecutionError``; a rate limit, 5xx or timeout that outlived the retries is a
``BlockTransientError`` (a node policy may retry it).
"""

import json
import math
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from blockyard.errors import BlockExecutionError

Role = Literal["system", "user", "assistant", "tool"]
TokenSink = Callable[[str], Awaitable[None]]
"""Receives each text fragment of a streamed answer as it arrives."""


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """One entry of the model catalogue. Prices are US dollars per million tokens."""

    name: str
    provider: str
    context_window: int
    max_output_tokens: int = 4096
    input_price: float = 0.0
    output_price: float = 0.0
    kind: Literal["chat", "embedding"] = "chat"

    def cost(self, usage: "Usage") -> float:
        return (
            usage.prompt_tokens * self.input_price + usage.completion_tokens * self.output_price
        ) / 1_000_000


@dataclass(frozen=True, slots=True)
class ToolCall:
    """A function the model asked for; ``arguments`` is the JSON text the model wrote."""

    id: str
    name: str
    arguments: str

    def parsed_arguments(self) -> dict[str, Any]:
        """The arguments as a dictionary; ``ValueError`` when the model wrote no JSON object."""
        try:
            value = json.loads(self.arguments or "{}")
        except RecursionError:  # thousands of '[': a ValueError like any other bad JSON
            raise ValueError("the arguments are nested too deeply") from None
        if not isinstance(value, dict):
            raise ValueError("the arguments are not a JSON object")
        return value


@dataclass(frozen=True, slots=True)
class ChatMessage:
    role: Role
    content: str = ""
    tool_calls: tuple[ToolCall, ...] = ()
    """On an assistant message: the calls it made."""
    tool_call_id: str = ""
    """On a tool message: which call this is the result of."""

    def as_dict(self) -> dict[str, Any]:
        """OpenAI-style dictionary, the format of AutoGPT's ``prompt`` and history pins."""
        out: dict[str, Any] = {"role": self.role, "content": self.content}
        if self.tool_calls:
            out["tool_calls"] = [
                {
                    "id": c.id,
                    "type": "function",
                    "function": {"name": c.name, "arguments": c.arguments},
                }
                for c in self.tool_calls
            ]
        if self.tool_call_id:
            out["tool_call_id"] = self.tool_call_id
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ChatMessage":
        """Read an OpenAI-style message (as history pins carry them); unknown roles are user."""
        role = (
            data.get("role")
            if data.get("role") in ("system", "user", "assistant", "tool")
            else "user"
        )
        calls = tuple(
            ToolCall(
                id=str(c.get("id", "")),
                name=str((c.get("function") or {}).get("name", "")),
                arguments=str((c.get("function") or {}).get("arguments", "") or "{}"),
            )
            for c in data.get("tool_calls") or ()
            if isinstance(c, dict)
        )
        content = data.get("content")
        text = content if isinstance(content, str) else json.dumps(content) if content else ""
        return cls(role, text, calls, str(data.get("tool_call_id") or ""))  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class ToolSpec:
    """A function offered to the model; ``parameters`` is a JSON Schema object."""

    name: str
    description: str
    parameters: dict[str, Any]


@dataclass(slots=True)
class ChatRequest:
    model: str
    messages: list[ChatMessage]
    max_tokens: int | None = None
    tools: list[ToolSpec] = field(default_factory=list)
    json_schema: dict[str, Any] | None = None
    """Ask for JSON matching this schema (the provider's structured-output mode)."""
    json_mode: bool = False
    """Ask for any JSON object (when no schema is given)."""
    temperature: float | None = None
    api_key: str | None = None
    """The user's own key; None uses the operator's platform key for the provider."""


@dataclass(frozen=True, slots=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0

    def __add__(self, other: "Usage") -> "Usage":
        return Usage(
            self.prompt_tokens + other.prompt_tokens,
            self.completion_tokens + other.completion_tokens,
        )


@dataclass(frozen=True, slots=True)
class ChatResponse:
    text: str
    tool_calls: tuple[ToolCall, ...] = ()
    usage: Usage = Usage()
    model: str = ""
    finish_reason: str = ""
    platform_key: bool = False
    """True when the operator's key paid for it (credits should be charged)."""

    def message(self) -> ChatMessage:
        return ChatMessage("assistant", self.text, self.tool_calls)


@dataclass(frozen=True, slots=True)
class Embeddings:
    vectors: list[list[float]]
    usage: Usage = Usage()
    model: str = ""
    platform_key: bool = False


class LanguageModels(Protocol):
    """Chat and embedding models, whichever provider serves them."""

    def model(self, name: str) -> ModelInfo:
        """The catalogue entry; ``BlockExecutionError`` naming known models when unknown."""
        ...

    def models(self) -> list[ModelInfo]: ...

    async def chat(self, request: ChatRequest, on_token: TokenSink | None = None) -> ChatResponse:
        """One completion. With ``on_token`` the answer is streamed, fragment by fragment."""
        ...

    async def embed(
        self, model: str, texts: Sequence[str], api_key: str | None = None
    ) -> Embeddings:
        """One vector per text, in order."""
        ...


def estimate_tokens(text: str) -> int:
    """A provider-independent, deliberately high estimate of a text's token count.

    Exact tokenisers differ per model and cannot be downloaded here; about four characters
    make a token in English and fewer in other scripts, so counting one token per three
    bytes (and at least one per word) errs on the side of refusing too early.
    """
    if not text:
        return 0
    return max(math.ceil(len(text.encode("utf-8")) / 3), len(text.split()))


def messages_tokens(messages: Sequence[ChatMessage]) -> int:
    """The estimate for a whole conversation, with a few tokens of framing per message."""
    return sum(
        estimate_tokens(m.content) + sum(estimate_tokens(c.arguments) for c in m.tool_calls) + 4
        for m in messages
    )


# -- knowledge -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KnowledgeChunk:
    document: str
    """Where the chunk comes from (a title, a file name); chunks of one document share it."""
    text: str
    vector: list[float]
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class KnowledgeHit:
    document: str
    text: str
    score: float
    """Cosine similarity, 1.0 for the same direction."""
    metadata: dict[str, Any] = field(default_factory=dict)


class KnowledgeStore(Protocol):
    """Chunks and their vectors, per user and knowledge base; exact or indexed search."""

    async def add(
        self, user_id: str, base: str, model: str, chunks: Sequence[KnowledgeChunk]
    ) -> int:
        """Store the chunks; ``BlockExecutionError`` if the base was built with another model."""
        ...

    async def search(
        self, user_id: str, base: str, vector: Sequence[float], top_k: int, min_score: float
    ) -> list[KnowledgeHit]:
        """The ``top_k`` most similar chunks scoring at least ``min_score``, best first."""
        ...

    async def base_model(self, user_id: str, base: str) -> str | None:
        """The embedding model the base was built with (None: no such base yet)."""
        ...


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    if len(a) != len(b):
        raise BlockExecutionError(
            f"Vectors of different sizes ({len(a)} and {len(b)}): "
            "use the model the knowledge base was built with"
        )
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0


class MemoryKnowledgeStore:
    """The in-memory twin of :class:`KnowledgeStore` (tests, ``blockyard run``)."""

    def __init__(self) -> None:
        self.bases: dict[tuple[str, str], tuple[str, list[KnowledgeChunk]]] = {}

    async def add(
        self, user_id: str, base: str, model: str, chunks: Sequence[KnowledgeChunk]
    ) -> int:
        known, stored = self.bases.setdefault((user_id, base), (model, []))
        check_same_model(base, known, model)
        stored.extend(chunks)
        return len(chunks)

    async def search(
        self, user_id: str, base: str, vector: Sequence[float], top_k: int, min_score: float
    ) -> list[KnowledgeHit]:
        _, stored = self.bases.get((user_id, base), ("", []))
        hits = [
            KnowledgeHit(c.document, c.text, cosine(vector, c.vector), dict(c.metadata))
            for c in stored
        ]
        hits = [h for h in hits if h.score >= min_score]
        return sorted(hits, key=lambda h: h.score, reverse=True)[:top_k]

    async def base_model(self, user_id: str, base: str) -> str | None:
        found = self.bases.get((user_id, base))
        return found[0] if found else None


def check_same_model(base: str, known: str | None, model: str) -> None:
    if known is not None and known != model:
        raise BlockExecutionError(
            f"Knowledge base {base!r} was built with the embedding model {known!r}, not {model!r}; "
            "vectors of different models cannot be compared"
        )
