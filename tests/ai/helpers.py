"""Contexts and engines wired to the local provider servers."""

from dataclasses import dataclass, field
from typing import Any

from pydantic import SecretStr

from blockyard.blocks.ai.port import KnowledgeStore, LanguageModels
from blockyard.blocks.context import BlockContext
from blockyard.blocks.credentials import APIKeyCredentials
from blockyard.blocks.registry import load_registry
from blockyard.blocks.testing import TEST_USER_ID, make_context
from blockyard.engine.executor import Engine
from blockyard.engine.memory import MemoryBus, MemoryGraphSource, MemoryRunStore, StaticCredentials
from tests.ai.conftest import USER_KEY

CREDENTIALS = APIKeyCredentials(id="cred-1", provider="openai", api_key=SecretStr(USER_KEY))
ANTHROPIC_CREDENTIALS = APIKeyCredentials(
    id="cred-2", provider="anthropic", api_key=SecretStr(USER_KEY)
)
CREDENTIALS_REF = {"id": "cred-1", "provider": "openai", "type": "api_key"}
REGISTRY = load_registry(entry_point_packages=False)


@dataclass
class Streamed:
    """Collects what a block streams: ``(pin, value)`` in order."""

    items: list[tuple[str, Any]] = field(default_factory=list)

    async def __call__(self, pin: str, value: Any) -> None:
        self.items.append((pin, value))

    def text(self, pin: str) -> str:
        return "".join(str(v) for p, v in self.items if p == pin)


def ai_context(llm: LanguageModels, **overrides: Any) -> BlockContext:
    fields: dict[str, Any] = {"llm": llm, "credentials": {"credentials": CREDENTIALS}}
    fields.update(overrides)
    return make_context(**fields)


def ai_engine(
    llm: LanguageModels, graphs: MemoryGraphSource, knowledge: KnowledgeStore | None = None
) -> tuple[Engine, MemoryRunStore, MemoryBus]:
    store, bus = MemoryRunStore(), MemoryBus()
    engine = Engine(
        REGISTRY,
        store,
        graphs,
        bus,
        llm=llm,
        knowledge=knowledge,
        credentials=StaticCredentials({"cred-1": (TEST_USER_ID, CREDENTIALS)}),
    )
    return engine, store, bus
