"""What the failure-path and hostile-input tests share: a scripted language model, and a
check that a test named as ``tests/....py::test_name`` exists (so a pointer cannot rot)."""

import importlib
from collections.abc import Sequence
from dataclasses import dataclass

from blockyard.blocks.ai.port import (
    ChatRequest,
    ChatResponse,
    Embeddings,
    ModelInfo,
    TokenSink,
    ToolCall,
)


@dataclass
class ScriptedModels:
    """A language model that always gives the same answer (and tool calls), for what blocks
    make of bad ones. Every model name is an OpenAI chat model with a large context window."""

    answer: str = ""
    tool_calls: tuple[ToolCall, ...] = ()

    def model(self, name: str) -> ModelInfo:
        return ModelInfo(name, "openai", context_window=100_000)

    def models(self) -> list[ModelInfo]:
        return [self.model("scripted")]

    async def chat(self, request: ChatRequest, on_token: TokenSink | None = None) -> ChatResponse:
        return ChatResponse(self.answer, self.tool_calls)

    async def embed(
        self, model: str, texts: Sequence[str], api_key: str | None = None
    ) -> Embeddings:
        return Embeddings([[1.0, 0.0] for _ in texts])


def missing_test(where: str) -> str | None:
    """Why ``tests/x/test_y.py::test_name`` names no test function; None when it does."""
    path, _, name = where.partition("::")
    if not (path.startswith("tests/") and path.endswith(".py") and name.startswith("test_")):
        return f"{where!r} is not of the form tests/....py::test_name"
    module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
    if not callable(getattr(module, name, None)):
        return f"{path} has no test {name}"
    return None
