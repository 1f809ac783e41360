"""Reads and writes agents in AutoGPT's agent JSON format.

A file exported from AutoGPT (library export or marketplace download) imports here, and a
file exported here imports there. The format is::

    {id, version, is_active, name, description,
     nodes: [{id, block_id, input_default, metadata, policy?}],
     links: [{id, source_id, sink_id, source_name, sink_name, is_static}],
     sub_graphs: [{id, version, is_active, name, description, nodes, links}]}

Reading is lenient where AutoGPT's own files vary (older exports carry extra keys such as
``is_template`` or ``has_webhook_trigger``, optional keys may be missing, the oldest files
have ``subgraphs``) and strict where a file is unusable (not JSON, no ``nodes`` or
``links``): those raise :class:`~blockyard.errors.AgentFormatError` with a readable message.
``metadata`` is the editor's free-form data and passes through untouched.

Writing strips secrets by default, as AutoGPT does, so an exported file can be shared.
Importing gives fresh ids with :func:`reassign_ids`, so the same file can be imported twice.
"""

import re
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any, TypedDict

import orjson
from pydantic import ValidationError

from blockyard.blocks.base import BlockType
from blockyard.blocks.registry import BlockRegistry
from blockyard.errors import AgentFormatError
from blockyard.graph.model import BaseGraph, Graph, Node, new_id

AGENT_EXECUTOR_BLOCK_ID = "e189baac-8c20-45a1-94a7-55177ea42565"

AGENT_INPUT_BLOCK_IDS = frozenset(
    {
        "c0a8e994-ebf1-4a9c-a4d8-89d09c86741b",  # AgentInputBlock
        "7fcd3bcb-8e1b-4e69-903d-32d3d4a92158",  # AgentShortTextInputBlock
        "90a56ffb-7024-4b2b-ab50-e26c5e5ab8ba",  # AgentLongTextInputBlock
        "96dae2bb-97a2-41c2-bd2f-13a3b5a8ea98",  # AgentNumberInputBlock
        "7e198b09-4994-47db-8b4d-952d98241817",  # AgentDateInputBlock
        "2a1c757e-86cf-4c7e-aacf-060dc382e434",  # AgentTimeInputBlock
        "95ead23f-8283-4654-aef3-10c053b74a31",  # AgentFileInputBlock
        "655d6fdf-a334-421c-b733-520549c07cd1",  # AgentDropdownInputBlock
        "cbf36ab5-df4a-43b6-8a7f-f7ed8652116e",  # AgentToggleInputBlock
        "5603b273-f41e-4020-af7d-fbc9c6a8d928",  # AgentTableInputBlock
        "d3b32f15-6fd7-40e3-be52-e083f51b19a2",  # AgentGoogleDriveFileInputBlock
    }
)
"""AutoGPT's input blocks, to find secret inputs when no registry is given."""

LEGACY_BLOCK_IDS: Mapping[str, str] = MappingProxyType(
    {
        # Early AutoGPT blocks shipped with ids that are not UUIDs; AutoGPT replaced them
        # (its issue 8223) and rewrites old files on import. Add further renames here.
        "a1b2c3d4-5e6f-7g8h-9i0j-k1l2m3n4o5p6": "436c3984-57fd-4b85-8e9a-459b356883bd",
        "b2g2c3d4-5e6f-7g8h-9i0j-k1l2m3n4o5p6": "0e50422c-6dee-4145-83d6-3a5a392f65de",
        "c3d4e5f6-7g8h-9i0j-1k2l-m3n4o5p6q7r8": "a0a69be1-4528-491c-a85a-a4ab6873e3f0",
        "c3d4e5f6-g7h8-i9j0-k1l2-m3n4o5p6q7r8": "32a87eab-381e-4dd4-bdb8-4c47151be35a",
        "b2c3d4e5-6f7g-8h9i-0j1k-l2m3n4o5p6q7": "87840993-2053-44b7-8da4-187ad4ee518c",
        "h1i2j3k4-5l6m-7n8o-9p0q-r1s2t3u4v5w6": "d0822ab5-9f8a-44a3-8971-531dd0178b6b",
        "d3f4g5h6-1i2j-3k4l-5m6n-7o8p9q0r1s2t": "df06086a-d5ac-4abb-9996-2ad0acb2eff7",
        "h5e7f8g9-1b2c-3d4e-5f6g-7h8i9j0k1l2m": "f5b0f5d0-1862-4d61-94be-3ad0fa772760",
        "a1234567-89ab-cdef-0123-456789abcdef": "4335878a-394e-4e67-adf2-919877ff49ae",
        "f8e7d6c5-b4a3-2c1d-0e9f-8g7h6i5j4k3l": "f66a3543-28d3-4ab5-8945-9b336371e2ce",
        "b29c1b50-5d0e-4d9f-8f9d-1b0e6fcbf0h2": "716a67b3-6760-42e7-86dc-18645c6e00fc",
        "31d1064e-7446-4693-o7d4-65e5ca9110d1": "cc10ff7b-7753-4ff2-9af6-9399b1a7eddc",
        "c6731acb-4105-4zp1-bc9b-03d0036h370g": "5ebe6768-8e5d-41e3-9134-1c7bd89a8d52",
    }
)
"""Old block id -> current block id, applied to every node when a file is read."""

SECRET_NAME_PARTS = ("credentials", "api_key", "password", "token", "secret")
"""A setting whose name contains one of these is removed on export (unless a bool)."""

EXTRA_SECRET_NAME_PARTS = ("apikey", "passwd", "private_key", "authorization", "cookie")
"""Beyond AutoGPT's list: spellings and HTTP headers (``X-Api-Key``) that also hold secrets."""

NOT_SECRET_NAMES = frozenset(
    {"max_tokens", "max_new_tokens", "max_output_tokens", "max_completion_tokens"}
)
"""Token *counts*, which AutoGPT strips by accident; kept, since they hold no secret."""

_SEPARATORS = re.compile(r"[-\s.]")
_GRAPH_DEFAULTED_KEYS = ("id", "version", "is_active", "name", "description", "user_id")
_NODE_DEFAULTED_KEYS = ("id", "input_default", "metadata", "policy")


class MissingBlock(TypedDict):
    node_id: str
    block_id: str


# --- reading ----------------------------------------------------------------------------


def _parse(data: Mapping[str, Any] | str | bytes) -> dict[str, Any]:
    if isinstance(data, str | bytes | bytearray):
        try:
            data = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            raise AgentFormatError(f"The agent file is not valid JSON: {exc}") from None
    if not isinstance(data, Mapping):
        raise AgentFormatError(f"An agent file holds a JSON object, not {type(data).__name__}")
    graph = data.get("graph")
    if "nodes" not in data and isinstance(graph, Mapping):
        data = graph  # the body of AutoGPT's POST /api/graphs: {graph, source}
    return dict(data)


def _clean(raw: Mapping[str, Any], where: str, keys: tuple[str, ...]) -> dict[str, Any]:
    """A copy without nulls for keys that have defaults (some exporters write null)."""
    if not isinstance(raw, Mapping):
        raise AgentFormatError(f"{where} must be a JSON object, not {type(raw).__name__}")
    return {k: v for k, v in raw.items() if not (k in keys and v is None)}


def _graph_dict(raw: Mapping[str, Any], where: str) -> dict[str, Any]:
    graph = _clean(raw, where, _GRAPH_DEFAULTED_KEYS)
    for key in ("nodes", "links"):
        if key not in graph:
            raise AgentFormatError(f"{where} has no '{key}' list: is this an agent file?")
        if not isinstance(graph[key], list):
            raise AgentFormatError(f"{where}: '{key}' must be a list")
    graph["nodes"] = [
        _clean(node, f"{where}: nodes[{i}]", _NODE_DEFAULTED_KEYS)
        for i, node in enumerate(graph["nodes"])
    ]
    return graph


def _sub_graph_dicts(raw: Mapping[str, Any]) -> list[Any]:
    """``sub_graphs``, or legacy ``subgraphs`` when it holds graphs.

    The oldest files have ``subgraphs`` as a mapping of group name to node ids (an editor
    grouping, usually empty); that holds no graph and is dropped.
    """
    subs = raw.get("sub_graphs")
    if subs is None:
        subs = raw.get("subgraphs")
    if isinstance(subs, Mapping):
        subs = [g for g in subs.values() if isinstance(g, Mapping) and "nodes" in g]
    if subs is None:
        return []
    if not isinstance(subs, list):
        raise AgentFormatError("'sub_graphs' must be a list of graphs")
    return subs


def _loc(loc: Iterable[int | str]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else str(part)
    return text or "agent"


def _explain(exc: ValidationError) -> str:
    errors = exc.errors()
    shown = "; ".join(f"{_loc(e['loc'])}: {e['msg']}" for e in errors[:5])
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    return f"The agent file does not match the agent format: {shown}{more}"


def _remap_legacy_blocks(nodes: Iterable[Node]) -> None:
    for node in nodes:
        node.block_id = LEGACY_BLOCK_IDS.get(node.block_id, node.block_id)


def load_agent(data: Mapping[str, Any] | str | bytes) -> Graph:
    """Read an agent file (a dict, or its JSON text) into a :class:`Graph`."""
    raw = _parse(data)
    graph_data = _graph_dict(raw, "The agent file")
    subs = [_graph_dict(s, f"sub_graphs[{i}]") for i, s in enumerate(_sub_graph_dicts(raw))]
    graph_data.pop("subgraphs", None)
    graph_data["sub_graphs"] = subs
    try:
        graph = Graph.model_validate(graph_data)
    except ValidationError as exc:
        raise AgentFormatError(_explain(exc)) from None
    for g in (graph, *graph.sub_graphs):
        _remap_legacy_blocks(g.nodes)
    return graph


# --- writing ----------------------------------------------------------------------------


def is_secret_name(name: str) -> bool:
    """Does a setting's name say it holds a secret (``api_key``, ``bot_token``...)?"""
    lowered = _SEPARATORS.sub("_", name.lower())
    if lowered in NOT_SECRET_NAMES:
        return False
    return any(p in lowered for p in (*SECRET_NAME_PARTS, *EXTRA_SECRET_NAME_PARTS))


def strip_secret_values(value: Any, secret_fields: frozenset[str] = frozenset()) -> Any:
    """A copy of ``value`` without entries named like secrets, at any depth.

    ``secret_fields`` are top-level keys the block's schema marks secret. Booleans stay:
    a flag such as ``secret: true`` holds no secret.
    """
    if isinstance(value, list):
        return [strip_secret_values(item) for item in value]
    if not isinstance(value, dict):
        return value
    return {
        key: strip_secret_values(item)
        for key, item in value.items()
        if key not in secret_fields and (isinstance(item, bool) or not is_secret_name(key))
    }


def _secret_fields(block_id: str, registry: BlockRegistry | None) -> frozenset[str]:
    block = registry.find(block_id) if registry is not None else None
    if block is None:
        return frozenset()
    props = block.Input.jsonschema().get("properties") or {}
    return frozenset(name for name, prop in props.items() if prop.get("secret") is True)


def _is_input_node(node: Node, registry: BlockRegistry | None) -> bool:
    block = registry.find(node.block_id) if registry is not None else None
    if block is not None:
        return block.block_type is BlockType.INPUT
    return node.block_id in AGENT_INPUT_BLOCK_IDS


def _node_settings(node: Node, registry: BlockRegistry | None, strip: bool) -> Any:
    settings = node.model_dump(mode="json", include={"input_default"})["input_default"]
    if not strip:
        return settings
    if settings.get("secret") is True and _is_input_node(node, registry):
        settings.pop("value", None)
    return strip_secret_values(settings, _secret_fields(node.block_id, registry))


def _dump_node(node: Node, registry: BlockRegistry | None, strip: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": node.id,
        "block_id": node.block_id,
        "input_default": _node_settings(node, registry, strip),
        "metadata": node.model_dump(mode="json", include={"metadata"})["metadata"],
    }
    if node.policy is not None:
        out["policy"] = node.policy.model_dump(mode="json")
    return out


def _dump_graph(graph: BaseGraph, registry: BlockRegistry | None, strip: bool) -> dict[str, Any]:
    return {
        "id": graph.id,
        "version": graph.version,
        "is_active": graph.is_active,
        "name": graph.name,
        "description": graph.description,
        "nodes": [_dump_node(node, registry, strip) for node in graph.nodes],
        "links": [link.model_dump(mode="json") for link in graph.links],
    }


def dump_agent(
    graph: Graph, registry: BlockRegistry | None = None, *, strip_secrets: bool = True
) -> dict[str, Any]:
    """The agent file for ``graph`` (JSON-ready), secrets stripped unless asked not to.

    With a ``registry`` the block schemas' ``secret`` fields are stripped too, and secret
    input nodes are recognised by block type; without, by AutoGPT's input block ids.
    The owner (``user_id``) is not part of the file.
    """
    out = _dump_graph(graph, registry, strip_secrets)
    out["sub_graphs"] = [_dump_graph(sub, registry, strip_secrets) for sub in graph.sub_graphs]
    return out


# --- import helpers ---------------------------------------------------------------------


def _repoint_agent_node(node: Node, graph_ids: Mapping[str, str], user_id: str | None) -> None:
    ref = node.input_default.get("graph_id")
    if isinstance(ref, str) and ref in graph_ids:
        node.input_default["graph_id"] = graph_ids[ref]
    if user_id is not None:
        node.input_default["user_id"] = user_id


def _renumber(graph: BaseGraph, graph_ids: Mapping[str, str], user_id: str | None) -> None:
    node_ids = {node.id: new_id() for node in graph.nodes}
    for node in graph.nodes:
        node.id = node_ids[node.id]
        if node.block_id == AGENT_EXECUTOR_BLOCK_ID:
            _repoint_agent_node(node, graph_ids, user_id)
    for link in graph.links:
        link.id = new_id()
        link.source_id = node_ids.get(link.source_id, link.source_id)
        link.sink_id = node_ids.get(link.sink_id, link.sink_id)
    graph.id = graph_ids[graph.id]


def reassign_ids(graph: Graph, *, user_id: str | None = None) -> Graph:
    """A copy with fresh ids for the graph, every sub-graph, node and link.

    Links follow their nodes, and Agent Executor nodes that run one of the sub-graphs are
    pointed at its new id. With ``user_id`` the copy (and its Agent Executor nodes, which
    run sub-agents as that user) belongs to the importer.
    """
    copy = graph.model_copy(deep=True)
    graphs: list[BaseGraph] = [copy, *copy.sub_graphs]
    graph_ids = {g.id: new_id() for g in graphs}
    for g in graphs:
        _renumber(g, graph_ids, user_id)
    if user_id is not None:
        copy.user_id = user_id
    return copy


def missing_blocks(graph: Graph, registry: BlockRegistry) -> list[MissingBlock]:
    """Every node, in the graph and its sub-graphs, whose block this registry lacks."""
    return [
        MissingBlock(node_id=node.id, block_id=node.block_id)
        for g in (graph, *graph.sub_graphs)
        for node in g.nodes
        if node.block_id not in registry
    ]
