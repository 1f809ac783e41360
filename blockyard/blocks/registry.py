"""Finds every block: the built-in families and third-party packages.

Third-party packages register a module (or a Block class) under the ``blockyard.blocks``
entry-point group; every concrete :class:`Block` subclass in it is registered.
"""

import importlib
import inspect
import logging
import uuid
from collections.abc import Iterable, Iterator
from importlib.metadata import entry_points
from types import ModuleType

from blockyard.blocks.base import Block
from blockyard.errors import ConfigError, NotFoundError

log = logging.getLogger(__name__)

BUILTIN_MODULES: tuple[str, ...] = (
    "blockyard.blocks.io",
    "blockyard.blocks.basic",
    "blockyard.blocks.text",
    "blockyard.blocks.text_tools",
    "blockyard.blocks.text_html",
    "blockyard.blocks.data",
    "blockyard.blocks.data_dicts",
    "blockyard.blocks.data_lists",
    "blockyard.blocks.data_formats",
    "blockyard.blocks.data_csv",
    "blockyard.blocks.logic",
    "blockyard.blocks.logic_flow",
    "blockyard.blocks.maths",
    "blockyard.blocks.time",
    "blockyard.blocks.time_calc",
    "blockyard.blocks.agent",
    "blockyard.blocks.files",
    "blockyard.blocks.code",
    "blockyard.blocks.web",
    "blockyard.blocks.email",
    "blockyard.blocks.ai.llm",
    "blockyard.blocks.ai.structured",
    "blockyard.blocks.ai.summarizer",
    "blockyard.blocks.ai.decision",
    "blockyard.blocks.ai.knowledge",
    "blockyard.blocks.ai.mcp_tool",
)
ENTRY_POINT_GROUP = "blockyard.blocks"


class BlockRegistry:
    """Block classes by id, each instantiated once (blocks hold no per-run state)."""

    def __init__(self, blocks: Iterable[type[Block]] = ()) -> None:
        self._by_id: dict[str, Block] = {}
        for cls in blocks:
            self.register(cls)

    def register(self, cls: type[Block]) -> None:
        block_id = getattr(cls, "id", None)
        if not isinstance(block_id, str):
            raise ConfigError(f"Block {cls.__name__} has no id")
        try:
            uuid.UUID(block_id)
        except ValueError:
            raise ConfigError(f"Block {cls.__name__} id {block_id!r} is not a UUID") from None
        existing = self._by_id.get(block_id)
        if existing is not None and type(existing) is not cls:
            raise ConfigError(
                f"Block id {block_id} is used by both {type(existing).__name__} and {cls.__name__}"
            )
        self._by_id[block_id] = cls()

    def get(self, block_id: str) -> Block:
        try:
            return self._by_id[block_id]
        except KeyError:
            raise NotFoundError(f"Unknown block {block_id}", block_id=block_id) from None

    def find(self, block_id: str) -> Block | None:
        return self._by_id.get(block_id)

    def __contains__(self, block_id: object) -> bool:
        return block_id in self._by_id

    def __iter__(self) -> Iterator[Block]:
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)


def blocks_in_module(module: ModuleType) -> list[type[Block]]:
    """Concrete Block subclasses defined in ``module`` (imported helpers are skipped)."""
    return [
        obj
        for _, obj in inspect.getmembers(module, inspect.isclass)
        if issubclass(obj, Block)
        and not inspect.isabstract(obj)
        and obj.__module__ == module.__name__
        and hasattr(obj, "id")
    ]


def _entry_point_blocks() -> Iterator[type[Block]]:
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            loaded = ep.load()
        except Exception:
            log.exception("Could not load block package %s", ep.value)
            continue
        if isinstance(loaded, ModuleType):
            yield from blocks_in_module(loaded)
        elif inspect.isclass(loaded) and issubclass(loaded, Block):
            yield loaded


def load_registry(
    extra_modules: Iterable[str] = (), *, entry_point_packages: bool = True
) -> BlockRegistry:
    """The built-in families plus every installed third-party block package."""
    registry = BlockRegistry()
    for name in (*BUILTIN_MODULES, *extra_modules):
        for cls in blocks_in_module(importlib.import_module(name)):
            registry.register(cls)
    if entry_point_packages:
        for cls in _entry_point_blocks():
            registry.register(cls)
    return registry
